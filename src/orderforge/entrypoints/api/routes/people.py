"""Customers, users and tokens over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    CustomerIn,
    CustomerOut,
    MeOut,
    TokenOut,
    TokenRequest,
    UserIn,
    UserOut,
)
from orderforge.services import customers, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    tags=["auth"],
    summary="Exchange username and password for an API token",
)
def create_token(ctx: Ctx, body: TokenRequest) -> dict[str, Any]:
    principal = users.authenticate(ctx, body.username, body.password)
    return {"access_token": users.issue_token(ctx, principal.username, body.name)}


@router.get("/me", response_model=MeOut, tags=["auth"])
def me(who: Me) -> dict[str, Any]:
    return {
        "username": who.username,
        "display_name": who.display_name,
        "role": who.role.value,
        "customer_id": who.customer_id,
    }


@router.get("/customers", response_model=list[CustomerOut], tags=["customers"])
def list_customers(ctx: Ctx, who: Me) -> list[dict[str, Any]]:
    return customers.list_customers(ctx, who)


@router.post(
    "/customers",
    response_model=CustomerOut,
    status_code=status.HTTP_201_CREATED,
    tags=["customers"],
)
def create_customer(ctx: Ctx, who: Me, body: CustomerIn) -> dict[str, Any]:
    cmd = customers.RegisterCustomer(
        code=body.code, name=body.name, email=body.email, country=body.country
    )
    return customers.register_customer(ctx, who, cmd)


@router.get("/customers/{code}", response_model=CustomerOut, tags=["customers"])
def get_customer(ctx: Ctx, who: Me, code: str) -> dict[str, Any]:
    return customers.get_customer(ctx, who, code)


@router.get("/users", response_model=list[UserOut], tags=["users"])
def list_users(ctx: Ctx, who: Me) -> list[dict[str, Any]]:
    return users.list_users(ctx, who)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, tags=["users"])
def create_user(ctx: Ctx, who: Me, body: UserIn) -> dict[str, Any]:
    cmd = users.AddUser(
        username=body.username,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
        customer_code=body.customer,
    )
    return users.add_user(ctx, who, cmd)

"""Customers, users and tokens over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    CustomerIn,
    MeOut,
    TokenOut,
    TokenRequest,
    UserIn,
)
from orderforge.services import customers, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.views import CustomerView, UserView

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


@router.get("/customers", response_model=list[CustomerView], tags=["customers"])
def list_customers(ctx: Ctx, who: Me) -> list[CustomerView]:
    return customers.list_customers(ctx, who)


@router.post(
    "/customers",
    response_model=CustomerView,
    status_code=status.HTTP_201_CREATED,
    tags=["customers"],
)
def create_customer(ctx: Ctx, who: Me, body: CustomerIn) -> CustomerView:
    cmd = customers.RegisterCustomer(
        code=body.code,
        name=body.name,
        email=body.email,
        country=body.country,
        address="\n".join(body.address),
        price_group=body.price_group,
    )
    return customers.register_customer(ctx, who, cmd)


@router.get("/customers/{code}", response_model=CustomerView, tags=["customers"])
def get_customer(ctx: Ctx, who: Me, code: str) -> CustomerView:
    return customers.get_customer(ctx, who, code)


@router.get("/users", response_model=list[UserView], tags=["users"])
def list_users(ctx: Ctx, who: Me) -> list[UserView]:
    return users.list_users(ctx, who)


@router.post("/users", response_model=UserView, status_code=status.HTTP_201_CREATED, tags=["users"])
def create_user(ctx: Ctx, who: Me, body: UserIn) -> UserView:
    cmd = users.AddUser(
        username=body.username,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
        customer_code=body.customer,
    )
    return users.add_user(ctx, who, cmd)

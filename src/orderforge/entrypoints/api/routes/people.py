"""Customers, users and tokens over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status

from orderforge.entrypoints.api.deps import client_address, current_principal, get_ctx
from orderforge.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    TOO_MANY,
    CustomerIn,
    MeChangeIn,
    MeOut,
    PasswordChangeIn,
    PasswordResetIn,
    TokenInfo,
    TokenOut,
    TokenRequest,
    UserChangeIn,
    UserIn,
)
from orderforge.services import credentials, customers, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.views import CustomerView, UserView

router = APIRouter(responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Username = Annotated[str, Path(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9._-]+$")]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    tags=["auth"],
    summary="Exchange username and password for an API token",
    responses={429: TOO_MANY},
)
def create_token(ctx: Ctx, body: TokenRequest, request: Request) -> dict[str, Any]:
    """Limited like the sign-in page: too many failures answer 429 with Retry-After."""
    principal = users.authenticate(ctx, body.username, body.password, client_address(request))
    issued = credentials.issue_token(ctx, principal.username, body.name, body.expires_in_days)
    return {"access_token": issued.secret, "expires_at": issued.expires_at}


@router.get("/auth/tokens", response_model=list[TokenInfo], tags=["auth"])
def list_tokens(ctx: Ctx, who: Me, everyone: bool = False) -> list[credentials.TokenView]:
    """Your tokens; an administrator sees everyone's with `everyone=true`."""
    return credentials.list_tokens(ctx, who, everyone)


@router.delete("/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def revoke_token(ctx: Ctx, who: Me, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> None:
    credentials.revoke_token(ctx, who, token_id)


@router.post(
    "/me/password", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"], responses={429: TOO_MANY}
)
def change_password(ctx: Ctx, who: Me, body: PasswordChangeIn) -> None:
    """Needs the current password; ends your other sessions and revokes your tokens."""
    users.change_own_password(ctx, who, body.old_password, body.new_password)


@router.get("/me", response_model=MeOut, tags=["auth"])
def me(ctx: Ctx, who: Me) -> dict[str, Any]:
    return _me(who, users.my_account(ctx, who))


@router.patch("/me", response_model=MeOut, tags=["auth"])
def change_me(ctx: Ctx, who: Me, body: MeChangeIn) -> dict[str, Any]:
    """Set or clear the address your e-mail notifications go to."""
    return _me(who, users.change_own_email(ctx, who, body.email))


def _me(who: Principal, view: UserView) -> dict[str, Any]:
    return {
        "username": who.username,
        "display_name": who.display_name,
        "role": who.role.value,
        "customer_id": who.customer_id,
        "email": view.email,
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
        email=body.email,
    )
    return users.add_user(ctx, who, cmd)


@router.patch("/users/{username}", response_model=UserView, tags=["users"])
def change_user(ctx: Ctx, who: Me, username: Username, body: UserChangeIn) -> UserView:
    """Change a role or e-mail address, or deactivate (sessions and tokens end) /
    reactivate a user."""
    change = users.UserChange(
        username=username,
        role=body.role,
        customer_code=body.customer,
        active=body.active,
        email=body.email,
    )
    return users.change_user(ctx, who, change)


@router.post("/users/{username}/password", status_code=status.HTTP_204_NO_CONTENT, tags=["users"])
def reset_password(ctx: Ctx, who: Me, username: Username, body: PasswordResetIn) -> None:
    users.reset_password(ctx, who, username, body.password)

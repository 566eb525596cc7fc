"""Pages for one's own account (password, API tokens) and, for administrators, the
people who use OrderForge: list, add, change role, deactivate/reactivate, reset a
password, and everyone's API tokens.

A new token is shown on the page that answers the form, never put into the session
cookie (which is signed, not encrypted) and never shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, require
from orderforge.domain.user import Role
from orderforge.entrypoints.web.common import Ctx, User, check_csrf, flash, redirect, render
from orderforge.services import credentials, customers, users
from orderforge.services.views import plain

router = APIRouter(include_in_schema=False)
ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.SALES: "Sales",
    Role.ENGINEER: "Engineer",
    Role.PLANNER: "Planner",
    Role.OPERATOR: "Operator",
    Role.QUALITY: "Quality",
    Role.CUSTOMER: "Customer (portal)",
}
Text = Annotated[str, Form(max_length=200)]
Csrf = Annotated[str, Form(max_length=100)]


def _tokens(views: list[credentials.TokenView]) -> list[dict[str, Any]]:
    return [{**t.model_dump(mode="json"), "state": _state(t)} for t in views]


def _state(token: credentials.TokenView) -> str:
    return "revoked" if token.revoked_at else ("active" if token.active else "expired")


@router.get("/account")
def account_page(
    request: Request, ctx: Ctx, me: User, new_token: str = "", status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "account.html",
        status=status,
        me=me,
        tokens=_tokens(credentials.list_tokens(ctx, me)),
        new_token=new_token,
        default_days=ctx.security.token_default_days,
        role_label=ROLE_LABELS[me.role],
        account=plain(users.my_account(ctx, me)),
    )


@router.post("/account/email")
def change_email(
    request: Request,
    ctx: Ctx,
    me: User,
    email: Annotated[str, Form(max_length=254)] = "",
    csrf: Csrf = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        view = users.change_own_email(ctx, me, email)
        done = f"Your e-mail goes to {view.email}." if view.email else "You get no e-mail now."
        flash(request, done)
    except DomainError as exc:
        flash(request, exc.message, "error")
    return redirect("/account")


@router.post("/account/password")
def change_password(
    request: Request, ctx: Ctx, me: User, old_password: Text, new_password: Text, csrf: Csrf = ""
) -> Response:
    try:
        check_csrf(request, csrf)
        users.change_own_password(ctx, me, old_password, new_password)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect("/account")
    # The session in hand ended with the others: sign in again with the new password.
    request.session.clear()
    return redirect("/login")


@router.post("/account/tokens")
def create_token(
    request: Request,
    ctx: Ctx,
    me: User,
    name: Annotated[str, Form(max_length=100)] = "api",
    days: Annotated[int, Form(ge=1, le=366)] = 90,
    csrf: Csrf = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        issued = credentials.issue_token(ctx, me.username, name, days)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect("/account")
    return account_page(request, ctx, me, new_token=issued.secret, status=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, ctx: Ctx, me: User, token_id: int, csrf: Csrf = "", back: str = ""
) -> Response:
    try:
        check_csrf(request, csrf)
        credentials.revoke_token(ctx, me, token_id)
        flash(request, "The token was revoked; it is refused from now on.")
    except DomainError as exc:
        flash(request, exc.message, "error")
    return redirect("/users" if back == "users" else "/account")


@router.get("/users")
def users_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    require(me.role, Resource.USER, VIEW)
    return render(
        request,
        "users.html",
        me=me,
        people=[plain(u) for u in users.list_users(ctx, me)],
        roles=ROLE_LABELS,
        customers=[plain(c) for c in customers.list_customers(ctx, me)],
        tokens=_tokens(credentials.list_tokens(ctx, me, everyone=True)),
        can_edit=users.may(me, EDIT),
        can_create=users.may(me, CREATE),
    )


@router.post("/users")
def add_user(
    request: Request,
    ctx: Ctx,
    me: User,
    username: Annotated[str, Form(max_length=40)],
    role: Annotated[str, Form(max_length=20)],
    password: Text,
    display_name: Text = "",
    customer: Annotated[str, Form(max_length=20)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    csrf: Csrf = "",
) -> Response:
    cmd = users.AddUser(username, role, password, display_name, customer or None, email)
    return _act(request, csrf, lambda: users.add_user(ctx, me, cmd), f"User {username} added.")


@router.post("/users/{username}/role")
def change_role(
    request: Request,
    ctx: Ctx,
    me: User,
    username: str,
    role: Annotated[str, Form(max_length=20)],
    customer: Annotated[str, Form(max_length=20)] = "",
    csrf: Csrf = "",
) -> Response:
    change = users.UserChange(username, role=role, customer_code=customer or None)
    label = next((text for r, text in ROLE_LABELS.items() if r.value == role), role)
    return _act(
        request,
        csrf,
        lambda: users.change_user(ctx, me, change),
        f"{username} now works as {label}.",
    )


@router.post("/users/{username}/email")
def set_email(
    request: Request,
    ctx: Ctx,
    me: User,
    username: str,
    email: Annotated[str, Form(max_length=254)] = "",
    csrf: Csrf = "",
) -> Response:
    change = users.UserChange(username, email=email)
    message = f"E-mail for {username} updated." if email else f"{username} gets no e-mail now."
    return _act(request, csrf, lambda: users.change_user(ctx, me, change), message)


@router.post("/users/{username}/active")
def set_active(
    request: Request,
    ctx: Ctx,
    me: User,
    username: str,
    active: Annotated[str, Form(max_length=5)],
    csrf: Csrf = "",
) -> Response:
    on = active == "yes"
    change = users.UserChange(username, active=on)
    message = f"{username} can sign in again." if on else f"{username} can no longer sign in."
    return _act(request, csrf, lambda: users.change_user(ctx, me, change), message)


@router.post("/users/{username}/password")
def reset_password(
    request: Request, ctx: Ctx, me: User, username: str, password: Text, csrf: Csrf = ""
) -> Response:
    return _act(
        request,
        csrf,
        lambda: users.reset_password(ctx, me, username, password),
        f"New password set for {username}; their sessions and tokens ended.",
    )


def _act(request: Request, csrf: str, action: Callable[[], object], done: str) -> Response:
    try:
        check_csrf(request, csrf)
        action()
        flash(request, done)
    except DomainError as exc:
        flash(request, exc.message, "error")
    return redirect("/users")

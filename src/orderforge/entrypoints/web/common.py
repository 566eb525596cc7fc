"""What every page module shares: templates, rendering, flash messages, CSRF, the
signed-in user, and the permission helper templates ask instead of naming roles.

Page modules import this one and never each other, so adding a page module touches
no other page module.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from orderforge.domain.errors import AuthenticationFailed, DomainError, InvalidInput
from orderforge.domain.permissions import VIEW, Resource, is_allowed
from orderforge.entrypoints.api.errors import status_of
from orderforge.services import users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""


def service_context(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def web_user(request: Request) -> Principal:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise LoginRequired
    try:
        return users.principal_by_id(service_context(request), user_id)
    except AuthenticationFailed:
        request.session.clear()
        raise LoginRequired from None


Ctx = Annotated[ServiceContext, Depends(service_context)]
User = Annotated[Principal, Depends(web_user)]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, token: str) -> None:
    if not secrets.compare_digest(csrf_token(request), token):
        raise InvalidInput("The form expired; reload the page and try again.", field="csrf")


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})


class Can:
    """`can('order', 'create')` in a template: the permission matrix, for the signed-in
    role, so templates never compare role names."""

    def __init__(self, me: Principal | None) -> None:
        self._me = me

    def __call__(self, resource: str, action: str) -> bool:
        return self._me is not None and is_allowed(self._me.role, Resource(resource), action)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("me", None)
    me = context["me"]
    can = Can(me)
    context["can"] = can
    # What the navigation may offer: only pages this role can open.
    context["nav"] = {resource.value: can(resource.value, VIEW) for resource in Resource}
    messages = request.session.pop("flash", [])
    return templates.TemplateResponse(
        request,
        name,
        {"csrf": csrf_token(request), "messages": messages, **context},
        status_code=status,
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def html_error(request: Request, exc: Exception) -> Response:
    """Errors on pages: sign-in redirect, or a page that says what went wrong."""
    if isinstance(exc, LoginRequired | AuthenticationFailed):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target)}")
    status = 404
    message = "That page does not exist."
    if isinstance(exc, DomainError):
        status, message = status_of(exc), exc.message
    return render(request, "error.html", status=status, status_code=status, message=message)

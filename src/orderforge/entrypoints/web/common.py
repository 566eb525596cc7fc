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
from jinja2 import pass_context
from starlette.datastructures import FormData

from orderforge.adapters.db.engine import writable
from orderforge.domain.errors import AuthenticationFailed, DomainError, InvalidInput
from orderforge.domain.permissions import VIEW, Resource, is_allowed
from orderforge.entrypoints.api.deps import read_form
from orderforge.entrypoints.api.errors import status_of
from orderforge.services import credentials
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


@pass_context
def _url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """Links to our own routes: the path, prefixed by the configured base URL when
    there is one; never built from the Host header, which a client chooses."""
    request: Request = context["request"]
    path = str(request.app.url_path_for(name, **params))
    return str(getattr(request.app.state, "base_url", "")) + path


templates.env.globals["url_for"] = _url_for


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""


def service_context(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def _session_user(ctx: ServiceContext, session_id: str) -> Principal:
    """The session's user; marking the session seen is a write of its own, so a page
    view's read-only transaction never writes."""
    principal, stale = credentials.session_principal(ctx, session_id)
    if stale:
        with writable():
            credentials.mark_session_seen(ctx, session_id)
    return principal


def web_user(request: Request) -> Principal:
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        raise LoginRequired
    try:
        return _session_user(service_context(request), session_id)
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


#: A page's posted form, read before the page runs so the page can be a plain `def` (see
#: `read_form`); its CSRF token is not checked yet: `posted_form` does that inside the
#: page, so a stale form is answered the page's own way.
Posted = Annotated[FormData, Depends(read_form)]


def posted_form(request: Request, form: FormData) -> FormData:
    """The posted form, once its CSRF token is checked (every page's forms carry one)."""
    token = form.get("csrf")
    check_csrf(request, token if isinstance(token, str) else "")
    return form


def form_text(form: FormData, key: str, *, strip: bool = True) -> str:
    """A form field as text ("" when missing or a file); a password keeps its spaces."""
    value = form.get(key)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


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

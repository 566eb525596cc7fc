"""Request-scoped dependencies: the service context and the acting principal."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from orderforge.adapters.db.engine import writable
from orderforge.domain.errors import AuthenticationFailed, InvalidInput
from orderforge.services import credentials
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


def get_ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def current_principal(request: Request) -> Principal:
    """Bearer token first; else the web session (mutations then need the CSRF header)."""
    ctx = get_ctx(request)
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        return credentials.principal_by_token(ctx, token.strip())
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        raise AuthenticationFailed(
            "Sign in, or send an API token as 'Authorization: Bearer <token>'."
        )
    if request.method not in SAFE_METHODS:
        expected = request.session.get("csrf", "")
        given = request.headers.get(CSRF_HEADER, "")
        if not expected or not secrets.compare_digest(str(expected), given):
            raise AuthenticationFailed(
                "A signed-in browser must send the X-CSRF-Token header to change data."
            )
    principal, stale = credentials.session_principal(ctx, session_id)
    if stale:  # a write of its own: GET requests read only
        with writable():
            credentials.mark_session_seen(ctx, session_id)
    return principal


async def read_body(request: Request) -> bytes:
    """The request body, read in the event loop (reading it is async) so that the route
    taking it can be a plain `def`: FastAPI runs those in its thread pool. A route that
    awaited the body itself had to be `async def`, and its database work then ran in the
    event loop and stalled every other request of the process while it waited."""
    return await request.body()


async def read_form(request: Request) -> FormData:
    """The posted form (multipart or urlencoded), read in the event loop as `read_body`
    says; parsed once per request (Starlette keeps it), so Form() parameters share it."""
    return await request.form()


RawBody = Annotated[bytes, Depends(read_body)]
PostedForm = Annotated[FormData, Depends(read_form)]


def client_address(request: Request) -> str:
    """The caller's address, for per-client limits. Behind a reverse proxy run uvicorn
    with --proxy-headers and --forwarded-allow-ips so this is the real client."""
    return request.client.host if request.client else ""


def parse_if_match(value: str | None) -> int | None:
    """The expected version from an If-Match header ('"3"', 'W/"3"'); '*' matches any."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise InvalidInput(
            f'If-Match must be an ETag this API gave you, such as "3"; got {value!r}.',
            field="If-Match",
        )
    return int(tag)


def etag(version: int) -> str:
    return f'"{version}"'

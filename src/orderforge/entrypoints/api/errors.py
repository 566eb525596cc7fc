"""Domain errors -> HTTP problem responses, in one place.

The mapping is the API's contract: 401 no/bad credentials, 403 wrong role, 404
unknown (or not yours), 409 illegal lifecycle move, 412 stale If-Match, 413 too
large, 422 malformed or out-of-range field (named).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from orderforge.domain.errors import (
    AuthenticationFailed,
    ConcurrencyConflict,
    DomainError,
    IdempotencyMismatch,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)

#: Error bodies echo at most this much of any message: a huge input must not come back
#: as a huge answer.
MAX_ECHO = 300

STATUS: list[tuple[type[DomainError], int, str]] = [
    (AuthenticationFailed, 401, "Not authenticated"),
    (PermissionDenied, 403, "Not allowed for your role"),
    (NotFound, 404, "Not found"),
    (IllegalTransition, 409, "Not possible in the current state"),
    (ConcurrencyConflict, 412, "Changed meanwhile"),
    (IdempotencyMismatch, 422, "Idempotency key reused"),
    (InvalidInput, 422, "Invalid input"),
    (TooManyAttempts, 429, "Too many attempts"),
]


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": _cap(detail),
        "errors": [{k: _cap(v) for k, v in e.items()} for e in (errors or [])[:20]],
    }
    if reason is not None:
        body["reason"] = reason
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


#: Titles for errors raised by the framework, worded like the domain's.
HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}


def _cap(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


def status_of(exc: DomainError) -> int:
    return next((code for cls, code, _ in STATUS if isinstance(exc, cls)), 400)


def _is_page(request: Request) -> bool:
    """Browser pages get HTML errors; everything under /api gets problem JSON."""
    return not request.url.path.startswith("/api") and hasattr(request.app.state, "html_error")


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _is_page(request):
        response: Response = request.app.state.html_error(request, exc)
        return response
    status = status_of(exc)
    title = next((name for cls, _, name in STATUS if isinstance(exc, cls)), "Bad request")
    if isinstance(exc, ConcurrencyConflict) and "if-match" not in request.headers:
        status = 409  # a race lost at commit, without a precondition the client set
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
        return problem(status, title, exc.message, errors, headers, reason=exc.reason)
    return problem(status, title, exc.message, errors, headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "body"


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field_name(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {_cap(e['message'])}" for e in errors[:5])
    return problem(422, "Invalid input", detail, errors)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_page(request) and exc.status_code == 404:
        response: Response = request.app.state.html_error(request, exc)
        return response
    title = HTTP_TITLES.get(exc.status_code, str(exc.detail))
    return problem(exc.status_code, title, str(exc.detail), headers=dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)

"""One guard at the door for what no endpoint or form should ever see.

Before any route runs, the URL, the query and the body (JSON or a form) are checked:
text must not contain NUL (PostgreSQL cannot store it, and every lookup with it failed
with a 500), and JSON numbers must be finite and within +-10^15 (the catalogue's ranges
are far smaller; 1e1000000 must not reach arithmetic). The refusal names the field
and echoes nothing of the input. Field-specific bounds (dates, lengths, patterns) stay
with the schemas; this is the floor under all of them.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderforge.entrypoints.api import errors

MAX_NUMBER = 10**15
_MAX_INT_DIGITS = 16


class _OutOfRange:
    """Stands in for a number that must not be parsed, so the walk can name its field."""


_OUT = _OutOfRange()


def _parse_float(text: str) -> float | _OutOfRange:
    value = float(text)
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else _OUT


def _parse_int(text: str) -> int | _OutOfRange:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _OUT
    value = int(text)
    return value if abs(value) <= MAX_NUMBER else _OUT


def _parse_constant(_text: str) -> _OutOfRange:
    return _OUT


def _name(path: list[str | int]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or "body"


def _find_problem(value: Any, path: list[str | int]) -> tuple[str, str] | None:
    """(field, reason) of the first bad value in a parsed JSON document."""
    if value is _OUT:
        return _name(path), f"must be a finite number between -{MAX_NUMBER} and {MAX_NUMBER}"
    if isinstance(value, str):
        return (_name(path), "must not contain NUL characters") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return _name(path), "has a key containing a NUL character"
            found = _find_problem(item, [*path, key])
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_problem(item, [*path, index])
            if found:
                return found
    return None


def check_json(body: bytes) -> tuple[str, str] | None:
    try:
        document = json.loads(
            body,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
        )
    except (ValueError, RecursionError):
        return None  # malformed JSON: the route's own parsing answers with a 422
    return _find_problem(document, [])


def check_pairs(raw: str) -> tuple[str, str] | None:
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return (key.replace("\x00", "")[:40] or "query"), "must not contain NUL characters"
    return None


class InputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            response = errors.problem(404, "Not found", "No such address.")
            await response(scope, receive, send)
            return
        found = check_pairs(scope.get("query_string", b"").decode("latin-1"))
        if found is None and scope["method"] in ("POST", "PUT", "PATCH"):
            try:
                body, receive = await _buffer(receive)
            except HTTPException as exc:  # the body size limit, raised while reading
                title = errors.HTTP_TITLES.get(exc.status_code, "Bad request")
                await errors.problem(exc.status_code, title, str(exc.detail))(scope, receive, send)
                return
            found = _check_body(dict(scope["headers"]).get(b"content-type", b""), body)
        if found is not None:
            field, reason = found
            response = errors.problem(
                422, "Invalid input", f"{field}: {reason}.", [{"field": field, "message": reason}]
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _check_body(content_type: bytes, body: bytes) -> tuple[str, str] | None:
    kind = content_type.split(b";")[0].strip().lower()
    if kind == b"application/json" or kind.endswith(b"+json"):
        return check_json(body)
    if kind == b"application/x-www-form-urlencoded":
        return check_pairs(body.decode("utf-8", "replace"))
    return None


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body (its size is already bounded) and hand it on unchanged."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay

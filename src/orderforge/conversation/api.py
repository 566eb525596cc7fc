"""The order conversation over HTTP: read the thread, post to it (JSON, or multipart
with files), download an attachment. Another customer's order is a 404, like every
order endpoint."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from orderforge.conversation import services
from orderforge.conversation.domain import MAX_ATTACHMENTS, MAX_BODY
from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/orders", tags=["conversation"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
OrderNumber = Annotated[str, Path(min_length=1, max_length=40)]
MessageId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Index = Annotated[int, Path(ge=0, le=MAX_ATTACHMENTS - 1)]
#: "off" and absent mean a public message, as an unticked checkbox sends nothing.
_TRUE = frozenset({"true", "1", "on", "yes"})
_FALSE = frozenset({"false", "0", "off", "no", ""})
PARSER_MAX_FILES = 50
PARSER_MAX_FIELDS = 50


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(examples=["@planner can the oak top ship a week earlier?"])
    internal: bool = Field(default=False, description="An internal note: staff only")


class AuthorOut(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str = Field(description="The role in words (Sales, Quality, Customer...)")


class MentionsOut(BaseModel):
    users: list[str]
    roles: list[str]


class AttachmentOut(BaseModel):
    index: int
    name: str
    size: int
    media_type: str
    sha256: str


class MessageOut(BaseModel):
    id: int
    order: str
    author: AuthorOut
    body: str
    internal: bool = Field(description="Always false for a customer (it sees no others)")
    mentions: MentionsOut
    attachments: list[AttachmentOut]
    posted_at: dt.datetime


_MULTIPART = {
    "type": "object",
    "required": ["body"],
    "properties": {
        "body": {"type": "string", "maxLength": MAX_BODY},
        "internal": {"type": "boolean"},
        "files": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": MAX_ATTACHMENTS,
        },
    },
}
_POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _MULTIPART},
            "application/json": {"schema": MessageIn.model_json_schema()},
        },
    }
}


@router.get(
    "/{number}/messages", response_model=list[MessageOut], summary="The order's conversation"
)
def list_messages(ctx: Ctx, me: Me, number: OrderNumber) -> list[dict[str, Any]]:
    """Oldest first; a customer gets the public messages only."""
    return [services.message_view(m) for m in services.list_messages(ctx, me, number)]


@router.post(
    "/{number}/messages",
    response_model=MessageOut,
    status_code=201,
    summary="Post to the order's conversation",
    openapi_extra=_POST_BODY,
)
async def post_message(request: Request, ctx: Ctx, me: Me, number: OrderNumber) -> dict[str, Any]:
    """JSON `{body, internal}`, or multipart with `body`, `internal` and up to five
    `files`. `@username` and `@role` in the body mention (and notify) them."""
    cmd = await _command(request, number)
    message = await run_in_threadpool(services.post_message, ctx, me, cmd)
    return services.message_view(message)


async def _command(request: Request, number: str) -> services.PostMessage:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = MessageIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        return services.PostMessage(number, parsed.body, parsed.internal)
    if kind != "multipart/form-data":
        raise InvalidInput("Send JSON or multipart/form-data.", field="body")
    # The parser's own limits are generous, so that too many files is our 422 naming
    # `files`; the request body's size limit bounds the whole anyway.
    async with request.form(max_files=PARSER_MAX_FILES, max_fields=PARSER_MAX_FIELDS) as form:
        body = form.get("body")
        internal = form.get("internal", "")
        if not isinstance(body, str):
            raise InvalidInput("Write a message (the body is missing).", field="body")
        if not isinstance(internal, str) or internal.strip().lower() not in _TRUE | _FALSE:
            raise InvalidInput("internal must be true or false.", field="internal")
        uploads = []
        for item in [*form.getlist("files"), *form.getlist("files[]")]:
            if not isinstance(item, UploadFile):
                raise InvalidInput("files must be files, not text.", field="files")
            limit = services.MAX_ATTACHMENT_BYTES + 1
            uploads.append(services.Upload(item.filename or "", await item.read(limit)))
    return services.PostMessage(number, body, internal.strip().lower() in _TRUE, tuple(uploads))


@router.get(
    "/{number}/messages/{message_id}/attachments/{index}",
    summary="Download an attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def attachment(
    ctx: Ctx, me: Me, number: OrderNumber, message_id: MessageId, index: Index
) -> Response:
    """Always as a download, never shown in the browser's own origin: the file is what
    someone uploaded, so it is sandboxed and its type is not sniffed."""
    found, data = services.attachment(ctx, me, number, message_id, index)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", found.name)[:120] or "attachment"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    return Response(
        data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )

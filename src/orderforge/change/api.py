"""Engineering changes over HTTP: ask for a change of an order, read its impact, decide it
(approval is an electronic signature), take the customer's answer, verify signatures, and
find the open orders a catalogue change reaches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import UploadFile

from orderforge.change import services
from orderforge.change.domain import MAX_REASON
from orderforge.design.domain import MAX_FILES, MAX_NOTES
from orderforge.design.uploads import upload_limit
from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.deps import (
    PostedForm,
    client_address,
    current_principal,
    get_ctx,
)
from orderforge.entrypoints.api.downloads import file_response
from orderforge.entrypoints.api.images import svg_response
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["engineering changes"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Number = Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9-]+$")]
ChangeNumber = Annotated[
    str,
    Path(
        min_length=1,
        max_length=20,
        pattern=r"^[A-Za-z]{3}-[0-9]{4}-[0-9]{1,6}$",
        description="The change's number, e.g. ECR-2026-0001",
    ),
]
Code = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_Comment = Field(default="", max_length=MAX_REASON)


class DesignIn(BaseModel):
    model_config = _STRICT
    notes: str = Field(
        default="",
        max_length=MAX_NOTES,
        description="What the new design revision changes (its documents are uploaded "
        "with POST /orders/{number}/changes/with-documents)",
    )


class LineChangeIn(BaseModel):
    model_config = _STRICT
    line_no: int = Field(ge=1, le=10_000, strict=True)
    spec: dict[str, str] | None = Field(
        default=None,
        examples=[{"top_material": "walnut"}],
        description="The options and parameters the line should have (the ones not given "
        "keep what the configurator completes, as when configuring); leave it out to keep "
        "the spec and change only the design",
    )
    quantity: int | None = Field(default=None, ge=1, le=10_000, strict=True)
    design: DesignIn | None = Field(
        default=None,
        description="A new design revision the change carries for the line (its mock-up "
        "is drawn from the spec the change asks for)",
    )

    @field_validator("spec")
    @classmethod
    def _small_spec(cls, spec: dict[str, str] | None) -> dict[str, str] | None:
        if spec is None:
            return None
        if len(spec) > 100:
            raise ValueError("at most 100 options per line")
        for key, value in spec.items():
            if not 1 <= len(key) <= 60 or len(value) > 200:
                raise ValueError(f"option '{key[:60]}': keys 1-60 chars, values up to 200")
        return spec


class ChangeIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=MAX_REASON, examples=["Walnut instead of oak."])
    lines: list[LineChangeIn] = Field(min_length=1, max_length=services.requests.MAX_LINES)


class ApproveIn(BaseModel):
    model_config = _STRICT
    meaning: str = Field(
        default="approval", examples=["approval"], description="review, approval or responsibility"
    )
    username: str = Field(min_length=1, max_length=40, description="Your user id, again")
    password: str = Field(min_length=1, max_length=200, description="Your password, again")
    comment: str = _Comment
    seen_hash: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="The content_hash you reviewed: refused (409) if the impact changed since",
    )


class CommentIn(BaseModel):
    model_config = _STRICT
    comment: str = _Comment


class RequiredCommentIn(BaseModel):
    model_config = _STRICT
    comment: str = Field(min_length=1, max_length=MAX_REASON)


@router.get("/orders/{number}/changes", summary="An order's engineering changes")
def order_changes(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.order_changes(ctx, me, number)


@router.post(
    "/orders/{number}/changes", status_code=201, summary="Ask for a change of a confirmed order"
)
def request_change(number: Number, body: ChangeIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    """The new specs are configured and priced as in the configurator and the impact is
    computed (operations, materials, cost, price, promise date, other orders); the order
    waits for engineering's decision."""
    return services.request_change(ctx, me, _command(number, body, {}))


@router.post(
    "/orders/{number}/changes/with-documents",
    status_code=201,
    summary="Ask for a change that carries design documents",
)
def request_change_with_documents(
    number: Number,
    form: PostedForm,
    ctx: Ctx,
    me: Me,
    change: Annotated[
        str,
        Form(
            max_length=200_000,
            description="The request as JSON, exactly as for POST /orders/{number}/changes",
        ),
    ],
) -> dict[str, Any]:
    """Multipart form: `change` (the JSON request) and, for each line that carries a new
    design revision, its documents as files in the field `documents-<line_no>`. They are
    checked as design revision files are (type, size, no active content); a refused file
    refuses the whole request."""
    try:
        body = ChangeIn.model_validate_json(change)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "change"
        raise InvalidInput(f"{where}: {error['msg']}", field=f"change.{where}") from None
    limit = upload_limit(ctx)
    documents: dict[int, list[tuple[str, bytes]]] = {}
    for key, value in form.multi_items():
        if key == "change":
            continue
        line_text = key.removeprefix("documents-")
        if line_text == key or not line_text.isdigit() or not isinstance(value, UploadFile):
            raise InvalidInput(
                f"Unknown form field {key[:40]}: documents go in documents-<line number>.",
                field="files",
            )
        files = documents.setdefault(int(line_text), [])
        if len(files) >= MAX_FILES:
            raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
        # One byte over the limit is enough to refuse the file: nothing larger is read.
        files.append((value.filename or "", value.file.read(limit + 1)))
    named = {li.line_no for li in body.lines}
    stray = sorted(set(documents) - named)
    if stray:
        raise InvalidInput(
            f"Documents for line {stray[0]}, which the request does not change.", field="files"
        )
    return services.request_change(ctx, me, _command(number, body, documents))


def _command(
    number: str, body: ChangeIn, documents: dict[int, list[tuple[str, bytes]]]
) -> services.RequestChange:
    return services.RequestChange(
        number,
        body.reason,
        tuple(
            services.LineRequest(
                li.line_no,
                dict(li.spec) if li.spec is not None else None,
                li.quantity,
                revise_design=li.design is not None,
                design_notes=li.design.notes if li.design is not None else "",
                documents=tuple(documents.get(li.line_no, ())),
            )
            for li in body.lines
        ),
    )


@router.get("/changes", summary="Engineering changes waiting for a decision or an answer")
def open_changes(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return services.open_changes(ctx, me)


@router.get("/changes/{change}", summary="One engineering change")
def get_change(change: ChangeNumber, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.get_change(ctx, me, change)


@router.post("/changes/{change}/impact", summary="Compute the impact again")
def refresh_impact(change: ChangeNumber, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.refresh_impact(ctx, me, change)


@router.post("/changes/{change}/approve", summary="Approve and apply a change (signature)")
def approve_change(
    change: ChangeNumber, body: ApproveIn, request: Request, ctx: Ctx, me: Me
) -> dict[str, Any]:
    """An electronic signature (user id and password again) bound to the change as shown;
    the order takes the new spec and price and keeps its place, the changed lines get a
    new work order revision, the order is promised again and a replan is queued."""
    cmd = services.Decision(
        change,
        approve=True,
        comment=body.comment,
        meaning=body.meaning,
        username=body.username,
        password=body.password,
        client=client_address(request),
        seen_hash=body.seen_hash,
    )
    return services.decide_change(ctx, me, cmd)


@router.post("/changes/{change}/reject", summary="Reject a change")
def reject_change(
    change: ChangeNumber, body: RequiredCommentIn, ctx: Ctx, me: Me
) -> dict[str, Any]:
    return services.decide_change(
        ctx, me, services.Decision(change, approve=False, comment=body.comment)
    )


@router.post("/changes/{change}/withdraw", summary="Withdraw a change not yet decided")
def withdraw_change(change: ChangeNumber, body: CommentIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.withdraw_change(ctx, me, change, body.comment)


@router.post("/changes/{change}/accept", summary="The customer accepts the new date and price")
def accept_change(change: ChangeNumber, body: CommentIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.customer_decision(ctx, me, change, True, body.comment)


@router.post("/changes/{change}/decline", summary="The customer declines the new date or price")
def decline_change(
    change: ChangeNumber, body: RequiredCommentIn, ctx: Ctx, me: Me
) -> dict[str, Any]:
    return services.customer_decision(ctx, me, change, False, body.comment)


LineNo = Annotated[int, Path(ge=1, le=10_000, description="The order line's number")]


@router.get(
    "/changes/{change}/lines/{line_no}/documents/{index}",
    summary="A document of the design revision a change carries",
    response_class=Response,
)
def change_document(
    change: ChangeNumber,
    line_no: LineNo,
    index: Annotated[int, Path(ge=1, le=100, description="1 for the first document")],
    ctx: Ctx,
    me: Me,
) -> Response:
    file, data = services.change_document(ctx, me, change, line_no, index - 1)
    return file_response(data, file.name, file.media_type)


@router.get(
    "/changes/{change}/lines/{line_no}/mockup.svg",
    summary="The mock-up of the design revision a change carries",
    response_class=Response,
)
def change_mockup(change: ChangeNumber, line_no: LineNo, ctx: Ctx, me: Me) -> Response:
    """Drawn from the spec the change asks for (or the current one when only the design
    changes), as it was when the change was asked for."""
    return svg_response(services.change_mockup(ctx, me, change, line_no).decode())


@router.get("/changes/{change}/verification", summary="Verify a change's signatures")
def verify_change(change: ChangeNumber, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.verify_change(ctx, me, change)


@router.get(
    "/catalogue/families/{code}/affected-orders",
    summary="Open orders a catalogue change would reach",
)
def affected_orders(
    code: Code,
    ctx: Ctx,
    me: Me,
    module: Annotated[str | None, Query(max_length=60)] = None,
    option: Annotated[str | None, Query(max_length=60)] = None,
    value: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Lines of the family whose configuration uses the module, or whose spec has the
    option (and value): each may need an engineering change of its own."""
    return services.affected_orders(ctx, me, code, module, option, value)

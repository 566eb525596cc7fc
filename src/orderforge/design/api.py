"""Design revisions over HTTP: read an order's design, propose a revision with its files,
sign or reject it, verify its signatures, and fetch its files and mock-up."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.design import services
from orderforge.design.domain import MAX_COMMENT, MAX_FILES, MAX_NOTES
from orderforge.design.uploads import upload_limit
from orderforge.design.views import DesignView
from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.deps import client_address, current_principal, get_ctx
from orderforge.entrypoints.api.downloads import file_response
from orderforge.entrypoints.api.images import svg_response
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/orders", tags=["design"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Number = Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9-]+$")]
LineNo = Annotated[int, Path(ge=1, le=10_000, description="The order line's number")]
Letter = Annotated[str, Path(min_length=1, max_length=4, pattern=r"^[A-Za-z]+$")]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignatureOut(BaseModel):
    capacity: str = Field(examples=["Customer approval"])
    meaning: str = Field(examples=["Approved"])
    printed_name: str
    signer_role: str
    signed_at: dt.datetime = Field(description="UTC")
    verified: bool = Field(description="Content hash and seal still match the stored record")


class FileOut(BaseModel):
    index: int
    name: str
    size: int
    media_type: str


class RevisionOut(BaseModel):
    letter: str
    state: str = Field(description="proposed, approved, rejected or superseded")
    state_label: str
    notes: str
    author_name: str
    proposed_at: dt.datetime
    files: list[FileOut]
    has_mockup: bool
    required: list[str]
    missing: list[str]
    signatures: list[SignatureOut]
    rejected_by: str | None
    rejected_at: dt.datetime | None
    rejection_comment: str
    content_hash: str = Field(description="SHA-256 of the revision's content, files included")
    current: bool
    change_number: str | None = Field(
        description="The engineering change (ECR) that carried this revision, if one did"
    )
    approved_by_change: bool = Field(
        description="Approved by the change's signature (the order was already released)"
    )
    can_sign: bool
    can_reject: bool


class PrototypeOut(BaseModel):
    work_order: str | None = Field(description="The prototype work order that counts, if any")
    design_revision: str | None = Field(description="The revision it was made for")
    passed: bool
    words: str = Field(examples=["The prototype WO-2026-0123 of revision B passed its inspection"])
    can_make: bool


class LineDesignOut(BaseModel):
    line_no: int
    family: str
    quantity: int
    revisions: list[RevisionOut]
    can_propose: bool
    prototype: PrototypeOut | None = Field(
        None, description="Where the line's prototype stands, when its family asks for one"
    )


class DesignOut(BaseModel):
    number: str
    state: str
    design_approved: bool
    blockers: list[str] = Field(description="Why the order may not be released yet")
    lines: list[LineDesignOut]
    signs_as: str | None


class SignIn(BaseModel):
    model_config = _STRICT
    meaning: str = Field(examples=["approval"], description="review, approval or responsibility")
    username: str = Field(min_length=1, max_length=40, description="Your user id, again")
    password: str = Field(min_length=1, max_length=200, description="Your password, again")


class RejectIn(BaseModel):
    model_config = _STRICT
    comment: str = Field(min_length=1, max_length=MAX_COMMENT)


class CheckOut(BaseModel):
    record: str
    content_hash: str
    signatures: int
    valid: bool
    problems: list[str]


def _out(view: DesignView) -> dict[str, Any]:
    return dataclasses.asdict(view)


@router.get("/{number}/design", response_model=DesignOut, summary="An order's design")
def get_design(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    """Every line's design revisions with their files, approvals and signatures."""
    return _out(services.order_design(ctx, me, number))


@router.post(
    "/{number}/lines/{line_no}/revisions",
    response_model=DesignOut,
    status_code=201,
    summary="Propose a design revision",
)
def propose_revision(
    number: Number,
    line_no: LineNo,
    ctx: Ctx,
    me: Me,
    notes: Annotated[str, Form(max_length=MAX_NOTES)] = "",
    files: Annotated[
        list[UploadFile] | None, File(description="Drawings, PDF, images, CAD")
    ] = None,
) -> dict[str, Any]:
    """A new revision of the line's design (supersedes the one before), drawn from its
    spec, with up to ten documents; the approvals it needs come from the catalogue."""
    uploads = files or []
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
    limit = upload_limit(ctx)
    # One byte over the limit is enough to refuse the file: nothing larger is read.
    read = [(u.filename or "", u.file.read(limit + 1)) for u in uploads]
    cmd = services.ProposeRevision(number, line_no, notes, tuple(read))
    return _out(services.propose_revision(ctx, me, cmd))


@router.post(
    "/{number}/lines/{line_no}/prototypes",
    response_model=DesignOut,
    status_code=201,
    summary="Make a prototype of the line's current design",
)
def make_prototype(number: Number, line_no: LineNo, ctx: Ctx, me: Me) -> dict[str, Any]:
    """A prototype work order (one unit, from the line's routing) of the current design
    revision; release waits until it passes its inspection."""
    return _out(services.make_prototype(ctx, me, number, line_no))


@router.post(
    "/{number}/lines/{line_no}/revisions/{letter}/sign",
    response_model=DesignOut,
    summary="Sign a design revision",
)
def sign_revision(
    number: Number,
    line_no: LineNo,
    letter: Letter,
    body: SignIn,
    request: Request,
    ctx: Ctx,
    me: Me,
) -> dict[str, Any]:
    """An electronic signature: your user id and password again, and what it means."""
    cmd = services.SignRevision(
        number, line_no, letter, body.meaning, body.username, body.password, client_address(request)
    )
    return _out(services.sign_revision(ctx, me, cmd))


@router.post(
    "/{number}/lines/{line_no}/revisions/{letter}/reject",
    response_model=DesignOut,
    summary="Reject a design revision",
)
def reject_revision(
    number: Number, line_no: LineNo, letter: Letter, body: RejectIn, ctx: Ctx, me: Me
) -> dict[str, Any]:
    cmd = services.RejectRevision(number, line_no, letter, body.comment)
    return _out(services.reject_revision(ctx, me, cmd))


@router.get(
    "/{number}/lines/{line_no}/revisions/{letter}/verification",
    response_model=CheckOut,
    summary="Verify a revision's signatures",
)
def verify_revision(
    number: Number, line_no: LineNo, letter: Letter, ctx: Ctx, me: Me
) -> dict[str, Any]:
    """Recompute the content hash from what is stored now (files included) and check
    every signature's seal."""
    return dataclasses.asdict(services.verify_revision(ctx, me, number, line_no, letter))


@router.get(
    "/{number}/lines/{line_no}/revisions/{letter}/files/{index}",
    summary="Download a revision's file",
    response_class=Response,
)
def revision_file(
    number: Number,
    line_no: LineNo,
    letter: Letter,
    index: Annotated[int, Path(ge=1, le=100, description="1 for the first file")],
    ctx: Ctx,
    me: Me,
) -> Response:
    file, data = services.revision_file(ctx, me, number, line_no, letter, index - 1)
    return file_response(data, file.name, file.media_type)


@router.get(
    "/{number}/lines/{line_no}/revisions/{letter}/mockup.svg",
    summary="A revision's mock-up drawing",
    response_class=Response,
)
def revision_mockup(number: Number, line_no: LineNo, letter: Letter, ctx: Ctx, me: Me) -> Response:
    return svg_response(services.revision_mockup(ctx, me, number, line_no, letter).decode())

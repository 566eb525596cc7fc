"""Imports over HTTP: upload a file for a preview, read a batch, confirm it.

Upload answers 201 with the preview even when rows have errors (each with its row and
column); a file that cannot be read at all (size, encoding, header) is a 422 naming
`file` or the column, and nothing is kept. Confirming a batch with errors, or a second
time, is a 409 that says why.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.imports import services
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/imports", tags=["imports"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
BatchId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Kind = Literal["customers", "items", "orders"]


class ChangeOut(BaseModel):
    field: str
    before: str
    after: str


class ProblemOut(BaseModel):
    row: int = Field(description="The row in the file; the header is row 1")
    column: str = Field(description="The column, empty when the row as a whole is wrong")
    message: str


class RowOut(BaseModel):
    row: int
    key: str = Field(description="The external id the row is matched on")
    action: Literal["create", "update", "unchanged", "error"]
    target: str = Field(description="The stored record an order row updates (its number)")
    changes: list[ChangeOut]
    errors: list[ProblemOut]
    summary: str = Field(examples=["update (name: Atelier Maes -> Atelier Maes & Co)"])


class CountsOut(BaseModel):
    create: int
    update: int
    unchanged: int
    error: int


class BatchOut(BaseModel):
    id: int
    kind: Kind
    file_name: str
    status: Literal["previewed", "applied"]
    uploaded_by: str
    uploaded_at: dt.datetime
    applied_by: str | None
    applied_at: dt.datetime | None
    counts: CountsOut
    can_apply: bool = Field(description="Previewed and without errors")
    errors: list[ProblemOut]
    rows: list[RowOut]


@router.post(
    "/{kind}",
    response_model=BatchOut,
    status_code=201,
    summary="Upload a CSV or Excel file: the preview of what it would change",
)
async def upload(
    kind: Kind,
    ctx: Ctx,
    me: Me,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx file")],
) -> dict[str, Any]:
    """Nothing but the batch is stored; confirm it to apply it."""
    # One byte over the limit is enough to refuse the file: nothing larger is read.
    data = await file.read(ctx.max_upload_bytes + 1)
    cmd = services.Upload(kind, file.filename or "", data)
    batch = await run_in_threadpool(services.upload, ctx, me, cmd)
    return services.batch_view(batch)


@router.get("/{batch_id}", response_model=BatchOut, summary="An import batch and its preview")
def get_batch(batch_id: BatchId, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.batch_view(services.get_batch(ctx, me, batch_id))


@router.post("/{batch_id}/confirm", response_model=BatchOut, summary="Apply an import batch, once")
def confirm(batch_id: BatchId, ctx: Ctx, me: Me) -> dict[str, Any]:
    """Every row in one transaction, through the same use cases as manual entry."""
    return services.batch_view(services.confirm(ctx, me, batch_id))

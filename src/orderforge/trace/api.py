"""Traceability over HTTP: a unit traced back, a lot traced forward, and a regulated
unit's device history record as JSON or PDF. Staff only; thin translation to the use
cases, refusals as problem+json through the shared error mapping."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.trace import services

router = APIRouter(tags=["traceability"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Serial = Annotated[
    str,
    Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$", examples=["COUCH-2026-00001"]),
]
LotNumber = Annotated[
    str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$", examples=["L-2026-00012"])
]


@router.get(
    "/trace/units/{serial}",
    summary="Trace a unit back: work order, operations, lots, inspections, signatures, NCRs",
)
def trace_unit(ctx: Ctx, me: Me, serial: Serial) -> dict[str, Any]:
    return services.trace_unit(ctx, me, serial)


@router.get(
    "/trace/lots/{lot}",
    summary="Trace a lot forward: every issue, work order, unit, order and customer",
)
def trace_lot(ctx: Ctx, me: Me, lot: LotNumber) -> dict[str, Any]:
    return services.trace_lot(ctx, me, lot)


@router.get(
    "/units/{serial}/dhr",
    summary="Device history record of a regulated unit, with what is missing from it",
)
def device_history_record(ctx: Ctx, me: Me, serial: Serial) -> dict[str, Any]:
    return services.device_history_record(ctx, me, serial)


@router.get(
    "/units/{serial}/dhr.pdf",
    summary="Device history record of a regulated unit (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def device_history_pdf(ctx: Ctx, me: Me, serial: Serial) -> Response:
    name, content = services.device_history_pdf(ctx, me, serial)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )

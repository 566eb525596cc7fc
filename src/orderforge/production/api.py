"""Work orders over HTTP: read them, and report starts, pauses, completions and problems
of their operations (idempotent with an `Idempotency-Key` header). Thin translation to the
production use cases; refusals travel as problem+json through the shared error mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.production.domain import MAX_REPORTED_QUANTITY, ReportKind
from orderforge.production.services import progress, reports, travelers, units, work_orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["work orders"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Seq = Annotated[int, Path(ge=1, le=100_000, description="Operation number (10, 20, 30...)")]
Number = Annotated[str, Path(max_length=30, examples=["WO-2026-0042"])]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OperationOut(BaseModel):
    seq: int
    routing_key: str
    name: str
    work_centres: list[str]
    setup_minutes: str
    run_minutes_per_unit: str
    predecessors: list[int]
    setup_class: str | None
    status: str
    good_quantity: int
    scrap_quantity: int
    started_at: str | None
    finished_at: str | None
    work_centre: str | None


class MaterialOut(BaseModel):
    item_code: str
    name: str
    quantity: str = Field(description="Decimal as text, for the whole work order")
    unit: str
    operation: str | None = Field(
        default=None, description="Routing key of the operation taking it (None: the first ones)"
    )


class ReportOut(BaseModel):
    work_order: str
    seq: int
    kind: str
    good: int
    scrap: int
    note: str
    work_centre: str | None
    actor: str
    reported_at: str


class WorkOrderOut(BaseModel):
    number: str
    order_number: str
    line_no: int
    revision: int
    status: str
    quantity: int
    product_family: str
    catalogue_version: int
    spec: dict[str, str]
    created_at: str
    updated_at: str
    operations: list[OperationOut]
    materials: list[MaterialOut]
    kind: str = Field(
        "production", description="production, or prototype (one unit proving a design)"
    )
    design_revision: str | None = Field(None, description="The revision a prototype proves")


class IssueOut(BaseModel):
    lot: str
    item_code: str
    quantity: str = Field(description="Decimal as text, in the item's unit")
    work_order: str
    seq: int
    by: str
    at: str


class SerialOut(BaseModel):
    serial: str
    work_order: str
    order_number: str
    line_no: int
    unit_no: int = Field(description="The unit's place in the work order (inspections' unit)")
    made_at: str


class WorkOrderDetail(WorkOrderOut):
    reports: list[ReportOut]
    issues: list[IssueOut] = Field(default_factory=list, description="Lots issued to operations")
    serials: list[SerialOut] = Field(default_factory=list, description="Finished units")


class ConsumeIn(BaseModel):
    model_config = _STRICT
    lot: str = Field(min_length=1, max_length=40, examples=["L-2026-00012"])
    quantity: Decimal = Field(gt=0, le=1_000_000, max_digits=14, decimal_places=4)


class StartIn(BaseModel):
    model_config = _STRICT
    work_centre: str | None = Field(default=None, max_length=40, examples=["CNC-5AX"])
    note: str = Field(default="", max_length=2000)


class PauseIn(BaseModel):
    model_config = _STRICT
    note: str = Field(default="", max_length=2000)


class ProblemIn(BaseModel):
    model_config = _STRICT
    note: str = Field(min_length=1, max_length=2000, examples=["Saw blade chipping the veneer"])


class CompleteIn(BaseModel):
    model_config = _STRICT
    good: int = Field(ge=0, le=MAX_REPORTED_QUANTITY, strict=True)
    scrap: int = Field(default=0, ge=0, le=MAX_REPORTED_QUANTITY, strict=True)
    scrap_cause: str = Field(
        default="",
        max_length=20,
        description="Why the scrap was scrapped: a defect cause code (required with scrap)",
        examples=["MACHINE"],
    )
    note: str = Field(default="", max_length=2000)


def _report(
    ctx: ServiceContext,
    me: Principal,
    response: Response,
    cmd: reports.ReportOperation,
    key: str | None,
) -> dict[str, Any]:
    outcome = reports.report_operation(ctx, me, cmd, key)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return outcome.view


@router.get(
    "/orders/{number}/work-orders",
    response_model=list[WorkOrderOut],
    summary="The order's work orders, every revision (superseded ones kept)",
)
def order_work_orders(ctx: Ctx, me: Me, number: Number) -> list[dict[str, Any]]:
    return work_orders.list_work_orders(ctx, me, number)


class OperationProgressOut(BaseModel):
    work_order: str
    seq: int
    name: str
    status: str
    planned_start: str | None
    planned_end: str | None
    projected_start: str
    projected_end: str
    delay_minutes: int
    behind: str | None = Field(description="overrunning, late_start, or None when on time")
    behind_text: str | None


class ProgressOut(BaseModel):
    order_number: str
    planned: bool = Field(description="False when the current plan does not hold the order")
    summary: str = Field(description="In words: on plan, or the new finish and why")
    promise_date: str | None
    planned_finish: str | None
    projected_finish: str | None
    delay_minutes: int
    promise_at_risk: bool
    reason: str | None
    operations: list[OperationProgressOut]


@router.get(
    "/orders/{number}/progress",
    response_model=ProgressOut,
    summary="The order's floor progress against the current plan: projected finish, what is behind",
)
def order_progress(ctx: Ctx, me: Me, number: Number) -> dict[str, Any]:
    return progress.progress_view(ctx, me, number)


@router.get("/work-orders", response_model=list[WorkOrderOut], summary="Work orders, newest first")
def list_work_orders(
    ctx: Ctx, me: Me, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    return work_orders.list_work_orders(ctx, me, None, limit)


@router.get(
    "/work-orders/{number}",
    response_model=WorkOrderDetail,
    summary="A work order: operations, materials and the floor's reports",
)
def get_work_order(ctx: Ctx, me: Me, number: Number) -> dict[str, Any]:
    return work_orders.get_work_order(ctx, me, number)


@router.get(
    "/work-orders/{number}/traveler.pdf",
    summary="The work order's traveler (PDF): what to make, operations with QR codes, materials",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def traveler_pdf(ctx: Ctx, me: Me, number: Number) -> Response:
    name, content = travelers.traveler_pdf(ctx, me, number)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post(
    "/work-orders/{number}/operations/{seq}/start",
    response_model=WorkOrderOut,
    summary="Start or resume an operation (idempotent with an Idempotency-Key header)",
)
def start_operation(
    ctx: Ctx,
    me: Me,
    number: Number,
    seq: Seq,
    response: Response,
    body: Annotated[StartIn | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    body = body or StartIn()
    cmd = reports.ReportOperation(
        number, seq, ReportKind.START, note=body.note, work_centre=body.work_centre
    )
    return _report(ctx, me, response, cmd, idempotency_key)


@router.post(
    "/work-orders/{number}/operations/{seq}/pause",
    response_model=WorkOrderOut,
    summary="Pause a running operation (idempotent with an Idempotency-Key header)",
)
def pause_operation(
    ctx: Ctx,
    me: Me,
    number: Number,
    seq: Seq,
    response: Response,
    body: Annotated[PauseIn | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    cmd = reports.ReportOperation(number, seq, ReportKind.PAUSE, note=(body or PauseIn()).note)
    return _report(ctx, me, response, cmd, idempotency_key)


@router.post(
    "/work-orders/{number}/operations/{seq}/complete",
    response_model=WorkOrderOut,
    summary="Complete a running operation with good and scrap quantities (idempotent)",
)
def complete_operation(
    ctx: Ctx,
    me: Me,
    number: Number,
    seq: Seq,
    body: CompleteIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    cmd = reports.ReportOperation(
        number,
        seq,
        ReportKind.COMPLETE,
        good=body.good,
        scrap=body.scrap,
        note=body.note,
        scrap_cause=body.scrap_cause,
    )
    return _report(ctx, me, response, cmd, idempotency_key)


@router.post(
    "/work-orders/{number}/operations/{seq}/problems",
    response_model=WorkOrderOut,
    summary="Note a problem at an operation; its status stays as it is (idempotent)",
)
def note_problem(
    ctx: Ctx,
    me: Me,
    number: Number,
    seq: Seq,
    body: ProblemIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    cmd = reports.ReportOperation(number, seq, ReportKind.PROBLEM, note=body.note)
    return _report(ctx, me, response, cmd, idempotency_key)


@router.post(
    "/work-orders/{number}/operations/{seq}/consumptions",
    response_model=IssueOut,
    status_code=201,
    summary="Issue a material lot to an operation (idempotent with an Idempotency-Key header)",
)
def consume_lot(
    ctx: Ctx,
    me: Me,
    number: Number,
    seq: Seq,
    body: ConsumeIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    cmd = units.ConsumeLot(number, seq, body.lot, body.quantity)
    outcome = units.consume_lot(ctx, me, cmd, idempotency_key)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return outcome.view

"""Quality over HTTP: inspection plans, an operation's inspection, recording results,
accepting failed work as is (an electronic signature), defect causes, nonconformance
reports (raise, disposition, close), and an order's final inspection."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orderforge.entrypoints.api.deps import client_address, current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.quality import finals, ncr_services, services
from orderforge.quality.ncr_domain import ReworkStep
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["quality"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Number = Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9-]+$")]
Seq = Annotated[int, Path(ge=1, le=100_000)]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Measured(BaseModel):
    model_config = _STRICT
    value: str = Field(min_length=1, max_length=30, examples=["0.3"])
    unit: str = Field(max_length=20, examples=["mm"])


class ResultsIn(BaseModel):
    model_config = _STRICT
    unit: int = Field(default=1, ge=1, le=100_000, description="Which unit (serial 1..n)")
    values: dict[str, Measured] = Field(default_factory=dict)
    checks: dict[str, bool] = Field(default_factory=dict)
    note: str = Field(default="", max_length=2000)

    @field_validator("values", "checks")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 50 or any(not 1 <= len(k) <= 40 for k in value):
            raise ValueError("at most 50 characteristics, codes of 1-40 characters")
        return value


class AcceptIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=2000)
    username: str = Field(min_length=1, max_length=40, description="Your user id, again")
    password: str = Field(min_length=1, max_length=200, description="Your password, again")


@router.get("/quality/plans", summary="Inspection plans in force")
def list_plans(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return services.list_plans(ctx, me)


@router.put("/quality/plans", summary="Put inspection plans in force (all or none)")
def put_plans(ctx: Ctx, me: Me, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """`{"plans": [{"family", "operation", "name", "sampling", "sample_size",
    "characteristics": [{"code", "name", "unit", "nominal", "lower", "upper"}]}]}`; a
    characteristic without a unit is a pass/fail check."""
    return services.put_plans_in_force(ctx, me, document)


@router.get("/work-orders/{number}/inspections", summary="A work order's inspections")
def work_order_inspections(number: Number, ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return services.work_order_inspections(ctx, me, number)


@router.get(
    "/work-orders/{number}/operations/{seq}/inspection",
    summary="An operation's inspection: plan with this work order's limits, results, status",
)
def get_inspection(number: Number, seq: Seq, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.get_inspection(ctx, me, number, seq)


@router.post(
    "/work-orders/{number}/operations/{seq}/inspection/results",
    summary="Record one unit's results",
)
def record_results(number: Number, seq: Seq, body: ResultsIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    cmd = services.RecordResults(
        number,
        seq,
        body.unit,
        {code: (m.value, m.unit) for code, m in body.values.items()},
        dict(body.checks),
        body.note,
    )
    return services.record_results(ctx, me, cmd)


@router.post(
    "/work-orders/{number}/operations/{seq}/inspection/accept-as-is",
    summary="Accept failed work as it is (quality's signature)",
)
def accept_as_is(
    number: Number, seq: Seq, body: AcceptIn, request: Request, ctx: Ctx, me: Me
) -> dict[str, Any]:
    cmd = services.AcceptAsIs(
        number, seq, body.reason, body.username, body.password, client_address(request)
    )
    return services.accept_as_is(ctx, me, cmd)


class Verdict(BaseModel):
    model_config = _STRICT
    passed: bool
    note: str = Field(default="", max_length=2000, description="What is wrong (needed to fail)")


class FinalIn(BaseModel):
    model_config = _STRICT
    items: dict[str, Verdict] = Field(description="Checklist item code -> verdict")
    note: str = Field(default="", max_length=2000)

    @field_validator("items")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 40 or any(not 1 <= len(k) <= 40 for k in value):
            raise ValueError("at most 40 items, codes of 1-40 characters")
        return value


@router.get(
    "/orders/{number}/final-inspection",
    summary="An order's final inspection: the facts, the checklist and every attempt",
)
def final_inspection(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    return finals.final_inspection(ctx, me, number)


@router.post(
    "/orders/{number}/final-inspection",
    summary="Record a final inspection: passed -> ready to ship, failed -> back to production",
)
def record_final(number: Number, body: FinalIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    answers = {code: (v.passed, v.note) for code, v in body.items.items()}
    return finals.record_final(ctx, me, finals.RecordFinal(number, answers, body.note))


@router.post(
    "/orders/{number}/final-inspection/present-again",
    summary="Present an order again for final inspection after a failed attempt",
)
def present_again(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    return finals.present_again(ctx, me, number)


# -- nonconformance reports ------------------------------------------------------------

NcrNumber = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]


class CausesIn(BaseModel):
    model_config = _STRICT
    causes: list[dict[str, Any]] = Field(min_length=1, max_length=100)


class NcrIn(BaseModel):
    model_config = _STRICT
    work_order: str = Field(min_length=1, max_length=30, examples=["WO-2026-0001"])
    seq: int = Field(ge=1, le=100_000, description="The operation where it was found")
    quantity: int = Field(ge=1, le=100_000, description="Units affected")
    description: str = Field(min_length=1, max_length=2000, description="What is wrong")
    cause: str = Field(min_length=1, max_length=20, examples=["MACHINE"])
    origin: str = Field(
        max_length=20, description="inspection, floor, material or other", examples=["floor"]
    )
    lot: str = Field(default="", max_length=60, description="Material lot number")


class ReworkStepIn(BaseModel):
    model_config = _STRICT
    work_centre: str = Field(min_length=1, max_length=40)
    minutes: int = Field(ge=1, le=10_000)
    instruction: str = Field(min_length=1, max_length=200)


class DispositionIn(BaseModel):
    model_config = _STRICT
    kind: str = Field(max_length=30, description="rework, scrap, use_as_is or return_to_supplier")
    note: str = Field(min_length=1, max_length=2000, description="Why")
    rework: list[ReworkStepIn] = Field(default_factory=list, max_length=9)
    supplier: str = Field(default="", max_length=120)
    debit_note: str = Field(default="", max_length=40)
    username: str = Field(default="", max_length=40, description="use_as_is: your user id")
    password: str = Field(default="", max_length=200, description="use_as_is: your password")


class NoteIn(BaseModel):
    model_config = _STRICT
    note: str = Field(min_length=1, max_length=2000)


@router.get("/quality/causes", summary="Defect causes (scrap and NCRs name one)")
def list_causes(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return ncr_services.list_causes(ctx, me)


@router.put("/quality/causes", summary="Add or change defect causes (retire with active false)")
def put_causes(ctx: Ctx, me: Me, body: CausesIn) -> dict[str, Any]:
    return ncr_services.put_causes(ctx, me, body.model_dump())


@router.get("/ncrs", summary="Nonconformance reports, open first")
def list_ncrs(
    ctx: Ctx,
    me: Me,
    status: Annotated[str | None, Query(max_length=20)] = None,
    work_order: Annotated[str | None, Query(max_length=30)] = None,
) -> list[dict[str, Any]]:
    return ncr_services.list_ncrs(ctx, me, status=status, work_order=work_order)


@router.post("/ncrs", status_code=201, summary="Raise an NCR at an operation")
def raise_ncr(ctx: Ctx, me: Me, body: NcrIn) -> dict[str, Any]:
    cmd = ncr_services.RaiseNcr(
        body.work_order,
        body.seq,
        body.quantity,
        body.description,
        body.cause,
        body.origin,
        body.lot,
    )
    return ncr_services.raise_ncr(ctx, me, cmd)


@router.get("/ncrs/{number}", summary="An NCR with its disposition and what verification misses")
def get_ncr(number: NcrNumber, ctx: Ctx, me: Me) -> dict[str, Any]:
    return ncr_services.get_ncr(ctx, me, number)


@router.post("/ncrs/{number}/disposition", summary="Quality's decision (once)")
def dispose(
    number: NcrNumber, body: DispositionIn, request: Request, ctx: Ctx, me: Me
) -> dict[str, Any]:
    cmd = ncr_services.Dispose(
        number,
        body.kind,
        body.note,
        [ReworkStep(s.work_centre, s.minutes, s.instruction) for s in body.rework],
        body.supplier,
        body.debit_note,
        body.username,
        body.password,
        client_address(request),
    )
    return ncr_services.dispose(ctx, me, cmd)


@router.post("/ncrs/{number}/close", summary="Verify the disposition was carried out; close")
def close_ncr(number: NcrNumber, body: NoteIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    return ncr_services.close_ncr(ctx, me, number, body.note)


@router.post("/ncrs/{number}/cancel", summary="Cancel an open NCR raised in error")
def cancel_ncr(number: NcrNumber, body: NoteIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    return ncr_services.cancel_ncr(ctx, me, number, body.note)

"""Quality over HTTP: inspection plans, an operation's inspection, recording results,
accepting failed work as is (an electronic signature), and an order's final inspection."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orderforge.entrypoints.api.deps import client_address, current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.quality import finals, services
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

"""Request bodies and response shapes of the planning API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orderforge.domain.planning import (
    DEFAULT_MIN_GAIN_MINUTES,
    MAX_MIN_GAIN_MINUTES,
    MAX_TIME_LIMIT,
    DisruptionKind,
    RunOptions,
)
from orderforge.entrypoints.api.bounds import BoundedDateTime
from orderforge.services.plan_runs import Disruption

_STRICT = ConfigDict(extra="forbid")
#: A time as typed: with `Z` or an offset it means that, without one the plant's local
#: time (resolved by `services.plant_time` in the use case, like the CLI's times).
PlantTime = Annotated[
    BoundedDateTime,
    Field(
        description="ISO 8601 date-time; without an offset it is the plant's local time.",
        examples=["2026-11-26T06:00", "2026-11-26T05:00:00Z"],
    ),
]
TimeLimit = Field(default=10.0, ge=0.5, le=MAX_TIME_LIMIT, description="Seconds to solve")
Displace = Field(
    default=False,
    description="May other orders' operations go to alternative work centres to make room "
    "(for new work, or a broken unit's work)? Off: each keeps its unit.",
)
MinGain = Field(
    default=DEFAULT_MIN_GAIN_MINUTES,
    ge=0,
    le=MAX_MIN_GAIN_MINUTES,
    strict=True,
    description="An operation of the current plan moves only when that gains the plan "
    "more than this many minutes (weighted lateness) beyond the minutes it moves.",
)


class RunIn(BaseModel):
    model_config = _STRICT
    time_limit: float = TimeLimit
    displace: bool = Displace
    min_gain_minutes: int = MinGain

    def options(self) -> RunOptions:
        return RunOptions(self.displace, self.min_gain_minutes)


class MachineDown(BaseModel):
    model_config = _STRICT
    kind: Literal["machine_down"]
    work_centre: str = Field(min_length=1, max_length=40, examples=["CNC"])
    resource: str | None = Field(default=None, max_length=50, examples=["CNC#2"])
    start: PlantTime
    end: PlantTime
    reason: str = Field(min_length=1, max_length=2000)


class OperationOverrun(BaseModel):
    model_config = _STRICT
    kind: Literal["operation_overrun"]
    operation: str = Field(min_length=1, max_length=120, examples=["SO-2026-0001/1/paint"])
    extra_minutes: int = Field(ge=1, le=100_000, strict=True)
    reason: str = Field(min_length=1, max_length=2000)


class OrderEvent(BaseModel):
    model_config = _STRICT
    kind: Literal["rush_order", "order_cancelled"]
    order: str = Field(min_length=1, max_length=30)
    reason: str = Field(min_length=1, max_length=2000)


class ReplanIn(BaseModel):
    """One event and the time to repair the plan for it."""

    model_config = _STRICT
    event: MachineDown | OperationOverrun | OrderEvent = Field(discriminator="kind")
    time_limit: float = Field(default=5.0, ge=0.5, le=MAX_TIME_LIMIT)
    displace: bool = Displace
    min_gain_minutes: int = MinGain

    def options(self) -> RunOptions:
        return RunOptions(self.displace, self.min_gain_minutes)

    def disruption(self) -> Disruption:
        e = self.event
        kind = DisruptionKind(e.kind)
        if isinstance(e, MachineDown):
            return Disruption(
                kind,
                e.reason,
                work_centre=e.work_centre,
                resource=e.resource,
                start=e.start,
                end=e.end,
            )
        if isinstance(e, OperationOverrun):
            return Disruption(kind, e.reason, operation=e.operation, extra_minutes=e.extra_minutes)
        return Disruption(kind, e.reason, order=e.order)


class PinIn(BaseModel):
    model_config = _STRICT
    operation: str = Field(min_length=1, max_length=120, examples=["SO-2026-0001/1/paint"])
    resource: str = Field(min_length=1, max_length=50, examples=["PAINT"])
    not_before: PlantTime | None = None
    note: str = Field(default="", max_length=2000)


# -- responses ----------------------------------------------------------------------


class RunOut(BaseModel):
    id: int
    kind: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    time_limit: float
    trigger: dict[str, Any]
    progress: dict[str, Any]
    error: dict[str, Any] | None
    plan_version: int | None
    #: {"displace": bool, "min_gain_minutes": int}
    options: dict[str, Any]
    #: The failed run this one repeats (POST .../retry), if any.
    retry_of: int | None = None


class VersionOut(BaseModel):
    number: int
    created_at: dt.datetime
    created_by: str
    run_id: int | None
    horizon_start: dt.datetime
    based_on: int | None
    reason: str
    objective: int
    lower_bound: int
    optimal: bool
    late_orders: int
    operation_count: int
    moved_operations: int
    #: Operations of the previous version this one could have moved (the "of").
    comparable_operations: int
    seconds: float
    skipped: list[str]


class PlannedOrderOut(BaseModel):
    order_number: str
    planned_start: dt.datetime
    planned_finish: dt.datetime
    due: dt.datetime | None
    tardiness_minutes: int
    binding: list[str]
    waits: list[str]


class OperationOut(BaseModel):
    key: str
    order_number: str
    line_no: int
    name: str
    work_centre: str
    resource: str
    start: dt.datetime
    end: dt.datetime
    setup_class: str | None
    frozen: bool
    pinned: bool


class PlanOut(VersionOut):
    current: bool
    orders: list[PlannedOrderOut]
    operations: list[OperationOut]


class MovedOrderOut(BaseModel):
    order: str
    finish_before: dt.datetime | None
    finish_after: dt.datetime | None
    finish_moved_minutes: int | None
    tardiness_before: int | None
    tardiness_after: int | None


class ComparisonOut(BaseModel):
    older: int
    newer: int
    orders: list[MovedOrderOut]


class PinOut(BaseModel):
    id: int | None
    operation: str
    resource: str
    not_before: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    note: str


class DowntimeOut(BaseModel):
    id: int | None
    work_centre: str
    resource: str | None
    start: dt.datetime
    end: dt.datetime
    reason: str
    recorded_by: str
    recorded_at: dt.datetime

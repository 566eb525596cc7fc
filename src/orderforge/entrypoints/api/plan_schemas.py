"""Request bodies of the planning API; responses are the services' plain views."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from orderforge.domain.planning import MAX_TIME_LIMIT, DisruptionKind
from orderforge.services.plan_runs import Disruption

_STRICT = ConfigDict(extra="forbid")
TimeLimit = Field(default=10.0, ge=0.5, le=MAX_TIME_LIMIT, description="Seconds to solve")


class RunIn(BaseModel):
    model_config = _STRICT
    time_limit: float = TimeLimit


class MachineDown(BaseModel):
    model_config = _STRICT
    kind: Literal["machine_down"]
    work_centre: str = Field(min_length=1, max_length=40, examples=["CNC"])
    resource: str | None = Field(default=None, max_length=50, examples=["CNC#2"])
    start: AwareDatetime
    end: AwareDatetime
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
    not_before: AwareDatetime | None = None
    note: str = Field(default="", max_length=2000)

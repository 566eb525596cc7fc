"""Plant plans as the business keeps them: runs, plan versions, pins and disruptions.

A plan run is a recorded job (queued -> running -> done | failed) so a long solve never
hides inside a web request and its progress can be watched. A finished run stores a new
plan version; old versions stay for comparison and audit. Pins and disruptions are the
planner's and the floor's facts that every later plan must respect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput

#: Weight of a rush order's tardiness against a normal order's 1.
RUSH_PRIORITY = 10
#: Longest time limit a caller may ask of one plan run.
MAX_TIME_LIMIT = 600.0


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: Withdrawn while it waited; it never ran.
    CANCELLED = "cancelled"


class RunKind(StrEnum):
    """`plan` plans the committed orders (new ones take the room the current plan leaves);
    `replan` repairs the current plan after an event."""

    PLAN = "plan"
    REPLAN = "replan"


class DisruptionKind(StrEnum):
    MACHINE_DOWN = "machine_down"
    OPERATION_OVERRUN = "operation_overrun"
    RUSH_ORDER = "rush_order"
    ORDER_CANCELLED = "order_cancelled"
    #: recorded by the change context when an engineering change is approved; not a
    #: disruption anyone reports by hand
    ENGINEERING_CHANGE = "engineering_change"
    #: recorded by the quality context when an NCR's rework or re-make adds operations
    #: to a work order; not reported by hand either
    NONCONFORMANCE = "nonconformance"


def check_time_limit(seconds: float) -> float:
    if not 0.5 <= seconds <= MAX_TIME_LIMIT:
        raise InvalidInput(
            f"time_limit must be between 0.5 and {MAX_TIME_LIMIT:.0f} seconds, not {seconds}.",
            field="time_limit",
        )
    return float(seconds)


#: An operation of the current plan moves only when that gains the plan more than this
#: many minutes (weighted lateness, or the plan's end) beyond the minutes it moves: every
#: move is a change the floor must be told about, so small gains are not worth one.
DEFAULT_MIN_GAIN_MINUTES = 120
#: A threshold above a working week would hold every plan, late or not, where it is.
MAX_MIN_GAIN_MINUTES = 7 * 1440


@dataclass(frozen=True)
class RunOptions:
    """A planner's settings for one run.

    `displace`: may other orders' operations go to alternative units to make room
    (for new work, or the work of a broken unit)? Off by default: each keeps its unit and
    moves only in time, only when that gains more than `min_gain_minutes`; a breakdown or
    overrun replan then holds the orders it does not touch where they are."""

    displace: bool = False
    min_gain_minutes: int = DEFAULT_MIN_GAIN_MINUTES

    def __post_init__(self) -> None:
        if isinstance(self.min_gain_minutes, bool) or not isinstance(self.min_gain_minutes, int):
            raise InvalidInput(
                "min_gain_minutes must be a whole number of minutes.", field="min_gain_minutes"
            )
        if not 0 <= self.min_gain_minutes <= MAX_MIN_GAIN_MINUTES:
            raise InvalidInput(
                f"min_gain_minutes must be between 0 and {MAX_MIN_GAIN_MINUTES} minutes, "
                f"not {self.min_gain_minutes}.",
                field="min_gain_minutes",
            )

    def as_dict(self) -> dict[str, Any]:
        return {"displace": self.displace, "min_gain_minutes": self.min_gain_minutes}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> RunOptions:
        """The options a run was asked with (runs stored before options existed: defaults)."""
        return cls(
            bool(stored.get("displace", False)),
            int(stored.get("min_gain_minutes", DEFAULT_MIN_GAIN_MINUTES)),
        )


@dataclass
class PlanRun:
    """One request to plan: who asked, why, how far it got, and which version it produced."""

    kind: RunKind
    requested_by: str
    requested_at: dt.datetime
    time_limit: float
    status: RunStatus = RunStatus.QUEUED
    #: The event that asked for a replan (kind and its details), empty for a plain run.
    trigger: dict[str, Any] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: Latest figures: seconds, objective, bound; `history` lists each improvement.
    progress: dict[str, Any] = field(default_factory=dict)
    #: Why it failed: {"title": ..., "issues": [{"where": ..., "message": ...}]}.
    error: dict[str, Any] | None = None
    plan_version: int | None = None
    id: int | None = None
    #: The planner's settings for it (RunOptions.as_dict()).
    options: dict[str, Any] = field(default_factory=dict)
    #: The failed run this one repeats, with the same inputs.
    retry_of: int | None = None

    def start(self, at: dt.datetime) -> None:
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(f"Plan run {self.id} is {self.status.value}, not queued.")
        self.status, self.started_at = RunStatus.RUNNING, at

    def report(self, seconds: float, objective: int, bound: int) -> None:
        history = list(self.progress.get("history", []))
        history.append([round(seconds, 2), objective, bound])
        self.progress = {
            "seconds": round(seconds, 2),
            "objective": objective,
            "bound": bound,
            "history": history[-200:],
        }

    def finish(self, version: int, at: dt.datetime) -> None:
        if self.status is not RunStatus.RUNNING:
            raise IllegalTransition(f"Plan run {self.id} is {self.status.value}, not running.")
        self.status, self.finished_at, self.plan_version = RunStatus.DONE, at, version

    def fail(self, title: str, issues: list[dict[str, str]], at: dt.datetime) -> None:
        if self.ended:
            raise IllegalTransition(f"Plan run {self.id} has already ended ({self.status.value}).")
        self.status, self.finished_at = RunStatus.FAILED, at
        self.error = {"title": title, "issues": issues}

    def cancel(self, by: str, at: dt.datetime) -> None:
        """Withdraw a run that still waits; once a worker has taken it, it runs to its end
        (a solve cannot be stopped half way without losing what it found)."""
        if self.status is RunStatus.RUNNING:
            raise IllegalTransition(
                f"Plan run {self.id} is already running and cannot be cancelled; wait for it "
                "to end."
            )
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(
                f"Plan run {self.id} has already ended ({self.status.value}); only a queued "
                "run can be cancelled."
            )
        self.status, self.finished_at = RunStatus.CANCELLED, at
        self.error = {"title": f"Cancelled by {by} before it ran.", "issues": []}

    def retry(self, by: str, at: dt.datetime) -> PlanRun:
        """A new queued run with this failed run's inputs (kind, time limit, trigger,
        options), linked to it; the disruption it answers is not recorded again."""
        if self.status is not RunStatus.FAILED:
            raise IllegalTransition(
                f"Plan run {self.id} is {self.status.value}; only a failed run can be "
                "retried (ask for a new plan instead)."
            )
        return PlanRun(
            kind=self.kind,
            requested_by=by,
            requested_at=at,
            time_limit=self.time_limit,
            trigger=dict(self.trigger),
            options=dict(self.options),
            retry_of=self.id,
        )

    @property
    def ended(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


@dataclass(frozen=True)
class PlannedOperation:
    """Where and when one operation of one order line runs in a plan version."""

    key: str
    order_number: str
    line_no: int
    name: str
    work_centre: str
    resource: str
    start: dt.datetime
    end: dt.datetime
    setup_class: str | None = None
    #: Started (or done) when the plan was made, so it was kept as it was.
    frozen: bool = False
    pinned: bool = False


@dataclass(frozen=True)
class PlannedOrder:
    """An order's planned dates in a plan version, and what makes it finish then."""

    order_number: str
    planned_start: dt.datetime
    planned_finish: dt.datetime
    due: dt.datetime | None
    tardiness_minutes: int
    #: The last links of the chain that fixes the finish ("Spray lacquer on PAINT").
    binding: list[str] = field(default_factory=list)
    #: What its work waits for before it may start ("waits for design approval until
    #: 7 Dec 2026", "waits for material: 12 m² of leather arrive with PO-2026-0004").
    waits: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanVersion:
    """A stored plan. The newest is the current plan; older ones are kept for comparison."""

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
    #: Operations of the previous version that this one moved (start or resource).
    moved_operations: int
    seconds: float
    #: Lines left out of the plan and why (not configured, no work centre).
    skipped: list[str] = field(default_factory=list)
    #: Operations of the previous version this one could have moved: in both versions,
    #: neither started nor finished (the "of" in "moved 3 of 473 operations").
    comparable_operations: int = 0


@dataclass(frozen=True)
class PlanPin:
    """A planner's decision: run this operation on that unit, not before a moment."""

    id: int | None
    operation: str
    resource: str
    not_before: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    note: str = ""


@dataclass(frozen=True)
class Downtime:
    """A work centre (or one unit of it) unavailable for a period: breakdown, maintenance."""

    id: int | None
    work_centre: str
    #: One unit ("CNC#2") or None for every unit of the centre.
    resource: str | None
    start: dt.datetime
    end: dt.datetime
    reason: str
    recorded_by: str
    recorded_at: dt.datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("A downtime must end after it starts.", field="end")


@dataclass(frozen=True)
class OperationDelay:
    """An operation takes longer than its routing says (reported from the floor)."""

    id: int | None
    operation: str
    extra_minutes: int
    reason: str
    recorded_by: str
    recorded_at: dt.datetime

    def __post_init__(self) -> None:
        if not 1 <= self.extra_minutes <= 100_000:
            raise InvalidInput("extra_minutes must be between 1 and 100000.", field="extra_minutes")

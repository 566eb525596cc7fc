"""Where an order's work stands against its plan, and when it will now finish.

The plan says when each operation should run; the floor says what really happened. Between
two plan runs the planner and sales still need to know, at once, whether the promise holds:
an operation still running past its planned end, or one that should have started and has
not, pushes everything after it. The projection walks the order's operations in their
order of precedence: what is done ends when it ended; what runs ends no earlier than now
and than its start plus its planned length; what has not started starts no earlier than
its plan, than now and than the projected end of what it waits for, and lasts as long as
planned. Slack the plan left between operations absorbs a delay; the machines other orders
hold are not re-planned here (that is the next plan run's job), so the projection is a
lower bound on the lateness, never a new schedule.

Pure: work orders and planned operations in, facts out; the services put them in words
and raise the promise-at-risk alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from orderforge.domain.planning import PlannedOperation
from orderforge.production.domain import Operation, OperationStatus, WorkOrder

#: A start or an end this much behind the plan is not news yet (a coffee, a slow forklift).
GRACE = dt.timedelta(minutes=15)

_STARTED = frozenset({OperationStatus.RUNNING, OperationStatus.PAUSED})


class Behind(StrEnum):
    """Why an operation is behind its plan now."""

    #: still running (or paused) after its planned end
    OVERRUNNING = "overrunning"
    #: could start (what it waits for is done) and should have, but has not
    LATE_START = "late_start"


@dataclass(frozen=True)
class OperationProgress:
    key: str
    work_order: str
    seq: int
    name: str
    status: OperationStatus
    planned_start: dt.datetime | None
    planned_end: dt.datetime | None
    projected_start: dt.datetime
    projected_end: dt.datetime
    #: set when this operation itself is behind the plan now (not only pushed by another)
    behind: Behind | None = None
    #: how far behind: past the planned end (overrunning) or the planned start (late start)
    behind_minutes: int = 0

    @property
    def delay_minutes(self) -> int:
        """How much later than planned it is now projected to end (0 when on time)."""
        if self.planned_end is None:
            return 0
        return max(0, _minutes(self.projected_end - self.planned_end))


@dataclass(frozen=True)
class OrderProgress:
    order_number: str
    planned_finish: dt.datetime | None
    #: None when nothing of the order is in the plan (no projection against nothing)
    projected_finish: dt.datetime | None
    operations: tuple[OperationProgress, ...]

    @property
    def behind(self) -> list[OperationProgress]:
        """The operations that are behind now, most behind first."""
        found = [o for o in self.operations if o.behind is not None]
        return sorted(found, key=lambda o: -o.behind_minutes)

    @property
    def delay_minutes(self) -> int:
        if self.planned_finish is None or self.projected_finish is None:
            return 0
        return max(0, _minutes(self.projected_finish - self.planned_finish))


def plan_key(work_order: WorkOrder, op: Operation) -> str:
    """The key the plan gives this operation ("SO-2026-0001/1/PAINT")."""
    return f"{work_order.order_number}/{work_order.line_no}/{op.routing_key}"


def project(
    order_number: str,
    work_orders: Sequence[WorkOrder],
    planned: Sequence[PlannedOperation],
    now: dt.datetime,
) -> OrderProgress:
    """The order's progress against `planned` (its operations in one plan version) as of
    `now`. `work_orders` are the order's current work orders; operations added since the
    plan (rework) last their standard time and start once what they wait for ends."""
    by_key = {p.key: p for p in planned if p.order_number == order_number}
    out: list[OperationProgress] = []
    for work_order in work_orders:
        ends: dict[int, dt.datetime] = {}
        ops = {o.seq: o for o in work_order.operations}
        for seq in sorted(ops):
            _walk(work_order, ops, seq, by_key, now, ends, out)
    ours = [o for o in out if o.planned_end is not None]
    planned_finish = max((p.end for p in by_key.values()), default=None)
    projected = max((o.projected_end for o in out), default=None) if ours else None
    return OrderProgress(order_number, planned_finish, projected, tuple(out))


def _walk(
    work_order: WorkOrder,
    ops: dict[int, Operation],
    seq: int,
    by_key: dict[str, PlannedOperation],
    now: dt.datetime,
    ends: dict[int, dt.datetime],
    out: list[OperationProgress],
) -> dt.datetime:
    """Project one operation after those it waits for; each once (memo in `ends`)."""
    if seq in ends:
        return ends[seq]
    op = ops[seq]
    after = [_walk(work_order, ops, p, by_key, now, ends, out) for p in op.predecessors if p in ops]
    plan = by_key.get(plan_key(work_order, op))
    length = (
        plan.end - plan.start
        if plan is not None
        else dt.timedelta(minutes=float(op.minutes(work_order.quantity)))
    )
    behind: Behind | None = None
    behind_minutes = 0
    if op.status is OperationStatus.DONE:
        start = op.started_at or (plan.start if plan else now)
        end = op.finished_at or (plan.end if plan else now)
    elif op.status in _STARTED:
        start = op.started_at or now
        end = max(start + length, now)
        if plan is not None and now > plan.end + GRACE:
            behind, behind_minutes = Behind.OVERRUNNING, _minutes(now - plan.end)
    else:
        start = max([now, *after, *([plan.start] if plan else [])])
        end = start + length
        ready = op.status is OperationStatus.READY
        if plan is not None and ready and now > plan.start + GRACE:
            behind, behind_minutes = Behind.LATE_START, _minutes(now - plan.start)
    ends[seq] = end
    out.append(
        OperationProgress(
            key=plan_key(work_order, op),
            work_order=work_order.number,
            seq=op.seq,
            name=op.name,
            status=op.status,
            planned_start=plan.start if plan else None,
            planned_end=plan.end if plan else None,
            projected_start=start,
            projected_end=end,
            behind=behind,
            behind_minutes=behind_minutes,
        )
    )
    return end


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)

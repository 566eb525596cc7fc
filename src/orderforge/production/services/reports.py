"""What the floor reports: start, pause and complete an operation, or note a problem at it.

Each report is stored as a fact (never changed) with the answer it got. A client sends
a key with it (the `Idempotency-Key` header, `--key` on the command line): a network
retry with the same key gets the first answer and counts nothing twice; the same key
with a different report is refused.

The order follows its work, so nobody has to press a button the floor already answered:
the first operation started puts a released order in production, and the last
operation of its last work order done sends it to final inspection. Work may start only
while the order is released or in production (its design approved, not on hold, not
cancelled): the floor cannot build what the customer has not approved. A prototype is
the exception: it is made before release, to prove the design, and the order does not
follow it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from orderforge.domain.errors import IdempotencyMismatch, IllegalTransition, InvalidInput, NotFound
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import REPORT, Resource, require
from orderforge.production.domain import Report, ReportKind, WorkOrder, WorkOrderStatus
from orderforge.production.ports import QUALITY_GATE, WORK_ORDERS
from orderforge.production.services.units import give_serials
from orderforge.production.services.work_orders import work_order_view
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import DuplicateRecord, OrderSummary, Principal, UnitOfWork

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class ReportOperation:
    work_order: str
    seq: int
    kind: ReportKind
    good: int = 0
    scrap: int = 0
    note: str = ""
    work_centre: str | None = None
    #: why the scrap was scrapped: a code of quality's catalogue, required with scrap
    scrap_cause: str = ""

    def fingerprint(self) -> str:
        """A digest of what was reported, so a reused key with another body is caught."""
        canonical = json.dumps(
            {
                "work_order": self.work_order.strip().upper(),
                "seq": self.seq,
                "kind": self.kind.value,
                "good": self.good,
                "scrap": self.scrap,
                "note": self.note,
                "work_centre": self.work_centre,
                # only when given, so fingerprints of reports without scrap stay as they were
                **({"scrap_cause": self.scrap_cause} if self.scrap_cause else {}),
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ReportOutcome:
    view: dict[str, Any]
    #: True when an earlier report with the same key produced this answer.
    replayed: bool = False


def parse_kind(kind: str) -> ReportKind:
    try:
        return ReportKind(kind)
    except ValueError:
        raise InvalidInput(
            f"Unknown report '{kind}'. Reports: " + ", ".join(k.value for k in ReportKind) + ".",
            field="kind",
        ) from None


def report_operation(
    ctx: ServiceContext, actor: Principal, cmd: ReportOperation, key: str | None = None
) -> ReportOutcome:
    require(actor.role, Resource.WORK_ORDER, REPORT)
    if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH):
        raise InvalidInput(
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters.", field="Idempotency-Key"
        )
    try:
        with ctx.uow() as uow:
            now = ctx.clock.now()
            outcome = report_in(uow, actor.username, cmd, now, key)
            if not outcome.replayed:
                # contexts above (the promise watch) look at the order's progress at once
                publish(ctx, uow, [_reported(outcome, cmd, actor.username, now)])
                uow.commit()
            return outcome
    except DuplicateRecord:
        # A concurrent retry with the same key won the race; answer as it did.
        if key is None:
            raise
        with ctx.uow() as uow:
            replay = _replay(uow, actor.username, key, cmd)
        if replay is None:
            raise
        return replay


def _reported(
    outcome: ReportOutcome, cmd: ReportOperation, actor: str, at: dt.datetime
) -> DomainEvent:
    return DomainEvent(
        aggregate="order",
        aggregate_key=str(outcome.view["order_number"]),
        kind="floor_report",
        actor=actor,
        occurred_at=at,
        data={"work_order": outcome.view["number"], "seq": cmd.seq, "kind": cmd.kind.value},
    )


def _replay(uow: UnitOfWork, actor: str, key: str, cmd: ReportOperation) -> ReportOutcome | None:
    earlier = uow.repository(WORK_ORDERS).report(actor, key)
    if earlier is None:
        return None
    if earlier.fingerprint != cmd.fingerprint():
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used with a different report; use a new key "
            "for a new report."
        )
    return ReportOutcome(view=earlier.outcome, replayed=True)


def report_in(
    uow: UnitOfWork,
    actor: str,
    cmd: ReportOperation,
    at: dt.datetime,
    key: str | None = None,
    *,
    check_order: bool = True,
) -> ReportOutcome:
    """Apply a report to its work order and keep it as a fact (caller commits).

    `check_order=False` is for replaying history whose order has moved on since (the demo
    writes a delivered order's floor reports after its whole path)."""
    repo = uow.repository(WORK_ORDERS)
    work_order = repo.lock(cmd.work_order.strip().upper())
    if work_order is None:
        raise NotFound(f"There is no work order {cmd.work_order}.")
    if key is not None:
        # Asked under the lock, once: a retry that waited for it finds the first answer.
        replay = _replay(uow, actor, key, cmd)
        if replay is not None:
            return replay
    # the order's state, read as one row: most reports leave the order as it is, and
    # loading it whole (lines, history) at every tap took about 14 % of a report
    summary = uow.orders.summaries([work_order.order_number]).get(work_order.order_number)
    if cmd.kind is ReportKind.START:
        if check_order and summary is not None:
            _check_order(summary, work_order)
        _check_quality(uow, work_order, cmd.seq)
    if cmd.kind is ReportKind.COMPLETE:
        cmd = _check_scrap_cause(uow, cmd)
    _apply(work_order, cmd, actor, at)
    if cmd.kind is ReportKind.COMPLETE:
        give_serials(uow, work_order, at)
    view = work_order_view(work_order)
    repo.add_report(
        Report(
            work_order=work_order.number,
            seq=cmd.seq,
            kind=cmd.kind,
            actor=actor,
            reported_at=at,
            fingerprint=cmd.fingerprint(),
            outcome=view,
            key=key,
            good=cmd.good,
            scrap=cmd.scrap,
            note=cmd.note.strip(),
            work_centre=cmd.work_centre,
        )
    )
    if summary is not None and not work_order.is_prototype:
        _order_follows(uow, summary, work_order, actor, at)
    return ReportOutcome(view=view)


#: Where an order's work may start: released and in production, and while a change is
#: asked of an order that was there (the change keeps its place; work goes on).
WORKING_STATES = frozenset({OrderState.RELEASED, OrderState.IN_PRODUCTION})


#: Where a prototype may not be worked on: it is made before release, to prove the
#: design, so only an order that stopped (held, cancelled, rejected) closes it.
_PROTOTYPE_CLOSED = {
    OrderState.ON_HOLD: "it is on hold",
    OrderState.CANCELLED: "it is cancelled",
    OrderState.REJECTED: "it was rejected",
}


def closed_in(
    state: OrderState, changed_from: OrderState | None = None, *, prototype: bool = False
) -> str | None:
    """Why work on an order in `state` (a prototype's, when `prototype`) may not start
    now, in words; None when it may. Read from the order's state alone, so a list of many
    orders and a report need only their summaries."""
    if prototype:
        return _PROTOTYPE_CLOSED.get(state)
    effective = changed_from if state is OrderState.CHANGE_REQUESTED else state
    if effective in WORKING_STATES:
        return None
    return {
        OrderState.ON_HOLD: "it is on hold",
        OrderState.CANCELLED: "it is cancelled",
        OrderState.FINAL_INSPECTION: "it is in final inspection",
        OrderState.READY_TO_SHIP: "its production is finished",
        OrderState.SHIPPED: "its production is finished",
        OrderState.DELIVERED: "its production is finished",
        OrderState.REJECTED: "it was rejected",
    }.get(state, f"it is {state.label.lower()} and not released to production yet")


def _check_order(order: OrderSummary, work_order: WorkOrder) -> None:
    why = closed_in(order.state, order.changed_from, prototype=work_order.is_prototype)
    if why is not None:
        raise IllegalTransition(
            f"Work on {work_order.number} cannot start: its order {order.number} is not open "
            f"for work ({why})."
        )


def _order_follows(
    uow: UnitOfWork, summary: OrderSummary, work_order: WorkOrder, actor: str, at: dt.datetime
) -> None:
    """Start the order's production at its first work, finish it with its last; the order
    itself is loaded only then."""
    state = summary.state
    if state is OrderState.RELEASED and work_order.status is not WorkOrderStatus.OPEN:
        order = _order(uow, summary.number)
        order.apply(
            OrderAction.START_PRODUCTION,
            actor=actor,
            at=at,
            reason=f"Work started on {work_order.number}.",
        )
        state = order.state
    if state is OrderState.IN_PRODUCTION and work_order.status is WorkOrderStatus.DONE:
        repo = uow.repository(WORK_ORDERS)
        with repo.deferred_writes():  # the order is written once, at commit
            others = repo.current_for([summary.number])
        if all(w.status is WorkOrderStatus.DONE for w in others if w.number != work_order.number):
            order = _order(uow, summary.number)
            order.apply(
                OrderAction.FINISH_PRODUCTION,
                actor=actor,
                at=at,
                reason=f"The last operation of {work_order.number} is done.",
            )


def _order(uow: UnitOfWork, number: str) -> Order:
    order = uow.orders.get(number)
    if order is None:  # pragma: no cover - its summary was read in this transaction
        raise NotFound(f"There is no order {number}.")
    return order


def _check_quality(uow: UnitOfWork, work_order: WorkOrder, seq: int) -> None:
    """An operation after a failed inspection waits until quality has decided."""
    op = work_order.operation(seq)
    if not op.predecessors:
        return
    try:
        gate = uow.repository(QUALITY_GATE)
    except LookupError:  # no quality context wired
        return
    holding = gate.holding(work_order.number, op.predecessors)
    if holding is not None:
        raise IllegalTransition(
            f"Operation {seq} ({op.name}) of {work_order.number} cannot start: {holding}"
        )


def _check_scrap_cause(uow: UnitOfWork, cmd: ReportOperation) -> ReportOperation:
    """Scrap is reported with its cause (a code of quality's catalogue), so scrap can be
    counted by cause; a cause without scrap is refused rather than stored for nothing."""
    code = cmd.scrap_cause.strip().upper()
    if cmd.scrap == 0:
        if code:
            raise InvalidInput("A scrap cause goes with scrapped units only.", field="scrap_cause")
        return cmd
    if not code:
        raise InvalidInput("Say why the units were scrapped: pick a cause.", field="scrap_cause")
    try:
        causes = uow.repository(QUALITY_GATE).scrap_causes()
    except LookupError:  # no quality context wired: any short code is taken as said
        causes = {code: code} if len(code) <= 20 else {}
    if code not in causes:
        known = ", ".join(sorted(causes)) or "none are kept yet"
        raise InvalidInput(
            f"{code[:20]!r} is not a scrap cause; the causes are {known}.", field="scrap_cause"
        )
    return replace(cmd, scrap_cause=code)


def _apply(work_order: WorkOrder, cmd: ReportOperation, actor: str, at: dt.datetime) -> None:
    if cmd.kind is ReportKind.START:
        work_order.start(cmd.seq, actor=actor, at=at, work_centre=cmd.work_centre, note=cmd.note)
    elif cmd.kind is ReportKind.PAUSE:
        work_order.pause(cmd.seq, actor=actor, at=at, note=cmd.note)
    elif cmd.kind is ReportKind.PROBLEM:
        work_order.note_problem(cmd.seq, actor=actor, at=at, note=cmd.note)
    else:
        work_order.complete(
            cmd.seq,
            good=cmd.good,
            scrap=cmd.scrap,
            actor=actor,
            at=at,
            note=cmd.note,
            scrap_cause=cmd.scrap_cause,
        )

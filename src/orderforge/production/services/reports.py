"""What the floor reports: start, pause and complete an operation, or note a problem at it.

Each report is stored as a fact (never changed) with the answer it got. A client sends
a key with it (the `Idempotency-Key` header, `--key` on the command line): a network
retry with the same key gets the first answer and counts nothing twice; the same key
with a different report is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import IdempotencyMismatch, IllegalTransition, InvalidInput, NotFound
from orderforge.domain.permissions import REPORT, Resource, require
from orderforge.production.domain import Report, ReportKind, WorkOrder
from orderforge.production.ports import QUALITY_GATE, WORK_ORDERS
from orderforge.production.services.units import give_serials
from orderforge.production.services.work_orders import work_order_view
from orderforge.services.context import ServiceContext
from orderforge.services.ports import DuplicateRecord, Principal, UnitOfWork

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
            outcome = report_in(uow, actor.username, cmd, ctx.clock.now(), key)
            if not outcome.replayed:
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
    uow: UnitOfWork, actor: str, cmd: ReportOperation, at: dt.datetime, key: str | None = None
) -> ReportOutcome:
    """Apply a report to its work order and keep it as a fact (caller commits)."""
    if key is not None:
        replay = _replay(uow, actor, key, cmd)
        if replay is not None:
            return replay
    repo = uow.repository(WORK_ORDERS)
    work_order = repo.lock(cmd.work_order.strip().upper())
    if work_order is None:
        raise NotFound(f"There is no work order {cmd.work_order}.")
    if key is not None:  # a retry that waited for the lock finds the first one's answer
        replay = _replay(uow, actor, key, cmd)
        if replay is not None:
            return replay
    if cmd.kind is ReportKind.START:
        _check_quality(uow, work_order, cmd.seq)
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
    return ReportOutcome(view=view)


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


def _apply(work_order: WorkOrder, cmd: ReportOperation, actor: str, at: dt.datetime) -> None:
    if cmd.kind is ReportKind.START:
        work_order.start(cmd.seq, actor=actor, at=at, work_centre=cmd.work_centre, note=cmd.note)
    elif cmd.kind is ReportKind.PAUSE:
        work_order.pause(cmd.seq, actor=actor, at=at, note=cmd.note)
    elif cmd.kind is ReportKind.PROBLEM:
        work_order.note_problem(cmd.seq, actor=actor, at=at, note=cmd.note)
    else:
        work_order.complete(
            cmd.seq, good=cmd.good, scrap=cmd.scrap, actor=actor, at=at, note=cmd.note
        )

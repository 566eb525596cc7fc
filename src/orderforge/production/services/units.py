"""What the floor records about the material and the units of a work order: lots issued
to an operation (scanned or typed on the operator screen, the API or the CLI) and the
serial numbers of the finished units.

Lots: materials owns lot quantities and keeps each issue as a stock movement; this room
is below materials and reaches it through the LOT_ISSUES port (see
materials/services/issues.py). An issue carries an idempotency key like a report, so a
scanner's double Enter or a resent form takes the lot once.

Serials: given when the work order's last operation is done, one per good unit out of
the last operations, `<FAMILY>-<year>-<number>` with the number counting per family and
year (so unique across the plant), kept with the work order, order and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderforge.domain.errors import IdempotencyMismatch, IllegalTransition, InvalidInput, NotFound
from orderforge.domain.permissions import REPORT, VIEW, Resource, require
from orderforge.production.domain import (
    CURRENT_STATUSES,
    IssuedLot,
    UnitSerial,
    WorkOrder,
    WorkOrderStatus,
    serials_for,
)
from orderforge.production.ports import LOT_ISSUES, UNIT_SERIALS, WORK_ORDERS
from orderforge.services.context import ServiceContext
from orderforge.services.ports import DuplicateRecord, Principal, UnitOfWork

MAX_KEY_LENGTH = 255
MAX_LOT_LENGTH = 40


@dataclass(frozen=True)
class ConsumeLot:
    work_order: str
    seq: int
    lot: str
    quantity: Decimal

    def fingerprint(self) -> str:
        """A digest of what was issued, so a reused key with another body is caught."""
        canonical = json.dumps(
            {
                "work_order": self.work_order.strip().upper(),
                "seq": self.seq,
                "lot": self.lot.strip().upper(),
                "quantity": str(self.quantity.normalize()),
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ConsumeOutcome:
    view: dict[str, Any]
    #: True when an earlier issue with the same key produced this answer.
    replayed: bool = False


def parse_quantity(text: str) -> Decimal:
    """A quantity typed on a form or the command line, or a sentence why not."""
    try:
        value = Decimal(text.strip()[:20])
    except InvalidOperation:
        raise InvalidInput(
            f"The quantity must be a number, not {text[:20]!r}.", field="quantity"
        ) from None
    return value


def consume_lot(
    ctx: ServiceContext, actor: Principal, cmd: ConsumeLot, key: str | None = None
) -> ConsumeOutcome:
    """Issue a lot to an operation (operators, planners, admins: those who report)."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH):
        raise InvalidInput(
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters.", field="Idempotency-Key"
        )
    if not cmd.lot.strip() or len(cmd.lot) > MAX_LOT_LENGTH or "\x00" in cmd.lot:
        raise InvalidInput(f"Give the lot number (1-{MAX_LOT_LENGTH} characters).", field="lot")
    try:
        with ctx.uow() as uow:
            outcome = _consume_in(uow, actor.username, cmd, ctx.clock.now(), key)
            if not outcome.replayed:
                uow.commit()
            return outcome
    except DuplicateRecord:
        if key is None:
            raise
        with ctx.uow() as uow:
            replay = _replay(uow, actor.username, key, cmd)
        if replay is None:
            raise
        return replay


def consume_in(uow: UnitOfWork, actor: str, cmd: ConsumeLot, at: dt.datetime) -> IssuedLot:
    """Issue a lot inside the caller's transaction (the demo's floor; caller commits)."""
    return _issue(uow, actor, cmd, at, None)[0]


def _consume_in(
    uow: UnitOfWork, actor: str, cmd: ConsumeLot, at: dt.datetime, key: str | None
) -> ConsumeOutcome:
    if key is not None:
        replay = _replay(uow, actor, key, cmd)
        if replay is not None:
            return replay
    issued, replayed = _issue(uow, actor, cmd, at, key)
    return ConsumeOutcome(view=issue_view(issued), replayed=replayed)


def _issue(
    uow: UnitOfWork, actor: str, cmd: ConsumeLot, at: dt.datetime, key: str | None
) -> tuple[IssuedLot, bool]:
    """The issue made, and whether an earlier one with the same key answers instead."""
    work_order = uow.repository(WORK_ORDERS).lock(cmd.work_order.strip().upper())
    if work_order is None:
        raise NotFound(f"There is no work order {cmd.work_order}.")
    if key is not None:  # a retry that waited for the lock finds the first one's answer
        earlier = uow.repository(LOT_ISSUES).issued(actor, key)
        if earlier is not None:
            _same(earlier, cmd)
            return earlier, True
    if work_order.status not in CURRENT_STATUSES:
        raise IllegalTransition(
            f"Work order {work_order.number} is {work_order.status.value}: no material is "
            "issued to it."
        )
    work_order.operation(cmd.seq)  # names the operations when there is no such one
    wanted = IssuedLot(
        lot_number=cmd.lot.strip().upper(),
        item_code="",
        quantity=cmd.quantity,
        work_order=work_order.number,
        seq=cmd.seq,
        actor=actor,
        consumed_at=at,
        fingerprint=cmd.fingerprint(),
    )
    return uow.repository(LOT_ISSUES).issue(work_order, cmd.seq, wanted, key), False


def _same(earlier: IssuedLot, cmd: ConsumeLot) -> None:
    if earlier.fingerprint != cmd.fingerprint():
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used with a different issue of material; use "
            "a new key for a new one."
        )


def _replay(uow: UnitOfWork, actor: str, key: str, cmd: ConsumeLot) -> ConsumeOutcome | None:
    earlier = uow.repository(LOT_ISSUES).issued(actor, key)
    if earlier is None:
        return None
    _same(earlier, cmd)
    return ConsumeOutcome(view=issue_view(earlier), replayed=True)


def issue_view(issued: IssuedLot) -> dict[str, Any]:
    return {
        "lot": issued.lot_number,
        "item_code": issued.item_code,
        "quantity": format(issued.quantity.normalize(), "f"),
        "work_order": issued.work_order,
        "seq": issued.seq,
        "by": issued.actor,
        "at": issued.consumed_at.isoformat(),
    }


def issued_to(uow: UnitOfWork, work_order: str) -> list[dict[str, Any]]:
    """What was issued to a work order's operations (nothing when no materials room is
    wired, as in unit tests of other use cases)."""
    try:
        issues = uow.repository(LOT_ISSUES)
    except LookupError:
        return []
    return [issue_view(i) for i in issues.issued_to(work_order)]


# -- serial numbers --------------------------------------------------------------------------


def give_serials(uow: UnitOfWork, work_order: WorkOrder, at: dt.datetime) -> list[UnitSerial]:
    """Serial numbers for a work order that just became done (caller commits); none when
    no serial store is wired (unit tests of other use cases) or it has them already."""
    if work_order.status is not WorkOrderStatus.DONE or work_order.is_prototype:
        # a prototype proves a design; it is no unit of the customer's and takes no
        # number of the family's series (its record is its work order and inspection)
        return []
    try:
        repo = uow.repository(UNIT_SERIALS)
    except LookupError:
        return []
    if repo.of_work_orders([work_order.number]):
        return []
    name = f"serial-{work_order.product_family.upper()}-{at.year}"
    numbers = [uow.sequences.next_value(name) for _ in range(work_order.finished_units())]
    serials = serials_for(work_order, numbers, at)
    repo.add(serials)
    return serials


def serials_of(uow: UnitOfWork, work_order: WorkOrder) -> list[UnitSerial]:
    try:
        return uow.repository(UNIT_SERIALS).of_work_orders([work_order.number])
    except LookupError:
        return []


def serial_view(s: UnitSerial) -> dict[str, Any]:
    return {
        "serial": s.serial,
        "work_order": s.work_order,
        "order_number": s.order_number,
        "line_no": s.line_no,
        "unit_no": s.unit_no,
        "made_at": s.made_at.isoformat(),
    }


def serials_of_order(ctx: ServiceContext, actor: Principal, order_number: str) -> list[UnitSerial]:
    """The serial numbers of an order's finished units (staff who see work orders)."""
    require(actor.role, Resource.WORK_ORDER, VIEW)
    with ctx.uow() as uow:
        try:
            return uow.repository(UNIT_SERIALS).of_order(order_number.strip().upper())
        except LookupError:
            return []

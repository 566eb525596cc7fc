"""Purchase orders (receipts never beyond the open quantity; refusals change nothing)
and the MRP's reading of work orders: which operation consumes a material and when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import Order, OrderState
from orderforge.materials.domain import (
    HoldKind,
    LineIn,
    Lot,
    LotHold,
    PoStatus,
    PurchaseOrder,
    consume,
)
from orderforge.materials.services.mrp import needs_of
from orderforge.production.domain import (
    MaterialNeed,
    OperationStatus,
    PlannedStep,
    WorkOrder,
    WorkOrderSource,
)

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
D = Decimal


def purchase_order(status: PoStatus = PoStatus.ORDERED) -> PurchaseOrder:
    return PurchaseOrder.create(
        number="PO-2026-0001",
        supplier_code="TANNERY",
        currency="EUR",
        order_by=NOW.date(),
        lines=[LineIn("LEATHER", D(27), D(72), NOW + dt.timedelta(days=21))],
        status=status,
        actor="purchasing",
        at=NOW,
    )


def test_partial_receipts_create_lots_until_the_line_is_received() -> None:
    po = purchase_order()
    lot = po.receive(1, D("4.5"), lot_number="L-1", location="MAIN", at=NOW)
    assert (lot.item_code, lot.quantity, lot.po_number, lot.po_line_no) == (
        "LEATHER", D("4.5"), "PO-2026-0001", 1,
    )  # fmt: skip
    assert po.status is PoStatus.PARTIALLY_RECEIVED and po.lines[0].open_quantity == D("22.5")
    po.receive(1, D("22.5"), lot_number="L-2", location="MAIN", at=NOW)
    assert po.status.value == "received"


@pytest.mark.parametrize("quantity", [D(0), D(-1), D(28), D("NaN"), D("0.00001")])
def test_a_refused_receipt_changes_nothing(quantity: Decimal) -> None:
    po = purchase_order()
    with pytest.raises(InvalidInput) as refused:
        po.receive(1, quantity, lot_number="L-1", location="MAIN", at=NOW)
    assert refused.value.field == "quantity"
    assert po.status is PoStatus.ORDERED and po.lines[0].received_quantity == 0


def test_only_ordered_purchase_orders_are_received_and_unknown_lines_are_named() -> None:
    with pytest.raises(IllegalTransition):
        purchase_order(PoStatus.DRAFT).receive(1, D(1), lot_number="L", location="M", at=NOW)
    with pytest.raises(InvalidInput) as unknown:
        purchase_order().receive(2, D(1), lot_number="L", location="M", at=NOW)
    assert unknown.value.field == "line"


def test_order_by_in_the_past_and_empty_orders_are_refused() -> None:
    with pytest.raises(InvalidInput) as past:
        PurchaseOrder.create(
            number="PO-1", supplier_code="S", currency="EUR",
            order_by=NOW.date() - dt.timedelta(days=1),
            lines=[LineIn("X", D(1), D(1), NOW)], status=PoStatus.ORDERED, actor="a", at=NOW,
        )  # fmt: skip
    assert past.value.field == "order_by"
    with pytest.raises(InvalidInput) as empty:
        PurchaseOrder.create(
            number="PO-1", supplier_code="S", currency="EUR", order_by=NOW.date(), lines=[],
            status=PoStatus.ORDERED, actor="a", at=NOW,
        )  # fmt: skip
    assert empty.value.field == "lines"


def test_a_new_arrival_date_applies_to_what_is_still_open() -> None:
    po = purchase_order()
    later = NOW + dt.timedelta(days=60)
    assert po.reschedule(1, later, NOW) == NOW + dt.timedelta(days=21)
    assert po.line(1).expected_at == later
    po.receive(1, D(27), lot_number="L-1", location="MAIN", at=NOW)
    with pytest.raises(IllegalTransition, match="received; only an open purchase order"):
        po.reschedule(1, NOW + dt.timedelta(days=90), NOW)
    assert po.line(1).expected_at == later


@pytest.mark.parametrize(
    ("days", "field"), [(-1, "expected_on"), (-400, "expected_on")], ids=["yesterday", "last year"]
)
def test_an_arrival_date_in_the_past_is_refused_and_nothing_changes(days: int, field: str) -> None:
    po = purchase_order()
    with pytest.raises(InvalidInput) as refused:
        po.reschedule(1, NOW + dt.timedelta(days=days), NOW)
    assert refused.value.field == field
    assert po.line(1).expected_at == NOW + dt.timedelta(days=21)


def test_cancelled_orders_and_unknown_lines_get_no_new_date() -> None:
    po = purchase_order()
    with pytest.raises(InvalidInput, match="has no line 2"):
        po.reschedule(2, NOW + dt.timedelta(days=30), NOW)
    po.cancel()
    with pytest.raises(IllegalTransition, match="only an open purchase order"):
        po.reschedule(1, NOW + dt.timedelta(days=30), NOW)


def _work_order(operation: str | None = None) -> WorkOrder:
    steps = [
        PlannedStep("CUT", "Cut", ("SAW",), D(10), D(5), ()),
        PlannedStep("SEW", "Sew", ("BENCH",), D(10), D(60), ()),
        PlannedStep("UPHOLSTER", "Upholster", ("BENCH",), D(10), D(120), ("CUT", "SEW")),
    ]
    work_order = WorkOrder.create(
        number="WO-1",
        source=WorkOrderSource("SO-1", 1, 2, "COUCH", 1, {}),
        revision=1,
        steps=steps,
        materials=[MaterialNeed("LEATHER", "Leather", D(12), "m2")],
        actor="t",
        at=NOW,
    )
    work_order.materials[0].operation = operation
    return work_order


def _order(due: dt.date | None) -> Order:
    return Order("SO-1", 1, OrderState.PLANNED, NOW, NOW, requested_date=due)


def test_the_first_operations_consume_it_at_the_earliest_planned_start() -> None:
    plan = {
        "SO-1/1/CUT": NOW + dt.timedelta(days=6),
        "SO-1/1/SEW": NOW + dt.timedelta(days=4),
        "SO-1/1/UPHOLSTER": NOW + dt.timedelta(days=9),
    }
    [need] = needs_of([_order(None)], [_work_order()], plan, NOW)
    assert need.operation == "SO-1/1/SEW"
    assert need.requirement.need_at == NOW + dt.timedelta(days=4)
    [named] = needs_of([_order(None)], [_work_order("UPHOLSTER")], plan, NOW)
    assert named.operation == "SO-1/1/UPHOLSTER"
    assert named.requirement.need_at == NOW + dt.timedelta(days=9)


def test_unplanned_need_is_the_due_date_less_the_routing_and_done_work_needs_nothing() -> None:
    due = (NOW + dt.timedelta(days=30)).date()
    [need] = needs_of([_order(due)], [_work_order()], {}, NOW)
    # (10 + 5*2) + (10 + 60*2) + (10 + 120*2) = 390 minutes: one working day back
    assert need.requirement.need_at == dt.datetime.combine(
        due - dt.timedelta(days=1), dt.time(), dt.UTC
    )
    assert needs_of([_order(None)], [_work_order()], {}, NOW)[0].requirement.need_at == NOW
    done = _work_order()
    for op in done.operations[:2]:
        op.status = OperationStatus.DONE
    assert needs_of([_order(None)], [done], {}, NOW) == []


def test_a_held_lot_is_not_issued_and_a_released_hold_no_longer_counts() -> None:
    lot = Lot("L-1", "OAK", D(5), "MAIN", NOW)
    args = {
        "required": {"OAK": "Oak board"},
        "where": "operation 10 (Cut) of WO-1",
        "work_order": "WO-1",
        "seq": 10,
        "actor": "op",
        "at": NOW,
    }
    quarantined = LotHold("L-1", HoldKind.QUARANTINE, "NCR-2026-0001", "Split", "q", NOW)
    with pytest.raises(InvalidInput, match="quarantined while NCR-2026-0001") as held:
        consume(lot, D(1), hold=quarantined, **args)  # type: ignore[arg-type]
    assert held.value.field == "lot"
    returned = LotHold("L-1", HoldKind.RETURNED, "NCR-2026-0001", "Split", "q", NOW)
    with pytest.raises(InvalidInput, match="returned to its supplier"):
        consume(lot, D(1), hold=returned, **args)  # type: ignore[arg-type]
    released = LotHold("L-1", HoldKind.QUARANTINE, "NCR-2026-0001", "Split", "q", NOW, "q", NOW)
    assert consume(lot, D(1), hold=released, **args).quantity == D(1)  # type: ignore[arg-type]

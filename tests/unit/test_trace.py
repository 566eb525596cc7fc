"""Traceability rules without a database: what an issue of a lot may take and to which
operation, the serial numbers a finished work order gets, and what a device history
record is missing, in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.materials.domain import Lot, consume
from orderforge.production.domain import (
    MaterialNeed,
    PlannedStep,
    WorkOrder,
    WorkOrderSource,
    serial_number,
    serials_for,
)
from orderforge.trace.domain import (
    Acceptance,
    OperationRecord,
    RecordFacts,
    is_regulated,
    missing,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def lot(quantity: str = "10", item: str = "FOAM-HD") -> Lot:
    return Lot("L-2026-00007", item, Decimal(quantity), "RACK-1", T0, "PO-2026-0003", 1)


def take(quantity: str, item: str = "FOAM-HD", left: str = "10") -> Decimal:
    made = consume(
        lot(left, item),
        Decimal(quantity),
        required={"FOAM-HD": "HR foam"},
        where="operation 30 (Upholstery) of WO-2026-0001",
        work_order="WO-2026-0001",
        seq=30,
        actor="operator",
        at=T0,
    )
    return made.quantity


def test_an_issue_takes_what_the_operation_needs_from_what_the_lot_has() -> None:
    assert take("4.5") == Decimal("4.5")
    assert take("10") == Decimal("10")


def test_an_issue_never_takes_a_lot_below_zero_and_says_what_is_left() -> None:
    with pytest.raises(InvalidInput, match=r"Lot L-2026-00007 has only 2.5 left") as refused:
        take("3", left="2.5")
    assert refused.value.field == "quantity"


def test_an_item_the_operation_does_not_need_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match=r"item MDF-19, which operation 30 \(Upholstery\)"):
        take("1", item="MDF-19")


@pytest.mark.parametrize("quantity", ["0", "-1", "NaN", "1000001", "0.00001"])
def test_a_quantity_out_of_range_is_refused(quantity: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        take(quantity)
    assert refused.value.field == "quantity"


@given(
    left=st.decimals(min_value=0, max_value=1000, places=2),
    wanted=st.decimals(min_value="-5", max_value=1200, places=2),
)
def test_whatever_is_asked_a_lot_never_goes_below_zero(left: Decimal, wanted: Decimal) -> None:
    try:
        taken = take(str(wanted), left=str(left))
    except InvalidInput:
        return
    assert Decimal(0) < taken <= left


def step(key: str, *before: str) -> PlannedStep:
    return PlannedStep(key, key.title(), ("BENCH",), Decimal(10), Decimal(5), before)


def couch(quantity: int = 3) -> WorkOrder:
    return WorkOrder.create(
        number="WO-2026-0001",
        source=WorkOrderSource("SO-2026-0001", 1, quantity, "COUCH", 1, {}),
        revision=1,
        steps=[step("FRAME"), step("TOP", "FRAME"), step("TEST", "TOP")],
        materials=[MaterialNeed("FOAM-HD", "HR foam", Decimal(2), "pc")],
        actor="sales",
        at=T0,
    )


def finish(wo: WorkOrder, good: int, scrap: int = 0) -> None:
    for op in wo.operations:
        wo.start(op.seq, actor="operator", at=T0)
        wo.complete(op.seq, good=good, scrap=scrap, actor="operator", at=T0)


def test_serials_follow_the_family_year_number_pattern() -> None:
    assert serial_number("couch", 2026, 1) == "COUCH-2026-00001"
    assert serial_number("WALL-PANEL", 2027, 123) == "WALL-PANEL-2027-00123"
    with pytest.raises(InvalidInput):
        serial_number("COUCH", 2026, 0)


def test_a_done_work_order_gets_one_serial_per_good_unit() -> None:
    wo = couch(3)
    with pytest.raises(IllegalTransition, match="last operation is done"):
        serials_for(wo, [1, 2, 3], T0)
    finish(wo, good=2, scrap=1)
    made = serials_for(wo, [7, 8], T0)
    assert [(s.serial, s.unit_no, s.order_number, s.line_no) for s in made] == [
        ("COUCH-2026-00007", 1, "SO-2026-0001", 1),
        ("COUCH-2026-00008", 2, "SO-2026-0001", 1),
    ]
    with pytest.raises(InvalidInput, match="made 2 good units"):
        serials_for(wo, [1, 2, 3], T0)


def test_materials_without_an_operation_are_issued_at_the_first_ones() -> None:
    wo = couch()
    assert [m.item_code for m in wo.materials_at(10)] == ["FOAM-HD"]
    assert wo.materials_at(20) == []


def record(**change: object) -> RecordFacts:
    ops = [
        OperationRecord(10, "Frame", True, ("FRAME-1",), ("FRAME-1",), Acceptance.NONE),
        OperationRecord(30, "Upholstery", True, ("FOAM-HD",), ("FOAM-HD",), Acceptance.NONE),
        OperationRecord(40, "Test", True, (), (), Acceptance.PASSED),
    ]
    facts = {"serial": "COUCH-2026-00001", "operations": tuple(ops), "design_approved": True}
    facts.update(change)
    return RecordFacts(**facts)  # type: ignore[arg-type]


def test_a_complete_record_misses_nothing() -> None:
    assert missing(record()) == []


def test_an_incomplete_record_says_what_is_missing_in_words() -> None:
    ops = (
        OperationRecord(40, "Upholstery", True, (), (), Acceptance.NOT_INSPECTED),
        OperationRecord(30, "Upholstery", True, ("FOAM-HD", "COVER"), ("COVER",), Acceptance.NONE),
        OperationRecord(50, "Test", False, (), (), Acceptance.FAILED),
        OperationRecord(60, "Label", True, (), (), Acceptance.INCOMPLETE),
    )
    facts = record(
        operations=ops,
        design_approved=False,
        design_words="Design revision B of line 1 is awaiting approval, not approved.",
        open_ncrs=("NCR-2026-0004 (torn cover)",),
    )
    assert missing(facts) == [
        "No lot recorded for item FOAM-HD at operation 30 (Upholstery).",
        "No inspection result for operation 40 (Upholstery).",
        "Operation 50 (Test) is not done.",
        "The inspection at operation 50 (Test) failed and waits for quality's decision.",
        "The inspection at operation 60 (Label) is not complete.",
        "Design revision B of line 1 is awaiting approval, not approved.",
        "NCR-2026-0004 (torn cover) is still open.",
    ]


def test_accepted_as_is_counts_as_accepted() -> None:
    ops = (OperationRecord(40, "Test", True, (), (), Acceptance.ACCEPTED_AS_IS),)
    assert missing(record(operations=ops)) == []
    assert Acceptance.ACCEPTED_AS_IS.accepted and not Acceptance.FAILED.accepted


def test_a_family_is_regulated_when_quality_signs_its_designs() -> None:
    assert is_regulated(("customer", "engineering", "quality"))
    assert not is_regulated(("customer",))

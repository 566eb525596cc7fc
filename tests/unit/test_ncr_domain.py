"""Nonconformance reports (pure domain): raised, decided once, closed by a second person
after verification or cancelled with a reason; a state machine checks that no sequence
of commands breaks those rules. Also production's side: operations added after an
operation (rework, re-make) and scrap recorded with its cause."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.production.domain import (
    AddedStep,
    OperationStatus,
    PlannedStep,
    WorkOrder,
    WorkOrderSource,
    WorkOrderStatus,
    replay,
)
from orderforge.quality.ncr_domain import (
    Disposition,
    DispositionKind,
    NcrStatus,
    Nonconformance,
    Origin,
    Raise,
    ReturnToSupplier,
    ReworkStep,
    cause_from,
)

T0 = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)


def ncr(origin: Origin = Origin.FLOOR, lot: str = "", by: str = "piotr") -> Nonconformance:
    what = Raise("WO-2026-0001", 20, 1, "Chipped edge", "HANDLING", origin, lot)
    return Nonconformance.raise_("NCR-2026-0001", what, most=4, by=by, at=T0)


def decision(kind: DispositionKind, by: str = "heike", **extra: object) -> Disposition:
    return Disposition(kind, by, T0, "Because", **extra)  # type: ignore[arg-type]


def test_raising_checks_quantity_text_and_lot() -> None:
    with pytest.raises(InvalidInput) as too_many:
        Nonconformance.raise_(
            "N", Raise("WO", 10, 5, "x", "MACHINE", Origin.FLOOR), most=4, by="a", at=T0
        )
    assert too_many.value.field == "quantity"
    with pytest.raises(InvalidInput) as no_lot:
        ncr(Origin.MATERIAL)
    assert no_lot.value.field == "lot"
    with pytest.raises(InvalidInput):
        Nonconformance.raise_(
            "N", Raise("WO", 10, 1, "a\x00b", "MACHINE", Origin.FLOOR), most=4, by="a", at=T0
        )
    raised = ncr()
    assert raised.holds and raised.pending_events[0].kind == "ncr_raised"
    assert raised.pending_events[0].data["notify"]["exclude"] == ["piotr"]


def test_a_disposition_is_decided_once() -> None:
    n = ncr()
    n.dispose(decision(DispositionKind.SCRAP, operations=(21,)))
    assert n.status is NcrStatus.DISPOSITIONED and not n.holds
    with pytest.raises(IllegalTransition, match="decided once"):
        n.dispose(decision(DispositionKind.SCRAP))
    event = n.pending_events[-1]
    assert event.kind == "ncr_dispositioned" and event.data["disposition"] == "scrap"


def test_use_as_is_needs_a_signature_from_someone_else() -> None:
    n = ncr(by="heike")
    with pytest.raises(IllegalTransition, match="someone else"):
        n.dispose(decision(DispositionKind.USE_AS_IS, signature={"seal": "x"}))
    with pytest.raises(InvalidInput):
        n.dispose(decision(DispositionKind.USE_AS_IS, by="jonas"))
    n.dispose(decision(DispositionKind.USE_AS_IS, by="jonas", signature={"seal": "x"}))
    assert n.disposition is not None and n.disposition.signature == {"seal": "x"}


def test_return_to_supplier_only_for_a_lot() -> None:
    returned = ReturnToSupplier("L-1", 1, "Holz Nord", "DN-1")
    with pytest.raises(IllegalTransition, match="lot"):
        ncr().dispose(decision(DispositionKind.RETURN_TO_SUPPLIER, returned=returned))
    n = ncr(Origin.MATERIAL, lot="L-1")
    n.dispose(decision(DispositionKind.RETURN_TO_SUPPLIER, returned=returned))
    assert n.disposition is not None and n.disposition.data()["returned"]["debit_note"] == "DN-1"


def test_closing_needs_a_second_person_and_nothing_outstanding() -> None:
    n = ncr()
    with pytest.raises(IllegalTransition, match="only a decided"):
        n.close(by="jonas", at=T0, note="ok", outstanding=[])
    n.dispose(decision(DispositionKind.REWORK, rework=(ReworkStep("SAND", 10, "Sand"),)))
    with pytest.raises(IllegalTransition, match="second person"):
        n.close(by="heike", at=T0, note="ok", outstanding=[])
    with pytest.raises(IllegalTransition, match="operation 21"):
        n.close(by="jonas", at=T0, note="ok", outstanding=["operation 21 (Sand) is ready"])
    with pytest.raises(InvalidInput):
        n.close(by="jonas", at=T0, note=" ", outstanding=[])
    n.close(by="jonas", at=T0, note="Sanded, re-inspected", outstanding=[])
    assert n.status is NcrStatus.CLOSED and n.closed_by == "jonas"


def test_cause_entries_are_checked() -> None:
    assert cause_from({"code": "machine", "label": "Machine"}, "c").code == "MACHINE"
    for bad in (
        {"code": "1X", "label": "x"},
        {"code": "OK", "label": ""},
        "text",
        {"code": "OK", "label": "Material (knots", "cracks)": None},  # an unquoted comma
    ):
        with pytest.raises(InvalidInput):
            cause_from(bad, "causes[0]")


def test_rework_steps_are_checked() -> None:
    assert ReworkStep(" sand ", 5, "Sand").checked(0).work_centre == "SAND"
    for step in (ReworkStep("", 5, "x"), ReworkStep("S", 0, "x"), ReworkStep("S", 5, " ")):
        with pytest.raises(InvalidInput):
            step.checked(0)


class NcrMachine(RuleBasedStateMachine):
    """Any order of raise/decide/close/cancel by any of three people: an NCR is decided at
    most once, closed only when decided and by someone other than the decider, and a
    cancelled or closed one never changes again."""

    def __init__(self) -> None:
        super().__init__()
        self.ncr = ncr(by="piotr")
        self.decided_by: str | None = None
        self.final: NcrStatus | None = None

    @rule(
        kind=st.sampled_from(list(DispositionKind)),
        by=st.sampled_from(["piotr", "heike", "jonas"]),
    )
    def decide(self, kind: DispositionKind, by: str) -> None:
        extra: dict[str, object] = {"signature": {"seal": "s"}}
        if kind is DispositionKind.REWORK:
            extra["rework"] = (ReworkStep("SAND", 5, "Sand"),)
        if kind is DispositionKind.RETURN_TO_SUPPLIER:
            extra["returned"] = ReturnToSupplier("L", 1, "S", "D")
        was = self.ncr.status
        try:
            self.ncr.dispose(decision(kind, by=by, **extra))
        except (IllegalTransition, InvalidInput):
            assert self.ncr.status is was
            return
        assert was is NcrStatus.OPEN and self.decided_by is None
        assert not (kind is DispositionKind.USE_AS_IS and by == "piotr")
        self.decided_by = by

    @rule(by=st.sampled_from(["heike", "jonas"]), missing=st.booleans())
    def close(self, by: str, missing: bool) -> None:
        outstanding = ["operation 21 is ready"] if missing else []
        try:
            self.ncr.close(by=by, at=T0, note="Verified", outstanding=outstanding)
        except IllegalTransition:
            return
        assert self.decided_by not in (None, by) and not missing
        self.final = NcrStatus.CLOSED

    @rule(by=st.sampled_from(["heike", "jonas"]))
    def cancel(self, by: str) -> None:
        try:
            self.ncr.cancel(by=by, at=T0, reason="Raised in error")
        except IllegalTransition:
            return
        assert self.decided_by is None
        self.final = NcrStatus.CANCELLED

    @invariant()
    def consistent(self) -> None:
        if self.final is not None:
            assert self.ncr.status is self.final
        assert (self.ncr.disposition is None) == (self.decided_by is None)
        assert self.ncr.holds == (self.ncr.status is NcrStatus.OPEN)


NcrMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=12, deadline=None)
TestNcrMachine = NcrMachine.TestCase


# -- production: operations added after an operation --------------------------------------


def work_order() -> WorkOrder:
    steps = [
        PlannedStep("T/CUT", "Cut", ("SAW",), Decimal(10), Decimal(5), ()),
        PlannedStep("T/GLUE", "Glue", ("BENCH",), Decimal(5), Decimal(5), ()),
        PlannedStep("T/QC", "Inspect", ("QC",), Decimal(0), Decimal(2), ("T/CUT", "T/GLUE")),
        PlannedStep("T/PACK", "Pack", ("PACK",), Decimal(0), Decimal(1), ("T/QC",)),
    ]
    source = WorkOrderSource("SO-2026-0001", 1, 4, "TABLE", 1, {})
    return WorkOrder.create(
        number="WO-2026-0001",
        source=source,
        revision=1,
        steps=steps,
        materials=[],
        actor="system",
        at=T0,
    )


def run_through(wo: WorkOrder, seq: int) -> None:
    for op in wo.operations:
        wo.start(op.seq, actor="op", at=T0)
        wo.complete(op.seq, good=4, scrap=0, actor="op", at=T0)
        if op.seq == seq:
            return


def test_rework_goes_between_the_operation_and_what_followed_it() -> None:
    wo = work_order()
    run_through(wo, 30)
    steps = [
        AddedStep("NCR-1-1", "Rework: plane", ("SAW",), Decimal(30)),
        AddedStep("NCR-1-2", "Rework: oil", ("BENCH",), Decimal(15), after=("NCR-1-1",)),
    ]
    added = wo.add_operations(30, steps, actor="heike", at=T0, reason="NCR-1")
    assert [o.seq for o in added] == [31, 32]
    assert [o.status for o in added] == [OperationStatus.READY, OperationStatus.WAITING]
    pack = wo.operation(40)
    assert pack.predecessors == [32] and pack.status is OperationStatus.WAITING
    assert [o.seq for o in wo.operations] == [10, 20, 30, 31, 32, 40]
    assert added[0].minutes(4) == Decimal(30)  # whole-step minutes, not per unit
    assert len({o.routing_key for o in wo.operations}) == len(wo.operations)
    assert replay(wo.pending_events)["operations"] == wo.snapshot()["operations"]
    with pytest.raises(IllegalTransition, match="cannot start"):
        wo.start(40, actor="op", at=T0)


def test_a_done_work_order_opens_again_and_started_successors_refuse() -> None:
    wo = work_order()
    run_through(wo, 40)
    assert wo.status is WorkOrderStatus.DONE
    wo.add_operations(
        40, [AddedStep("R", "Re-pack", ("PACK",), Decimal(5))], actor="q", at=T0, reason="NCR"
    )
    assert wo.snapshot()["status"] == WorkOrderStatus.IN_PROGRESS.value
    other = work_order()
    run_through(other, 20)
    other.start(30, actor="op", at=T0)
    with pytest.raises(IllegalTransition, match="started already"):
        other.add_operations(
            20, [AddedStep("R", "x", ("SAW",), Decimal(1))], actor="q", at=T0, reason="NCR"
        )


def test_remake_repeats_the_route_up_to_the_operation_with_its_structure() -> None:
    wo = work_order()
    run_through(wo, 30)
    steps = wo.remake_steps(30, 1, "NCR-9")
    assert [s.name for s in steps] == ["Re-make: Cut", "Re-make: Glue", "Re-make: Inspect"]
    assert steps[0].minutes == Decimal(15) and steps[2].after == ("NCR-9-10", "NCR-9-20")
    added = wo.add_operations(30, steps, actor="q", at=T0, reason="NCR-9")
    seqs = {s.key: o.seq for s, o in zip(steps, added, strict=True)}
    assert added[2].predecessors == sorted([seqs["NCR-9-10"], seqs["NCR-9-20"]])
    assert wo.operation(40).predecessors == [added[2].seq]


def test_scrap_cause_goes_into_the_completion_event() -> None:
    wo = work_order()
    wo.start(10, actor="op", at=T0)
    wo.complete(10, good=3, scrap=1, actor="op", at=T0, scrap_cause="MACHINE")
    assert wo.pending_events[-1].data["scrap_cause"] == "MACHINE"
    wo.start(20, actor="op", at=T0)
    wo.complete(20, good=4, scrap=0, actor="op", at=T0)
    assert "scrap_cause" not in wo.pending_events[-1].data

"""The work order as a state machine driven by floor reports: random report sequences
never break the routing's order, a refused report changes nothing, quantities are never
negative, and the history replays to the current state."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.production.domain import (
    MaterialNeed,
    OperationStatus,
    PlannedStep,
    WorkOrder,
    WorkOrderSource,
    WorkOrderStatus,
    replay,
)

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def step(key: str, *before: str) -> PlannedStep:
    return PlannedStep(key, key.title(), ("BENCH", "CNC"), Decimal(15), Decimal("7.5"), before)


#: cut -> (edge, drill) -> assemble: a diamond, so an operation can wait for two.
STEPS = [step("CUT"), step("EDGE", "CUT"), step("DRILL", "CUT"), step("ASSY", "EDGE", "DRILL")]


def new_work_order(steps: list[PlannedStep] | None = None) -> WorkOrder:
    return WorkOrder.create(
        number="WO-2026-0001",
        source=WorkOrderSource("SO-2026-0001", 1, 3, "TABLE", 1, {"wood": "oak"}),
        revision=1,
        steps=STEPS if steps is None else steps,
        materials=[MaterialNeed("OAK-BOARD", "Oak board", Decimal("2.5"), "m2")],
        actor="sales",
        at=T0,
    )


def test_operations_are_numbered_in_routing_order_and_the_first_are_ready() -> None:
    wo = new_work_order()
    assert [(o.seq, o.routing_key, o.predecessors) for o in wo.operations] == [
        (10, "CUT", []),
        (20, "EDGE", [10]),
        (30, "DRILL", [10]),
        (40, "ASSY", [20, 30]),
    ]
    assert [o.status for o in wo.operations] == [OperationStatus.READY] + [
        OperationStatus.WAITING
    ] * 3
    assert wo.status is WorkOrderStatus.OPEN
    assert wo.materials[0].quantity == Decimal("2.5")
    assert wo.pending_events[0].kind == "work_order_created"


def test_a_waiting_operation_says_which_predecessor_is_open() -> None:
    wo = new_work_order()
    with pytest.raises(IllegalTransition, match=r"operation 10 \(Cut\) is ready, not done"):
        wo.start(20, actor="op", at=T0)
    wo.start(10, actor="op", at=T0)
    wo.complete(10, good=3, scrap=0, actor="op", at=T0)
    wo.start(20, actor="op", at=T0)
    wo.complete(20, good=3, scrap=0, actor="op", at=T0)
    with pytest.raises(IllegalTransition, match=r"operation 30 \(Drill\)"):
        wo.start(40, actor="op", at=T0)


def test_completing_the_last_operation_finishes_the_work_order() -> None:
    wo = new_work_order()
    assert state_of(wo)[0] is WorkOrderStatus.OPEN  # via state_of: a method call changes it
    for seq in (10, 20, 30, 40):
        wo.start(seq, actor="op", at=T0, work_centre="CNC")
        assert state_of(wo)[0] is WorkOrderStatus.IN_PROGRESS
        wo.complete(seq, good=2, scrap=1, actor="op", at=T0 + dt.timedelta(hours=1))
    assert state_of(wo)[0] is WorkOrderStatus.DONE
    assert wo.operations[0].work_centre == "CNC" and wo.operations[0].scrap_quantity == 1
    with pytest.raises(IllegalTransition, match="take no more reports"):
        wo.pause(40, actor="op", at=T0)


def test_bad_reports_name_the_field() -> None:
    wo = new_work_order()
    with pytest.raises(InvalidInput) as unknown:
        wo.start(15, actor="op", at=T0)
    assert unknown.value.field == "seq" and "10, 20, 30, 40" in unknown.value.message
    with pytest.raises(InvalidInput) as centre:
        wo.start(10, actor="op", at=T0, work_centre="PAINT")
    assert centre.value.field == "work_centre"
    wo.start(10, actor="op", at=T0)
    for good, scrap, field in ((-1, 0, "good"), (0, -2, "scrap"), (0, 0, "good")):
        with pytest.raises(InvalidInput) as bad:
            wo.complete(10, good=good, scrap=scrap, actor="op", at=T0)
        assert bad.value.field == field
    assert wo.operations[0].status is OperationStatus.RUNNING


def test_more_good_than_the_work_order_makes_is_refused() -> None:
    wo = new_work_order()  # three units
    wo.start(10, actor="op", at=T0)
    before = state_of(wo)
    with pytest.raises(InvalidInput, match="4 good is more than the 3") as bad:
        wo.complete(10, good=4, scrap=0, actor="op", at=T0)
    assert bad.value.field == "good" and state_of(wo) == before
    wo.complete(10, good=3, scrap=2, actor="op", at=T0)
    assert wo.operations[0].good_quantity == 3


def test_a_noted_problem_is_recorded_and_changes_no_status() -> None:
    wo = new_work_order()
    wo.note_problem(20, actor="op", at=T0, note="  Edge bander glue too cold  ")
    event = wo.pending_events[-1]
    assert event.kind == "operation_problem_noted"
    assert (event.data["seq"], event.data["note"]) == (20, "Edge bander glue too cold")
    assert wo.operations[1].status is OperationStatus.WAITING
    assert wo.status is WorkOrderStatus.OPEN
    before = state_of(wo)
    with pytest.raises(InvalidInput) as empty:
        wo.note_problem(20, actor="op", at=T0, note="   ")
    assert empty.value.field == "note" and state_of(wo) == before
    assert replay(wo.pending_events) == wo.snapshot()


def test_superseded_and_cancelled_work_orders_take_no_reports() -> None:
    old = new_work_order()
    old.supersede("WO-2026-0002", actor="sales", at=T0)
    assert old.status is WorkOrderStatus.SUPERSEDED and not old.is_current
    with pytest.raises(IllegalTransition):
        old.start(10, actor="op", at=T0)
    with pytest.raises(IllegalTransition):
        old.cancel(actor="sales", at=T0, reason="x")
    cancelled = new_work_order()
    cancelled.cancel(actor="sales", at=T0, reason="customer withdrew")
    with pytest.raises(IllegalTransition, match="cancelled"):
        cancelled.start(10, actor="op", at=T0)


def test_a_routing_step_waiting_for_an_unknown_step_is_refused() -> None:
    with pytest.raises(InvalidInput) as bad:
        new_work_order([step("CUT", "SAW")])
    assert bad.value.field == "routing"


def state_of(wo: WorkOrder) -> tuple[WorkOrderStatus, dt.datetime, dict[str, Any], int]:
    return (wo.status, wo.updated_at, copy.deepcopy(wo.snapshot()), len(wo.pending_events))


class FloorReports(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.wo = new_work_order()
        self.clock = T0
        self.reported_good: dict[int, int] = {}

    @rule(
        kind=st.sampled_from(["start", "pause", "complete", "problem", "cancel"]),
        seq=st.sampled_from([10, 20, 30, 40, 50]),
        good=st.integers(-2, 5),
        scrap=st.integers(-2, 3),
    )
    def report(self, kind: str, seq: int, good: int, scrap: int) -> None:
        self.clock += dt.timedelta(minutes=7)
        before = state_of(self.wo)
        try:
            if kind == "start":
                self.wo.start(seq, actor="op", at=self.clock)
            elif kind == "pause":
                self.wo.pause(seq, actor="op", at=self.clock)
            elif kind == "complete":
                self.wo.complete(seq, good=good, scrap=scrap, actor="op", at=self.clock)
            elif kind == "problem":
                self.wo.note_problem(seq, actor="op", at=self.clock, note="jammed" * (good > 0))
            elif seq == 50:  # now and then the order is cancelled
                self.wo.cancel(actor="sales", at=self.clock, reason="withdrawn")
            else:
                return
        except (IllegalTransition, InvalidInput) as refusal:
            assert refusal.message
            assert state_of(self.wo) == before, "a refused report changed the work order"
            return
        assert len(self.wo.pending_events) == before[3] + 1
        if kind == "complete":
            self.reported_good[seq] = good

    @invariant()
    def done_operations_follow_their_predecessors(self) -> None:
        status = {o.seq: o.status for o in self.wo.operations}
        for op in self.wo.operations:
            if op.status in (OperationStatus.RUNNING, OperationStatus.PAUSED, OperationStatus.DONE):
                assert all(status[p] is OperationStatus.DONE for p in op.predecessors)
            if op.status is OperationStatus.WAITING:
                assert any(status[p] is not OperationStatus.DONE for p in op.predecessors)

    @invariant()
    def quantities_are_never_negative(self) -> None:
        for op in self.wo.operations:
            assert op.good_quantity >= 0 and op.scrap_quantity >= 0
            assert op.good_quantity == self.reported_good.get(op.seq, 0)

    @invariant()
    def done_exactly_when_every_operation_is(self) -> None:
        all_done = all(o.status is OperationStatus.DONE for o in self.wo.operations)
        assert (self.wo.status is WorkOrderStatus.DONE) == all_done

    @invariant()
    def history_replays_to_current_state(self) -> None:
        assert replay(self.wo.pending_events) == self.wo.snapshot()


TestFloorReports = FloorReports.TestCase
TestFloorReports.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)

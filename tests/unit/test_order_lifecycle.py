"""The order lifecycle as a state machine: random command sequences never reach an
undefined state, a refused command changes nothing, and the history replays to the
current state."""

from __future__ import annotations

import copy
import datetime as dt
from collections import deque
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import (
    REASON_REQUIRED,
    TERMINAL_STATES,
    TRANSITIONS,
    LineInput,
    Order,
    OrderAction,
    OrderState,
)

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def new_order() -> Order:
    return Order.open_quote(
        number="SO-2026-0001",
        customer_id=1,
        lines=[LineInput("TABLE", 2, {"wood": "oak"})],
        requested_date=dt.date(2026, 3, 1),
        notes="",
        actor="sales",
        at=T0,
    )


OrderStateTuple = tuple[
    OrderState,
    OrderState | None,
    OrderState | None,
    dt.datetime | None,
    dt.datetime,
    dict[str, Any],
    int,
]


def state_of(order: Order) -> OrderStateTuple:
    return (
        order.state,
        order.held_from,
        order.changed_from,
        order.design_approved_at,
        order.updated_at,
        copy.deepcopy(order.snapshot()),
        len(order.pending_events),
    )


class OrderLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.order = new_order()
        self.clock = T0

    @rule(action=st.sampled_from(list(OrderAction)), with_reason=st.booleans())
    def apply(self, action: OrderAction, with_reason: bool) -> None:
        self.clock += dt.timedelta(minutes=5)
        before = state_of(self.order)
        try:
            self.order.apply(
                action, actor="tester", at=self.clock, reason="because" if with_reason else ""
            )
        except (IllegalTransition, InvalidInput) as refusal:
            assert refusal.message  # a sentence for people, never empty
            assert state_of(self.order) == before, "a refused command changed the order"
            return
        transition = TRANSITIONS[action]
        assert before[0] in transition.sources
        if transition.target is not None:
            assert self.order.state is transition.target
        assert action not in REASON_REQUIRED or with_reason
        assert len(self.order.pending_events) == before[6] + 1

    @invariant()
    def state_is_defined(self) -> None:
        assert isinstance(self.order.state, OrderState)

    @invariant()
    def memories_match_state(self) -> None:
        assert (self.order.held_from is not None) == (self.order.state is OrderState.ON_HOLD)
        assert (self.order.changed_from is not None) == (
            self.order.state is OrderState.CHANGE_REQUESTED
        )

    @invariant()
    def history_replays_to_current_state(self) -> None:
        state = None
        for event in self.order.pending_events:
            change = event.data["changes"].get("state")
            if change is not None:
                assert change["before"] == state
                state = change["after"]
        assert state == self.order.state.value

    @invariant()
    def terminal_states_allow_nothing(self) -> None:
        if self.order.state in TERMINAL_STATES:
            assert self.order.allowed_actions() == []


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


def test_every_state_is_reachable_from_a_quote() -> None:
    seen = {OrderState.QUOTE}
    queue = deque([OrderState.QUOTE])
    while queue:
        state = queue.popleft()
        for transition in TRANSITIONS.values():
            if state in transition.sources and transition.target and transition.target not in seen:
                seen.add(transition.target)
                queue.append(transition.target)
    assert seen == set(OrderState)


def test_release_needs_an_approved_design() -> None:
    order = new_order()
    for action in ("confirm", "mark_feasible", "plan", "submit_design"):
        order.apply(OrderAction(action), actor="x", at=T0)
    with pytest.raises(IllegalTransition, match="design has not been approved"):
        order.apply(OrderAction.RELEASE, actor="planner", at=T0)
    order.apply(OrderAction.APPROVE_DESIGN, actor="alpina", at=T0)
    order.apply(OrderAction.RELEASE, actor="planner", at=T0)
    assert order.state is OrderState.RELEASED


def test_refusal_names_the_current_and_the_needed_state() -> None:
    order = new_order()
    with pytest.raises(IllegalTransition) as refused:
        order.apply(OrderAction.SHIP, actor="planner", at=T0)
    assert refused.value.message == (
        "Cannot ship order SO-2026-0001: it is quote, and this is only possible when it is "
        "ready to ship."
    )


def test_hold_and_resume_return_to_the_held_state() -> None:
    order = new_order()
    order.apply(OrderAction.CONFIRM, actor="sales", at=T0)
    with pytest.raises(InvalidInput, match="needs a reason") as refused:
        order.apply(OrderAction.HOLD, actor="planner", at=T0)
    assert refused.value.field == "reason"
    order.apply(OrderAction.HOLD, actor="planner", at=T0, reason="Awaiting down payment")
    assert order.state is OrderState.ON_HOLD
    order.apply(OrderAction.RESUME, actor="planner", at=T0)
    assert state_of(order)[0] is OrderState.CONFIRMED  # read anew: mypy keeps ON_HOLD


def test_quote_edits_are_recorded_with_before_and_after() -> None:
    order = new_order()
    order.revise(
        lines=[LineInput("TABLE", 3, {"wood": "walnut"})],
        requested_date=dt.date(2026, 4, 1),
        notes=None,
        actor="sales",
        at=T0,
    )
    changes = order.pending_events[-1].data["changes"]
    assert changes["requested_date"] == {"before": "2026-03-01", "after": "2026-04-01"}
    assert changes["lines"]["after"][0]["quantity"] == 3
    order.apply(OrderAction.CONFIRM, actor="sales", at=T0)
    with pytest.raises(IllegalTransition, match="Request a change instead"):
        order.revise(lines=None, requested_date=None, notes="x", actor="sales", at=T0)


@pytest.mark.parametrize(
    ("requested", "message"),
    [(dt.date(2025, 12, 31), "in the past"), (dt.date(2030, 1, 1), "three years")],
)
def test_requested_date_must_be_plausible(requested: dt.date, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        Order.open_quote(
            number="SO-1",
            customer_id=1,
            lines=[LineInput("TABLE", 1, {})],
            requested_date=requested,
            notes="",
            actor="sales",
            at=T0,
        )
    assert refused.value.field == "requested_date"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([LineInput("TABLE", 0, {})], "lines[0].quantity"),
        ([LineInput("TABLE", 1, {}), LineInput("TABLE", 10_001, {})], "lines[1].quantity"),
    ],
)
def test_lines_are_checked(lines: list[LineInput], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Order.open_quote(
            number="SO-1",
            customer_id=1,
            lines=lines,
            requested_date=None,
            notes="",
            actor="sales",
            at=T0,
        )
    assert refused.value.field == field

"""Engineering change rules, pure: which work stands under a new routing (and is carried
over to the next work order revision), the change's lifecycle as a state machine (a
refused command changes nothing; only the arcs below exist), the signature bound to the
content, and the order keeping its place when a change is applied."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderforge.change.domain import (
    CarriedFile,
    CarriedRevision,
    ChangeState,
    EngineeringChange,
    Fate,
    LineChange,
    Origin,
    fate,
)
from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import LineInput, Order, OrderAction, OrderState
from orderforge.domain.signatures import Capacity, Meaning, Signature, Signer
from orderforge.production.domain import (
    MaterialNeed,
    OperationStatus,
    PlannedStep,
    WorkOrder,
    WorkOrderSource,
    unchanged_steps,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
MATERIALS = [MaterialNeed("OAK-BOARD", "Oak board", Decimal("2.5"), "m2")]


def step(key: str, *before: str, setup_class: str | None = None, run: str = "7.5") -> PlannedStep:
    return PlannedStep(key, key.title(), ("BENCH",), Decimal(15), Decimal(run), before, setup_class)


STEPS = [
    step("CUT"),
    step("PAINT", "CUT", setup_class="white"),
    step("ASSY", "PAINT"),
]


def work_order(
    steps: list[PlannedStep] = STEPS,
    materials: list[MaterialNeed] = MATERIALS,
    quantity: int = 1,
    carry_from: WorkOrder | None = None,
    revision: int = 1,
) -> WorkOrder:
    return WorkOrder.create(
        number=f"WO-2026-000{revision}",
        source=WorkOrderSource("SO-2026-0001", 1, quantity, "TABLE", 1, {"wood": "oak"}),
        revision=revision,
        steps=steps,
        materials=materials,
        actor="planner",
        at=T0,
        carry_from=carry_from,
    )


def done_through(wo: WorkOrder, *seqs: int) -> WorkOrder:
    for seq in seqs:
        wo.start(seq, actor="op", at=T0)
        wo.complete(seq, good=wo.quantity, scrap=0, actor="op", at=T0)
    return wo


# -- what stands -------------------------------------------------------------------------


def test_the_same_routing_keeps_every_step() -> None:
    assert unchanged_steps(work_order(), STEPS, MATERIALS, 1) == {"CUT", "PAINT", "ASSY"}


def test_a_changed_step_changes_everything_after_it_but_nothing_before() -> None:
    green = [STEPS[0], step("PAINT", "CUT", setup_class="green"), STEPS[2]]
    assert unchanged_steps(work_order(), green, MATERIALS, 1) == {"CUT"}


def test_other_materials_change_the_first_steps_and_so_all() -> None:
    walnut = [MaterialNeed("WALNUT-BOARD", "Walnut board", Decimal("2.5"), "m2")]
    assert unchanged_steps(work_order(), STEPS, walnut, 1) == set()


def test_more_units_than_were_made_redo_the_done_steps() -> None:
    old = done_through(work_order(), 10)
    # two units need twice the board: the inputs per unit are the same, the quantity not
    double = [MaterialNeed("OAK-BOARD", "Oak board", Decimal("5"), "m2")]
    assert "CUT" not in unchanged_steps(old, STEPS, double, 2)
    assert unchanged_steps(old, STEPS, MATERIALS, 1) == {"CUT", "PAINT", "ASSY"}


def test_the_next_revision_carries_over_the_work_that_stands() -> None:
    old = done_through(work_order(), 10)
    green = [STEPS[0], step("PAINT", "CUT", setup_class="green"), STEPS[2]]
    new = work_order(green, carry_from=old, revision=2)
    cut, paint, assy = new.operations
    assert cut.status is OperationStatus.DONE and cut.good_quantity == 1
    assert paint.status is OperationStatus.READY
    assert assy.status is OperationStatus.WAITING
    assert new.pending_events[0].data["carried_over"] == [10]
    # nothing stands when the board changes: the first step is ready again
    walnut = [MaterialNeed("WALNUT-BOARD", "Walnut board", Decimal("2.5"), "m2")]
    fresh = work_order(STEPS, walnut, carry_from=old, revision=2)
    assert [o.status for o in fresh.operations] == [
        OperationStatus.READY,
        OperationStatus.WAITING,
        OperationStatus.WAITING,
    ]


@pytest.mark.parametrize(
    ("started", "in_new", "identical", "expected"),
    [
        (True, True, True, Fate.KEEP),
        (True, True, False, Fate.REWORK),
        (True, False, False, Fate.SCRAP),
        (False, True, False, Fate.REPLAN),
        (False, False, False, Fate.DROP),
    ],
)
def test_fates(started: bool, in_new: bool, identical: bool, expected: Fate) -> None:
    assert fate(started, in_new, identical) is expected


# -- the change record -------------------------------------------------------------------

REQUESTER = Signer(7, "sales", "Sam Sales", "sales")
ENGINEER = Signer(8, "engineer", "Erin Engineer", "engineer")
LINE = LineChange(
    line_no=1,
    product_family="TABLE",
    old_spec={"wood": "oak"},
    new_spec={"wood": "walnut"},
    old_quantity=1,
    new_quantity=1,
    old_unit_price="1000.00",
    new_unit_price="1200.00",
    old_catalogue_version=1,
    new_catalogue_version=1,
)
IMPACT: dict[str, Any] = {"price": {"before": "1000.00", "after": "1200.00"}}


def requested(origin: Origin = Origin.SALES, requester: Signer = REQUESTER) -> EngineeringChange:
    return EngineeringChange.request(
        number="ECR-2026-0001",
        order_number="SO-2026-0001",
        order_state="in_production",
        origin=origin,
        reason="Walnut instead of oak.",
        lines=[LINE],
        impact=dict(IMPACT),
        requester=requester,
        at=T0,
    )


def signature(change: EngineeringChange, signer: Signer = ENGINEER) -> Signature:
    return Signature(
        capacity=Capacity.ENGINEERING,
        meaning=Meaning.APPROVAL,
        signer_id=signer.user_id,
        signer_username=signer.username,
        printed_name=signer.printed_name,
        signer_role=signer.role,
        signed_at=T0,
        content_hash=change.content_hash(),
        seal="x" * 64,
    )


def test_a_request_must_say_why_and_ask_for_something_new() -> None:
    with pytest.raises(InvalidInput, match="Say what should change"):
        EngineeringChange.request(
            number="ECR-2026-0001",
            order_number="SO-2026-0001",
            order_state="planned",
            origin=Origin.SALES,
            reason="  ",
            lines=[LINE],
            impact={},
            requester=REQUESTER,
            at=T0,
        )
    same = dataclasses.replace(LINE, new_spec=dict(LINE.old_spec))
    with pytest.raises(InvalidInput, match="asks for nothing new"):
        EngineeringChange.request(
            number="ECR-2026-0001",
            order_number="SO-2026-0001",
            order_state="planned",
            origin=Origin.SALES,
            reason="Nothing really.",
            lines=[same],
            impact={},
            requester=REQUESTER,
            at=T0,
        )


def test_the_signature_is_bound_to_the_content_the_signer_saw() -> None:
    change = requested()
    seen = signature(change)
    change.refresh_impact({"price": {"before": "1000.00", "after": "1300.00"}}, actor="e", at=T0)
    with pytest.raises(IllegalTransition, match="other content"):
        change.approve(seen, applied={}, customer_must_accept=True, comment="", at=T0)
    assert change.state is ChangeState.REQUESTED and not change.signatures


def test_four_eyes() -> None:
    change = requested(origin=Origin.ENGINEERING, requester=ENGINEER)
    assert change.refusal_to_decide(ENGINEER) is not None
    with pytest.raises(IllegalTransition, match="four eyes"):
        change.approve(signature(change), applied={}, customer_must_accept=False, comment="", at=T0)


class ChangeMachine(RuleBasedStateMachine):
    """Random commands against one change: each either moves it along an allowed arc or
    is refused with nothing changed; decided records keep their impact."""

    ARCS = {
        (ChangeState.REQUESTED, ChangeState.AWAITING_CUSTOMER),
        (ChangeState.REQUESTED, ChangeState.ACCEPTED),
        (ChangeState.REQUESTED, ChangeState.REJECTED),
        (ChangeState.REQUESTED, ChangeState.WITHDRAWN),
        (ChangeState.AWAITING_CUSTOMER, ChangeState.ACCEPTED),
        (ChangeState.AWAITING_CUSTOMER, ChangeState.DECLINED),
    }

    def __init__(self) -> None:
        super().__init__()
        self.change = requested()

    def _try(self, command: Any) -> None:
        before = copy.deepcopy(self.change.__dict__)
        before.pop("pending_events")
        state = self.change.state
        try:
            command()
        except (IllegalTransition, InvalidInput):
            after = dict(self.change.__dict__)
            after.pop("pending_events")
            assert after == before, "a refused command changed the record"
            return
        if self.change.state is not state:
            assert (state, self.change.state) in self.ARCS

    @rule(must_accept=st.booleans(), signer=st.sampled_from([ENGINEER, REQUESTER]))
    def approve(self, must_accept: bool, signer: Signer) -> None:
        self._try(
            lambda: self.change.approve(
                signature(self.change, signer),
                applied={"promise": {}},
                customer_must_accept=must_accept,
                comment="",
                at=T0,
            )
        )

    @rule(comment=st.sampled_from(["", "Not in stock."]))
    def reject(self, comment: str) -> None:
        self._try(lambda: self.change.reject(ENGINEER, comment=comment, at=T0))

    @rule()
    def withdraw(self) -> None:
        self._try(lambda: self.change.withdraw(actor="sales", at=T0, comment=""))

    @rule(accept=st.booleans(), comment=st.sampled_from(["", "Too dear."]))
    def answer(self, accept: bool, comment: str) -> None:
        self._try(
            lambda: self.change.customer_decision(
                accept=accept, actor="alpina", at=T0, comment=comment
            )
        )

    @rule(after=st.sampled_from(["1200.00", "1300.00"]))
    def refresh(self, after: str) -> None:
        self._try(
            lambda: self.change.refresh_impact(
                {"price": {"before": "1000.00", "after": after}}, actor="e", at=T0
            )
        )

    @invariant()
    def signed_only_when_approved(self) -> None:
        approved = {ChangeState.AWAITING_CUSTOMER, ChangeState.ACCEPTED, ChangeState.DECLINED}
        assert bool(self.change.signatures) == (self.change.state in approved)
        for s in self.change.signatures:
            assert s.content_hash == self.change.content_hash()


ChangeMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=12, deadline=None)
TestChangeMachine = ChangeMachine.TestCase


# -- the order keeps its place -----------------------------------------------------------


def order_in(state_path: list[OrderAction]) -> Order:
    order = Order.open_quote(
        number="SO-2026-0001",
        customer_id=1,
        lines=[LineInput("TABLE", 1, {"wood": "oak"}, 1, "1000.00")],
        requested_date=None,
        notes="",
        actor="sales",
        at=T0,
    )
    for action in state_path:
        order.apply(action, actor="x", at=T0, reason="because")
    return order


def test_an_applied_change_keeps_the_orders_place_and_design_approval() -> None:
    order = order_in(
        [
            OrderAction.CONFIRM,
            OrderAction.MARK_FEASIBLE,
            OrderAction.PLAN,
            OrderAction.SUBMIT_DESIGN,
            OrderAction.APPROVE_DESIGN,
            OrderAction.RELEASE,
            OrderAction.START_PRODUCTION,
            OrderAction.REQUEST_CHANGE,
        ]
    )
    approved_at = order.design_approved_at
    order.accept_change(
        {1: LineInput("TABLE", 2, {"wood": "walnut"}, 1, "1200.00")},
        actor="engineer",
        at=T0,
        reason="ECR-2026-0001 approved.",
    )
    assert order.state is OrderState.IN_PRODUCTION
    assert order.design_approved_at == approved_at
    assert (order.lines[0].spec, order.lines[0].quantity, order.lines[0].unit_price) == (
        {"wood": "walnut"},
        2,
        "1200.00",
    )
    event = order.pending_events[-1]
    assert event.kind == "order_accept_change" and "lines" in event.data["changes"]
    with pytest.raises(IllegalTransition):
        order.accept_change({}, actor="engineer", at=T0, reason="again")


def test_a_change_of_an_unknown_line_is_refused_with_nothing_changed() -> None:
    order = order_in([OrderAction.CONFIRM, OrderAction.REQUEST_CHANGE])
    before = order.snapshot()
    with pytest.raises(InvalidInput, match="no line 3"):
        order.accept_change({3: LineInput("TABLE", 1, {}, 1, None)}, actor="e", at=T0, reason="x")
    assert order.snapshot() == before and order.state is OrderState.CHANGE_REQUESTED


def test_a_carried_revision_is_something_new_and_part_of_what_is_signed() -> None:
    same = dataclasses.replace(LINE, new_spec=dict(LINE.old_spec), new_unit_price="1000.00")
    drawing = CarriedRevision(
        "Bevelled edge.", (CarriedFile("edge.pdf", "a" * 64, 900, "application/pdf"),), "b" * 64
    )
    carried = dataclasses.replace(same, design=drawing)
    assert not carried.respecced and carried.changed
    change = EngineeringChange.request(
        number="ECR-2026-0002",
        order_number="SO-2026-0001",
        order_state="in_production",
        origin=Origin.ENGINEERING,
        reason="A corrected drawing.",
        lines=[carried],
        impact={},
        requester=REQUESTER,
        at=T0,
    )
    assert change.content()["lines"][0]["design"]["files"] == [
        ["edge.pdf", "a" * 64, 900, "application/pdf"]
    ]
    # another document, other notes or another mock-up is other content
    for other in (
        dataclasses.replace(drawing, notes="Round edge."),
        dataclasses.replace(drawing, files=()),
        dataclasses.replace(drawing, mockup_sha256="c" * 64),
    ):
        edited = copy.deepcopy(change)
        edited.lines = [dataclasses.replace(carried, design=other)]
        assert edited.content_hash() != change.content_hash()
    # stored and read back, it is the same content
    assert LineChange.from_content(carried.content()) == carried
    # a change that carries no revision hashes as it always did (old signatures verify)
    assert "design" not in LINE.content()
    assert LineChange.from_content(LINE.content()) == LINE

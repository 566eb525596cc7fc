"""The customer order and its Make-to-Order lifecycle.

The lifecycle is a transition table, not scattered if-statements, so that the API,
CLI, web page and the property tests all read the same truth about which command is
allowed where. Every successful command records an `OrderEvent` with before/after
values; a refused command raises before touching any attribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text


class OrderState(StrEnum):
    QUOTE = "quote"
    CONFIRMED = "confirmed"
    FEASIBLE = "feasible"
    NEEDS_ENGINEERING = "needs_engineering"
    REJECTED = "rejected"
    PLANNED = "planned"
    AWAITING_DESIGN_APPROVAL = "awaiting_design_approval"
    RELEASED = "released"
    IN_PRODUCTION = "in_production"
    FINAL_INSPECTION = "final_inspection"
    READY_TO_SHIP = "ready_to_ship"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ON_HOLD = "on_hold"
    CHANGE_REQUESTED = "change_requested"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OrderAction(StrEnum):
    """Lifecycle commands, named as verbs in the imperative."""

    CONFIRM = "confirm"
    MARK_FEASIBLE = "mark_feasible"
    FLAG_NEEDS_ENGINEERING = "flag_needs_engineering"
    ACCEPT_ENGINEERING = "accept_engineering"
    REJECT = "reject"
    REVISE_QUOTE = "revise_quote"
    PLAN = "plan"
    SUBMIT_DESIGN = "submit_design"
    APPROVE_DESIGN = "approve_design"
    REJECT_DESIGN = "reject_design"
    RELEASE = "release"
    START_PRODUCTION = "start_production"
    FINISH_PRODUCTION = "finish_production"
    PASS_INSPECTION = "pass_inspection"  # noqa: S105 - an action name, not a password
    FAIL_INSPECTION = "fail_inspection"
    SHIP = "ship"
    CONFIRM_DELIVERY = "confirm_delivery"
    HOLD = "hold"
    RESUME = "resume"
    REQUEST_CHANGE = "request_change"
    ACCEPT_CHANGE = "accept_change"
    DECLINE_CHANGE = "decline_change"
    CANCEL = "cancel"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


S = OrderState
A = OrderAction

#: States in which the plant has committed work and a hold makes sense.
ACTIVE_STATES: frozenset[OrderState] = frozenset(
    {
        S.CONFIRMED,
        S.FEASIBLE,
        S.NEEDS_ENGINEERING,
        S.PLANNED,
        S.AWAITING_DESIGN_APPROVAL,
        S.RELEASED,
        S.IN_PRODUCTION,
        S.FINAL_INSPECTION,
        S.READY_TO_SHIP,
    }
)
#: States from which the customer may still ask for a change of spec or design.
CHANGEABLE_STATES: frozenset[OrderState] = frozenset(
    {
        S.CONFIRMED,
        S.FEASIBLE,
        S.NEEDS_ENGINEERING,
        S.PLANNED,
        S.AWAITING_DESIGN_APPROVAL,
        S.RELEASED,
        S.IN_PRODUCTION,
    }
)
TERMINAL_STATES: frozenset[OrderState] = frozenset({S.DELIVERED, S.CANCELLED})
CANCELLABLE_STATES: frozenset[OrderState] = frozenset(OrderState) - TERMINAL_STATES - {S.SHIPPED}

#: Actions whose reason is mandatory, because the next person needs it to act.
REASON_REQUIRED: frozenset[OrderAction] = frozenset(
    {
        A.FLAG_NEEDS_ENGINEERING,
        A.ACCEPT_ENGINEERING,
        A.REJECT,
        A.REJECT_DESIGN,
        A.FAIL_INSPECTION,
        A.HOLD,
        A.REQUEST_CHANGE,
        A.DECLINE_CHANGE,
        A.CANCEL,
    }
)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[OrderState]
    #: None means "computed": resume and decline_change return to a remembered state.
    target: OrderState | None


TRANSITIONS: dict[OrderAction, Transition] = {
    A.CONFIRM: Transition(frozenset({S.QUOTE}), S.CONFIRMED),
    A.MARK_FEASIBLE: Transition(frozenset({S.CONFIRMED}), S.FEASIBLE),
    A.FLAG_NEEDS_ENGINEERING: Transition(frozenset({S.CONFIRMED}), S.NEEDS_ENGINEERING),
    A.ACCEPT_ENGINEERING: Transition(frozenset({S.NEEDS_ENGINEERING}), S.FEASIBLE),
    A.REJECT: Transition(frozenset({S.CONFIRMED, S.NEEDS_ENGINEERING}), S.REJECTED),
    A.REVISE_QUOTE: Transition(frozenset({S.REJECTED}), S.QUOTE),
    A.PLAN: Transition(frozenset({S.FEASIBLE}), S.PLANNED),
    A.SUBMIT_DESIGN: Transition(frozenset({S.PLANNED}), S.AWAITING_DESIGN_APPROVAL),
    A.APPROVE_DESIGN: Transition(
        frozenset({S.AWAITING_DESIGN_APPROVAL}), S.AWAITING_DESIGN_APPROVAL
    ),
    A.REJECT_DESIGN: Transition(frozenset({S.AWAITING_DESIGN_APPROVAL}), S.PLANNED),
    A.RELEASE: Transition(frozenset({S.AWAITING_DESIGN_APPROVAL}), S.RELEASED),
    A.START_PRODUCTION: Transition(frozenset({S.RELEASED}), S.IN_PRODUCTION),
    A.FINISH_PRODUCTION: Transition(frozenset({S.IN_PRODUCTION}), S.FINAL_INSPECTION),
    A.PASS_INSPECTION: Transition(frozenset({S.FINAL_INSPECTION}), S.READY_TO_SHIP),
    A.FAIL_INSPECTION: Transition(frozenset({S.FINAL_INSPECTION}), S.IN_PRODUCTION),
    A.SHIP: Transition(frozenset({S.READY_TO_SHIP}), S.SHIPPED),
    A.CONFIRM_DELIVERY: Transition(frozenset({S.SHIPPED}), S.DELIVERED),
    A.HOLD: Transition(ACTIVE_STATES, S.ON_HOLD),
    A.RESUME: Transition(frozenset({S.ON_HOLD}), None),
    A.REQUEST_CHANGE: Transition(CHANGEABLE_STATES, S.CHANGE_REQUESTED),
    # An accepted change keeps the order's place: it returns where it was (the change
    # room has made the new work and promise; nothing falls back to review).
    A.ACCEPT_CHANGE: Transition(frozenset({S.CHANGE_REQUESTED}), None),
    A.DECLINE_CHANGE: Transition(frozenset({S.CHANGE_REQUESTED}), None),
    A.CANCEL: Transition(CANCELLABLE_STATES, S.CANCELLED),
}


@dataclass(eq=False)
class OrderLine:
    """One configured product on an order: a product family plus its specification."""

    line_no: int
    product_family: str
    quantity: int
    spec: dict[str, str] = field(default_factory=dict)
    #: The catalogue version the spec was configured with (None: configured before the
    #: catalogue existed).
    catalogue_version: int | None = None
    #: Price of one unit when configured (Decimal as text), None when not priced.
    unit_price: str | None = None
    id: int | None = None
    order_id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "line_no": self.line_no,
            "product_family": self.product_family,
            "quantity": self.quantity,
            "spec": dict(self.spec),
            "catalogue_version": self.catalogue_version,
            "unit_price": self.unit_price,
        }


@dataclass(frozen=True)
class LineInput:
    """A line as requested by a caller, before it belongs to an order.

    `catalogue_version` and `unit_price` are filled by the configurator once the spec
    has been checked, never by the caller."""

    product_family: str
    quantity: int
    spec: dict[str, str]
    catalogue_version: int | None = None
    unit_price: str | None = None


def _new_line(line_no: int, li: LineInput) -> OrderLine:
    return OrderLine(
        line_no=line_no,
        product_family=li.product_family,
        quantity=li.quantity,
        spec=dict(li.spec),
        catalogue_version=li.catalogue_version,
        unit_price=li.unit_price,
    )


def _check_requested_date(requested: dt.date | None, today: dt.date) -> None:
    if requested is None:
        return
    if requested < today:
        raise InvalidInput(
            f"Requested date {requested.isoformat()} is in the past.", field="requested_date"
        )
    if requested > today + dt.timedelta(days=3 * 366):
        raise InvalidInput(
            "Requested date is more than three years ahead; check the year.",
            field="requested_date",
        )


def _check_lines(lines: list[LineInput]) -> None:
    if not lines:
        raise InvalidInput("An order needs at least one line.", field="lines")
    for i, line in enumerate(lines):
        check_text(line.product_family, f"lines[{i}].product_family")
        for key, value in line.spec.items():
            check_text(key, f"lines[{i}].spec")
            check_text(value, f"lines[{i}].spec.{key}")
        if line.quantity < 1:
            raise InvalidInput(
                f"Line {i + 1}: quantity must be at least 1.", field=f"lines[{i}].quantity"
            )
        if line.quantity > 10_000:
            raise InvalidInput(
                f"Line {i + 1}: quantity must be at most 10000.", field=f"lines[{i}].quantity"
            )


@dataclass(eq=False)
class Order:
    """A customer order from quote to delivery (the aggregate root of its lines)."""

    number: str
    customer_id: int
    state: OrderState
    created_at: dt.datetime
    updated_at: dt.datetime
    requested_date: dt.date | None = None
    promise_date: dt.date | None = None
    notes: str = ""
    #: Where an order on hold returns to when resumed.
    held_from: OrderState | None = None
    #: Where an order returns to when its change request is declined.
    changed_from: OrderState | None = None
    design_approved_at: dt.datetime | None = None
    #: Weight of this order's tardiness when planning (1 normal, higher for rush orders).
    priority: int = 1
    #: Dates from the current plan version; only the planner writes them.
    planned_start: dt.datetime | None = None
    planned_finish: dt.datetime | None = None
    plan_version: int | None = None
    lines: list[OrderLine] = field(default_factory=list)
    id: int | None = None
    version: int = 1
    #: Events raised since load; the unit of work stores them in the same transaction.
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def open_quote(
        cls,
        *,
        number: str,
        customer_id: int,
        lines: list[LineInput],
        requested_date: dt.date | None,
        notes: str,
        actor: str,
        at: dt.datetime,
    ) -> Order:
        _check_lines(lines)
        _check_requested_date(requested_date, at.date())
        check_text(notes, "notes")
        order = cls(
            number=number,
            customer_id=customer_id,
            state=OrderState.QUOTE,
            created_at=at,
            updated_at=at,
            requested_date=requested_date,
            notes=notes,
        )
        order.lines = [_new_line(i + 1, li) for i, li in enumerate(lines)]
        order._record("order_created", actor, at, before={}, after=order.snapshot())
        return order

    # -- queries -------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The audited fields, so events can show before/after values."""
        return {
            "state": self.state.value,
            "requested_date": self.requested_date.isoformat() if self.requested_date else None,
            "promise_date": self.promise_date.isoformat() if self.promise_date else None,
            "notes": self.notes,
            "design_approved_at": (
                self.design_approved_at.isoformat() if self.design_approved_at else None
            ),
            "lines": [line.snapshot() for line in self.lines],
        }

    def allowed_actions(self) -> list[OrderAction]:
        """Actions whose state precondition and guard hold now (role not considered)."""
        return [a for a in OrderAction if self.refusal(a) is None]

    def refusal(self, action: OrderAction) -> str | None:
        """Why `action` is not possible now, or None if it is."""
        transition = TRANSITIONS[action]
        if self.state not in transition.sources:
            return (
                f"Cannot {action.label.lower()} order {self.number}: it is "
                f"{self.state.label.lower()}, and this is only possible when it is "
                + _list_states(transition.sources)
                + "."
            )
        if action is A.RELEASE and self.design_approved_at is None:
            return (
                f"Cannot release order {self.number} to production: its design has not "
                "been approved yet."
            )
        if action is A.APPROVE_DESIGN and self.design_approved_at is not None:
            return f"The design of order {self.number} is already approved."
        return None

    # -- commands ------------------------------------------------------------

    def apply(self, action: OrderAction, *, actor: str, at: dt.datetime, reason: str = "") -> None:
        """Carry out a lifecycle command, or raise without changing anything."""
        reason = check_text(reason, "reason").strip()
        refusal = self.refusal(action)
        if refusal is not None:
            raise IllegalTransition(refusal)
        if action in REASON_REQUIRED and not reason:
            raise InvalidInput(
                f"{action.label} needs a reason: say why, for the people who act next.",
                field="reason",
            )
        before = self.snapshot()
        source = self.state
        target = self._target(action)
        # Remember where to return only while in the state that needs it; leaving it
        # any way (resume, cancel, decision) forgets.
        self.held_from = source if target is S.ON_HOLD else None
        self.changed_from = source if target is S.CHANGE_REQUESTED else None
        if action is A.APPROVE_DESIGN:
            self.design_approved_at = at
        elif action in (A.REJECT_DESIGN, A.REVISE_QUOTE):
            self.design_approved_at = None
        self.state = target
        self.updated_at = at
        after = self.snapshot()
        self._record(
            f"order_{action.value}",
            actor,
            at,
            before=before,
            after=after,
            action=action.value,
            reason=reason,
        )

    def accept_change(
        self,
        lines: Mapping[int, LineInput],
        *,
        actor: str,
        at: dt.datetime,
        reason: str,
    ) -> None:
        """Apply an approved engineering change: the changed lines take their new spec,
        quantity and price (configured by the caller), and the order returns to the state
        it was in when the change was asked for. One event carries the lines before and
        after, so the timeline shows what changed."""
        reason = check_text(reason, "reason").strip()
        refusal = self.refusal(A.ACCEPT_CHANGE)
        if refusal is not None:
            raise IllegalTransition(refusal)
        known = {line.line_no: line for line in self.lines}
        unknown = sorted(set(lines) - set(known))
        if unknown:
            raise InvalidInput(f"Order {self.number} has no line {unknown[0]}.", field="lines")
        _check_lines(list(lines.values()))
        before = self.snapshot()
        target = self._target(A.ACCEPT_CHANGE)
        for line_no, li in lines.items():
            line = known[line_no]
            line.product_family, line.quantity = li.product_family, li.quantity
            line.spec = dict(li.spec)
            line.catalogue_version, line.unit_price = li.catalogue_version, li.unit_price
        self.state, self.changed_from, self.updated_at = target, None, at
        self._record(
            f"order_{A.ACCEPT_CHANGE.value}",
            actor,
            at,
            before=before,
            after=self.snapshot(),
            action=A.ACCEPT_CHANGE.value,
            reason=reason,
        )

    def withdraw_design_approval(self, *, actor: str, at: dt.datetime, reason: str) -> None:
        """A new design revision replaces the approved one: the order awaits approval of
        the new revision before it may be released."""
        if self.design_approved_at is None:
            return
        if self.state is not S.AWAITING_DESIGN_APPROVAL:
            raise IllegalTransition(
                f"Order {self.number} is {self.state.label.lower()}: its approved design can "
                "only be replaced through a change request."
            )
        before = self.snapshot()
        self.design_approved_at = None
        self.updated_at = at
        self._record(
            "order_design_approval_withdrawn",
            actor,
            at,
            before=before,
            after=self.snapshot(),
            reason=check_text(reason, "reason"),
        )

    def prioritise(self, priority: int, *, actor: str, at: dt.datetime, reason: str) -> None:
        """Make the planner weigh this order's lateness `priority` times a normal order's."""
        reason = check_text(reason, "reason").strip()
        if not 1 <= priority <= 100:
            raise InvalidInput("priority must be between 1 and 100.", field="priority")
        if not reason:
            raise InvalidInput("Say why this order gets priority.", field="reason")
        if priority == self.priority:
            return
        before, self.priority, self.updated_at = self.priority, priority, at
        self.pending_events.append(
            DomainEvent(
                aggregate="order",
                aggregate_key=self.number,
                kind="order_prioritised",
                actor=actor,
                occurred_at=at,
                data={
                    "action": None,
                    "reason": reason,
                    "changes": {"priority": {"before": before, "after": priority}},
                },
            )
        )

    def set_promise(
        self, date: dt.date | None, *, actor: str, at: dt.datetime, reason: str
    ) -> None:
        """Store the delivery date the plant committed to (None: none can be promised);
        the timeline keeps the old date and why it changed."""
        if date == self.promise_date:
            return
        before = self.snapshot()
        self.promise_date = date
        self.updated_at = at
        self._record(
            "order_promised", actor, at, before=before, after=self.snapshot(), reason=reason
        )

    def _target(self, action: OrderAction) -> OrderState:
        transition = TRANSITIONS[action]
        if transition.target is not None:
            return transition.target
        remembered = self.held_from if action is A.RESUME else self.changed_from
        if remembered is None:  # a stored order missing its memory: refuse, do not guess
            raise IllegalTransition(f"Order {self.number} does not know which state to return to.")
        return remembered

    def revise(
        self,
        *,
        lines: list[LineInput] | None,
        requested_date: dt.date | None,
        notes: str | None,
        actor: str,
        at: dt.datetime,
    ) -> None:
        """Edit a quote. After confirmation a change must go through a change request."""
        if self.state is not OrderState.QUOTE:
            raise IllegalTransition(
                f"Order {self.number} is {self.state.label.lower()}: its lines and dates can "
                "only be edited while it is a quote. Request a change instead."
            )
        if lines is not None:
            _check_lines(lines)
        if notes is not None:
            check_text(notes, "notes")
        if requested_date != self.requested_date:
            _check_requested_date(requested_date, at.date())
        before = self.snapshot()
        if lines is not None:
            self._replace_lines(lines)
        self.requested_date = requested_date
        if notes is not None:
            self.notes = notes
        after = self.snapshot()
        if after == before:
            return
        self.updated_at = at
        self._record("order_revised", actor, at, before=before, after=after)

    def _replace_lines(self, lines: list[LineInput]) -> None:
        """Rewrite lines position by position, so line numbers stay put and storage sees
        updates of existing lines rather than a delete-and-reinsert of the same numbers."""
        for i, li in enumerate(lines):
            if i < len(self.lines):
                line = self.lines[i]
                line.product_family, line.quantity = li.product_family, li.quantity
                line.spec = dict(li.spec)
                line.catalogue_version, line.unit_price = li.catalogue_version, li.unit_price
            else:
                self.lines.append(_new_line(i + 1, li))
        del self.lines[len(lines) :]

    def _record(
        self,
        kind: str,
        actor: str,
        at: dt.datetime,
        *,
        before: dict[str, Any],
        after: dict[str, Any],
        action: str | None = None,
        reason: str = "",
    ) -> None:
        changed = {
            k: {"before": before.get(k), "after": after[k]}
            for k in after
            if before.get(k) != after[k]
        }
        self.pending_events.append(
            DomainEvent(
                aggregate="order",
                aggregate_key=self.number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data={"action": action, "reason": reason, "changes": changed},
            )
        )


def _list_states(states: frozenset[OrderState]) -> str:
    names = sorted(s.label.lower() for s in states)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]

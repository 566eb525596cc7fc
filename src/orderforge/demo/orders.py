"""Demo orders for the demo plant: believable histories over every lifecycle state.

`build_demo_orders` takes the product family codes and customers as arguments (the demo
plant passes its own, see `orderforge.demo.plant.demo_orders`), so this module
depends on the domain only; the loader picks each line's spec from the catalogue's
demo specs. Each order carries the lifecycle commands that bring a
fresh quote to its demo state, with the role that performs each one and the reason a
real shop would write down. Deterministic: the only randomness is `random.Random(seed)`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from orderforge.domain.order import (
    ACTIVE_STATES,
    CHANGEABLE_STATES,
    TRANSITIONS,
    LineInput,
    OrderAction,
    OrderState,
)
from orderforge.domain.user import Role

A = OrderAction
S = OrderState

#: Who performs each lifecycle command in the demo histories.
ACTION_ROLES: dict[OrderAction, Role] = {
    A.CONFIRM: Role.SALES,
    A.REVISE_QUOTE: Role.SALES,
    A.CANCEL: Role.SALES,
    A.REQUEST_CHANGE: Role.SALES,
    A.MARK_FEASIBLE: Role.ENGINEER,
    A.FLAG_NEEDS_ENGINEERING: Role.ENGINEER,
    A.ACCEPT_ENGINEERING: Role.ENGINEER,
    A.REJECT: Role.ENGINEER,
    A.SUBMIT_DESIGN: Role.ENGINEER,
    # Sales records the customer's approval (most demo customers have no portal user).
    A.APPROVE_DESIGN: Role.SALES,
    A.REJECT_DESIGN: Role.SALES,
    A.ACCEPT_CHANGE: Role.ENGINEER,
    A.DECLINE_CHANGE: Role.ENGINEER,
    A.PLAN: Role.PLANNER,
    A.RELEASE: Role.PLANNER,
    A.START_PRODUCTION: Role.PLANNER,
    A.HOLD: Role.PLANNER,
    A.RESUME: Role.PLANNER,
    A.SHIP: Role.PLANNER,
    A.CONFIRM_DELIVERY: Role.PLANNER,
    A.FINISH_PRODUCTION: Role.OPERATOR,
    A.PASS_INSPECTION: Role.QUALITY,
    A.FAIL_INSPECTION: Role.QUALITY,
}


@dataclass(frozen=True)
class DemoOrder:
    customer_code: str
    lines: tuple[LineInput, ...]
    #: Days after the order's creation that the customer wants it.
    requested_in_days: int
    created_days_ago: int
    notes: str
    #: Lifecycle commands to apply in order, starting from the quote state.
    path: tuple[tuple[OrderAction, Role, str], ...]

    @property
    def final_state(self) -> OrderState:
        """The state the order reaches when its path is applied (read from TRANSITIONS)."""
        state, held_from, changed_from = S.QUOTE, S.QUOTE, S.QUOTE
        for action, _role, _reason in self.path:
            target = TRANSITIONS[action].target
            if action is A.HOLD:
                held_from = state
            elif action is A.REQUEST_CHANGE:
                changed_from = state
            if target is None:
                target = held_from if action is A.RESUME else changed_from
            state = target
        return state


#: How many orders of each state a 60-order demo holds (scaled for other counts).
STATE_WEIGHTS: tuple[tuple[OrderState, int], ...] = (
    (S.QUOTE, 4),
    (S.CONFIRMED, 3),
    (S.FEASIBLE, 3),
    (S.NEEDS_ENGINEERING, 3),
    (S.REJECTED, 2),
    (S.PLANNED, 6),
    (S.AWAITING_DESIGN_APPROVAL, 5),
    (S.RELEASED, 4),
    (S.IN_PRODUCTION, 8),
    (S.FINAL_INSPECTION, 3),
    (S.READY_TO_SHIP, 3),
    (S.SHIPPED, 3),
    (S.DELIVERED, 6),
    (S.ON_HOLD, 3),
    (S.CHANGE_REQUESTED, 2),
    (S.CANCELLED, 2),
)

#: How long ago (days) an order in each state was typically created.
_AGE: dict[OrderState, tuple[int, int]] = {
    S.QUOTE: (1, 20),
    S.CONFIRMED: (2, 10),
    S.FEASIBLE: (4, 14),
    S.NEEDS_ENGINEERING: (4, 18),
    S.REJECTED: (5, 40),
    S.PLANNED: (8, 25),
    S.AWAITING_DESIGN_APPROVAL: (10, 30),
    S.RELEASED: (15, 35),
    S.IN_PRODUCTION: (20, 50),
    S.FINAL_INSPECTION: (30, 55),
    S.READY_TO_SHIP: (35, 60),
    S.SHIPPED: (40, 70),
    S.DELIVERED: (50, 120),
    S.ON_HOLD: (15, 60),
    S.CHANGE_REQUESTED: (10, 40),
    S.CANCELLED: (10, 90),
}

_MAIN_LINE = (
    S.QUOTE,
    S.CONFIRMED,
    S.FEASIBLE,
    S.PLANNED,
    S.AWAITING_DESIGN_APPROVAL,
    S.RELEASED,
    S.IN_PRODUCTION,
    S.FINAL_INSPECTION,
    S.READY_TO_SHIP,
    S.SHIPPED,
    S.DELIVERED,
)

#: Where demo orders on hold, or with an open change request, were when it happened.
_HOLD_BASES = (
    S.CONFIRMED,
    S.NEEDS_ENGINEERING,
    S.PLANNED,
    S.PLANNED,
    S.AWAITING_DESIGN_APPROVAL,
    S.IN_PRODUCTION,
    S.READY_TO_SHIP,
)
_CHANGE_BASES = (
    S.CONFIRMED,
    S.PLANNED,
    S.AWAITING_DESIGN_APPROVAL,
    S.RELEASED,
    S.IN_PRODUCTION,
)

#: Turns of the story forced on the first orders of a state, so that every demo shows
#: each loop of the lifecycle at least once (keys are the `chance` keys of _PathBuilder).
_SHOWCASE: dict[OrderState, tuple[dict[str, bool], ...]] = {
    S.QUOTE: ({"requote": True},),
    S.CONFIRMED: ({"changed": True},),
    S.PLANNED: ({"sent-back": True},),
    S.AWAITING_DESIGN_APPROVAL: ({"approved": True}, {"approved": False}),
    S.RELEASED: ({"engineering": True, "design-rejected": True},),
    S.IN_PRODUCTION: ({"rework": True},),
    S.SHIPPED: ({"decline": True},),
    S.DELIVERED: ({"hold": True, "inspection": True}, {"accept": True}),
    S.REJECTED: ({"flag-then-reject": True},),
}

# Reasons as (family code the reason is about, or "" for any order, text).
_R = tuple[tuple[str, str], ...]
_REASONS: dict[OrderAction, _R] = {
    A.CONFIRM: (
        ("", "Order confirmation signed by the customer."),
        ("", "Customer confirmed by e-mail, PO number on file."),
        ("", ""),
    ),
    A.MARK_FEASIBLE: (
        ("", "Standard construction, all materials in our range."),
        ("", ""),
    ),
    A.FLAG_NEEDS_ENGINEERING: (
        ("TABLE", "Long span between the legs: check sag and design a steel stiffener."),
        ("TABLE", "Power box cut-out sits over a leg rail; needs a revised frame drawing."),
        ("SEATING", "Customer-own fabric must pass EN 1021 before we commit."),
        ("SEATING", "Channel-tufted back over 2.5 m needs a split frame to fit the lift."),
        ("CABINET", "Wall-hung tall unit: fixing into the customer's drywall must be checked."),
        ("CABINET", "Fluted fronts in RAL colour: sample door needed before we commit."),
        ("WALL-PANEL", "Class B-s2,d0 needs fire-retardant core and a certified lacquer."),
        ("", "Site survey needed: the architect's drawings show no wall dimensions."),
    ),
    A.ACCEPT_ENGINEERING: (("", "Engineering review done; construction released as drawn."),),
    A.REJECT: (
        ("TABLE", "A one-piece 3 m top will not fit the customer's stairwell; offer a split top."),
        ("", "Requested lead time of 3 weeks is impossible with 5 weeks veneer procurement."),
        ("SEATING", "The chosen leather is discontinued by the tannery; no equal in time."),
        ("", "Price on the quote was based on the wrong material; must be re-quoted."),
    ),
    A.REVISE_QUOTE: (
        ("", "Re-quoted with the revised construction and a new promise date."),
        ("", "New quote with alternative material sent to the customer."),
    ),
    A.PLAN: (("", ""), ("", "Slotted into the week plan; material ordered.")),
    A.SUBMIT_DESIGN: (
        ("", "Shop drawings rev A sent for sign-off."),
        ("", "Drawings and colour sample sent to the customer."),
        ("SEATING", "Mock-up of the seat profile ready for sitting test."),
    ),
    A.APPROVE_DESIGN: (
        ("", "Drawings signed by the customer."),
        ("", "Architect approved the drawings and the sample board."),
        ("", ""),
    ),
    A.REJECT_DESIGN: (
        ("TABLE", "Customer wants the leg taper to start 100 mm lower."),
        ("CABINET", "Architect asks for a 4 mm shadow gap between fronts instead of 2 mm."),
        ("", "Colour sample too yellow; customer wants a cooler white (NCS S 0500-N)."),
        ("SEATING", "Channels on the mock-up too wide; reduce to 120 mm."),
        ("WALL-PANEL", "Slat rhythm does not line up with the door frame; shift by 14 mm."),
    ),
    A.RELEASE: (("", ""), ("", "Material complete, travelers printed.")),
    A.START_PRODUCTION: (("", ""),),
    A.FINISH_PRODUCTION: (("", ""), ("", "All parts finished and assembled.")),
    A.PASS_INSPECTION: (("", ""), ("", "Inspection passed, photos attached.")),
    A.FAIL_INSPECTION: (
        ("TABLE", "Glue line failed peel test, re-press top."),
        ("TABLE", "Top out of flat by 1.5 mm over 2 m; re-level and re-sand."),
        ("CABINET", "Orange peel on two lacquered fronts; sand and respray."),
        ("CABINET", "Hinge bores 2 mm off on door 3; make a new door."),
        ("SEATING", "Seat seam runs 8 mm off centre; re-cover the cushion."),
        ("WALL-PANEL", "Colour mismatch between panels 4 and 5 under D65 light."),
        ("", "Runs in the lacquer on the visible edge; sand back and respray."),
    ),
    A.SHIP: (("", "Forwarder booked, 2 pallets."), ("", "Own truck, delivery with fitting.")),
    A.CONFIRM_DELIVERY: (("", "Signed proof of delivery received."), ("", "")),
    A.HOLD: (
        ("", "Customer's site not ready; hold until the architect confirms the delivery slot."),
        ("", "Waiting for the 30 % down payment per our terms."),
        ("", "Material delivery delayed by the supplier; hold until it arrives."),
        ("SEATING", "Customer is still comparing fabric samples; do not cut covers."),
        ("", "Customer disputes the previous invoice; sales to clarify first."),
    ),
    A.RESUME: (("", "Reason for the hold is cleared."),),
    A.REQUEST_CHANGE: (
        ("TABLE", "Customer wants walnut instead of oak for the conference table."),
        ("TABLE", "Table to be 200 mm longer to seat two more people."),
        ("CABINET", "Architect changes the front colour to RAL 7035 after the sample review."),
        ("CABINET", "Switch handles from brass to black steel to match the new lights."),
        ("SEATING", "Bench 200 mm longer to fill the window niche."),
        ("WALL-PANEL", "Two more headboard panels for the added rooms on floor 3."),
        ("", "Customer adds a second delivery address and wants split delivery."),
    ),
    A.ACCEPT_CHANGE: (
        ("", "Change accepted: new price and a promise date two weeks later agreed."),
        ("", "Change accepted at no extra cost; the order keeps its place in the plan."),
    ),
    A.DECLINE_CHANGE: (
        ("", "Change would push delivery past the opening date; customer keeps the spec."),
        ("", "Material already cut; change would scrap EUR 1,400 of material. Customer agreed."),
        ("", "Change is not possible with this construction; original spec stands."),
    ),
    A.CANCEL: (
        ("", "Customer cancelled: the renovation was postponed to next year."),
        ("", "Project stopped by the building owner; cancellation fee invoiced per terms."),
        ("", "Customer chose a cheaper supplier."),
    ),
}

#: Follow-up reasons that answer an earlier one, so a timeline reads as one story.
_FOLLOW_UPS: dict[str, dict[OrderAction, str]] = {
    "Long span between the legs: check sag and design a steel stiffener.": {
        A.ACCEPT_ENGINEERING: "Added a 40 x 20 steel stiffener under the top; drawing rev B.",
        A.REJECT: "Sag over 3 mm even with a stiffener; offer a six-leg version instead.",
    },
    "Customer-own fabric must pass EN 1021 before we commit.": {
        A.ACCEPT_ENGINEERING: "Fabric passed cigarette and match test at our lab; report filed.",
        A.REJECT: "Customer's fabric failed the match test; contract use is not possible.",
    },
    "Power box cut-out sits over a leg rail; needs a revised frame drawing.": {
        A.ACCEPT_ENGINEERING: "Leg rail moved 80 mm inwards; frame drawing rev B released.",
    },
    "Channel-tufted back over 2.5 m needs a split frame to fit the lift.": {
        A.ACCEPT_ENGINEERING: "Two-part frame with a hidden bolt connector; drawing rev B.",
        A.REJECT: "Split back would show a joint through the channels; customer won't accept.",
    },
    "Fluted fronts in RAL colour: sample door needed before we commit.": {
        A.ACCEPT_ENGINEERING: "Sample door sprayed and approved by the architect.",
    },
    "Wall-hung tall unit: fixing into the customer's drywall must be checked.": {
        A.ACCEPT_ENGINEERING: "Fixing detail agreed with the drywall contractor: extra battens.",
    },
    "Class B-s2,d0 needs fire-retardant core and a certified lacquer.": {
        A.ACCEPT_ENGINEERING: "FR-MDF core and certified lacquer system confirmed by supplier.",
    },
    "Site survey needed: the architect's drawings show no wall dimensions.": {
        A.ACCEPT_ENGINEERING: "Site survey done, dimensions confirmed; construction is standard.",
    },
    "Customer's site not ready; hold until the architect confirms the delivery slot.": {
        A.RESUME: "Site ready, delivery slot confirmed by the architect."
    },
    "Waiting for the 30 % down payment per our terms.": {A.RESUME: "Down payment received."},
    "Material delivery delayed by the supplier; hold until it arrives.": {
        A.RESUME: "Material arrived and passed incoming inspection."
    },
    "Customer is still comparing fabric samples; do not cut covers.": {
        A.RESUME: "Customer chose the fabric; covers can be cut."
    },
    "Customer disputes the previous invoice; sales to clarify first.": {
        A.RESUME: "Invoice question settled with the customer."
    },
}

_CANCEL_QUOTE = ("Quote expired after 60 days without confirmation.",)

_NOTES: dict[str, tuple[str, ...]] = {
    "HOTEL": (
        "Delivery to the service entrance, goods lift max 2.2 m.",
        "Rooms are refurbished floor by floor; deliver in two batches.",
        "Contract quality: fire test certificates needed with the delivery.",
    ),
    "ARCH": (
        "Architect's drawings rev C apply; site contact is the project lead.",
        "Colours per the architect's material board.",
        "Invoice to the end client, drawings via the architect.",
    ),
    "REST": (
        "Restaurant is closed on Mondays: deliver and fit on a Monday.",
        "Surfaces must be food-safe and resistant to cleaning agents.",
    ),
    "PRIV": (
        "Third floor, no lift; carry-in by two fitters.",
        "Customer visited the showroom, chose from samples.",
        "Old furniture to be taken away on delivery.",
    ),
    "": (
        "Delivery Monday to Thursday 8-15 h only.",
        "Fitting by our team, access via the loading bay.",
        "",
    ),
}

_QUANTITIES: dict[str, tuple[int, ...]] = {
    "TABLE": (1, 1, 1, 2, 2, 4, 6, 8, 12),
    "CABINET": (1, 2, 3, 4, 6, 8, 10),
    "SEATING": (1, 1, 2, 2, 3, 4, 6),
    "WALL-PANEL": (4, 6, 8, 12, 16, 24, 30),
}
_PRIVATE_QUANTITIES: dict[str, tuple[int, ...]] = {
    "TABLE": (1,),
    "CABINET": (2, 4, 6, 8, 12),
    "SEATING": (1, 1, 2),
    "WALL-PANEL": (2, 4, 6),
}
_FAMILIES_BY_KIND: dict[str, tuple[str, ...]] = {
    "HOTEL": ("WALL-PANEL", "SEATING", "CABINET", "TABLE"),
    "REST": ("TABLE", "SEATING", "WALL-PANEL"),
    "PRIV": ("TABLE", "CABINET", "SEATING"),
    "MED": ("COUCH", "CABINET"),
}
#: Families only their own kind of customer orders (a practice's examination couch).
_SPECIALIST_FAMILIES = frozenset({"COUCH"})
_CONTRACT_KINDS = ("HOTEL", "REST", "UNI", "OFFICE", "COWORK", "MUSEUM", "MED")


def _kind(customer_code: str) -> str:
    """The customer type from a code like C-HOTEL-ALPINA."""
    parts = customer_code.split("-")
    return parts[1] if len(parts) > 2 else ""


class _PathBuilder:
    """Walks a fresh quote to a target state, keeping every step legal."""

    def __init__(
        self, rng: random.Random, families: set[str], forced: dict[str, bool] | None = None
    ) -> None:
        self.rng = rng
        self.forced = dict(forced or {})
        self.families = families
        self.steps: list[tuple[OrderAction, Role, str]] = []
        self.state = S.QUOTE
        self.held_from = S.QUOTE
        self.changed_from = S.QUOTE
        self.approved = False
        self.detours: set[str] = set()
        self.follow_ups: dict[OrderAction, str] = {}

    def do(self, action: OrderAction, reason: str | None = None) -> None:
        transition = TRANSITIONS[action]
        if self.state not in transition.sources:  # a bug in this generator
            raise AssertionError(f"{action} is not possible from {self.state}")
        if reason is None:
            reason = self.follow_ups.get(action) or self._reason(action)
        if action in (A.ACCEPT_ENGINEERING, A.REJECT, A.RESUME):
            self.follow_ups.clear()
        elif action in (A.FLAG_NEEDS_ENGINEERING, A.HOLD):
            self.follow_ups = dict(_FOLLOW_UPS.get(reason, {}))
        if action is A.HOLD:
            self.held_from = self.state
        elif action is A.REQUEST_CHANGE:
            self.changed_from = self.state
        if action is A.APPROVE_DESIGN:
            self.approved = True
        elif action in (A.REJECT_DESIGN, A.REVISE_QUOTE):
            self.approved = False
        target = transition.target
        if target is None:
            target = self.held_from if action is A.RESUME else self.changed_from
        self.state = target
        self.steps.append((action, ACTION_ROLES[action], reason))

    def _reason(self, action: OrderAction) -> str:
        if action is A.CANCEL and self.state is S.QUOTE:
            return self.rng.choice(_CANCEL_QUOTE)
        pool = [text for family, text in _REASONS[action] if not family or family in self.families]
        return self.rng.choice(pool)

    def chance(self, p: float, key: str) -> bool:
        """A random turn of the story, unless the showcase forces it (once)."""
        if key in self.forced:
            return self.forced.pop(key)
        return self.rng.random() < p

    def forward(self) -> None:
        """One step along the main line, with the usual loops."""
        s = self.state
        if s is S.QUOTE:
            self.do(A.CONFIRM)
        elif s is S.CONFIRMED:
            if self.chance(0.15, "engineering"):
                self.do(A.FLAG_NEEDS_ENGINEERING)
                self.do(A.ACCEPT_ENGINEERING)
            else:
                self.do(A.MARK_FEASIBLE)
        elif s is S.FEASIBLE:
            self.do(A.PLAN)
        elif s is S.PLANNED:
            self.do(A.SUBMIT_DESIGN)
            if self.chance(0.2, "design-rejected"):
                self.do(A.REJECT_DESIGN)
                self.do(A.SUBMIT_DESIGN)
        elif s is S.AWAITING_DESIGN_APPROVAL:
            if not self.approved:
                self.do(A.APPROVE_DESIGN)
            self.do(A.RELEASE)
        elif s is S.FINAL_INSPECTION:
            if self.chance(0.15, "inspection"):
                self.do(A.FAIL_INSPECTION)
                self.do(A.FINISH_PRODUCTION)
            self.do(A.PASS_INSPECTION)
        else:
            nxt = {
                S.RELEASED: A.START_PRODUCTION,
                S.IN_PRODUCTION: A.FINISH_PRODUCTION,
                S.READY_TO_SHIP: A.SHIP,
                S.SHIPPED: A.CONFIRM_DELIVERY,
            }
            self.do(nxt[s])

    def detour(self) -> None:
        """Now and then a hold, or a change request, on the way."""
        if self.state in ACTIVE_STATES and "hold" not in self.detours and self.chance(0.03, "hold"):
            self.detours.add("hold")
            self.do(A.HOLD)
            self.do(A.RESUME)
        if self.state in CHANGEABLE_STATES and "change" not in self.detours:
            if self.chance(0.015, "decline"):
                self.detours.add("change")
                self.do(A.REQUEST_CHANGE)
                self.do(A.DECLINE_CHANGE)
            elif self.state is not S.CONFIRMED and self.chance(0.015, "accept"):
                self.detours.add("change")
                self.do(A.REQUEST_CHANGE)
                self.do(A.ACCEPT_CHANGE)  # back where it was: the change keeps its place

    def advance_to(self, target: OrderState) -> None:
        if target not in _MAIN_LINE:
            raise AssertionError(f"{target} is not on the main line")
        while _MAIN_LINE.index(self.state) < _MAIN_LINE.index(target):
            self.forward()
            if self.state is not target:
                self.detour()

    def reach(self, target: OrderState) -> None:
        """Bring the order to `target` by a plausible route."""
        pick = self.rng.choice
        if target is S.QUOTE:
            if self.chance(0.35, "requote"):  # rejected once, re-quoted
                self.do(A.CONFIRM)
                self.do(A.REJECT)
                self.do(A.REVISE_QUOTE)
        elif target is S.PLANNED and self.chance(0.3, "sent-back"):  # design sent back
            self.advance_to(S.AWAITING_DESIGN_APPROVAL)
            self.do(A.REJECT_DESIGN)
        elif target is S.AWAITING_DESIGN_APPROVAL:
            self.advance_to(target)
            if self.chance(0.5, "approved"):
                self.do(A.APPROVE_DESIGN)
        elif target is S.IN_PRODUCTION and self.chance(0.2, "rework"):  # rework after inspection
            self.advance_to(S.FINAL_INSPECTION)
            self.do(A.FAIL_INSPECTION)
        elif target is S.NEEDS_ENGINEERING:
            self.advance_to(S.CONFIRMED)
            self.do(A.FLAG_NEEDS_ENGINEERING)
        elif target is S.REJECTED:
            self.advance_to(S.CONFIRMED)
            if self.chance(0.5, "flag-then-reject"):
                self.do(A.FLAG_NEEDS_ENGINEERING)
            self.do(A.REJECT)
        elif target is S.ON_HOLD:
            self.reach(pick(_HOLD_BASES))
            self.do(A.HOLD)
        elif target is S.CHANGE_REQUESTED:
            self.advance_to(pick(_CHANGE_BASES))
            self.do(A.REQUEST_CHANGE)
        elif target is S.CANCELLED:
            base = pick((S.QUOTE, S.CONFIRMED, S.NEEDS_ENGINEERING, S.PLANNED, S.ON_HOLD))
            self.reach(base)
            self.do(A.CANCEL)
        else:
            self.advance_to(target)
        if target in _MAIN_LINE and self.state is not target:
            self.advance_to(target)


def _allocate(count: int) -> list[OrderState]:
    """Split `count` over the states by weight; every state at least once if count allows."""
    total = sum(w for _, w in STATE_WEIGHTS)
    quotas = [count * w // total for _, w in STATE_WEIGHTS]
    by_remainder = sorted(
        range(len(STATE_WEIGHTS)), key=lambda i: (-(count * STATE_WEIGHTS[i][1] % total), i)
    )
    for i in by_remainder[: count - sum(quotas)]:
        quotas[i] += 1
    if count >= len(STATE_WEIGHTS):
        while 0 in quotas:
            quotas[quotas.index(max(quotas))] -= 1
            quotas[quotas.index(0)] += 1
    return [state for (state, _), q in zip(STATE_WEIGHTS, quotas, strict=True) for _ in range(q)]


def build_demo_orders(
    families: Sequence[str],
    customers: Sequence[tuple[str, str, str, str]],
    *,
    seed: int = 2026,
    count: int = 60,
) -> list[DemoOrder]:
    """`count` orders over all lifecycle states, oldest first, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 -- demo data, not security
    codes = list(families)
    orders: list[DemoOrder] = []
    seen_states: dict[OrderState, int] = {}
    for target in _allocate(count):
        customer_code = rng.choice(customers)[0]
        kind = _kind(customer_code)
        preferred = [c for c in _FAMILIES_BY_KIND.get(kind, ()) if c in codes] or [
            c for c in codes if c not in _SPECIALIST_FAMILIES
        ]
        lines: list[LineInput] = []
        for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
            family = rng.choice(preferred)
            table = _PRIVATE_QUANTITIES if kind == "PRIV" else _QUANTITIES
            quantity = rng.choice(table.get(family, (1, 2, 3)))
            # The spec is chosen by the loader from the family's catalogue examples.
            lines.append(LineInput(family, quantity, {}))
        showcase = _SHOWCASE.get(target, ())
        seen = seen_states.get(target, 0)
        seen_states[target] = seen + 1
        forced = showcase[seen] if seen < len(showcase) else {}
        builder = _PathBuilder(rng, {li.product_family for li in lines}, forced)
        builder.reach(target)
        if builder.state is not target:
            raise AssertionError(f"demo path reached {builder.state}, not {target}")
        lo, hi = _AGE[target]
        orders.append(
            DemoOrder(
                customer_code=customer_code,
                lines=tuple(lines),
                requested_in_days=rng.choice(range(35, 120, 7)),
                created_days_ago=rng.randint(lo, hi),
                notes=rng.choice(_NOTES.get(kind, _NOTES[""])),
                path=tuple(builder.steps),
            )
        )
    orders.sort(key=lambda o: -o.created_days_ago)  # stable: order numbers follow age
    return orders

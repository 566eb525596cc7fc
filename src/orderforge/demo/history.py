"""The demo's history: weeks of quotes, orders, floor work and deliveries before today,
written the way the system writes its own records, so forecasting, quote conversion, the
dashboards and the plant simulation have something real to learn from.

What is asked for each week comes from `orderforge.demo.demand` (trend, seasons, the
intermittent couch, the hotel chain's seating shock: read its docstring to know what a
forecast chart should show). Every request becomes a quote (`Order.open_quote`, priced by
`configure_lines`); the customer's answer follows `demand.win_chance`:

- a won quote is confirmed, promised (the requested date, or the family's quoted lead
  time when that is later), its work orders made by production's use case, taken to
  released by the domain's commands, worked through operation by operation with the
  report use case (actual times lognormal around the planned minutes, each work centre
  with its own spread; hand sanding the most variable), material issued through the
  issue use case, now and then scrap with a cause and an NCR, then passed, shipped and
  delivered: mostly by the promise, some late, more late during the demand shock;
  a share of them rated by the customer a few days later (`orderforge.demo.ratings`);
- a lost quote is cancelled with the customer's reason after its age;
- quotes of the last three weeks whose answer would come after today stay open.

Nothing is left behind that would change today's demo: the history loads after it, its
numbers are a series of its own (SO-2026-H0012, WO-2026-H0012), every order it confirms
is delivered before today, and the material it issues comes from one lot per item and
week received for exactly what that week's orders used (each lot ends exhausted, so stock
and MRP are unchanged).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from orderforge.demo import catalogue as demo_catalogue
from orderforge.demo import plant as demo_plant
from orderforge.demo.demand import WEEK, DemandModel, Opportunity, win_chance
from orderforge.demo.finals import DemoFinals
from orderforge.demo.inspections import inspect_work_orders
from orderforge.demo.ratings import rate_delivered
from orderforge.demo.shipping import DemoShipments
from orderforge.domain.order import LineInput, Order, OrderAction, OrderState
from orderforge.materials.domain import Lot
from orderforge.materials.ports import MATERIALS
from orderforge.production.domain import Operation, OperationStatus, ReportKind, WorkOrder
from orderforge.production.services import reports, units, work_orders
from orderforge.quality.ncr_domain import (
    Disposition,
    DispositionKind,
    Nonconformance,
    Origin,
    Raise,
)
from orderforge.quality.ports import NCRS
from orderforge.services.context import ServiceContext
from orderforge.services.orders import configure_lines
from orderforge.services.ports import UnitOfWork

#: From a confirmed order to released, as the plant's review, planning and design go.
_TO_RELEASE = {
    OrderState.CONFIRMED: OrderAction.MARK_FEASIBLE,
    OrderState.FEASIBLE: OrderAction.PLAN,
    OrderState.PLANNED: OrderAction.SUBMIT_DESIGN,
    OrderState.AWAITING_DESIGN_APPROVAL: OrderAction.APPROVE_DESIGN,
}
#: Coefficient of variation of actual against planned operation time, per work centre;
#: hand sanding depends on the wood and the person, machines hardly vary.
VARIABILITY: dict[str, float] = {
    "SAW-BEAM": 0.1,
    "CNC-5AX": 0.1,
    "CNC-NEST": 0.1,
    "EDGE-BAND": 0.12,
    "SAND-WIDE": 0.15,
    "PRESS-VEN": 0.15,
    "SOLID-MACH": 0.2,
    "SAND-HAND": 0.45,
    "PAINT-BOOTH": 0.2,
    "DRY-CURE": 0.1,
    "ASSEMBLY": 0.2,
    "UPHOLSTERY": 0.25,
    "QC-FINAL": 0.15,
    "PACKING": 0.15,
}
DEFAULT_VARIABILITY = 0.2
#: The history's own numbering series (SO-2026-H0012, WO-2026-H0012, NCR-2026-H0003): the
#: numbers the running plant gives next (the README's new order and its work order) stay
#: the ones they are without the history.
SERIES = "H"
#: chance that an operation's completion reports scrap; one scrap in four gets an NCR
SCRAP_CHANCE = 0.05
NCR_SHARE = 0.25
SCRAP_CAUSES = ("MATERIAL", "MATERIAL", "MATERIAL", "MACHINE", "MACHINE", "OPERATOR", "SETUP")
#: weeks from confirmation a family is usually promised in
QUOTED_WEEKS = {"TABLE": 5, "SEATING": 4, "CABINET": 6, "WALL-PANEL": 4, "COUCH": 7}
LOST_REASONS = (
    "Price above the customer's budget.",
    "Lead time too long for the customer's opening date.",
    "The customer chose another supplier.",
    "Project postponed by the customer.",
    "No answer from the customer after two follow-ups.",
)
#: late deliveries: the chance and the days, normally and during the demand shock
LATE_CHANCE, LATE_CHANCE_IN_SHOCK = 0.08, 0.35
#: quotes younger than this whose answer comes after today stay open
OPEN_QUOTE_DAYS = 21
#: what `orderforge demo load` writes unless told otherwise: two years
DEMO_HISTORY_WEEKS = 104
#: a won quote needs this long before today to be made and delivered
WIN_BEFORE = dt.timedelta(days=14)


@dataclass
class HistorySummary:
    """What the history wrote, by kind of record."""

    weeks: int = 0
    quotes: int = 0
    won: int = 0
    lost: int = 0
    open_quotes: int = 0
    late: int = 0
    work_orders: int = 0
    operations: int = 0
    scrap_reports: int = 0
    inspections: int = 0
    ncrs: int = 0
    lots: int = 0
    ratings: int = 0


@dataclass
class _Won:
    """A won order on its way: made and delivered by the week's batch."""

    order: Order
    opportunity: Opportunity
    made: list[WorkOrder]
    released: dt.datetime
    deliver_at: dt.datetime


@dataclass(frozen=True)
class People:
    """Who does what in the history (the demo's users)."""

    sales: str = "sales"
    planner: str = "planner"
    engineer: str = "engineer"
    operator: str = "operator"
    quality: str = "quality"
    verifier: str = "inspector"


@dataclass
class History:
    """The writer: one week at a time, each week in one transaction (`week`)."""

    model: DemandModel
    #: items issued from a lot the caller received beforehand (the floor benchmark's
    #: traced glue); every other item gets the week's exact lots
    pinned: Mapping[str, str] = field(default_factory=dict)
    people: People = field(default_factory=People)
    summary: HistorySummary = field(default_factory=HistorySummary)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.model.rng.random())  # noqa: S311 -- demo data
        self.specs = demo_catalogue.demo_specs()
        self.shipped = 0
        #: item -> the lot its issues come from this week
        self.lots: dict[str, str] = {}

    def week(self, uow: UnitOfWork, index: int) -> None:
        """Quote, decide, make and deliver the requests of week `index` (caller commits)."""
        counts = {family: len(specs) for family, specs in self.specs.items()}
        shipments = DemoShipments(uow, self.people.planner)
        shipments.count = self.shipped
        won = [w for o in self.model.week(index, counts) if (w := self._quote(uow, o))]
        if won:
            self._receive(uow, won, self.model.start + WEEK * index)
        made = [(order, self._produce(uow, order)) for order in won]
        progress = index / max(self.model.weeks, 1)
        work = [(wo, progress) for order in won for wo in order.made]
        self.summary.inspections += inspect_work_orders(uow, work, self.people.quality, self.rng)
        finals = DemoFinals()
        for order, end in made:
            delivered = self._deliver(order, end, shipments, finals)
            if rate_delivered(uow, order.order, delivered, self.model.now):
                self.summary.ratings += 1
        finals.record(uow)
        self.shipped = shipments.count
        self.summary.weeks += 1

    # -- the quote and the customer's answer ---------------------------------------------

    def _quote(self, uow: UnitOfWork, opportunity: Opportunity) -> _Won | None:
        at, family = opportunity.at, opportunity.family
        customer = uow.customers.get(opportunity.customer)
        assert customer is not None and customer.id is not None, opportunity.customer
        spec = self.specs[family][opportunity.spec]
        line = LineInput(family, opportunity.quantity, dict(spec))
        # a numbering series of its own: the numbers a newcomer meets in the README (the
        # next order, its work order) are the running plant's, as without the history
        number = f"SO-{at.year}-{SERIES}{uow.sequences.next_value(f'order-{SERIES}{at.year}'):04d}"
        lines = list(configure_lines(uow, (line,), customer))
        lead = QUOTED_WEEKS[family] * 7 + self.rng.randint(-3, 10)
        order = Order.open_quote(
            number=number,
            customer_id=customer.id,
            lines=lines,
            requested_date=at.date() + dt.timedelta(days=lead),
            notes="",
            actor=self.people.sales,
            at=at,
        )
        uow.orders.add(order)
        self.summary.quotes += 1
        value = sum(float(li.unit_price or 0) * li.quantity for li in lines)
        trade = opportunity.customer in demo_plant.TRADE_CUSTOMERS
        won = opportunity.luck < win_chance(family, value, opportunity.customer, trade)
        now, young = self.model.now, at > self.model.now - dt.timedelta(days=OPEN_QUOTE_DAYS)
        if won:
            decided = at + dt.timedelta(days=opportunity.days_to_win, hours=2)
            if decided > now - WIN_BEFORE:
                if young:
                    self.summary.open_quotes += 1
                    return None
                decided = now - WIN_BEFORE  # an older quote: its customer said yes by then
            return self._confirm(uow, order, opportunity, decided)
        decided = at + dt.timedelta(days=opportunity.days_to_lose, hours=3)
        if decided >= now and young:
            self.summary.open_quotes += 1
            return None
        decided = min(decided, now - dt.timedelta(days=1))
        reason = self.rng.choice(LOST_REASONS)
        order.apply(OrderAction.CANCEL, actor=self.people.sales, at=decided, reason=reason)
        self.summary.lost += 1
        return None

    def _confirm(
        self, uow: UnitOfWork, order: Order, opportunity: Opportunity, at: dt.datetime
    ) -> _Won:
        order.apply(OrderAction.CONFIRM, actor=self.people.sales, at=at)
        quoted = at.date() + dt.timedelta(weeks=QUOTED_WEEKS[opportunity.family])
        assert order.requested_date is not None
        promise = max(order.requested_date, quoted)
        reason = "Delivery date promised from the plant's capacity and materials."
        order.set_promise(promise, actor=self.people.planner, at=at, reason=reason)
        made = work_orders.create_work_orders(uow, order, self.people.sales, at, SERIES)
        while order.state is not OrderState.RELEASED:
            at += dt.timedelta(hours=self.rng.choice((2, 4, 6, 20)))
            action = _TO_RELEASE.get(order.state, OrderAction.RELEASE)
            if action is OrderAction.APPROVE_DESIGN and order.design_approved_at is not None:
                action = OrderAction.RELEASE
            actor = self.people.engineer if action.name.endswith("DESIGN") else self.people.planner
            order.apply(action, actor=actor, at=at, reason="Reviewed, planned and approved.")
        self.summary.won += 1
        self.summary.work_orders += len(made)
        return _Won(order, opportunity, made, at, self._delivery(promise, opportunity))

    def _delivery(self, promise: dt.date, opportunity: Opportunity) -> dt.datetime:
        """When the order is meant to arrive: by its promise, or late (more often in the
        shock); never later than yesterday."""
        chance = LATE_CHANCE_IN_SHOCK if opportunity.in_shock else LATE_CHANCE
        if self.rng.random() < chance:
            days = self.rng.randint(3, 20) if opportunity.in_shock else self.rng.randint(1, 10)
        else:
            days = -self.rng.randint(0, 6)
        moment = dt.datetime.combine(promise, dt.time(14), tzinfo=self.model.now.tzinfo)
        return min(moment + dt.timedelta(days=days), self.model.now - dt.timedelta(days=1))

    # -- material: exactly what the week uses ---------------------------------------------

    def _receive(self, uow: UnitOfWork, won: list[_Won], monday: dt.datetime) -> None:
        """One lot per item received that Monday for exactly what the week's orders will
        issue, so every lot ends empty: the history leaves no stock for today's MRP."""
        needs: dict[str, Decimal] = {}
        for order in won:
            for wo in order.made:
                for op in wo.operations:
                    for need in wo.materials_at(op.seq):
                        if need.item_code not in self.pinned:
                            needs[need.item_code] = needs.get(need.item_code, 0) + need.quantity
        stock = uow.repository(MATERIALS)
        received = monday + dt.timedelta(hours=6)
        self.lots = dict(self.pinned)
        for n, (item, quantity) in enumerate(sorted(needs.items())):
            number = f"LH-{received:%Y%m%d}-{n + 1:03d}"
            stock.add_lot(Lot(number, item, quantity, "STORES", received))
            self.lots[item] = number
            self.summary.lots += 1

    # -- the floor --------------------------------------------------------------------------

    def _produce(self, uow: UnitOfWork, won: _Won) -> dt.datetime:
        """Work every operation in routing order, ending about two days before delivery
        when there is room, else as soon as released; the last report's moment."""
        plan = [
            (wo, op.seq, self._actual(op.work_centres[0], float(op.minutes(wo.quantity))))
            for wo in won.made
            for op in _in_routing_order(wo)
        ]
        gaps = [self.rng.uniform(0.5, 4.0) * 60 for _ in plan]
        span = dt.timedelta(minutes=sum(m for *_, m in plan) + sum(gaps))
        at = max(won.released + dt.timedelta(hours=1), won.deliver_at - dt.timedelta(days=2) - span)
        for (wo, seq, minutes), gap in zip(plan, gaps, strict=True):
            at += dt.timedelta(minutes=gap)
            self._report(uow, wo, seq, ReportKind.START, at)
            for need in wo.materials_at(seq):
                lot = self.lots[need.item_code]
                issue = units.ConsumeLot(wo.number, seq, lot, need.quantity)
                units.consume_in(uow, self.people.operator, issue, at)
            at += dt.timedelta(minutes=minutes)
            self._report(uow, wo, seq, ReportKind.COMPLETE, at)
            self.summary.operations += 1
        assert all(o.status is OperationStatus.DONE for w in won.made for o in w.operations)
        return at

    def _actual(self, centre: str, planned: float) -> float:
        """Actual minutes: lognormal with mean `planned` and the centre's spread."""
        cv = VARIABILITY.get(centre, DEFAULT_VARIABILITY)
        sigma = math.sqrt(math.log(1 + cv * cv))
        return max(1.0, planned * self.rng.lognormvariate(-sigma * sigma / 2, sigma))

    def _report(
        self, uow: UnitOfWork, wo: WorkOrder, seq: int, kind: ReportKind, at: dt.datetime
    ) -> None:
        scrap, cause = 0, ""
        if kind is ReportKind.COMPLETE and self.rng.random() < SCRAP_CHANCE:
            scrap, cause = self.rng.choice((1, 1, 2)), self.rng.choice(SCRAP_CAUSES)
        good = wo.quantity if kind is ReportKind.COMPLETE else 0
        cmd = reports.ReportOperation(
            wo.number, seq, kind, good=good, scrap=scrap, scrap_cause=cause
        )
        reports.report_in(uow, self.people.operator, cmd, at, check_order=False)
        if scrap:
            self.summary.scrap_reports += 1
            if self.rng.random() < NCR_SHARE:
                self._ncr(uow, wo, seq, (scrap, cause), at)

    def _ncr(
        self, uow: UnitOfWork, wo: WorkOrder, seq: int, scrap: tuple[int, str], at: dt.datetime
    ) -> None:
        """An NCR for scrap found at an operation: raised by the operator, decided (scrap,
        re-made within the work order) by quality, verified and closed by a second person."""
        quantity, cause = min(scrap[0], wo.quantity), scrap[1]
        number = f"NCR-{at.year}-{SERIES}{uow.sequences.next_value(f'ncr-{SERIES}{at.year}'):04d}"
        op = wo.operation(seq)
        what = Raise(
            wo.number,
            seq,
            quantity,
            f"{quantity} unit(s) scrapped at {op.name}; re-made from stock.",
            cause,
            Origin.FLOOR,
        )
        ncr = Nonconformance.raise_(number, what, most=wo.quantity, by=self.people.operator, at=at)
        decided = at + dt.timedelta(minutes=20)
        note = "Scrapped and re-made on the same operation before the work went on."
        ncr.dispose(Disposition(DispositionKind.SCRAP, self.people.quality, decided, note))
        ncr.close(
            by=self.people.verifier,
            at=decided + dt.timedelta(minutes=10),
            note="Re-made units checked.",
            outstanding=[],
        )
        uow.repository(NCRS).add(ncr)
        self.summary.ncrs += 1

    def _deliver(
        self, won: _Won, made: dt.datetime, shipments: DemoShipments, finals: DemoFinals
    ) -> dt.datetime:
        """Pass final inspection once the work is `made`, ship the day before the order is
        meant to arrive (or as soon as it is packed) and confirm delivery (when: returned)."""
        order, planner = won.order, self.people.planner
        shipped = max(made + dt.timedelta(hours=4), won.deliver_at - dt.timedelta(days=1))
        latest = self.model.now - dt.timedelta(hours=1)
        if shipped + dt.timedelta(hours=1) > latest:
            raise AssertionError(f"History order {order.number} would ship after today.")
        at, passed = shipped - dt.timedelta(hours=2), OrderAction.PASS_INSPECTION
        order.apply(passed, actor=self.people.quality, at=at)
        finals.follow(order.number, passed, at, self.people.quality, "")
        order.apply(OrderAction.SHIP, actor=planner, at=shipped)
        shipments.follow(order, OrderAction.SHIP, shipped, planner)
        at = min(max(shipped + dt.timedelta(hours=20), won.deliver_at), latest)
        order.apply(OrderAction.CONFIRM_DELIVERY, actor=planner, at=at)
        shipments.follow(order, OrderAction.CONFIRM_DELIVERY, at, planner)
        assert order.promise_date is not None
        if at.date() > order.promise_date:
            self.summary.late += 1
        return at


def _in_routing_order(wo: WorkOrder) -> list[Operation]:
    done: set[int] = set()
    out: list[Operation] = []
    left = list(wo.operations)
    while left:
        op = next(o for o in left if set(o.predecessors) <= done)
        left.remove(op)
        done.add(op.seq)
        out.append(op)
    return out


def load_history(
    ctx: ServiceContext,
    weeks: int,
    seed: int,
    on_progress: Callable[[int, int], None] | None = None,
    pinned: Mapping[str, str] | None = None,
) -> HistorySummary:
    """Write `weeks` weeks of history before today, a transaction per week."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        codes = sorted(c.code for c in uow.customers.list())
    model = DemandModel(seed, now, weeks, codes)
    history = History(model, dict(pinned or {}))
    for index in range(weeks + 1):
        with ctx.uow() as uow:
            history.week(uow, index)
            uow.commit()
        if on_progress:
            on_progress(index + 1, weeks + 1)
    return history.summary

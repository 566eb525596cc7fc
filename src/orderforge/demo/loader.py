"""Load the demo plant: a custom furniture workshop with customers and a year of orders.

Orders are created and moved through the real domain commands (not inserted as rows),
so every demo order has a true, replayable timeline. Production's own use cases make the
work orders of every confirmed order and record the floor's reports of orders that
reached production, so the demo floor shows finished, running and waiting work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import yaml  # type: ignore[import-untyped]

from orderforge.demo import catalogue as demo_catalogue
from orderforge.demo import plant as demo_plant
from orderforge.demo.changes import load_changes
from orderforge.demo.designs import DemoDesigns
from orderforge.demo.finals import DemoFinals
from orderforge.demo.history import HistorySummary, load_history
from orderforge.demo.inspections import load_inspections
from orderforge.demo.shipping import DemoShipments
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.errors import AuthenticationFailed, InvalidInput
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.user import Role, User
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import purchasing
from orderforge.plant import services as plant
from orderforge.plant.ports import PLANT
from orderforge.production.domain import OperationStatus, ReportKind, WorkOrder
from orderforge.production.ports import LOT_ISSUES, WORK_ORDERS
from orderforge.production.services import reports, units, work_orders
from orderforge.quality.domain import plan_from
from orderforge.quality.final import checklist_from
from orderforge.quality.ncr_domain import cause_from
from orderforge.quality.ports import FINAL_INSPECTIONS, NCRS, QUALITY
from orderforge.services import users
from orderforge.services.catalogue import family_of, parse_family
from orderforge.services.context import ServiceContext
from orderforge.services.orders import configure_lines
from orderforge.services.ports import UnitOfWork

DEMO_ACTOR = "demo-loader"


@dataclass(frozen=True)
class DemoSummary:
    work_centres: int
    families: int
    customers: int
    users: int
    orders: int
    #: what `history_weeks` added (None without history)
    history: HistorySummary | None = None


def is_loaded(ctx: ServiceContext) -> bool:
    """Whether the database is in use (plant data or an admin): the demo loads only into
    an empty one."""
    with ctx.uow() as uow:
        return bool(uow.repository(PLANT).work_centres()) or uow.users.get("admin") is not None


def demo_logins_work(ctx: ServiceContext, password: str) -> bool:
    """Whether this database is the demo with its published password still in place: only
    then may `serve` print the demo logins (a real plant never gets them advertised)."""
    expected = {username for username, *_ in demo_plant.DEMO_USERS}
    with ctx.uow() as uow:
        present = {u.username for u in uow.users.list()}
    if not expected <= present:
        return False
    try:
        users.authenticate(ctx, "admin", password)
    except AuthenticationFailed:
        return False
    return True


def load_demo(
    ctx: ServiceContext,
    password: str,
    seed: int = 2026,
    on_progress: Callable[[int, int], None] | None = None,
    count: int = 60,
    history_weeks: int = 0,
) -> DemoSummary:
    """Fill an empty database with the demo plant; refuses to touch a used one.

    `history_weeks` adds that many weeks of quotes, orders and floor work before today
    (`orderforge.demo.history`), written after the demo itself so none of its numbers
    move; `on_progress` counts the demo's orders, then the history's weeks."""
    if history_weeks < 0:
        raise InvalidInput("history weeks must be 0 or more.", field="history_weeks")
    if is_loaded(ctx):
        raise InvalidInput(
            "The database already holds plant data or an admin user; the demo loads only "
            "into an empty database.",
            field="database",
        )
    orders = demo_plant.demo_orders(seed, count)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        work_centres = _load_plant(uow, now)
        customer_ids = _load_customers(uow, now)
        usernames = _load_users(ctx, uow, password, customer_ids, now)
        units = {w.code: w.capacity for w in uow.repository(PLANT).work_centres()}
        floor = _Floor(usernames[Role.OPERATOR], now, units, seed)
        floor.engineer = usernames[Role.ENGINEER]
        designs = DemoDesigns(ctx, uow)
        finals = DemoFinals()
        _load_quality(uow, now)
        shipments = DemoShipments(uow, usernames[Role.PLANNER])
        for i, demo in enumerate(orders):
            _load_order(uow, demo, customer_ids, usernames, floor, (designs, shipments, finals))
            if on_progress:
                on_progress(i + 1, len(orders) + history_weeks)
        _load_materials(uow, now)
        floor.consume_lots(uow)
        load_inspections(uow, usernames[Role.QUALITY], seed)
        # judged once the operations' inspections are on record
        finals.record(uow)
        uow.commit()
    # Once the orders and their histories are stored: the open changes they wait for.
    with ctx.uow() as uow:
        load_changes(ctx, uow)
        uow.commit()
    history = None
    if history_weeks:

        def weekly(done: int, total: int) -> None:
            if on_progress:
                on_progress(
                    len(orders) + done * history_weeks // total, len(orders) + history_weeks
                )

        history = load_history(ctx, history_weeks, seed, weekly)
    return DemoSummary(
        work_centres=work_centres,
        families=len(demo_catalogue.CATALOGUE_FILES),
        customers=len(demo_plant.CUSTOMERS),
        users=len(demo_plant.DEMO_USERS),
        orders=len(orders),
        history=history,
    )


def _load_plant(uow: UnitOfWork, now: dt.datetime) -> int:
    """The demo plant file through the plant's import, then the catalogues."""
    at = now - dt.timedelta(days=400)
    document = yaml.safe_load(demo_plant.plant_file_text())
    plant.apply_document(uow, DEMO_ACTOR, at, document)
    _load_catalogues(uow, at)
    return len(document["work_centres"])


def _load_materials(uow: UnitOfWork, now: dt.datetime) -> None:
    """Suppliers, offers, stocking policies, stock lots and open purchase orders, through
    the materials room's import (so `orderforge mrp run` has something to net)."""
    text = resources.files("orderforge.demo").joinpath("materials.yaml").read_text("utf-8")
    purchasing.apply_materials(uow, yaml.safe_load(text), DEMO_ACTOR, now)


def _load_quality(uow: UnitOfWork, now: dt.datetime) -> None:
    """The demo's inspection plans and final checklists put in force, and the defect
    causes scrap and NCRs are reported with, before the orders whose history uses them."""
    text = resources.files("orderforge.demo").joinpath("quality.yaml").read_text("utf-8")
    document = yaml.safe_load(text)
    at = now - dt.timedelta(days=400)
    plans = [plan_from(item, f"plans[{i}]") for i, item in enumerate(document["plans"])]
    uow.repository(QUALITY).replace_plans(plans, DEMO_ACTOR, at)
    checklists = [
        checklist_from(item, f"final_checklists[{i}]")
        for i, item in enumerate(document["final_checklists"])
    ]
    uow.repository(FINAL_INSPECTIONS).replace_checklists(checklists, DEMO_ACTOR, at)
    text = resources.files("orderforge.demo").joinpath("defect_causes.yaml").read_text("utf-8")
    causes = yaml.safe_load(text)["causes"]
    uow.repository(NCRS).put_causes([cause_from(c, f"causes[{i}]") for i, c in enumerate(causes)])


def _load_catalogues(uow: UnitOfWork, at: dt.datetime) -> None:
    """Import every demo family's catalogue as its first version."""
    for code in demo_catalogue.CATALOGUE_FILES:
        text = demo_catalogue.catalogue_text(code)
        family = parse_family(text, CatalogueFormat.YAML)
        uow.catalogue.add(
            CatalogueVersion.imported(
                family_code=family.code,
                previous=0,
                label=family.version,
                name=family.name,
                document=text,
                format=CatalogueFormat.YAML,
                actor=DEMO_ACTOR,
                at=at,
            )
        )


def _load_customers(uow: UnitOfWork, now: dt.datetime) -> dict[str, int]:
    at = now - dt.timedelta(days=400)
    for code, name, email, country in demo_plant.CUSTOMERS:
        uow.customers.add(
            Customer.register(
                code=code,
                name=name,
                email=email,
                country=country,
                address="\n".join(demo_plant.CUSTOMER_ADDRESSES.get(code, ())),
                price_group="TRADE" if code in demo_plant.TRADE_CUSTOMERS else "",
                actor=DEMO_ACTOR,
                at=at,
            )
        )
    return {c.code: c.id for c in uow.customers.list() if c.id is not None}


def _load_users(
    ctx: ServiceContext,
    uow: UnitOfWork,
    password: str,
    customer_ids: dict[str, int],
    now: dt.datetime,
) -> dict[Role, str]:
    password_hash = ctx.hasher.hash(password)  # one hash: argon2 is slow on purpose
    usernames: dict[Role, str] = {}
    for username, display_name, role, customer_code in demo_plant.DEMO_USERS:
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            created_at=now - dt.timedelta(days=400),
            customer_id=customer_ids[customer_code] if customer_code else None,
        )
        user.record_created(DEMO_ACTOR, user.created_at)
        uow.users.add(user)
        usernames.setdefault(role, username)
    return usernames


def _load_order(
    uow: UnitOfWork,
    demo: demo_plant.DemoOrder,
    customer_ids: dict[str, int],
    usernames: dict[Role, str],
    floor: _Floor,
    followers: tuple[DemoDesigns, DemoShipments, DemoFinals],
) -> None:
    designs, shipments, finals = followers
    now = floor.now
    created = (now - dt.timedelta(days=demo.created_days_ago)).replace(
        hour=8, minute=15, second=0, microsecond=0
    )
    number = f"SO-{created.year}-{uow.sequences.next_value(f'order-{created.year}'):04d}"
    specs = demo_catalogue.demo_specs()
    lines = [
        dataclasses.replace(li, spec=_pick(specs[li.product_family], demo.created_days_ago + i))
        if li.product_family in specs
        else li
        for i, li in enumerate(demo.lines)
    ]
    order = Order.open_quote(
        number=number,
        customer_id=customer_ids[demo.customer_code],
        lines=list(configure_lines(uow, tuple(lines), uow.customers.get(demo.customer_code))),
        requested_date=created.date() + dt.timedelta(days=demo.requested_in_days),
        notes=demo.notes,
        actor=usernames[Role.SALES],
        at=created,
    )
    span = max(now - created - dt.timedelta(hours=1), dt.timedelta(hours=1))
    step = span / (len(demo.path) + 1)
    produced: list[dt.datetime] = []
    finished = False
    for i, (action, role, reason) in enumerate(demo.path, start=1):
        at = created + step * i
        if action is OrderAction.RELEASE:  # what release waits for, made just before it
            floor.prototypes(uow, order, designs.letters(order), (at - step * 0.9, at))
        order.apply(action, actor=usernames[role], at=at, reason=reason)
        designs.follow(order, action, at, reason)
        finals.follow(number, action, at, usernames[role], reason)
        shipments.follow(order, action, at, usernames[role])
        # what production's event handlers do when the service confirms or cancels
        if action is OrderAction.CONFIRM:
            work_orders.create_work_orders(uow, order, usernames[role], at)
        elif action is OrderAction.CANCEL:
            work_orders.cancel_work_orders(uow, order, usernames[role], at, reason)
        elif action in (OrderAction.START_PRODUCTION, OrderAction.FINISH_PRODUCTION):
            produced.append(at)
            finished = action is OrderAction.FINISH_PRODUCTION
    uow.orders.add(order)
    if order.state is OrderState.CANCELLED:  # its work orders were cancelled with it
        finals.forget(order.number)
        return
    if produced:
        floor.report(uow, order, produced[0], produced[-1], finished)


#: chance that an operation's completion reports scrapped units besides the good ones
SCRAP_CHANCE = 0.08
#: the causes the demo floor gives for scrap (demo/defect_causes.yaml), the common ones
#: more often, so the Pareto has a head and a tail
SCRAP_CAUSES = ("MATERIAL", "MATERIAL", "MATERIAL", "MACHINE", "MACHINE", "OPERATOR", "SETUP")


class _Floor:
    """Reports the demo orders' operations as an operator would have, through
    production's report use case: finished orders done, orders in production part done
    with one operation running, never two running on one work centre unit."""

    def __init__(self, operator: str, now: dt.datetime, units: dict[str, int], seed: int) -> None:
        self.operator = operator
        #: who makes the prototypes (the demo's engineer)
        self.engineer = "engineer"
        #: now and then a unit is scrapped at an operation (and made again)
        self.rng = random.Random(seed)  # noqa: S311 -- demo data, not security
        self.now = now
        self.busy: dict[str, int] = {}
        #: work centre -> parallel units, from the plant just loaded
        self.capacity = units
        #: work orders the floor finished, for the lots they used (`consume_lots`)
        self.finished: list[WorkOrder] = []

    def report(
        self, uow: UnitOfWork, order: Order, first: dt.datetime, last: dt.datetime, finished: bool
    ) -> None:
        end = last if finished else self.now - dt.timedelta(minutes=30)
        for work_order in work_orders.current_work_orders(uow, order.number):
            self._work(uow, work_order, first, max(end, first), finished)

    def prototypes(
        self,
        uow: UnitOfWork,
        order: Order,
        letters: dict[int, str],
        between: tuple[dt.datetime, dt.datetime],
    ) -> None:
        """The prototype of every line whose family asks for one and has none yet, made by
        the engineer from its current revision and worked through on the floor between the
        two moments (its inspection is recorded with the others, `load_inspections`)."""
        first, end = between
        made = {w.line_no for w in uow.repository(WORK_ORDERS).prototypes_for(order.number)}
        for line in order.lines:
            letter = letters.get(line.line_no)
            if line.line_no in made or letter is None or line.catalogue_version is None:
                continue
            entry = uow.catalogue.get(line.product_family, line.catalogue_version)
            if entry is None or not family_of(entry).prototype_required:
                continue
            prototype = work_orders.make_prototype(
                uow, work_orders.PrototypeOf(order, line.line_no, letter), self.engineer, first
            )
            self._work(uow, prototype, first, end, finished=True)

    def _work(
        self,
        uow: UnitOfWork,
        work_order: WorkOrder,
        first: dt.datetime,
        end: dt.datetime,
        finished: bool,
    ) -> None:
        total = len(work_order.operations)
        to_finish = total if finished else total // 2
        step = (end - first) / (2 * total + 1)
        at = first
        for _ in range(to_finish):
            op = next(o for o in work_order.operations if o.status is OperationStatus.READY)
            at += step
            self._say(uow, work_order, op.seq, ReportKind.START, at)
            at += step
            self._say(uow, work_order, op.seq, ReportKind.COMPLETE, at)
        if finished:
            self.finished.append(work_order)
        ready = [o for o in work_order.operations if o.status is OperationStatus.READY]
        if finished or not ready:
            return
        op = ready[0]
        centre = next((w for w in op.work_centres if self._free(w)), None)
        if centre is not None:
            self.busy[centre] = self.busy.get(centre, 0) + 1
            self._say(uow, work_order, op.seq, ReportKind.START, at + step, centre)

    def consume_lots(self, uow: UnitOfWork) -> None:
        """The lots the finished work orders used, where the demo stock has a lot of the
        item received before the operation ran: issued as the operator would have, through
        production's use case, so the trace page follows real records."""
        try:
            uow.repository(LOT_ISSUES)
        except LookupError:  # a store without the materials room's issues (unit tests)
            return
        stock = uow.repository(MATERIALS)
        # The orders' own work first: the demo stock holds lots for what was delivered,
        # and a prototype (made earlier) takes what is left, not a unit's record.
        for work_order in sorted(self.finished, key=lambda w: w.is_prototype):
            for op in work_order.operations:
                for need in work_order.materials_at(op.seq):
                    lot = next(
                        (
                            x
                            for x in stock.lots([need.item_code])
                            if op.started_at is not None
                            and x.received_at <= op.started_at
                            and x.quantity >= need.quantity
                        ),
                        None,
                    )
                    if lot is None or op.started_at is None:
                        continue
                    cmd = units.ConsumeLot(work_order.number, op.seq, lot.lot_number, need.quantity)
                    units.consume_in(uow, self.operator, cmd, op.started_at)

    def _free(self, centre: str) -> bool:
        return self.busy.get(centre, 0) < self.capacity.get(centre, 0)

    def _say(
        self,
        uow: UnitOfWork,
        work_order: WorkOrder,
        seq: int,
        kind: ReportKind,
        at: dt.datetime,
        centre: str | None = None,
    ) -> None:
        good = work_order.quantity if kind is ReportKind.COMPLETE else 0
        scrap, cause = 0, ""
        if kind is ReportKind.COMPLETE and self.rng.random() < SCRAP_CHANCE:
            scrap = self.rng.choice((1, 1, 1, 2))
            cause = self.rng.choice(SCRAP_CAUSES)
        cmd = reports.ReportOperation(
            work_order.number,
            seq,
            kind,
            good=good,
            scrap=scrap,
            work_centre=centre,
            scrap_cause=cause,
        )
        reports.report_in(uow, self.operator, cmd, at, check_order=False)


def _pick(specs: list[dict[str, str]], n: int) -> dict[str, str]:
    return specs[n % len(specs)]

"""Load the demo plant: a custom furniture workshop with customers and a year of orders.

Orders are created and moved through the real domain commands (not inserted as rows),
so every demo order has a true, replayable timeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import yaml  # type: ignore[import-untyped]

from orderforge.demo import catalogue as demo_catalogue
from orderforge.demo import plant as demo_plant
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import Order
from orderforge.domain.user import Role, User
from orderforge.plant import services as plant
from orderforge.plant.ports import PLANT
from orderforge.services.catalogue import parse_family
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


def is_loaded(ctx: ServiceContext) -> bool:
    with ctx.uow() as uow:
        return bool(uow.repository(PLANT).work_centres()) or uow.users.get("admin") is not None


def load_demo(
    ctx: ServiceContext,
    password: str,
    seed: int = 2026,
    on_progress: Callable[[int, int], None] | None = None,
    count: int = 60,
) -> DemoSummary:
    """Fill an empty database with the demo plant; refuses to touch a used one."""
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
        for i, demo in enumerate(orders):
            _load_order(uow, demo, customer_ids, usernames, now)
            if on_progress:
                on_progress(i + 1, len(orders))
        uow.commit()
    return DemoSummary(
        work_centres=work_centres,
        families=len(demo_catalogue.CATALOGUE_FILES),
        customers=len(demo_plant.CUSTOMERS),
        users=len(demo_plant.DEMO_USERS),
        orders=len(orders),
    )


def _load_plant(uow: UnitOfWork, now: dt.datetime) -> int:
    """The demo plant file through the plant's import, then the four catalogues."""
    at = now - dt.timedelta(days=400)
    document = yaml.safe_load(demo_plant.plant_file_text())
    plant.apply_document(uow, DEMO_ACTOR, at, document)
    _load_catalogues(uow, at)
    return len(document["work_centres"])


def _load_catalogues(uow: UnitOfWork, at: dt.datetime) -> None:
    """Import the four families' catalogues as their first versions."""
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
    now: dt.datetime,
) -> None:
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
        lines=list(configure_lines(uow, tuple(lines))),
        requested_date=created.date() + dt.timedelta(days=demo.requested_in_days),
        notes=demo.notes,
        actor=usernames[Role.SALES],
        at=created,
    )
    span = max(now - created - dt.timedelta(hours=1), dt.timedelta(hours=1))
    step = span / (len(demo.path) + 1)
    for i, (action, role, reason) in enumerate(demo.path, start=1):
        order.apply(action, actor=usernames[role], at=created + step * i, reason=reason)
    uow.orders.add(order)


def _pick(specs: list[dict[str, str]], n: int) -> dict[str, str]:
    return specs[n % len(specs)]

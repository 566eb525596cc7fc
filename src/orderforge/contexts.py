"""The bounded contexts that have a room of their own: where their storage and event
handlers live.

One entry per context (ADR 0001). The composition root, Alembic and the schema test read
this list, so adding a context never edits the unit of work or another context. Modules
are named as strings and imported here, at composition time, because the platform below
must not import the contexts above it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.services.context import EventHandler, OutboxConsumer
from orderforge.services.jobs import JobKind


@dataclass(frozen=True)
class Room:
    name: str
    #: module with `STORAGE: ContextStorage` (tables, mapping, repositories), if any
    storage: str | None = None
    #: module with `HANDLERS: dict[str, tuple[EventHandler, ...]]` (event kind ->
    #: handlers), if the context reacts to other contexts' events
    handlers: str | None = None
    #: module with `OUTBOX_CONSUMER: OutboxConsumer`, if the context carries outbox
    #: events outside (webhooks, e-mail)
    outbox: str | None = None
    #: module with `JOBS: tuple[JobKind, ...]`, if the context has recorded runs that
    #: workers carry out (job kind -> handler)
    jobs: str | None = None


#: Contexts with a room, lowest layer first.
ROOMS: tuple[Room, ...] = (
    # Not a room: the platform's outbox, registered the same way so that the consumers
    # below reach it through the unit of work.
    Room("outbox", storage="orderforge.adapters.db.outbox"),
    # Not a room either: the platform's plan runs, registered as a kind of recorded job.
    Room("planning", jobs="orderforge.services.plan_runs"),
    Room("plant", storage="orderforge.plant.storage"),
    Room(
        "production",
        storage="orderforge.production.storage",
        handlers="orderforge.production.services",
    ),
    Room(
        "materials",
        storage="orderforge.materials.storage",
        jobs="orderforge.materials.services.mrp",
    ),
    Room(
        "promising",
        storage="orderforge.promising.storage",
        handlers="orderforge.promising.services",
    ),
    # Revisions and signatures; answers the orders context's DESIGN_GATE port.
    Room("design", storage="orderforge.design.storage"),
    # Talks about orders (reads orders, customers, users); its events reach the mail
    # room and webhooks through the outbox.
    Room("conversation", storage="orderforge.conversation.storage"),
    # Engineering changes (ECR -> ECO): above design (it reads revisions' rules and
    # signatures), production, promising and planning, whose use cases it calls.
    Room("change", storage="orderforge.change.storage"),
    # Inspections at operations; answers production's QUALITY_GATE.
    Room("quality", storage="orderforge.quality.storage"),
    # The quality charts' read port (control charts, yield, scrap by cause): no tables.
    Room("quality_charts", storage="orderforge.quality.chart_storage"),
    # Whether each line's prototype passed its inspection (the PROTOTYPE_GATE that the
    # design page and release ask): reads design, production and quality; no tables.
    Room("prototypes", storage="orderforge.quality.prototype_storage"),
    # Traceability and device history records: reads production, materials, quality and
    # design through their ports; owns no table (lot issues are materials', serials
    # production's), so it registers no storage.
    Room("trace"),
    # Shipments of orders ready to ship: applies the order's SHIP and CONFIRM_DELIVERY;
    # asks traceability (below it) for the device history records a shipment needs.
    # Refuses an order's cancellation while goods of it are on their way or delivered.
    Room(
        "shipping",
        storage="orderforge.shipping.storage",
        handlers="orderforge.shipping.services",
    ),
    # Reads only the platform's outbox; above the rest so that every context's events
    # can leave, and none of them ever imports it.
    # Demand forecasts from the order and quote history (reads orders, catalogue, plant,
    # materials); recorded runs, so a request never waits for the models.
    Room(
        "forecasting",
        storage="orderforge.forecasting.storage",
        jobs="orderforge.forecasting.services",
    ),
    # Monte Carlo over the current plan and what-if scenarios (reads planning, plant,
    # production's actuals); recorded runs that fan out over the job queue's workers.
    Room(
        "simulation",
        storage="orderforge.simulation.storage",
        jobs="orderforge.simulation.services",
    ),
    # Customers' ratings of delivered orders and the product insight report per family
    # (reads orders, catalogue, production's work orders and quality's NCRs).
    Room("insight", storage="orderforge.insight.storage"),
    Room("webhooks", storage="orderforge.webhooks.storage", outbox="orderforge.webhooks.services"),
    # E-mail: like webhooks, reads only the outbox (events that carry `notify`) and the
    # platform's users, customers and orders to find addresses.
    Room("mail", storage="orderforge.mail.storage", outbox="orderforge.mail.services"),
    # Files of customers, items and orders with a preview: a client of the customers,
    # plant and orders contexts' use cases; nothing below imports it.
    Room("imports", storage="orderforge.imports.storage"),
)


@cache
def storages() -> tuple[ContextStorage, ...]:
    """Import every context's storage module (which defines its tables on the shared
    metadata) and return their registrations."""
    found: list[ContextStorage] = []
    for room in ROOMS:
        if room.storage is None:
            continue
        storage = importlib.import_module(room.storage).STORAGE
        if not isinstance(storage, ContextStorage):
            raise TypeError(f"{room.storage}.STORAGE is not a ContextStorage")
        found.append(storage)
    return tuple(found)


@cache
def handlers() -> dict[str, tuple[EventHandler, ...]]:
    """Every context's event handlers, by event kind, lower contexts' first."""
    merged: dict[str, tuple[EventHandler, ...]] = {}
    for room in ROOMS:
        if room.handlers is None:
            continue
        theirs: dict[str, tuple[EventHandler, ...]] = importlib.import_module(
            room.handlers
        ).HANDLERS
        for kind, handlers_ in theirs.items():
            merged[kind] = merged.get(kind, ()) + tuple(handlers_)
    return merged


@cache
def outbox_consumers() -> tuple[OutboxConsumer, ...]:
    """Every context that takes the outbox's rows, in the order of ROOMS."""
    found: list[OutboxConsumer] = []
    for room in ROOMS:
        if room.outbox is not None:
            found.append(importlib.import_module(room.outbox).OUTBOX_CONSUMER)
    return tuple(found)


@cache
def job_kinds() -> dict[str, JobKind]:
    """Every context's kinds of recorded job, by name; a name declared twice is a
    wiring mistake, refused at start-up rather than running the wrong handler."""
    found: dict[str, JobKind] = {}
    for room in ROOMS:
        if room.jobs is None:
            continue
        for kind in importlib.import_module(room.jobs).JOBS:
            if not isinstance(kind, JobKind):
                raise TypeError(f"{room.jobs}.JOBS holds {kind!r}, not a JobKind")
            if kind.name in found:
                raise ValueError(f"Job kind {kind.name!r} is declared twice ({room.jobs}).")
            found[kind.name] = kind
    return found

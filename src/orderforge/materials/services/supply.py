"""When material can be there: for a new quote (availability, without taking what is
pegged to other orders) and for planning (release dates of the operations consuming
material, from the latest MRP run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import InvalidInput
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.materials import Offer as EngineOffer
from orderforge.engines.materials import best_offer
from orderforge.materials.domain import ZERO, Availability, SupplierOffer, check_quantity
from orderforge.materials.ports import MATERIALS, MaterialsRepository
from orderforge.plant import services as plant_data
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OperationRelease, Principal, UnitOfWork


def day(moment: dt.datetime, zone: ZoneInfo) -> str:
    """ "Mon 14 Dec": how people name a delivery day."""
    return moment.astimezone(zone).strftime("%a %d %b")


def engine_offer(o: SupplierOffer) -> EngineOffer:
    """A stored offer as the materials engine reads it."""
    return EngineOffer(
        o.supplier_code,
        o.item_code,
        o.unit_price,
        o.minimum,
        o.pack_size,
        o.lead_time_days,
        o.express,
    )


def regular_lead_times(uow: UnitOfWork) -> dict[str, int]:
    """Item -> the shortest lead time of its regular (not express) offers, in days: how
    long an item takes when bought in the ordinary way (the forecast's long-lead test and
    the what-if's wait for material both ask it)."""
    found: dict[str, int] = {}
    for offer in uow.repository(MATERIALS).offers():
        if not offer.express:
            best = found.get(offer.item_code)
            found[offer.item_code] = (
                offer.lead_time_days if best is None else min(best, offer.lead_time_days)
            )
    return found


def availability(
    uow: UnitOfWork, item_code: str, quantity: Decimal, now: dt.datetime
) -> Availability:
    """When `quantity` of an item can be there for a new order (see availability_many)."""
    return availability_many(uow, [(item_code, quantity)], now)[0]


def availability_many(
    uow: UnitOfWork, needs: list[tuple[str, Decimal]], now: dt.datetime
) -> list[Availability]:
    """One answer per need, in order, from a handful of queries whatever the number of
    needs (a quote asks once). Only what is not pegged to other orders counts: free stock
    first, then free quantities of open purchase lines by arrival, then buying from the
    best supplier. Several needs of one item in one call share the free supply."""
    repo = uow.repository(MATERIALS)
    items = sorted({code.strip().upper() for code, _ in needs})
    for _, quantity in needs:
        check_quantity(quantity)
    known = plant_data.components_by_code(uow)
    zone = plant_time.plant_zone(uow)
    pegged = repo.pegged(items) if items else {}
    free: dict[str, list[tuple[str, Decimal, dt.datetime | None]]] = {i: [] for i in items}
    for lot in repo.lots(items):
        left = lot.quantity - pegged.get(lot.lot_number, ZERO)
        if left > 0:
            free[lot.item_code].append((f"lot {lot.lot_number}", left, None))
    for line in repo.open_lines(items):
        left = line.open_quantity - pegged.get(line.ref, ZERO)
        if left > 0:
            where = f"{line.po_number} arriving {day(line.expected_at, zone)}"
            free[line.item_code].append((where, left, line.expected_at))
    offers: dict[str, list[SupplierOffer]] = {i: [] for i in items}
    for offer in repo.offers(items):
        offers[offer.item_code].append(offer)
    names = {s.code: s.name for s in repo.suppliers()} if items else {}
    answers = []
    for code, quantity in needs:
        code = code.strip().upper()
        if code not in known:
            answers.append(
                Availability(code, quantity, None, "", cannot_source=f"There is no item {code}.")
            )
            continue
        answers.append(_answer(code, quantity, free[code], offers[code], names, now))
    return answers


def _answer(
    code: str,
    quantity: Decimal,
    free: list[tuple[str, Decimal, dt.datetime | None]],
    offers: list[SupplierOffer],
    names: dict[str, str],
    now: dt.datetime,
) -> Availability:
    wanted, used, latest = quantity, [], now
    while wanted > 0 and free:
        where, left, at = free[0]
        take = min(left, wanted)
        wanted -= take
        used.append(where)
        latest = max(latest, at or now)
        if take == left:
            free.pop(0)
        else:
            free[0] = (where, left - take, at)
    stock = [u.removeprefix("lot ") for u in used if u.startswith("lot ")]
    words = ([f"in stock (lot {', '.join(stock)})"] if stock else []) + [
        u for u in used if not u.startswith("lot ")
    ]
    if wanted <= 0:
        return Availability(code, quantity, latest, "; ".join(words))
    regular = best_offer(engine_offer(o) for o in offers)
    express = min(
        (o for o in offers if o.express),
        key=lambda o: (o.lead_time_days, o.unit_price),
        default=None,
    )
    if regular is None and express is None:
        have = "; ".join(words) + "; " if words else ""
        return Availability(
            code,
            quantity,
            None,
            "; ".join(words),
            cannot_source=(
                f"{have}no stock, no open purchase order and no supplier for the rest of item "
                f"{code} ({wanted})."
                if words
                else f"No stock, no open purchase order and no supplier for item {code}."
            ),
        )
    base = regular if regular is not None else engine_offer(express) if express else None
    assert base is not None
    arrives = max(latest, now + dt.timedelta(days=base.lead_time_days))
    source = "; ".join(
        [
            *words,
            f"order {wanted} from {names.get(base.supplier, base.supplier)}, "
            f"{base.lead_time_days} days",
        ]
    )
    answer = Availability(code, quantity, arrives, source)
    if (
        express is not None
        and regular is not None
        and express.lead_time_days < regular.lead_time_days
    ):
        express_at = max(latest, now + dt.timedelta(days=express.lead_time_days))
        if express_at < arrives:
            extra = (express.unit_price - regular.unit_price) * wanted
            answer = Availability(
                code,
                quantity,
                arrives,
                source,
                express_at=express_at,
                express_extra_cost=max(extra, ZERO),
                express_source=(
                    f"express from {names.get(express.supplier_code, express.supplier_code)}, "
                    f"{express.lead_time_days} days"
                ),
            )
    return answer


class MaterialReleases:
    """Planning's OperationReleases port (OPERATION_RELEASES): from the latest MRP run,
    the moment the material of each consuming operation is there, and why."""

    def __init__(self, repo: MaterialsRepository, zone: ZoneInfo | None = None) -> None:
        self.repo = repo
        self.zone = zone or ZoneInfo("UTC")

    def for_orders(self, order_numbers: Collection[str]) -> list[OperationRelease]:
        latest: dict[str, tuple[dt.datetime, str]] = {}
        for peg in self.repo.pegs(orders=order_numbers):
            if peg.available_at is None:
                continue  # cannot be sourced: the shortage list says so, not the plan
            at = peg.available_at
            amount = peg.quantity.quantize(Decimal("0.01")).normalize()
            what = f"{amount:f} {peg.unit} {peg.item_name}"
            if peg.source == "stock":
                reason = f"{what} in stock (lot {peg.ref})"
            elif peg.source == "purchase":
                po = peg.ref.split("/")[0]
                reason = f"{what} arrive with {po} on {day(at, self.zone)}"
            else:
                reason = f"{what} to be bought, arriving {day(at, self.zone)}"
            if peg.operation not in latest or at > latest[peg.operation][0]:
                latest[peg.operation] = (at, reason)
        return [OperationRelease(op, at, why) for op, (at, why) in sorted(latest.items())]


def releases(uow: UnitOfWork, order_numbers: Collection[str]) -> list[OperationRelease]:
    return MaterialReleases(uow.repository(MATERIALS), plant_time.plant_zone(uow)).for_orders(
        order_numbers
    )


def availability_view(a: Availability) -> dict[str, Any]:
    return {
        "item_code": a.item_code,
        "quantity": str(a.quantity),
        "available_at": a.available_at.isoformat() if a.available_at else None,
        "source": a.source,
        "cannot_source": a.cannot_source,
        "express_at": a.express_at.isoformat() if a.express_at else None,
        "express_extra_cost": (
            str(a.express_extra_cost) if a.express_extra_cost is not None else None
        ),
        "express_source": a.express_source,
    }


def check_availability(
    ctx: ServiceContext, actor: Principal, needs: list[tuple[str, Decimal]]
) -> list[dict[str, Any]]:
    """Availability for staff asking by hand (API, CLI); quoting calls availability_many."""
    require(actor.role, Resource.MATERIALS, VIEW)
    if not needs:
        raise InvalidInput("Name at least one item and quantity.", field="needs")
    with ctx.uow() as uow:
        return [availability_view(a) for a in availability_many(uow, needs, ctx.clock.now())]

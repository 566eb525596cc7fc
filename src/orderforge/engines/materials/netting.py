"""Netting: who gets which stock, which open purchase, and what must be bought.

Requirements of one item are served in order of need (earliest first; ties by order
number, then key), so two orders competing for one lot always resolve the same way: the
earlier need wins. Stock (there now) is taken before open purchase lines (earliest
arrival first). What is left is proposed for purchase from the item's best offer,
rounded up to its minimum order quantity and pack size. Needs of one item to be ordered
within a week of each other share one proposal (rounded up once), and the surplus of a
rounded-up proposal serves the next requirements before another proposal is made.

Items stocked by reorder point (`min_max`, common hardware) are not bought per order:
when the stock projected after every requirement and open purchase falls below the
reorder point, one proposal refills it to the maximum, and it covers the shortages.

Imports the standard library only, so it can be tested and reused on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

ZERO = Decimal(0)
#: Short needs of one item whose order-by dates lie within this many days are bought
#: with one purchase (a week's needs per order to the supplier, not one per order).
BATCH_DAYS = 7


class Source(StrEnum):
    STOCK = "stock"
    PURCHASE = "purchase"
    PROPOSAL = "proposal"
    #: nothing covers it and nobody sells the item: it cannot be sourced
    MISSING = "missing"


@dataclass(frozen=True)
class Requirement:
    """`quantity` of an item an operation consumes, needed by `need_at`."""

    key: str
    order_number: str
    item_code: str
    quantity: Decimal
    need_at: dt.datetime


@dataclass(frozen=True)
class Supply:
    """Free quantity of an item: a stock lot (kind STOCK) or an open purchase line."""

    kind: Source
    ref: str
    item_code: str
    quantity: Decimal
    available_at: dt.datetime


@dataclass(frozen=True)
class Offer:
    supplier: str
    item_code: str
    unit_price: Decimal
    minimum: Decimal
    pack_size: Decimal
    lead_time_days: int
    express: bool = False


@dataclass(frozen=True)
class Policy:
    """How an item is stocked: pegged per order (min_max False) or by reorder point."""

    item_code: str
    min_max: bool = False
    reorder_point: Decimal = ZERO
    maximum: Decimal = ZERO


@dataclass(frozen=True)
class Allocation:
    """`quantity` of requirement `requirement` comes from `ref` (lot, PO line, proposal
    key; empty when missing), there at `available_at` (None when missing)."""

    requirement: str
    source: Source
    ref: str
    quantity: Decimal
    available_at: dt.datetime | None


@dataclass(frozen=True)
class ProposedPurchase:
    key: str
    item_code: str
    supplier: str
    quantity: Decimal
    unit_price: Decimal
    order_by: dt.date
    arrives_at: dt.datetime
    need_at: dt.datetime
    #: the order-by date had already passed: order now, it arrives after the need
    late: bool
    reason: str
    orders: tuple[str, ...] = ()


@dataclass(frozen=True)
class NettingResult:
    allocations: tuple[Allocation, ...]
    proposals: tuple[ProposedPurchase, ...]


def best_offer(offers: Iterable[Offer]) -> Offer | None:
    """The regular (not express) offer to buy from: cheapest, then fastest, then by code."""
    regular = [o for o in offers if not o.express]
    if not regular:
        return None
    return min(regular, key=lambda o: (o.unit_price, o.lead_time_days, o.supplier))


def order_quantity(short: Decimal, offer: Offer) -> Decimal:
    """At least `short` and the minimum order quantity, in whole packs."""
    wanted = max(short, offer.minimum)
    pack = offer.pack_size if offer.pack_size > 0 else Decimal(1)
    packs = (wanted / pack).to_integral_value(rounding=ROUND_CEILING)
    return packs * pack


def order_timing(
    need_at: dt.datetime, lead_time_days: int, now: dt.datetime
) -> tuple[dt.date, dt.datetime, bool]:
    """(order-by date, arrival, late): ordered `lead_time_days` before the need it
    arrives on time; when that day has passed it is ordered now and arrives late."""
    lead = dt.timedelta(days=lead_time_days)
    order_by = (need_at - lead).date()
    if order_by < now.date():
        return now.date(), now + lead, True
    return order_by, max(need_at, now + lead), False


@dataclass
class _Pool:
    """Supplies of one item still free, in the order they are handed out."""

    left: list[tuple[Supply, Decimal]] = field(default_factory=list)

    def take(self, wanted: Decimal) -> list[tuple[Supply, Decimal]]:
        taken: list[tuple[Supply, Decimal]] = []
        while wanted > 0 and self.left:
            supply, free = self.left[0]
            used = min(free, wanted)
            taken.append((supply, used))
            wanted -= used
            if used == free:
                self.left.pop(0)
            else:
                self.left[0] = (supply, free - used)
        return taken


def net(
    requirements: Iterable[Requirement],
    supplies: Iterable[Supply],
    offers: Iterable[Offer],
    policies: Iterable[Policy],
    now: dt.datetime,
) -> NettingResult:
    by_item: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in requirements:
        if requirement.quantity <= 0:
            raise ValueError(f"requirement {requirement.key} has no positive quantity")
        by_item[requirement.item_code].append(requirement)
    supply_of: dict[str, list[Supply]] = defaultdict(list)
    for supply in supplies:
        if supply.quantity > 0:
            supply_of[supply.item_code].append(supply)
    offers_of: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        offers_of[offer.item_code].append(offer)
    policy_of = {p.item_code: p for p in policies}
    allocations: list[Allocation] = []
    proposals: list[ProposedPurchase] = []
    for item in sorted(set(by_item) | {p for p, x in policy_of.items() if x.min_max}):
        wanted = sorted(by_item.get(item, []), key=lambda r: (r.need_at, r.order_number, r.key))
        ordered = sorted(
            supply_of.get(item, []),
            key=lambda s: (s.kind is not Source.STOCK, s.available_at, s.ref),
        )
        pool = _Pool([(s, s.quantity) for s in ordered])
        short: list[tuple[Requirement, Decimal]] = []
        for requirement in wanted:
            taken = pool.take(requirement.quantity)
            for supply, quantity in taken:
                allocations.append(
                    Allocation(
                        requirement.key, supply.kind, supply.ref, quantity, supply.available_at
                    )
                )
            missing = requirement.quantity - sum((q for _, q in taken), ZERO)
            if missing > 0:
                short.append((requirement, missing))
        chosen = best_offer(offers_of.get(item, []))
        policy = policy_of.get(item)
        if policy is not None and policy.min_max:
            free = sum((q for _, q in pool.left), ZERO)
            made = _reorder(item, policy, chosen, short, free, now, len(proposals))
        else:
            made = _per_need(item, chosen, short, now, len(proposals))
        proposals += made[0]
        allocations += made[1]
    return NettingResult(tuple(allocations), tuple(proposals))


def _per_need(
    item: str,
    offer: Offer | None,
    short: list[tuple[Requirement, Decimal]],
    now: dt.datetime,
    counter: int,
) -> tuple[list[ProposedPurchase], list[Allocation]]:
    """Pegged items: short requirements whose order-by dates fall within BATCH_DAYS of
    the open proposal's share it (one purchase, rounded up once); the rounded-up surplus
    serves the next ones before another proposal is made."""
    proposals: list[ProposedPurchase] = []
    allocations: list[Allocation] = []
    surplus = ZERO
    for requirement, missing in short:
        if offer is None:
            allocations.append(Allocation(requirement.key, Source.MISSING, "", missing, None))
            continue
        order_by, arrives_at, late = order_timing(requirement.need_at, offer.lead_time_days, now)
        if surplus < missing and proposals and _batches(proposals[-1], order_by):
            current = proposals[-1]
            assigned = current.quantity - surplus
            grown = order_quantity(assigned + missing, offer)
            proposals[-1] = replace(current, quantity=grown)
            surplus = grown - assigned
        while missing > 0:
            if surplus <= 0:
                proposals.append(
                    ProposedPurchase(
                        key=f"P{counter + len(proposals) + 1}",
                        item_code=item,
                        supplier=offer.supplier,
                        quantity=order_quantity(missing, offer),
                        unit_price=offer.unit_price,
                        order_by=order_by,
                        arrives_at=arrives_at,
                        need_at=requirement.need_at,
                        late=late,
                        reason=f"short for the orders' needs from {requirement.need_at.date()}",
                    )
                )
                surplus = proposals[-1].quantity
            current = _with_order(proposals[-1], requirement.order_number)
            proposals[-1] = current
            used = min(surplus, missing)
            allocations.append(
                Allocation(requirement.key, Source.PROPOSAL, current.key, used, current.arrives_at)
            )
            surplus -= used
            missing -= used
    return proposals, allocations


def _batches(proposal: ProposedPurchase, order_by: dt.date) -> bool:
    """Whether a need ordered by `order_by` joins the proposal: within BATCH_DAYS of its
    order-by date (needs come in date order, so never before it)."""
    return (order_by - proposal.order_by).days <= BATCH_DAYS


def _with_order(proposal: ProposedPurchase, order_number: str) -> ProposedPurchase:
    orders = proposal.orders
    if order_number not in orders:
        orders = (*orders, order_number)
    return replace(proposal, orders=orders)


def _reorder(
    item: str,
    policy: Policy,
    offer: Offer | None,
    short: list[tuple[Requirement, Decimal]],
    free: Decimal,
    now: dt.datetime,
    counter: int,
) -> tuple[list[ProposedPurchase], list[Allocation]]:
    """Min/max items: one refill to the maximum when the projected stock (free supply
    less shortages) falls below the reorder point; the refill covers the shortages."""
    shortage = sum((m for _, m in short), ZERO)
    projected = free - shortage
    if offer is None:
        return [], [Allocation(r.key, Source.MISSING, "", m, None) for r, m in short]
    if projected >= policy.reorder_point and not short:
        return [], []
    quantity = order_quantity(max(policy.maximum - projected, shortage), offer)
    need_at = short[0][0].need_at if short else now
    order_by, arrives_at, late = order_timing(need_at, offer.lead_time_days, now)
    key = f"P{counter + 1}"
    proposal = ProposedPurchase(
        key=key,
        item_code=item,
        supplier=offer.supplier,
        quantity=quantity,
        unit_price=offer.unit_price,
        order_by=order_by,
        arrives_at=arrives_at,
        need_at=need_at,
        late=late and bool(short),
        reason=(
            f"projected stock {projected} below the reorder point {policy.reorder_point}: "
            f"refill to {policy.maximum}"
        ),
        orders=tuple(dict.fromkeys(r.order_number for r, _ in short)),
    )
    allocations = [Allocation(r.key, Source.PROPOSAL, key, m, arrives_at) for r, m in short]
    return [proposal], allocations

"""Netting by hand-checked cases, and properties over random inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.materials import (
    Offer,
    Policy,
    Requirement,
    Source,
    Supply,
    net,
    order_quantity,
)

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
D = Decimal


def need(key: str, qty: str, days: int, order: str = "SO-1", item: str = "LEATHER") -> Requirement:
    return Requirement(key, order, item, D(qty), NOW + dt.timedelta(days=days))


def lot(ref: str, qty: str, item: str = "LEATHER") -> Supply:
    return Supply(Source.STOCK, ref, item, D(qty), NOW - dt.timedelta(days=3))


def po(ref: str, qty: str, days: int, item: str = "LEATHER") -> Supply:
    return Supply(Source.PURCHASE, ref, item, D(qty), NOW + dt.timedelta(days=days))


def offer(minimum: str = "1", pack: str = "1", lead: int = 10, price: str = "5") -> Offer:
    return Offer("TANNERY", "LEATHER", D(price), D(minimum), D(pack), lead)


def test_stock_covers_the_requirement() -> None:
    result = net([need("r1", "12", 20)], [lot("L-1", "30")], [offer()], [], NOW)
    assert [(a.source, a.ref, a.quantity) for a in result.allocations] == [
        (Source.STOCK, "L-1", D(12))
    ]
    assert result.proposals == ()


def test_open_purchase_covers_what_stock_does_not() -> None:
    result = net(
        [need("r1", "12", 20)], [lot("L-1", "5"), po("PO-1/1", "10", 7)], [offer()], [], NOW
    )
    assert [(a.source, a.ref, a.quantity) for a in result.allocations] == [
        (Source.STOCK, "L-1", D(5)),
        (Source.PURCHASE, "PO-1/1", D(7)),
    ]
    assert result.allocations[1].available_at == NOW + dt.timedelta(days=7)
    assert result.proposals == ()


def test_minimum_order_quantity_rounds_the_proposal_up() -> None:
    result = net([need("r1", "3", 30)], [], [offer(minimum="20")], [], NOW)
    (proposal,) = result.proposals
    assert proposal.quantity == D(20)
    assert proposal.order_by == (NOW + dt.timedelta(days=20)).date()
    assert not proposal.late
    assert [(a.source, a.quantity) for a in result.allocations] == [(Source.PROPOSAL, D(3))]


def test_pack_size_rounds_up_to_whole_packs_and_the_surplus_serves_the_next_need() -> None:
    result = net(
        [need("r1", "7", 30, "SO-1"), need("r2", "2", 50, "SO-2"), need("r3", "4", 70, "SO-3")],
        [],
        [offer(pack="5")],
        [],
        NOW,
    )
    # 7 -> 10 (two packs of 5); its 3 left serve SO-2 (2) and 1 of SO-3, whose other 3
    # need a second proposal of one pack (three weeks later: not batched).
    assert [p.quantity for p in result.proposals] == [D(10), D(5)]
    assert result.proposals[0].orders == ("SO-1", "SO-2", "SO-3")
    assert result.proposals[1].orders == ("SO-3",)
    r3 = [(a.ref, a.quantity) for a in result.allocations if a.requirement == "r3"]
    assert r3 == [("P1", D(1)), ("P2", D(3))]


def test_needs_within_a_week_share_one_proposal_rounded_up_once() -> None:
    result = net(
        [need("r1", "7", 30, "SO-1"), need("r2", "2", 31, "SO-2"), need("r3", "4", 36, "SO-3")],
        [],
        [offer(pack="5")],
        [],
        NOW,
    )
    # 7 + 2 + 4 = 13 -> 15 in one purchase ordered by the first need's order-by date
    (proposal,) = result.proposals
    assert proposal.quantity == D(15)
    assert proposal.orders == ("SO-1", "SO-2", "SO-3")
    assert proposal.order_by == (NOW + dt.timedelta(days=20)).date()
    assert all(a.ref == "P1" for a in result.allocations)


def test_order_quantity_with_minimum_and_pack() -> None:
    assert order_quantity(D("0.5"), offer(minimum="1", pack="0.25")) == D(1)
    assert order_quantity(D("11"), offer(minimum="4", pack="6")) == D(12)


def test_lead_time_longer_than_the_time_left_makes_it_late() -> None:
    result = net([need("r1", "12", 9)], [], [offer(lead=21)], [], NOW)
    (proposal,) = result.proposals
    assert proposal.late
    assert proposal.order_by == NOW.date()
    assert proposal.arrives_at == NOW + dt.timedelta(days=21)
    assert result.allocations[0].available_at == NOW + dt.timedelta(days=21)


def test_min_max_item_is_refilled_to_the_maximum_below_the_reorder_point() -> None:
    screws = Offer("HARDWARE", "SCREW", D("0.02"), D(100), D(100), 5)
    policy = Policy("SCREW", min_max=True, reorder_point=D(200), maximum=D(1000))
    result = net(
        [need("r1", "150", 20, item="SCREW")],
        [lot("L-9", "250", item="SCREW")],
        [screws],
        [policy],
        NOW,
    )
    (proposal,) = result.proposals
    # projected 250 - 150 = 100 < 200: refill to 1000 -> 900
    assert proposal.quantity == D(900)
    assert proposal.orders == ()
    assert [(a.source, a.quantity) for a in result.allocations] == [(Source.STOCK, D(150))]


def test_min_max_item_above_the_reorder_point_is_not_bought() -> None:
    screws = Offer("HARDWARE", "SCREW", D("0.02"), D(100), D(100), 5)
    policy = Policy("SCREW", min_max=True, reorder_point=D(50), maximum=D(1000))
    result = net(
        [need("r1", "150", 20, item="SCREW")],
        [lot("L-9", "250", item="SCREW")],
        [screws],
        [policy],
        NOW,
    )
    assert result.proposals == ()


def test_two_orders_competing_for_one_lot_the_earlier_need_wins() -> None:
    requirements = [need("late", "10", 20, "SO-2"), need("early", "10", 5, "SO-9")]
    for ordering in (requirements, requirements[::-1]):
        result = net(ordering, [lot("L-1", "10")], [offer()], [], NOW)
        got = {a.requirement: a.source for a in result.allocations}
        assert got == {"early": Source.STOCK, "late": Source.PROPOSAL}


def test_no_offer_and_no_stock_is_missing_not_an_error() -> None:
    result = net([need("r1", "2", 10)], [], [], [], NOW)
    assert [(a.source, a.available_at) for a in result.allocations] == [(Source.MISSING, None)]
    assert result.proposals == ()


def test_express_offer_is_not_the_regular_choice() -> None:
    express = Offer("FAST", "LEATHER", D("1"), D(1), D(1), 2, express=True)
    result = net([need("r1", "2", 30)], [], [offer(price="9"), express], [], NOW)
    assert result.proposals[0].supplier == "TANNERY"


quantities = st.integers(min_value=1, max_value=50).map(Decimal)


@st.composite
def netting_inputs(draw: st.DrawFn) -> tuple[list[Requirement], list[Supply], list[Offer]]:
    items = ["A", "B"]
    requirements = [
        Requirement(
            f"r{i}",
            f"SO-{draw(st.integers(1, 4))}",
            draw(st.sampled_from(items)),
            draw(quantities),
            NOW + dt.timedelta(days=draw(st.integers(0, 40))),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    supplies = [
        Supply(
            draw(st.sampled_from([Source.STOCK, Source.PURCHASE])),
            f"s{i}",
            draw(st.sampled_from(items)),
            draw(quantities),
            NOW + dt.timedelta(days=draw(st.integers(0, 30))),
        )
        for i in range(draw(st.integers(0, 5)))
    ]
    offers = [
        Offer("S", item, D(1), draw(quantities), draw(quantities), draw(st.integers(0, 30)))
        for item in items
        if draw(st.booleans())
    ]
    return requirements, supplies, offers


@settings(max_examples=150, deadline=None)
@given(netting_inputs())
def test_allocations_never_exceed_supply_and_cover_each_requirement_exactly(
    data: tuple[list[Requirement], list[Supply], list[Offer]],
) -> None:
    requirements, supplies, offers = data
    result = net(requirements, supplies, offers, [], NOW)
    used: dict[str, Decimal] = {}
    for a in result.allocations:
        assert a.quantity > 0
        used[a.ref] = used.get(a.ref, D(0)) + a.quantity
    for s in supplies:
        assert used.get(s.ref, D(0)) <= s.quantity
    for p in result.proposals:
        assert used.get(p.key, D(0)) <= p.quantity
    for r in requirements:
        got = sum((a.quantity for a in result.allocations if a.requirement == r.key), D(0))
        assert got == r.quantity
    offered = {o.item_code for o in offers}
    for a in result.allocations:
        assert (a.source is Source.MISSING) == (
            a.source not in (Source.STOCK, Source.PURCHASE)
            and next(r for r in requirements if r.key == a.requirement).item_code not in offered
        )

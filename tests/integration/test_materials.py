"""Materials on SQLite and PostgreSQL: the demo's suppliers, stock and purchase orders
stored and read back, an MRP run pegging every requirement exactly, receipts creating
lots (never beyond the open quantity, even when two race), proposals accepted and
merged into purchase orders, availability for quoting and planning's release dates."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.domain.order import LineInput
from orderforge.materials.domain import PoStatus
from orderforge.materials.ports import LOT_CONSUMPTIONS, MATERIALS
from orderforge.materials.services import availability, availability_many, mrp, purchasing, views
from orderforge.production.ports import WORK_ORDERS
from orderforge.services import orders, users
from orderforge.services.ports import OPERATION_RELEASES, Principal
from tests.conftest import DEMO_PASSWORD

D = Decimal


@pytest.fixture
def plant(application: Application) -> Application:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=6)
    return application


def _user(app: Application, name: str) -> Principal:
    return users.authenticate(app.ctx, name, DEMO_PASSWORD)


def _confirmed(app: Application, *lines: LineInput) -> str:
    sales = _user(app, "sales")
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", tuple(lines))
    number: str = orders.create_order(app.ctx, sales, cmd).view.number
    orders.advance_order(app.ctx, sales, number, "confirm")
    return number


def _leather_po(app: Application) -> str:
    rows = views.purchase_orders(app.ctx, _user(app, "purchasing"), "ordered")
    return str(next(p["number"] for p in rows if p["supplier"] == "GERBEREI-LINDNER"))


def _issued(app: Application, item: str) -> D:
    """What the demo floor has issued of an item from its lots to finished work."""
    with app.ctx.uow() as uow:
        numbers = [w.number for w in uow.repository(WORK_ORDERS).recent(100_000)]
        issues = uow.repository(LOT_CONSUMPTIONS).of_work_orders(numbers)
        return sum((c.quantity for c in issues if c.item_code == item), D(0))


def test_demo_materials_are_stored_and_read_back(plant: Application) -> None:
    buyer = _user(plant, "purchasing")
    suppliers = {s["code"]: s for s in views.suppliers(plant.ctx, buyer)}
    leather = [o for o in suppliers["LEDEREXPRESS"]["offers"] if o["item_code"] == "LEATHER-COGNAC"]
    assert leather and leather[0]["express"] and leather[0]["lead_time_days"] == 6
    [cognac] = views.stock(plant.ctx, buyer, "leather-cognac")
    # the 9 on the shelf, less what the demo floor has issued from it
    assert D(cognac["on_hand"]) == D(9) - _issued(plant, "LEATHER-COGNAC")
    assert (cognac["on_order"], cognac["policy"]) == ("27", "pegged")
    [screws] = views.stock(plant.ctx, buyer, "SHELF-PIN")
    assert screws["policy"] == "min_max"
    po = views.purchase_order(plant.ctx, buyer, _leather_po(plant))
    assert po["status"] == "ordered" and po["lines"][0]["open_quantity"] == "27"
    made = purchasing.create_purchase_order(
        plant.ctx,
        buyer,
        purchasing.NewPurchaseOrder(
            "NORDHOLZ",
            [purchasing.NewLine("MDF-19", D("5.8")), purchasing.NewLine("VENEER-OAK", D(10))],
        ),
    )
    again = views.purchase_order(plant.ctx, buyer, made["number"])
    assert [(x["item_code"], x["quantity"], x["unit_price"]) for x in again["lines"]] == [
        ("MDF-19", "5.8", "9.6"),
        ("VENEER-OAK", "10", "22"),
    ]
    # expected arrival: today plus the offer's lead time (MDF 3 days, veneer 7)
    now = plant.ctx.clock.now()
    assert again["lines"][0]["expected_at"] == (now + dt.timedelta(days=3)).isoformat()
    assert again["number"].startswith(f"PO-{now.year}-")


def test_mrp_run_pegs_every_requirement_exactly_and_releases_operations(
    plant: Application,
) -> None:
    number = _confirmed(plant, LineInput("COUCH", 2, {}), LineInput("CABINET", 1, {}))
    run = mrp.run_mrp(plant.ctx, _user(plant, "planner"))
    assert run["status"] == "done" and run["counts"]["requirements"] > 0
    assert [r["id"] for r in mrp.list_runs(plant.ctx, _user(plant, "sales"))] == [run["id"]]
    with plant.ctx.uow() as uow:
        wanted: dict[tuple[str, str], Decimal] = {}
        for w in uow.repository(WORK_ORDERS).current_for([number]):
            for m in w.materials:
                key = (w.number, m.item_code)
                wanted[key] = wanted.get(key, D(0)) + m.quantity
        pegs = uow.repository(MATERIALS).pegs(orders=[number])
        releases = uow.repository(OPERATION_RELEASES).for_orders([number])
    got: dict[tuple[str, str], Decimal] = {}
    for p in pegs:
        got[(p.work_order, p.item_code)] = got.get((p.work_order, p.item_code), D(0)) + p.quantity
    assert got == wanted
    assert releases, "operations consuming material get a release date"
    assert all(r.operation.startswith(f"{number}/") for r in releases)
    timed = [p for p in pegs if p.available_at is not None]
    assert {r.operation for r in releases} == {p.operation for p in timed}
    words = {
        v["coverage"].split(" ")[0]
        for v in views.order_pegging(plant.ctx, _user(plant, "admin"), number)
    }
    assert words <= {"covered", "by", "missing,", "missing:"}
    # a second run replaces the first's result instead of adding to it
    mrp.run_mrp(plant.ctx, _user(plant, "purchasing"))
    with plant.ctx.uow() as uow:
        assert len(uow.repository(MATERIALS).pegs(orders=[number])) == len(pegs)


def test_receipt_creates_a_lot_and_refuses_more_than_is_open(plant: Application) -> None:
    buyer = _user(plant, "purchasing")
    number = _leather_po(plant)
    lot = purchasing.receive(
        plant.ctx, buyer, purchasing.Receipt(number, 1, D("4.5"), "hide-77", "leather-store")
    )
    assert (lot["lot_number"], lot["po_number"], lot["po_line_no"]) == ("HIDE-77", number, 1)
    po = views.purchase_order(plant.ctx, buyer, number)
    assert po["status"] == "partially_received"
    assert (po["lines"][0]["received_quantity"], po["lines"][0]["open_quantity"]) == ("4.5", "22.5")
    with pytest.raises(InvalidInput) as refused:
        purchasing.receive(plant.ctx, buyer, purchasing.Receipt(number, 1, D(23)))
    assert refused.value.field == "quantity"
    with pytest.raises(InvalidInput) as duplicate:
        purchasing.receive(plant.ctx, buyer, purchasing.Receipt(number, 1, D(1), "HIDE-77"))
    assert duplicate.value.field == "lot"
    assert views.purchase_order(plant.ctx, buyer, number) == po
    purchasing.receive(plant.ctx, buyer, purchasing.Receipt(number, 1, D("22.5")))
    assert views.purchase_order(plant.ctx, buyer, number)["status"] == "received"
    lots = views.stock(plant.ctx, buyer, "LEATHER-COGNAC")[0]["lots"]
    assert "22.5" in [x["quantity"] for x in lots]  # the new lot, whole
    on_hand = sum(D(x["quantity"]) for x in lots)
    assert on_hand == D(9) + D("4.5") + D("22.5") - _issued(plant, "LEATHER-COGNAC")


def test_concurrent_receipts_cannot_exceed_the_open_quantity(plant: Application) -> None:
    buyer = _user(plant, "purchasing")
    number = _leather_po(plant)  # 27 open
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def receive() -> None:
        barrier.wait()
        try:
            purchasing.receive(plant.ctx, buyer, purchasing.Receipt(number, 1, D(20)))
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        except Exception as exc:  # a busy writer the database gave up on
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=receive) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 20 of 27 open: two receipts together would take 40, so exactly one may win
    won = outcomes.count("ok")
    assert won == 1, outcomes
    po = views.purchase_order(plant.ctx, buyer, number)
    assert D(po["lines"][0]["received_quantity"]) == 20
    lots = [x for x in views.stock(plant.ctx, buyer, "LEATHER-COGNAC")[0]["lots"] if x["po_number"]]
    assert len(lots) == won


def test_proposals_are_accepted_edited_and_merged_into_purchase_orders(
    plant: Application,
) -> None:
    _confirmed(plant, LineInput("COUCH", 3, {}), LineInput("TABLE", 2, {}))
    buyer = _user(plant, "purchasing")
    mrp.run_mrp(plant.ctx, buyer)
    proposals = views.proposals(plant.ctx, buyer)
    assert proposals
    first = proposals[0]
    edited = purchasing.edit_proposal(
        plant.ctx, buyer, first["id"], purchasing.ProposalEdit(quantity=D(first["quantity"]) + 1)
    )
    assert D(edited["quantity"]) == D(first["quantity"]) + 1
    with pytest.raises(InvalidInput) as past:
        purchasing.edit_proposal(
            plant.ctx, buyer, first["id"], purchasing.ProposalEdit(order_by=dt.date(2020, 1, 1))
        )
    assert past.value.field == "order_by"
    served = {p["order_number"] for p in _pegs_on(plant, first["key"])}
    po = purchasing.accept_proposals(plant.ctx, buyer, [first["id"]])
    assert po["status"] == "ordered" and po["lines"][0]["quantity"] == edited["quantity"]
    serving = views.line_pegging(plant.ctx, buyer, po["number"], 1)
    assert {p["order_number"] for p in serving} == served
    assert all(p["source"] == "purchase" for p in serving)
    assert first["id"] not in {p["id"] for p in views.proposals(plant.ctx, buyer)}
    by_supplier: dict[str, list[int]] = {}
    for p in views.proposals(plant.ctx, buyer):
        by_supplier.setdefault(p["supplier"], []).append(p["id"])
    supplier, ids = max(by_supplier.items(), key=lambda kv: len(kv[1]))
    if len(ids) >= 2:
        merged = purchasing.accept_proposals(plant.ctx, buyer, ids[:2])
        assert merged["supplier"] == supplier and len(merged["lines"]) == 2
    if len(by_supplier) >= 2:
        mixed = [ids[0] for s, ids in by_supplier.items() if s != supplier][:1] + ids[2:3]
        if len(mixed) == 2:
            with pytest.raises(InvalidInput) as refused:
                purchasing.accept_proposals(plant.ctx, buyer, mixed)
            assert refused.value.field == "proposals"


def _pegs_on(app: Application, ref: str) -> list[dict[str, str]]:
    with app.ctx.uow() as uow:
        return [
            {"order_number": p.order_number} for p in uow.repository(MATERIALS).pegs(refs=[ref])
        ]


def test_availability_counts_only_what_is_not_pegged(plant: Application) -> None:
    now = plant.ctx.clock.now()
    with plant.ctx.uow() as uow:
        free = availability(uow, "MEL-WHITE-19", D(5), now)
        unknown = availability(uow, "NO-SUCH-ITEM", D(1), now)
        unsourced = availability(uow, "FABRIC-BOUCLE-NAT", D(3), now)
        # what the demo floor has left of the cognac leather lot (it used some of it)
        [stocked] = uow.repository(MATERIALS).lots(["LEATHER-COGNAC"])
        many = availability_many(
            uow, [("LEATHER-COGNAC", stocked.quantity), ("LEATHER-COGNAC", D(40))], now
        )
    assert free.available_at == now and free.source.startswith("in stock (lot ")
    assert unknown.available_at is None and unknown.cannot_source is not None
    assert unsourced.available_at is None
    assert unsourced.cannot_source == (
        "No stock, no open purchase order and no supplier for item FABRIC-BOUCLE-NAT."
    )
    # what is left of the free lot comes from stock; the next 40 get the open PO (27) and a
    # purchase
    assert many[0].available_at == now and "in stock" in many[0].source
    assert many[1].source.startswith("PO-") and "Gerberei Lindner" in many[1].source
    assert many[1].available_at == now + dt.timedelta(days=21)
    assert many[1].express_at == now + dt.timedelta(days=11)  # the PO arrives in 11 days
    assert many[1].express_extra_cost is not None and many[1].express_extra_cost > 0
    # once a run pegs the stock lot to orders, a quote gets only what is left of it
    _confirmed(plant, LineInput("COUCH", 4, {}))
    mrp.run_mrp(plant.ctx, _user(plant, "planner"))
    with plant.ctx.uow() as uow:
        [lot] = [x for x in uow.repository(MATERIALS).lots(["LEATHER-COGNAC"])]
        taken = uow.repository(MATERIALS).pegged(["LEATHER-COGNAC"]).get(lot.lot_number, D(0))
        left = lot.quantity - taken
        beyond = availability(uow, "LEATHER-COGNAC", left + 1, now)
        within = availability(uow, "LEATHER-COGNAC", left, now) if left > 0 else None
    # the demo floor has used part of the lot; whatever the run pegged of the rest, a
    # quote is offered only what is neither used nor pegged
    assert 0 <= taken <= lot.quantity
    assert beyond.available_at is not None and beyond.available_at > now
    assert within is None or within.available_at == now


def test_purchase_order_states(plant: Application) -> None:
    buyer = _user(plant, "purchasing")
    draft = purchasing.create_purchase_order(
        plant.ctx,
        buyer,
        purchasing.NewPurchaseOrder("NORDHOLZ", [purchasing.NewLine("MDF-19", D(6))], place=False),
    )
    assert draft["status"] == "draft"
    with pytest.raises(DomainError):
        purchasing.receive(plant.ctx, buyer, purchasing.Receipt(draft["number"], 1, D(1)))
    assert purchasing.place(plant.ctx, buyer, draft["number"])["status"] == "ordered"
    assert purchasing.cancel(plant.ctx, buyer, draft["number"])["status"] == "cancelled"
    assert PoStatus.CANCELLED.label == "Cancelled"


def test_availability_asks_the_database_the_same_few_times_for_any_number_of_needs(
    plant: Application,
) -> None:
    mrp.run_mrp(plant.ctx, _user(plant, "planner"))
    with plant.ctx.uow() as uow:
        items = sorted(o.item_code for o in uow.repository(MATERIALS).offers())[:30]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(plant.engine, "before_cursor_execute", count)
    try:
        now = plant.ctx.clock.now()
        with plant.ctx.uow() as uow:
            availability_many(uow, [(items[0], D(1))], now)
        one = len(statements)
        statements.clear()
        with plant.ctx.uow() as uow:
            answers = availability_many(uow, [(i, D(2)) for i in items], now)
        many = len(statements)
    finally:
        sa.event.remove(plant.engine, "before_cursor_execute", count)
    assert len(answers) == len(items)
    assert many == one <= 12

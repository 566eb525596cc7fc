"""Traceability over HTTP on a regulated couch: a lot received, issued to an operation
(idempotent, refused with the reason and nothing taken when wrong), the work finished
with serial numbers, the unit traced back and the lot forward, and the device history
record incomplete (naming what is missing) until lots, inspections and signatures are
all there; an order's shipment blockers say the same."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from orderforge.domain.order import OrderAction, OrderState
from orderforge.trace.services import shipment_blockers
from tests.api.support import API, ApiSession, TestClient, valid_line
from tests.api.test_schedule_pages import Browser, flashes

A = OrderAction
S = OrderState
M = f"{API}/materials"
ALPINA = "C-HOTEL-ALPINA"


def released_couch(api: ApiSession) -> dict[str, Any]:
    """A couch order with its design signed by customer, engineering and quality, released."""
    number = api.make_order(S.PLANNED, customer=ALPINA, lines=[valid_line("COUCH")])["number"]
    proposed = api.client.post(
        f"{API}/orders/{number}/lines/1/revisions",
        data={"notes": "Drawn from the spec."},
        headers=api.auth("engineer"),
    )
    assert proposed.status_code == 201, proposed.text
    for signer in ("alpina", "lead", "quality"):
        assert api.sign(number, 1, "A", signer).status_code == 200
    api.prove_prototypes(number)  # the couch asks for a prototype that passed first
    released = api.act(number, A.RELEASE, as_user="planner")  # the floor works on it now
    assert released.status_code == 200, released.text
    [wo] = api.client.get(f"{API}/orders/{number}/work-orders", headers=api.auth("admin")).json()
    return dict(wo)


def needs(wo: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(operation seq, item, quantity) of every material, where the BOM takes it."""
    ops = wo["operations"]
    out = []
    for m in wo["materials"]:
        at = [o["seq"] for o in ops if o["routing_key"] == m["operation"]] or [
            o["seq"] for o in ops if not o["predecessors"]
        ]
        out.append((at[0], m["item_code"], m["quantity"]))
    return out


def receive(api: ApiSession, item: str, quantity: str) -> str:
    """Buy and receive a lot of the item from a supplier that offers it; its number."""
    buyer = api.auth("purchasing")
    suppliers = api.client.get(f"{M}/suppliers", headers=buyer).json()
    supplier = next(
        s["code"]
        for s in suppliers
        if any(o["item_code"] == item and not o["express"] for o in s["offers"])
    )
    body = {"supplier": supplier, "lines": [{"item_code": item, "quantity": quantity}]}
    po = api.client.post(f"{M}/purchase-orders", json=body, headers=buyer)
    assert po.status_code == 201, po.text
    lot = api.client.post(
        f"{M}/purchase-orders/{po.json()['number']}/lines/1/receipts",
        json={"quantity": quantity},
        headers=buyer,
    )
    assert lot.status_code == 201, lot.text
    return str(lot.json()["lot_number"])


def consume(
    api: ApiSession, number: str, seq: int, lot: str, quantity: str, key: str | None = None
) -> Any:
    headers = api.auth("operator") | ({"Idempotency-Key": key} if key else {})
    return api.client.post(
        f"{API}/work-orders/{number}/operations/{seq}/consumptions",
        json={"lot": lot, "quantity": quantity},
        headers=headers,
    )


def lot_trace(api: ApiSession, lot: str) -> dict[str, Any]:
    response = api.client.get(f"{API}/trace/lots/{lot}", headers=api.auth("quality"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def finish(api: ApiSession, wo: dict[str, Any]) -> None:
    base = f"{API}/work-orders/{wo['number']}/operations"
    for op in wo["operations"]:
        started = api.client.post(f"{base}/{op['seq']}/start", headers=api.auth("operator"))
        assert started.status_code == 200, started.text
        done = api.client.post(
            f"{base}/{op['seq']}/complete",
            json={"good": wo["quantity"]},
            headers=api.auth("operator"),
        )
        assert done.status_code == 200, done.text


def dhr(api: ApiSession, serial: str) -> dict[str, Any]:
    response = api.client.get(f"{API}/units/{serial}/dhr", headers=api.auth("quality"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_lot_to_unit_to_customer_and_the_device_history_record(api: ApiSession) -> None:
    wo = released_couch(api)
    number = wo["number"]
    wanted = needs(wo)
    first_seq, first_item, first_qty = wanted[0]
    lot = receive(api, first_item, str(Decimal(first_qty) * 2))

    # Wrong item, too much, unknown lot: refused with the field, nothing taken.
    other = next(
        (s for s, item, _ in wanted if item != first_item and s != first_seq), None
    ) or next(o["seq"] for o in wo["operations"] if o["seq"] not in {w[0] for w in wanted})
    wrong = consume(api, number, other, lot, "1")
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["errors"][0]["field"] == "lot" and first_item in wrong.json()["detail"]
    too_much = consume(api, number, first_seq, lot, str(Decimal(first_qty) * 3))
    assert too_much.status_code == 422 and f"Lot {lot} has only" in too_much.json()["detail"]
    assert consume(api, number, first_seq, "L-1999-99999", "1").json()["errors"][0]["field"] == (
        "lot"
    )
    assert lot_trace(api, lot)["consumptions"] == []

    # Scanned twice with one key: taken once.
    once = consume(api, number, first_seq, lot, first_qty, key="scan-1")
    assert once.status_code == 201, once.text
    again = consume(api, number, first_seq, lot, first_qty, key="scan-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == once.json()
    other_body = consume(api, number, first_seq, lot, "0.5", key="scan-1")
    assert other_body.status_code == 422
    forward = lot_trace(api, lot)
    assert len(forward["consumptions"]) == 1
    assert Decimal(forward["quantity_used"]) == Decimal(first_qty)
    assert Decimal(forward["quantity_left"]) == Decimal(first_qty)

    finish(api, wo)
    detail = api.client.get(f"{API}/work-orders/{number}", headers=api.auth("admin")).json()
    serials = [s["serial"] for s in detail["serials"]]
    assert len(serials) == wo["quantity"]
    assert all(re.fullmatch(r"COUCH-\d{4}-\d{5}", s) for s in serials)
    assert [i["lot"] for i in detail["issues"]] == [lot]

    back = api.client.get(f"{API}/trace/units/{serials[0]}", headers=api.auth("quality")).json()
    assert back["work_order"]["number"] == number and back["order"]["customer"]["code"] == ALPINA
    used = [x for o in back["operations"] for x in o["lots"]]
    assert [(x["lot"], x["po_number"] is not None, x["supplier"] is not None) for x in used] == [
        (lot, True, True)
    ]
    assert all(o["completed_by"] == "operator" for o in back["operations"])
    assert [s["capacity"] for s in back["design"]["signatures"]] == [
        "customer",
        "engineering",
        "quality",
    ]
    forward = lot_trace(api, lot)
    assert {u["serial"] for u in forward["units"]} == set(serials)
    assert [o["customer"]["code"] for o in forward["orders"]] == [ALPINA]

    record = dhr(api, serials[0])
    assert record["complete"] is False and record["quantity"]["released"] == 0
    test_op = next(o for o in wo["operations"] if o["routing_key"].endswith("TEST"))
    assert (
        f"No inspection result for operation {test_op['seq']} ({test_op['name']})."
        in (record["missing"])
    )
    for seq, item, _ in wanted[1:]:
        name = next(o["name"] for o in wo["operations"] if o["seq"] == seq)
        assert f"No lot recorded for item {item} at operation {seq} ({name})." in record["missing"]
    with api.application.ctx.uow() as uow:
        blockers = shipment_blockers(uow, wo["order_number"])
    assert blockers and all(b.startswith("COUCH-") for b in blockers)

    # The rest of the lots, and every unit's function test: the record is complete.
    for seq, item, quantity in wanted[1:]:
        more = receive(api, item, quantity)
        assert consume(api, number, seq, more, quantity).status_code == 201
    inspection = f"{API}/work-orders/{number}/operations/{test_op['seq']}/inspection"
    plan = api.client.get(inspection, headers=api.auth("quality")).json()["plan"]
    for unit in range(1, wo["quantity"] + 1):
        values = {
            c["code"]: {"value": c["limits"]["nominal"], "unit": c["unit"]}
            for c in plan["characteristics"]
            if c["unit"]
        }
        checks = {c["code"]: True for c in plan["characteristics"] if not c["unit"]}
        body = {"unit": unit, "values": values, "checks": checks}
        recorded = api.client.post(f"{inspection}/results", json=body, headers=api.auth("quality"))
        assert recorded.status_code == 200, recorded.text
    record = dhr(api, serials[0])
    assert record["missing"] == [] and record["complete"] is True
    assert record["quantity"]["released"] == wo["quantity"]
    assert record["numbers"]["serial"] == serials[0] and lot in record["numbers"]["lots"]
    assert len(record["signatures"]) == 3
    with api.application.ctx.uow() as uow:
        assert shipment_blockers(uow, wo["order_number"]) == []
    pdf = api.client.get(f"{API}/units/{serials[0]}/dhr.pdf", headers=api.auth("quality"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_unit_of_a_family_that_is_not_regulated_has_no_record(api: ApiSession) -> None:
    wo = api.client.get(f"{API}/work-orders", headers=api.auth("admin")).json()
    table = next(w for w in wo if w["product_family"] == "TABLE" and w["status"] == "done")
    detail = api.client.get(f"{API}/work-orders/{table['number']}", headers=api.auth("admin"))
    serial = detail.json()["serials"][0]["serial"]
    assert api.client.get(f"{API}/trace/units/{serial}", headers=api.auth("sales")).status_code == (
        200
    )
    none = api.client.get(f"{API}/units/{serial}/dhr", headers=api.auth("quality"))
    assert none.status_code == 404 and "not a regulated product" in none.json()["detail"]
    with api.application.ctx.uow() as uow:
        assert shipment_blockers(uow, table["order_number"]) == []
    order_page = (
        Browser(TestClient(api.client.app)).sign_in("sales").get(f"/orders/{table['order_number']}")
    )
    assert f'href="/trace/units/{serial}"' in order_page.text


@pytest.mark.parametrize(
    "path",
    [
        "/trace/units/NOPE-2026-00001",
        "/trace/lots/L-1999-00001",
        "/units/NOPE-2026-00001/dhr",
        "/trace/units/" + "X" * 61,
        "/trace/lots/bad%00lot",
    ],
)
def test_unknown_or_bad_codes_are_refused(api: ApiSession, path: str) -> None:
    response = api.client.get(f"{API}{path}", headers=api.auth("quality"))
    assert response.status_code in (404, 422), response.text


def test_customers_never_trace(api: ApiSession) -> None:
    lot = api.client.get(f"{M}/stock", headers=api.auth("admin")).json()[0]["lots"][0]
    response = api.client.get(f"{API}/trace/lots/{lot['lot_number']}", headers=api.auth("alpina"))
    assert response.status_code == 403


def test_the_floor_form_takes_a_scanned_lot_once_and_the_trace_page_shows_it(
    api: ApiSession,
) -> None:
    wo = released_couch(api)
    seq, item, quantity = needs(wo)[0]
    lot = receive(api, item, quantity)
    operator = Browser(TestClient(api.client.app)).sign_in("operator")
    centre = wo["operations"][0]["work_centres"][0]
    page = f"/floor/{centre}/ops/{wo['number']}/{seq}"
    shown = operator.get(page)
    assert shown.status_code == 200 and 'id="consume-form"' in shown.text
    key = re.search(r'name="key" value="([^"]+)"[^>]*>\s*<h3>Consume material', shown.text)
    assert key is not None
    for _ in range(2):  # a double Enter from the scanner
        sent = operator.post(f"{page}/consume", key=key.group(1), lot=lot, quantity=quantity)
        assert sent.status_code == 200, sent.text
    assert any(f"lot {lot}" in f and "taken once" in f for f in flashes(sent)), flashes(sent)
    assert len(lot_trace(api, lot)["consumptions"]) == 1
    refused = operator.post(f"{page}/consume", key="floor-x", lot=lot, quantity="9999")
    assert any(f"Lot {lot} has only" in f for f in flashes(refused)), flashes(refused)
    assert len(lot_trace(api, lot)["consumptions"]) == 1

    quality = Browser(TestClient(api.client.app)).sign_in("quality")
    found = quality.get(f"/trace?q={lot}")
    assert (
        found.status_code == 200 and 'id="trace-lot"' in found.text and wo["number"] in found.text
    )
    customer = Browser(TestClient(api.client.app)).sign_in("alpina")
    assert customer.get("/trace").status_code == 403


def test_an_incomplete_device_history_record_holds_the_shipment(api: ApiSession) -> None:
    """A couch finished, inspected and passed, but with no lot recorded for its materials:
    shipping is refused, naming what the record lacks, and nothing leaves."""
    wo = released_couch(api)
    number = wo["order_number"]
    api.drive(number, [A.START_PRODUCTION, A.FINISH_PRODUCTION, A.PASS_INSPECTION])
    assert api.order(number)["state"] == "ready_to_ship"
    shipment = api.pack(number)["number"]
    refused = api.send(shipment)
    assert refused.status_code == 409, refused.text
    assert "No lot recorded" in refused.json()["detail"]
    assert api.order(number)["state"] == "ready_to_ship"

"""Materials over HTTP: the purchasing day (MRP run, proposals, purchase orders,
receipts, pegging) and bad input, each refused with the field named and nothing
stored changed."""

from __future__ import annotations

from typing import Any

import pytest

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession, drain_jobs

M = f"{API}/materials"


def _ordered_leather_po(api: ApiSession) -> dict[str, Any]:
    rows = api.client.get(
        f"{M}/purchase-orders?status=ordered", headers=api.auth("purchasing")
    ).json()
    return next(p for p in rows if p["supplier"] == "GERBEREI-LINDNER")


def _snapshot(api: ApiSession) -> tuple[Any, ...]:
    admin = api.auth("admin")
    return tuple(
        api.client.get(f"{M}/{path}", headers=admin).json()
        for path in ("purchase-orders", "stock", "proposals")
    )


def _refused(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert field in [e["field"] for e in body["errors"]], body


def test_purchasing_runs_mrp_accepts_a_proposal_and_receives_it(api: ApiSession) -> None:
    buyer = api.auth("purchasing")
    api.make_order(OrderState.CONFIRMED)
    run = api.client.post(f"{M}/mrp-runs", headers=buyer)
    assert run.status_code == 202, run.text
    assert run.json()["status"] == "queued"  # a worker runs it, not the request
    assert run.headers["Location"] == f"/api/v1/materials/mrp-runs/{run.json()['id']}"
    drain_jobs(api.application)
    done = api.client.get(f"{M}/mrp-runs/{run.json()['id']}", headers=buyer).json()
    assert done["status"] == "done" and done["progress"] == 1.0, done
    proposals = api.client.get(f"{M}/proposals", headers=buyer).json()
    assert proposals, "the demo lacks material for its confirmed orders"
    chosen = proposals[0]
    po = api.client.post(f"{M}/proposals/{chosen['id']}/accept", headers=buyer)
    assert po.status_code == 201, po.text
    number = po.json()["number"]
    pegs = api.client.get(f"{M}/purchase-orders/{number}/lines/1/pegging", headers=buyer).json()
    assert {p["order_number"] for p in pegs} == set(chosen["orders"])
    half = str(max(1, int(float(chosen["quantity"]) // 2)))
    lot = api.client.post(
        f"{M}/purchase-orders/{number}/lines/1/receipts",
        json={"quantity": half, "location": "GOODS-IN"},
        headers=buyer,
    )
    assert lot.status_code == 201, lot.text
    assert lot.json()["po_number"] == number and lot.json()["location"] == "GOODS-IN"
    after = api.client.get(f"{M}/purchase-orders/{number}", headers=buyer).json()
    assert after["status"] in ("partially_received", "received")
    order = chosen["orders"][0] if chosen["orders"] else None
    if order:
        pegging = api.client.get(f"{M}/orders/{order}/pegging", headers=buyer).json()
        assert pegging and all(p["coverage"] for p in pegging)


def test_availability_answers_every_need_and_never_fails_on_unsourceable_items(
    api: ApiSession,
) -> None:
    body = {
        "needs": [
            {"item_code": "MEL-WHITE-19", "quantity": "2"},
            {"item_code": "FABRIC-BOUCLE-NAT", "quantity": "3"},
            {"item_code": "LEATHER-BLACK", "quantity": "60"},
        ]
    }
    response = api.client.post(f"{M}/availability", json=body, headers=api.auth("sales"))
    assert response.status_code == 200, response.text
    stock, unsourced, leather = response.json()
    assert stock["source"].startswith("in stock")
    assert unsourced["available_at"] is None and "no supplier" in unsourced["cannot_source"]
    assert leather["express_source"].startswith("express from Lederexpress")
    customer = api.client.post(f"{M}/availability", json=body, headers=api.auth("alpina"))
    assert customer.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "MDF-19", "quantity": "0"}]},
            "lines[0].quantity",
        ),
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "MDF-19", "quantity": "-3"}]},
            "lines[0].quantity",
        ),
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "MDF-19", "quantity": "NaN"}]},
            "lines[0].quantity",
        ),
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "MDF-19", "quantity": "lots"}]},
            "lines[0].quantity",
        ),
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "NO-SUCH", "quantity": "1"}]},
            "lines[0].item_code",
        ),
        (
            {"supplier": "NORDHOLZ", "lines": [{"item_code": "LEATHER-BLACK", "quantity": "1"}]},
            "lines[0].item_code",
        ),
        ({"supplier": "NOBODY", "lines": [{"item_code": "MDF-19", "quantity": "1"}]}, "supplier"),
        (
            {
                "supplier": "NORDHOLZ",
                "order_by": "2020-01-01",
                "lines": [{"item_code": "MDF-19", "quantity": "1"}],
            },
            "order_by",
        ),
        ({"supplier": "NORDHOLZ", "lines": []}, "lines"),
        ({"supplier": "NORDHOLZ"}, "lines"),
    ],
)
def test_bad_purchase_order_is_refused_and_nothing_changes(
    api: ApiSession, body: dict[str, Any], field: str
) -> None:
    before = _snapshot(api)
    response = api.client.post(f"{M}/purchase-orders", json=body, headers=api.auth("purchasing"))
    _refused(response, 422, field)
    assert _snapshot(api) == before


@pytest.mark.parametrize(
    ("quantity", "field"), [("0", "quantity"), ("-1", "quantity"), ("1000", "quantity")]
)
def test_bad_receipt_is_refused_and_nothing_changes(
    api: ApiSession, quantity: str, field: str
) -> None:
    po = _ordered_leather_po(api)
    before = _snapshot(api)
    response = api.client.post(
        f"{M}/purchase-orders/{po['number']}/lines/1/receipts",
        json={"quantity": quantity},
        headers=api.auth("purchasing"),
    )
    _refused(response, 422, field)
    assert _snapshot(api) == before


def test_unknown_records_are_not_found(api: ApiSession) -> None:
    buyer = api.auth("purchasing")
    before = _snapshot(api)
    missing = [
        api.client.get(f"{M}/purchase-orders/PO-1999-0001", headers=buyer),
        api.client.post(
            f"{M}/purchase-orders/PO-1999-0001/lines/1/receipts",
            json={"quantity": "1"},
            headers=buyer,
        ),
        api.client.get(f"{M}/purchase-orders/PO-1999-0001/lines/1/pegging", headers=buyer),
        api.client.post(f"{M}/proposals/999999/accept", headers=buyer),
        api.client.patch(f"{M}/proposals/999999", json={"quantity": "2"}, headers=buyer),
        api.client.get(f"{M}/mrp-runs/999999", headers=buyer),
        api.client.get(f"{M}/stock?item=NO-SUCH-ITEM", headers=buyer),
        api.client.get(f"{M}/orders/SO-1999-0001/pegging", headers=buyer),
    ]
    assert [r.status_code for r in missing] == [404] * len(missing)
    po = _ordered_leather_po(api)
    line = api.client.post(
        f"{M}/purchase-orders/{po['number']}/lines/9/receipts",
        json={"quantity": "1"},
        headers=buyer,
    )
    _refused(line, 422, "line")
    assert _snapshot(api) == before


def test_bad_proposal_edits_are_refused(api: ApiSession) -> None:
    buyer = api.auth("purchasing")
    api.client.post(f"{M}/mrp-runs", headers=buyer)
    drain_jobs(api.application)
    proposals = api.client.get(f"{M}/proposals", headers=buyer).json()
    assert proposals
    pid = proposals[0]["id"]
    before = _snapshot(api)
    for body, field in [
        ({"quantity": "0"}, "quantity"),
        ({"supplier": "NOBODY"}, "supplier"),
        ({"order_by": "2020-01-01"}, "order_by"),
        ({"colour": "red"}, "colour"),
    ]:
        _refused(api.client.patch(f"{M}/proposals/{pid}", json=body, headers=buyer), 422, field)
    _refused(
        api.client.post(f"{M}/proposals/merge", json={"proposals": [pid, pid]}, headers=buyer),
        422,
        "proposals",
    )
    assert _snapshot(api) == before


def test_customer_sees_no_materials(api: ApiSession) -> None:
    customer = api.auth("alpina")
    for path in ("stock", "suppliers", "purchase-orders", "proposals", "shortages"):
        assert api.client.get(f"{M}/{path}", headers=customer).status_code == 403


def test_a_new_arrival_date_moves_the_pegged_orders_material(api: ApiSession) -> None:
    """The supplier announces a delay: the line's date changes and every order pegged to
    it now gets its material on the new date (the date the next plan holds it to)."""
    buyer = api.auth("purchasing")
    api.make_order(OrderState.CONFIRMED)
    api.client.post(f"{M}/mrp-runs", headers=buyer)
    drain_jobs(api.application)
    chosen = next(p for p in api.client.get(f"{M}/proposals", headers=buyer).json() if p["orders"])
    number = api.client.post(f"{M}/proposals/{chosen['id']}/accept", headers=buyer).json()["number"]
    line = f"{M}/purchase-orders/{number}/lines/1"
    response = api.client.post(
        f"{line}/reschedule", json={"expected_on": "2027-05-03"}, headers=buyer
    )
    assert response.status_code == 200, response.text
    detail = api.client.get(f"{M}/purchase-orders/{number}", headers=buyer).json()
    assert detail["lines"][0]["expected_at"].startswith("2027-05-03")
    pegs = api.client.get(f"{line}/pegging", headers=buyer).json()
    assert pegs and all(p["available_at"].startswith("2027-05-03") for p in pegs)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"expected_on": "2020-01-01"}, 422, "expected_on"),  # in the past
        ({"expected_on": "9999-12-31"}, 422, "expected_on"),  # outside the sane window
        ({"expected_on": "soon"}, 422, "expected_on"),
        ({}, 422, "expected_on"),
    ],
)
def test_a_bad_arrival_date_is_refused_and_nothing_changes(
    api: ApiSession, body: dict[str, Any], status: int, field: str
) -> None:
    po = _ordered_leather_po(api)
    before = _snapshot(api)
    response = api.client.post(
        f"{M}/purchase-orders/{po['number']}/lines/1/reschedule",
        json=body,
        headers=api.auth("purchasing"),
    )
    _refused(response, status, field)
    assert _snapshot(api) == before


def test_only_purchasing_may_change_an_arrival_date(api: ApiSession) -> None:
    po = _ordered_leather_po(api)
    response = api.client.post(
        f"{M}/purchase-orders/{po['number']}/lines/1/reschedule",
        json={"expected_on": "2027-01-04"},
        headers=api.auth("sales"),
    )
    assert response.status_code == 403, response.text

"""Shipping over HTTP on SQLite and PostgreSQL: an order ready to ship is packed in two
shipments, shipped and delivered (the order follows); bad input is refused naming the
field with nothing stored; a customer sees only its own shipments, with tracking and the
delivery note but no plant notes; the papers are PDFs; packages are facts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession, TestClient, valid_line
from tests.conftest import DEMO_PASSWORD

S = OrderState
ALPINA = "C-HOTEL-ALPINA"


def package(*contents: tuple[int, int], weight: Any = "68.5") -> dict[str, Any]:
    return {
        "length_cm": "120",
        "width_cm": "80",
        "height_cm": "95",
        "weight_kg": weight,
        "contents": [{"line": line, "quantity": q} for line, q in contents],
    }


def pack(api: ApiSession, number: str, *packages: dict[str, Any]) -> httpx.Response:
    response: httpx.Response = api.client.post(
        f"{API}/orders/{number}/shipments",
        json={"packages": list(packages), "note": "Staff only: <b>fragile</b> top."},
        headers=api.auth("planner"),
    )
    return response


def shipping(api: ApiSession, number: str, as_user: str = "admin") -> dict[str, Any]:
    response = api.client.get(f"{API}/orders/{number}/shipments", headers=api.auth(as_user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json().get("errors", [])]


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:300]
    return match.group(1)


def signed_in(api: ApiSession, username: str) -> TestClient:
    """A browser of its own (the module's client carries bearer tokens, not cookies)."""
    browser = TestClient(api.client.app, follow_redirects=False)
    login = browser.post(
        "/login",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrf": csrf_of(browser.get("/login")),
        },
    )
    assert login.status_code == 303, login.text
    return browser


def ready(api: ApiSession) -> str:
    lines = [valid_line("TABLE", quantity=2), valid_line("TABLE", quantity=1)]
    return str(api.make_order(S.READY_TO_SHIP, customer=ALPINA, lines=lines)["number"])


def test_pack_ship_and_deliver_in_two_shipments(api: ApiSession) -> None:
    number = ready(api)
    first = pack(api, number, package((1, 1)), package((1, 1), weight="12"))
    assert first.status_code == 201, first.text
    one = first.json()
    assert one["number"].startswith("SHP-") and one["status"] == "packing"
    assert one["gross_weight_kg"] == "80.50" and one["package_count"] == 2
    assert [li["left_to_pack"] for li in shipping(api, number)["lines"]] == [0, 1]
    sent = api.send(one["number"])
    assert sent.status_code == 200, sent.text
    assert sent.json()["tracking_url"].endswith(f"TRK{one['number'][-4:]}")
    assert api.order(number)["state"] == "ready_to_ship"  # line 2 is still here
    two = pack(api, number, package((2, 1))).json()["number"]
    assert api.send(two, carrier="OWN-TRUCK").status_code == 200
    assert api.order(number)["state"] == "shipped"
    assert api.deliver(one["number"]).status_code == 200
    assert api.order(number)["state"] == "shipped"
    assert api.deliver(two).status_code == 200
    final = api.order(number)
    assert final["state"] == "delivered"
    steps = [(e["action"], e["actor"]) for e in api.timeline(number) if e["action"]][-2:]
    assert steps == [("ship", "planner"), ("confirm_delivery", "sales")]
    for paper in ("delivery-note", "packing-list"):
        pdf = api.client.get(f"{API}/shipments/{two}/{paper}.pdf", headers=api.auth("planner"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    listed = api.client.get(
        f"{API}/shipments", params={"status": "delivered"}, headers=api.auth("sales")
    ).json()
    assert {one["number"], two} <= {s["number"] for s in listed}


def test_the_customer_sees_status_tracking_and_papers_of_its_own_only(api: ApiSession) -> None:
    number = ready(api)
    shipment = pack(api, number, package((1, 2), (2, 1))).json()["number"]
    assert api.send(shipment).status_code == 200
    mine = shipping(api, number, as_user="alpina")
    [seen] = mine["shipments"]
    assert seen["status"] == "shipped" and seen["tracking_url"]
    assert not {"packing_note", "delivery_remark", "packed_by", "shipped_by"} & set(seen)
    assert not mine["can_pack"] and not mine["can_confirm"] and mine["carriers"] == []
    staff = shipping(api, number)["shipments"][0]
    assert staff["packing_note"] == "Staff only: <b>fragile</b> top."
    note = api.client.get(
        f"{API}/shipments/{shipment}/delivery-note.pdf", headers=api.auth("alpina")
    )
    assert note.status_code == 200 and note.content.startswith(b"%PDF")
    # another customer's shipment and order look like missing ones
    for path in (
        f"/shipments/{shipment}",
        f"/shipments/{shipment}/delivery-note.pdf",
        f"/orders/{number}/shipments",
    ):
        other = api.client.get(f"{API}{path}", headers=api.auth("studio-berg"))
        assert other.status_code == 404, path
    theirs = api.client.get(f"{API}/shipments", headers=api.auth("studio-berg")).json()
    assert shipment not in {s["number"] for s in theirs}
    portal = signed_in(api, "alpina").get(f"/orders/{number}")
    assert portal.status_code == 200
    assert shipment in portal.text and "TRK" in portal.text and "delivery-note.pdf" in portal.text
    assert "fragile" not in portal.text and '/shipping"' not in portal.text


@pytest.mark.parametrize(
    ("packages", "field"),
    [
        ([package((1, 1), weight="0")], "packages[0].weight_kg"),
        ([package((1, 1), weight="9000")], "packages[0].weight_kg"),
        ([package((1, 3))], "packages[0].contents[0].quantity"),  # 2 ordered
        ([package((1, 2)), package((1, 1))], "packages[1].contents[0].quantity"),
        ([package((9, 1))], "packages[0].contents[0].line"),
        ([package()], "packages[0].contents"),
        ([], "packages"),
    ],
)
def test_bad_packages_are_refused_naming_the_field(
    api: ApiSession, packages: list[dict[str, Any]], field: str
) -> None:
    number = ready(api)
    before = shipping(api, number)
    refused = pack(api, number, *packages)
    assert refused.status_code == 422, refused.text
    assert field in fields(refused), refused.json()
    assert shipping(api, number) == before


def test_refusals_of_shipping_and_delivery(api: ApiSession) -> None:
    number = ready(api)
    shipment = pack(api, number, package((1, 2), (2, 1))).json()["number"]
    path = f"{API}/shipments/{shipment}"
    unknown = api.client.post(
        f"{path}/ship", json={"carrier": "PIGEON"}, headers=api.auth("planner")
    )
    assert unknown.status_code == 422 and fields(unknown) == ["carrier"]
    untracked = api.client.post(
        f"{path}/ship", json={"carrier": "DHL-FREIGHT"}, headers=api.auth("planner")
    )
    assert untracked.status_code == 422 and fields(untracked) == ["tracking_number"]
    early = api.deliver(shipment)
    assert early.status_code == 409  # not shipped yet
    assert api.send(shipment).status_code == 200
    again = api.send(shipment)
    assert again.status_code == 409
    future = api.deliver(shipment, on=dt.date(2099, 1, 1))
    assert future.status_code == 422 and fields(future) == ["delivered_on"]
    before_shipping = api.deliver(shipment, on=dt.date(2020, 1, 1))
    assert before_shipping.status_code == 422 and fields(before_shipping) == ["delivered_on"]
    assert api.client.get(path, headers=api.auth("admin")).json()["status"] == "shipped"
    missing = api.client.get(f"{API}/shipments/SHP-1999-0001", headers=api.auth("admin"))
    assert missing.status_code == 404
    # the order's own buttons are gone: 403 pointing to the shipping page
    button = api.act(api.make_order(S.READY_TO_SHIP)["number"], "ship", as_user="planner")
    assert button.status_code == 403 and "/shipping" in button.json()["detail"]
    # not ready to ship: nothing to pack
    confirmed = api.make_order(S.CONFIRMED)["number"]
    assert pack(api, confirmed, package((1, 1))).status_code == 409


def test_cancel_while_packing_frees_the_quantities(api: ApiSession) -> None:
    number = ready(api)
    shipment = pack(api, number, package((1, 2))).json()["number"]
    cancel = api.client.post(
        f"{API}/shipments/{shipment}/cancel",
        json={"reason": "Wrong crate."},
        headers=api.auth("planner"),
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert [li["left_to_pack"] for li in shipping(api, number)["lines"]] == [2, 1]
    assert api.send(shipment).status_code == 409


def test_an_order_with_goods_on_their_way_cannot_be_cancelled(api: ApiSession) -> None:
    """Goods that left the plant are refused a cancellation naming the shipment, and
    nothing changes; an order whose shipment is only being packed is cancelled, and the
    shipment with it."""
    number = ready(api)
    first = pack(api, number, package((1, 2))).json()["number"]
    assert api.send(first).status_code == 200
    second = pack(api, number, package((2, 1))).json()["number"]
    refused = api.act(number, "cancel", reason="The customer withdrew.")
    assert refused.status_code == 409, refused.text
    assert first in refused.json()["detail"] and "left the plant" in refused.json()["detail"]
    assert api.order(number)["state"] == "ready_to_ship"
    states = {s["number"]: s["status"] for s in shipping(api, number)["shipments"]}
    assert states == {first: "shipped", second: "packing"}

    other = ready(api)
    packed = pack(api, other, package((1, 1))).json()["number"]
    done = api.act(other, "cancel", reason="The customer withdrew.")
    assert done.status_code == 200, done.text
    assert api.order(other)["state"] == "cancelled"
    [left] = shipping(api, other)["shipments"]
    assert (left["number"], left["status"]) == (packed, "cancelled")


def test_on_time_delivery(api: ApiSession) -> None:
    number = ready(api)
    api.ship_all(number)
    api.deliver_all(number)
    for by in ("customer", "family", "month"):
        response = api.client.get(
            f"{API}/shipping/on-time", params={"by": by}, headers=api.auth("planner")
        )
        assert response.status_code == 200, response.text
        figures = response.json()
        assert figures["by"] == by and figures["rows"]
        total = figures["total"]
        assert total["orders"] == total["on_time"] + total["late"]
    customer = api.client.get(
        f"{API}/shipping/on-time", params={"by": "customer"}, headers=api.auth("alpina")
    ).json()
    assert [r["key"] for r in customer["rows"]] == ["Hotel Alpina Garmisch"]
    wrong = api.client.get(
        f"{API}/shipping/on-time", params={"by": "week"}, headers=api.auth("planner")
    )
    assert wrong.status_code == 422
    page = api.client.get("/shipping/on-time?by=customer", headers=api.auth("planner"))
    assert page.status_code in (200, 303, 401)


def test_packed_packages_cannot_be_rewritten(api: ApiSession) -> None:
    number = ready(api)
    pack(api, number, package((1, 1)))
    with api.application.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for statement in (
            "UPDATE shipment_packages SET weight_kg = '1'",
            "DELETE FROM shipment_packages",
        ):
            try:
                with session.begin_nested():
                    session.execute(sa.text(statement))
            except sa.exc.DBAPIError:
                continue
            raise AssertionError(f"the database allowed: {statement}")

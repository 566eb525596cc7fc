"""Engineering changes over HTTP: a change asked for in production, its impact, the signed
approval that applies it (new work order revision, new promise, queued replan, the order
keeping its place), the customer's answer, and every refusal leaving what is stored as
it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from orderforge.demo.catalogue import demo_specs
from orderforge.domain.order import OrderAction, OrderState
from tests.api.support import API, ApiSession, valid_line
from tests.conftest import DEMO_PASSWORD

A = OrderAction
S = OrderState
ALPINA = "C-HOTEL-ALPINA"


def in_production(api: ApiSession, customer: str = ALPINA) -> str:
    order = api.make_order(S.IN_PRODUCTION, customer=customer, lines=[valid_line("TABLE")])
    number: str = order["number"]
    return number


def work_orders(api: ApiSession, number: str) -> list[dict[str, Any]]:
    response = api.client.get(f"{API}/orders/{number}/work-orders", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def finish_first_operation(api: ApiSession, number: str) -> dict[str, Any]:
    wo = work_orders(api, number)[0]
    first = next(o for o in wo["operations"] if o["status"] == "ready")
    base = f"{API}/work-orders/{wo['number']}/operations/{first['seq']}"
    started = api.client.post(f"{base}/start", headers=api.auth("operator"))
    assert started.status_code == 200, started.text
    done = api.client.post(
        f"{base}/complete", json={"good": wo["quantity"], "scrap": 0}, headers=api.auth("operator")
    )
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    return body


def ask(
    api: ApiSession,
    number: str,
    spec: dict[str, str],
    as_user: str = "sales",
    quantity: int | None = None,
    reason: str = "The customer prefers a lacquered finish.",
) -> Any:
    line: dict[str, Any] = {"line_no": 1, "spec": spec}
    if quantity is not None:
        line["quantity"] = quantity
    return api.client.post(
        f"{API}/orders/{number}/changes",
        json={"reason": reason, "lines": [line]},
        headers=api.auth(as_user),
    )


def approve(api: ApiSession, change: str, as_user: str = "engineer", **extra: Any) -> Any:
    body = {"username": as_user, "password": DEMO_PASSWORD, **extra}
    return api.client.post(f"{API}/changes/{change}/approve", json=body, headers=api.auth(as_user))


def other_spec(api: ApiSession, number: str) -> dict[str, str]:
    """The line's spec with another table's wood and finish (a real change)."""
    spec = dict(api.order(number)["lines"][0]["spec"])
    other = demo_specs()["TABLE"][1]
    spec.update({"wood": other["wood"], "finish": other["finish"]})
    return spec


def test_change_in_production_from_request_to_acceptance(api: ApiSession) -> None:
    number = in_production(api)
    finish_first_operation(api, number)
    before = api.order(number)
    old_wo = work_orders(api, number)[0]

    asked = ask(api, number, other_spec(api, number))
    assert asked.status_code == 201, asked.text
    change = asked.json()
    assert change["state"] == "requested"
    assert change["number"].startswith("ECR-")
    assert api.order(number)["state"] == "change_requested"
    impact = change["impact"]
    fates = {op["fate"] for op in impact["lines"][0]["operations"]}
    assert fates & {"rework", "scrap", "keep"}, impact["lines"][0]["operations"]
    assert "replan" in fates
    assert change["price"]["before"] and change["price"]["after"]
    assert impact["cost"]["amounts"]["lost_work"] is not None
    assert change["promise"]["after"] is not None, impact
    options = {o["option"] for o in change["lines"][0]["options"]}
    assert options  # in words: the option labels the catalogue gives
    # the old button is not a way round the change record
    bypass = api.act(number, A.ACCEPT_CHANGE, as_user="engineer")
    assert bypass.status_code == 403, bypass.text
    assert "/changes" in bypass.json()["detail"]

    # the customer sees price and date, not the plant's costs and operations
    seen = api.client.get(f"{API}/changes/{change['number']}", headers=api.auth("alpina"))
    assert seen.status_code == 200, seen.text
    assert "impact" not in seen.json()
    assert "cost" not in seen.text and "lost_work" not in seen.text

    wrong = api.client.post(
        f"{API}/changes/{change['number']}/approve",
        json={"username": "engineer", "password": "wrong-password"},
        headers=api.auth("engineer"),
    )
    assert wrong.status_code == 422, wrong.text
    assert api.order(number)["state"] == "change_requested"

    approved = approve(api, change["number"], seen_hash=change["content_hash"])
    assert approved.status_code == 200, approved.text
    result = approved.json()
    assert result["state"] == "awaiting_customer"
    assert len(result["signatures"]) == 1
    assert result["signatures"][0]["valid"] is True
    assert result["signatures"][0]["meaning_label"] == "Approved"

    after = api.order(number)
    assert after["state"] == "in_production"  # keeps its place
    assert after["lines"][0]["spec"] != before["lines"][0]["spec"]
    # one unit: the order's new total is the line's new price
    assert Decimal(after["lines"][0]["unit_price"]) == Decimal(change["price"]["amounts"]["after"])
    revisions = work_orders(api, number)
    current = [w for w in revisions if w["status"] not in ("superseded", "cancelled")]
    assert len(current) == 1 and current[0]["revision"] == old_wo["revision"] + 1
    old = next(w for w in revisions if w["number"] == old_wo["number"])
    assert old["status"] == "superseded"
    applied = result["applied"]["work_orders"][0]
    assert applied["old"] == old_wo["number"] and applied["new"] == current[0]["number"]
    runs = api.listing("/plans/runs")
    assert any(
        r["trigger"].get("kind") == "engineering_change"
        and r["trigger"]["change"] == change["number"]
        for r in runs
    ), runs[:2]

    # the customer accepts the new date and price
    accepted = api.client.post(
        f"{API}/changes/{change['number']}/accept", json={}, headers=api.auth("alpina")
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"

    verified = api.client.get(
        f"{API}/changes/{change['number']}/verification", headers=api.auth("admin")
    )
    assert verified.status_code == 200 and verified.json()["valid"] is True


def test_refusals_leave_everything_as_it_was(api: ApiSession) -> None:
    number = in_production(api)
    stored = api.stored(number)
    # an unknown line, a spec the catalogue refuses, nothing new, no reason
    assert ask(api, number, other_spec(api, number) | {}, reason="").status_code == 422
    unknown = api.client.post(
        f"{API}/orders/{number}/changes",
        json={"reason": "x", "lines": [{"line_no": 9, "spec": {}}]},
        headers=api.auth("sales"),
    )
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == [
        "lines[0].line_no"
    ]
    bad = ask(api, number, {**api.order(number)["lines"][0]["spec"], "wood": "plastic"})
    assert bad.status_code == 422, bad.text
    same = ask(api, number, api.order(number)["lines"][0]["spec"])
    assert same.status_code == 422 and "nothing new" in same.json()["detail"]
    # roles that do not ask for changes
    assert ask(api, number, other_spec(api, number), as_user="quality").status_code == 403
    assert api.stored(number) == stored

    delivered = api.make_order(S.DELIVERED, customer=ALPINA)["number"]
    late = ask(api, delivered, other_spec(api, delivered))
    assert late.status_code == 409, late.text
    assert "delivered" in late.json()["detail"]


def test_four_eyes_reject_and_withdraw(api: ApiSession) -> None:
    number = in_production(api)
    asked = ask(api, number, other_spec(api, number), as_user="engineer").json()
    own = approve(api, asked["number"], as_user="engineer")
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]
    sales = approve(api, asked["number"], as_user="sales")
    assert sales.status_code == 403
    rejected = api.client.post(
        f"{API}/changes/{asked['number']}/reject",
        json={"comment": "The walnut is not in stock this season."},
        headers=api.auth("lead"),
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert api.order(number)["state"] == "in_production"
    again = approve(api, asked["number"], as_user="lead")
    assert again.status_code == 409

    second = ask(api, number, other_spec(api, number)).json()
    not_theirs = api.client.post(
        f"{API}/changes/{second['number']}/withdraw", json={}, headers=api.auth("alpina")
    )
    assert not_theirs.status_code == 403  # sales asked for it, not the customer
    withdrawn = api.client.post(
        f"{API}/changes/{second['number']}/withdraw",
        json={"comment": "Customer changed their mind."},
        headers=api.auth("sales"),
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert api.order(number)["state"] == "in_production"


def test_customer_declines_and_the_order_is_held(api: ApiSession) -> None:
    number = in_production(api)
    asked = ask(api, number, other_spec(api, number), as_user="alpina")
    assert asked.status_code == 201, asked.text
    change = asked.json()
    assert change["origin"] == "customer"
    assert approve(api, change["number"]).status_code == 200
    no_reason = api.client.post(
        f"{API}/changes/{change['number']}/decline",
        json={"comment": ""},
        headers=api.auth("alpina"),
    )
    assert no_reason.status_code == 422
    by_sales = api.client.post(
        f"{API}/changes/{change['number']}/accept", json={}, headers=api.auth("sales")
    )
    assert by_sales.status_code == 403  # Alpina answers in the portal itself
    declined = api.client.post(
        f"{API}/changes/{change['number']}/decline",
        json={"comment": "Too expensive now."},
        headers=api.auth("alpina"),
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "declined"
    assert api.order(number)["state"] == "on_hold"


def test_signed_records_cannot_be_rewritten(api: ApiSession) -> None:
    number = in_production(api)
    change = ask(api, number, other_spec(api, number)).json()
    assert approve(api, change["number"]).status_code == 200
    with api.application.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for statement in (
            "UPDATE engineering_changes SET reason = 'edited'",
            "UPDATE engineering_change_signatures SET printed_name = 'someone else'",
            "DELETE FROM engineering_change_signatures",
        ):
            try:
                with session.begin_nested():
                    session.execute(sa.text(statement))
            except sa.exc.DBAPIError:
                continue
            raise AssertionError(f"the database allowed: {statement}")


def test_affected_orders_by_option(api: ApiSession) -> None:
    number = in_production(api)
    wood = api.order(number)["lines"][0]["spec"]["wood"]
    found = api.client.get(
        f"{API}/catalogue/families/TABLE/affected-orders",
        params={"option": "wood", "value": wood},
        headers=api.auth("engineer"),
    )
    assert found.status_code == 200, found.text
    assert number in {o["order_number"] for o in found.json()["orders"]}
    unknown = api.client.get(
        f"{API}/catalogue/families/TABLE/affected-orders",
        params={"option": "no-such-option"},
        headers=api.auth("engineer"),
    )
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == [
        "option"
    ]
    customer = api.client.get(
        f"{API}/catalogue/families/TABLE/affected-orders",
        params={"option": "wood"},
        headers=api.auth("alpina"),
    )
    assert customer.status_code == 403

"""What each role sees: a customer never gets planning internals, cost, margin, BOM,
routing or staff notes, over the API (keys absent, not null) or in the pages' HTML; staff
get them all. The table itself is `services.visibility`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from orderforge.domain.order import OrderState
from orderforge.domain.user import Role
from orderforge.services import plan_runs, users
from orderforge.services.visibility import (
    CONFIGURATION_FIELDS,
    ORDER_FIELDS,
    FieldGroup,
    hidden_configuration_fields,
    hidden_order_fields,
)
from tests.api.support import API, ROLE_USER, ApiSession, TestClient
from tests.conftest import DEMO_PASSWORD

PLANNING = set(ORDER_FIELDS[FieldGroup.PLANNING])
COST = set(CONFIGURATION_FIELDS[FieldGroup.COSTING])
ENGINEERING = set(CONFIGURATION_FIELDS[FieldGroup.ENGINEERING])
CUSTOMER_USER = "alpina"
CUSTOMER_CODE = "C-HOTEL-ALPINA"
STAFF = [r for r in Role if r is not Role.CUSTOMER]
#: Picks whose catalogue defaults no longer fit (the README's example).
TABLE_PICKS = {"top": "solid", "length": "2200"}


@pytest.fixture(scope="module")
def planned_order(api: ApiSession) -> dict[str, Any]:
    """An order of the portal customer with dates from a plan, a rush priority and a
    staff reason on its timeline."""
    view = api.make_order(OrderState.PLANNED, customer=CUSTOMER_CODE)
    ctx = replace(api.application.ctx, jobs=None)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    run = plan_runs.request_run(ctx, planner, time_limit=0.5)
    assert plan_runs.execute_run(ctx, run["id"])["status"] == "done"
    with ctx.uow() as uow:
        order = uow.orders.get(view["number"])
        assert order is not None
        order.prioritise(5, actor="planner", at=ctx.clock.now(), reason="Trade fair stand")
        uow.commit()
    staff_view = api.order(view["number"])
    assert staff_view["planned_finish"] is not None, "the plan did not place the order"
    return staff_view


def _get(api: ApiSession, user: str, path: str) -> Any:
    response = api.client.get(f"{API}{path}", headers=api.auth(user))
    assert response.status_code == 200, response.text
    return response.json()


def _post(api: ApiSession, user: str, path: str, body: dict[str, Any]) -> Any:
    response = api.client.post(f"{API}{path}", json=body, headers=api.auth(user))
    assert response.status_code == 200, response.text
    return response.json()


def _user(role: Role) -> str:
    return CUSTOMER_USER if role is Role.CUSTOMER else ROLE_USER[role]


# -- the table ----------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("field", sorted(PLANNING))
def test_order_field_visibility_per_role(role: Role, field: str) -> None:
    assert (field in hidden_order_fields(role)) is (role is Role.CUSTOMER)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("field", sorted(COST | ENGINEERING))
def test_configuration_field_visibility_per_role(role: Role, field: str) -> None:
    assert (field in hidden_configuration_fields(role)) is (role is Role.CUSTOMER)


# -- orders over the API ------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_order_detail_and_list_per_role(
    api: ApiSession, planned_order: dict[str, Any], role: Role
) -> None:
    number = planned_order["number"]
    detail = _get(api, _user(role), f"/orders/{number}")
    listed = _get(api, _user(role), f"/orders?customer={CUSTOMER_CODE}&limit=1000")["items"]
    row = next(o for o in listed if o["number"] == number)
    for view in (detail, row):
        assert view["number"] == number and "promise_date" in view and "lines" in view
        if role is Role.CUSTOMER:
            assert PLANNING.isdisjoint(view), sorted(PLANNING & set(view))
        else:
            assert set(view) >= PLANNING
            assert view["planned_finish"] == planned_order["planned_finish"]
            assert view["priority"] == 5


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SALES])
def test_timeline_hides_staff_notes_from_the_customer(
    api: ApiSession, planned_order: dict[str, Any], role: Role
) -> None:
    events = _get(api, _user(role), f"/orders/{planned_order['number']}/events")
    kinds = [e["kind"] for e in events]
    reasons = [e.get("reason") for e in events]
    if role is Role.CUSTOMER:
        assert "order_prioritised" not in kinds
        assert all("reason" not in e for e in events if e["actor"] != CUSTOMER_USER)
        assert all(PLANNING.isdisjoint(e["changes"]) for e in events)
    else:
        assert "order_prioritised" in kinds
        assert "Trade fair stand" in reasons


def test_customer_keeps_its_own_reasons(api: ApiSession) -> None:
    view = api.create_order(customer=CUSTOMER_CODE)
    response = api.act(view["number"], "cancel", reason="Credit check failed")
    assert response.status_code == 200, response.text
    # a reason staff wrote is an internal note...
    events = _get(api, CUSTOMER_USER, f"/orders/{view['number']}/events")
    assert events and all("reason" not in e for e in events)
    # ...while what the customer wrote itself comes back to it
    own = api.create_order(customer=CUSTOMER_CODE)
    confirm = api.act(own["number"], "confirm", as_user=CUSTOMER_USER, reason="Go ahead")
    assert confirm.status_code == 200, confirm.text
    mine = _get(api, CUSTOMER_USER, f"/orders/{own['number']}/events")
    assert any(e.get("reason") == "Go ahead" for e in mine)


# -- configuration and price over the API -------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("route", ["configure", "complete"])
def test_configuration_per_role(api: ApiSession, role: Role, route: str) -> None:
    body = _post(api, _user(role), f"/families/TABLE/{route}", {"spec": TABLE_PICKS})
    evaluation = body if route == "configure" else body["evaluation"]
    assert evaluation["valid"], evaluation
    costing = evaluation["costing"]
    assert costing["price"]
    if role is Role.CUSTOMER:
        assert COST.isdisjoint(costing) and ENGINEERING.isdisjoint(evaluation)
    else:
        assert set(costing) >= COST and set(evaluation) >= ENGINEERING
        assert evaluation["bom"] and evaluation["routing"]


# -- pages --------------------------------------------------------------------------


def _signed_in(api: ApiSession, username: str) -> TestClient:
    client = TestClient(api.client.app)
    page = client.get("/login")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:300]
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SALES, Role.PLANNER])
def test_pages_per_role(api: ApiSession, planned_order: dict[str, Any], role: Role) -> None:
    client = _signed_in(api, _user(role))
    order_page = client.get(f"/orders/{planned_order['number']}")
    assert order_page.status_code == 200
    planned_at = planned_order["planned_finish"][:16].replace("T", " ")
    configurator = client.get("/configure/TABLE")
    assert configurator.status_code == 200
    assert 'id="price"' in configurator.text
    if role is Role.CUSTOMER:
        assert "<dt>Planned</dt>" not in order_page.text and planned_at not in order_page.text
        assert "Trade fair stand" not in order_page.text and "rush (weight" not in order_page.text
        for word in ("<dt>Margin</dt>", "<dt>Cost</dt>", "Bill of materials", "Routing ("):
            assert word not in configurator.text
        assert 'href="/review"' not in order_page.text
    else:
        assert "<dt>Planned</dt>" in order_page.text and planned_at in order_page.text
        assert "<dt>Margin</dt>" in configurator.text and "Bill of materials" in configurator.text

"""The order follows its work: the floor moves it into production and on to final
inspection, quality's checklist passes or fails it, and no button does either."""

from __future__ import annotations

from typing import Any

import httpx

from orderforge.domain.order import OrderAction as A
from orderforge.domain.order import OrderState as S
from tests.api.support import API, REASON, ApiSession, TestClient
from tests.api.test_schedule_pages import Browser


def _final(api: ApiSession, number: str, as_user: str = "quality") -> dict[str, Any]:
    response = api.client.get(f"{API}/orders/{number}/final-inspection", headers=api.auth(as_user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _record(
    api: ApiSession, number: str, items: dict[str, Any], as_user: str = "quality"
) -> httpx.Response:
    response: httpx.Response = api.client.post(
        f"{API}/orders/{number}/final-inspection",
        json={"items": items},
        headers=api.auth(as_user),
    )
    return response


def test_the_floor_moves_the_order_and_the_buttons_are_gone(api: ApiSession) -> None:
    number = api.make_order(S.RELEASED)["number"]
    for action in (A.START_PRODUCTION, A.FINISH_PRODUCTION, A.PASS_INSPECTION):
        refused = api.act(number, action)
        assert refused.status_code == 403, refused.text
        assert "/floor" in refused.text or "final-inspection" in refused.text
    api.start_work(number)
    assert api.order(number)["state"] == "in_production"
    api.finish_work(number)
    order = api.order(number)
    assert order["state"] == "final_inspection"
    events = [e for e in api.timeline(number) if e["action"] == "finish_production"]
    assert events and events[0]["actor"] == "operator"


def test_work_does_not_start_before_release_or_while_on_hold(api: ApiSession) -> None:
    number = api.make_order(S.PLANNED)["number"]
    wo = api.work_orders(number)[0]
    op = next(o for o in wo["operations"] if o["status"] == "ready")
    url = f"{API}/work-orders/{wo['number']}/operations/{op['seq']}/start"
    refused = api.client.post(url, headers=api.auth("operator"))
    assert refused.status_code == 409
    assert "not released to production" in refused.json()["detail"]
    assert api.work_order(wo["number"])["operations"][0]["status"] == "ready"

    held = api.make_order(S.RELEASED)["number"]
    assert api.act(held, A.HOLD, reason=REASON).status_code == 200
    wo = api.work_orders(held)[0]
    op = next(o for o in wo["operations"] if o["status"] == "ready")
    refused = api.client.post(
        f"{API}/work-orders/{wo['number']}/operations/{op['seq']}/start",
        headers=api.auth("operator"),
    )
    assert refused.status_code == 409
    assert "on hold" in refused.json()["detail"]


def test_a_failed_final_inspection_goes_back_and_is_presented_again(api: ApiSession) -> None:
    number = api.make_order(S.FINAL_INSPECTION)["number"]
    view = _final(api, number)
    assert view["can_record"] is True
    facts = {f["code"]: f["passed"] for f in view["facts"]}
    assert facts["work_done"] and facts["design_approved"]
    # the inspections at the operations were not recorded: passing is impossible
    assert facts["inspections_passed"] is False
    items = {i["code"]: {"passed": True} for i in view["items"]}
    answered = _record(api, number, items)
    assert answered.status_code == 200, answered.text
    first = answered.json()["attempts"][0]
    assert first["passed"] is False
    assert api.order(number)["state"] == "in_production"
    [failed] = [e for e in api.timeline(number) if e["action"] == "fail_inspection"]
    assert "inspection at the operations" in failed["reason"]

    # recording again is refused while the order is not in final inspection
    again = _record(api, number, items)
    assert again.status_code == 409
    assert _final(api, number)["can_present_again"] is True
    presented = api.client.post(
        f"{API}/orders/{number}/final-inspection/present-again", headers=api.auth("quality")
    )
    assert presented.status_code == 200, presented.text
    assert api.order(number)["state"] == "final_inspection"

    api.inspect_all(number)
    passed = _record(api, number, items)
    assert passed.status_code == 200, passed.text
    attempts = passed.json()["attempts"]
    assert [a["passed"] for a in attempts] == [False, True]
    assert api.order(number)["state"] == "ready_to_ship"
    # a second present-again is refused: the last attempt passed
    late = api.client.post(
        f"{API}/orders/{number}/final-inspection/present-again", headers=api.auth("quality")
    )
    assert late.status_code == 409


def test_bad_checklists_name_the_field_and_store_nothing(api: ApiSession) -> None:
    number = api.make_order(S.FINAL_INSPECTION)["number"]
    items = [i["code"] for i in _final(api, number)["items"]]
    missing = _record(api, number, {items[0]: {"passed": True}})
    unexplained = _record(api, number, {code: {"passed": code != items[0]} for code in items})
    unknown = _record(api, number, {"no_such_item": {"passed": True}})
    for response, field in (
        (missing, "items"),
        (unexplained, f"items.{items[0]}.note"),
        (unknown, "items.no_such_item"),
    ):
        assert response.status_code == 422, response.text
        assert field in response.text
    assert _final(api, number)["attempts"] == []
    assert api.order(number)["state"] == "final_inspection"


def test_only_quality_decides_and_customers_see_nothing(api: ApiSession) -> None:
    number = api.make_order(S.FINAL_INSPECTION)["number"]
    items = {i["code"]: {"passed": True} for i in _final(api, number)["items"]}
    assert _record(api, number, items, as_user="operator").status_code == 403
    assert _record(api, number, items, as_user="planner").status_code == 403
    customer = api.client.get(f"{API}/orders/{number}/final-inspection", headers=api.auth("alpina"))
    assert customer.status_code == 403
    assert _final(api, number, as_user="planner")["can_record"] is False


def test_the_page_records_the_checklist(api: ApiSession) -> None:
    number = api.make_order(S.FINAL_INSPECTION)["number"]
    api.inspect_all(number)
    quality = Browser(TestClient(api.client.app)).sign_in("quality")
    page = quality.get(f"/orders/{number}/final-inspection")
    assert page.status_code == 200
    assert "Record final inspection" in page.text
    items = [i["code"] for i in _final(api, number)["items"]]
    done = quality.post(
        f"/orders/{number}/final-inspection", **{f"item-{code}": "pass" for code in items}
    )
    assert done.status_code == 200, done.text
    assert "ready to ship" in done.text
    assert api.order(number)["state"] == "ready_to_ship"
    assert "Attempt 1" in quality.get(f"/orders/{number}/final-inspection").text


def test_the_floor_shows_work_of_an_unreleased_order_but_not_as_next(api: ApiSession) -> None:
    from orderforge.production.services import floor
    from orderforge.services import users
    from tests.conftest import DEMO_PASSWORD

    number = api.make_order(S.CONFIRMED)["number"]
    wo = api.work_orders(number)[0]
    op = next(o for o in wo["operations"] if o["status"] == "ready")
    operator = users.authenticate(api.application.ctx, "operator", DEMO_PASSWORD)
    centre = op["work_centres"][0]
    view = floor.operation(api.application.ctx, operator, centre, wo["number"], op["seq"])
    assert view["can_start"] is False
    assert view["actionable"] is False
    assert f"order {number} not open for work" in view["status_words"]
    queue = floor.queue(api.application.ctx, operator, centre)
    if queue["next"] is not None:
        assert queue["next"]["order_number"] != number

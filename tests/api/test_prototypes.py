"""Prototypes over HTTP: a couch (its family asks for a prototype) is released only after
a prototype of its approved design passed its inspection; the prototype is worked on the
floor before release and never counts as the order's work; every refusal names what is
wrong and stores nothing."""

from __future__ import annotations

from typing import Any

from orderforge.domain.order import OrderAction, OrderState
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import travelers
from orderforge.services.ports import PROTOTYPE_GATE, OrderFilter
from tests.api.support import API, ApiSession, valid_line
from tests.api.test_shipping import csrf_of, signed_in

A = OrderAction
S = OrderState
ALPINA = "C-HOTEL-ALPINA"
COUCH = "Medical examination couch (made to measure)"


def approved_couch(api: ApiSession) -> str:
    """A couch order whose revision A is signed by the customer, the lead and quality."""
    order = api.make_order(S.PLANNED, customer=ALPINA, lines=[valid_line("COUCH")])
    number: str = order["number"]
    api.propose_designs(number)
    for signer in ("alpina", "lead", "quality"):
        assert api.sign(number, 1, "A", signer).status_code == 200
    return number


def prototype_of(api: ApiSession, number: str, as_user: str = "admin") -> Any:
    return api.design(number, as_user=as_user)["lines"][0]["prototype"]


def make(api: ApiSession, number: str, line_no: int = 1, as_user: str = "engineer") -> Any:
    return api.client.post(
        f"{API}/orders/{number}/lines/{line_no}/prototypes", headers=api.auth(as_user)
    )


def work_order_count(api: ApiSession) -> int:
    response = api.client.get(f"{API}/work-orders?limit=1000", headers=api.auth("planner"))
    assert response.status_code == 200, response.text
    return len(response.json())


def test_release_waits_for_a_prototype_that_passed_its_inspection(api: ApiSession) -> None:
    number = approved_couch(api)
    state = prototype_of(api, number, as_user="engineer")
    assert state == {
        "work_order": None,
        "design_revision": None,
        "passed": False,
        "words": "No prototype made yet",
        "can_make": True,
    }
    # The customer learns that a prototype is awaited, not the shop's work orders.
    seen = api.design(number, as_user="alpina")
    assert seen["lines"][0]["prototype"] is None
    assert seen["blockers"] == ["Line 1: a prototype must pass its inspection first."]

    refused = api.act(number, A.RELEASE, as_user="planner")
    assert refused.status_code == 409
    assert f"Line 1, {COUCH}: no prototype made yet." in refused.json()["detail"]

    made = make(api, number)
    assert made.status_code == 201, made.text
    prototype = made.json()["lines"][0]["prototype"]
    wo_number = prototype["work_order"]
    assert prototype["design_revision"] == "A"
    assert prototype["can_make"] is False  # one at a time
    wo = api.work_order(wo_number)
    assert (wo["kind"], wo["design_revision"], wo["quantity"]) == ("prototype", "A", 1)
    # Not the order's work: the order's work orders are its production work only.
    assert [w["kind"] for w in api.work_orders(number)] == ["production"]
    assert make(api, number).status_code == 409  # the first one is still in the works

    # The floor sees it before release, as a prototype open for work; its traveler says so.
    centre = wo["operations"][0]["work_centres"][0]
    queue = signed_in(api, "operator").get(f"/floor/{centre}").text
    assert f"PROTOTYPE: {COUCH}" in queue
    row = queue[queue.index(wo_number) :][:2000]
    assert "not open for work" not in row
    with api.application.ctx.uow() as uow:
        stored = uow.repository(WORK_ORDERS).get(wo_number)
        assert stored is not None
        paper = travelers.traveler_paper(uow, stored, "http://plant")
    assert paper.title == f"PROTOTYPE Traveler {wo_number}"
    assert paper.facts[0][0] == "PROTOTYPE" and "design revision A" in paper.facts[0][1]
    # The floor works on it before release; the order does not follow it.
    api.run_work_order(wo_number)
    assert api.work_order(wo_number)["status"] == "done"
    assert api.order(number)["state"] == "awaiting_design_approval"
    assert api.work_order(wo_number)["operations"][0]["status"] == "done"

    api.inspect_work_order(wo_number, passed=False)
    refused = api.act(number, A.RELEASE, as_user="planner")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert f"Line 1, {COUCH}: the prototype {wo_number} of revision A failed its inspection" in (
        detail
    )
    assert prototype_of(api, number, as_user="engineer")["can_make"] is True

    api.inspect_work_order(wo_number, passed=True)  # re-inspected after rework
    passed = prototype_of(api, number)
    assert passed["passed"] is True
    assert passed["words"].startswith(f"The prototype {wo_number} of revision A passed")
    assert api.design(number)["blockers"] == []
    released = api.act(number, A.RELEASE, as_user="planner")
    assert released.status_code == 200, released.text
    assert released.json()["state"] == "released"

    # After release no prototype is made, and nothing is stored by asking.
    count = work_order_count(api)
    late = make(api, number)
    assert late.status_code == 409
    assert "a prototype proves the design before release" in late.json()["detail"]
    assert work_order_count(api) == count


def test_a_prototype_not_passed_yet_is_named(api: ApiSession) -> None:
    number = approved_couch(api)
    wo_number = make(api, number).json()["lines"][0]["prototype"]["work_order"]
    refused = api.act(number, A.RELEASE, as_user="planner")
    assert refused.status_code == 409
    assert (
        f"Line 1, {COUCH}: the prototype {wo_number} of revision A has not passed its "
        "inspection at Function and electrical safety test"
    ) in refused.json()["detail"]


def test_refusals_name_what_is_wrong_and_store_nothing(api: ApiSession) -> None:
    table = api.make_order(S.PLANNED, customer=ALPINA, lines=[valid_line("TABLE")])["number"]
    api.propose_designs(table)
    couch = api.make_order(S.PLANNED, customer=ALPINA, lines=[valid_line("COUCH")])["number"]
    before = (work_order_count(api), api.stored(table), api.stored(couch))

    unknown = make(api, couch, line_no=9)
    assert unknown.status_code == 404
    assert f"Order {couch} has no line 9." in unknown.json()["detail"]

    not_needed = make(api, table)
    assert not_needed.status_code == 409
    assert (
        "needs no prototype: its catalogue family does not ask for one"
        in (not_needed.json()["detail"])
    )

    no_revision = make(api, couch)
    assert no_revision.status_code == 409
    assert "has no design revision to prove: propose one first" in no_revision.json()["detail"]

    forbidden = make(api, couch, as_user="planner")
    assert forbidden.status_code == 403
    missing = make(api, "SO-2026-9999")
    assert missing.status_code == 404
    assert (work_order_count(api), api.stored(table), api.stored(couch)) == before


def test_the_design_page_makes_a_prototype(api: ApiSession) -> None:
    number = approved_couch(api)
    engineer = signed_in(api, "engineer")
    page = engineer.get(f"/orders/{number}/design")
    assert page.status_code == 200
    assert "No prototype made yet." in page.text
    assert "Make prototype" in page.text
    posted = engineer.post(f"/orders/{number}/lines/1/prototypes", data={"csrf": csrf_of(page)})
    assert posted.status_code == 303, posted.text
    made = prototype_of(api, number)["work_order"]
    after = engineer.get(f"/orders/{number}/design")
    assert f"Prototype {made} of line 1 made." in after.text
    assert f"The prototype {made} of revision A has not passed its inspection" in after.text
    assert "Make prototype" not in after.text
    # Others see its state, without the button.
    quality = signed_in(api, "quality").get(f"/orders/{number}/design")
    assert "has not passed its inspection" in quality.text
    assert "Make prototype" not in quality.text


#: Where an order's release is behind it (a hold or a change keeps it released).
AFTER_RELEASE = {
    S.RELEASED,
    S.IN_PRODUCTION,
    S.FINAL_INSPECTION,
    S.READY_TO_SHIP,
    S.SHIPPED,
    S.DELIVERED,
}


def test_the_demo_released_couches_only_after_a_passed_prototype(api: ApiSession) -> None:
    """The demo's history is told as release asks now: each couch it released has a
    prototype of its approved design that passed its inspection, and no couch's
    prototype counts as its order's work."""
    checked = 0
    with api.application.ctx.uow() as uow:
        gate = uow.repository(PROTOTYPE_GATE)
        work = uow.repository(WORK_ORDERS)
        for order in uow.orders.list(OrderFilter(limit=10_000)):
            was = {S.CHANGE_REQUESTED: order.changed_from, S.ON_HOLD: order.held_from}.get(
                order.state, order.state
            )
            if was not in AFTER_RELEASE:
                continue
            if not any(li.product_family == "COUCH" for li in order.lines):
                continue
            for state in gate.prototypes(order):
                if state.required:
                    assert state.passed, (order.number, state.words)
                    checked += 1
            assert all(not w.is_prototype for w in work.for_order(order.number))
    assert checked > 0

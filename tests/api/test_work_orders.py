"""Work orders over HTTP: each route, reports idempotent by key, bad input named and
harmless, and who may see and report (the matrix cells are in test_permissions)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession

S = OrderState


def _work_order(api: ApiSession) -> dict[str, Any]:
    """A fresh released order's (only) work order (work starts only once released)."""
    number = api.make_order(S.RELEASED)["number"]
    response = api.client.get(f"{API}/orders/{number}/work-orders", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    [work_order] = response.json()
    return dict(work_order)


def _get(api: ApiSession, number: str) -> dict[str, Any]:
    response = api.client.get(f"{API}/work-orders/{number}", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _post(
    api: ApiSession,
    number: str,
    seq: int,
    verb: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
    as_user: str = "operator",
) -> Any:
    headers = api.auth(as_user)
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(
        f"{API}/work-orders/{number}/operations/{seq}/{verb}", json=body, headers=headers
    )


def test_a_confirmed_order_has_a_work_order_to_read(api: ApiSession) -> None:
    work_order = _work_order(api)
    assert work_order["number"].startswith("WO-") and work_order["revision"] == 1
    assert work_order["status"] == "open"
    seqs = [o["seq"] for o in work_order["operations"]]
    assert seqs == list(range(10, 10 * len(seqs) + 1, 10))
    assert work_order["materials"] and all(m["quantity"] for m in work_order["materials"])
    detail = _get(api, work_order["number"])
    assert detail["reports"] == []
    recent = api.client.get(f"{API}/work-orders", params={"limit": 5}, headers=api.auth("admin"))
    assert work_order["number"] in {w["number"] for w in recent.json()}


def test_start_pause_complete_moves_the_operation_and_keeps_each_report(api: ApiSession) -> None:
    work_order = _work_order(api)
    number = work_order["number"]
    first = work_order["operations"][0]
    centre = first["work_centres"][-1]
    started = _post(api, number, first["seq"], "start", {"work_centre": centre})
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_progress"
    assert started.json()["operations"][0]["work_centre"] == centre
    paused = _post(api, number, first["seq"], "pause", {"note": "waiting for glue"})
    assert paused.json()["operations"][0]["status"] == "paused"
    _post(api, number, first["seq"], "start")
    done = _post(
        api,
        number,
        first["seq"],
        "complete",
        {"good": 1, "scrap": 1, "scrap_cause": "MACHINE", "note": "chip"},
    )
    assert done.status_code == 200, done.text
    op = done.json()["operations"][0]
    assert (op["status"], op["good_quantity"], op["scrap_quantity"]) == ("done", 1, 1)
    kinds = [r["kind"] for r in _get(api, number)["reports"]]
    assert kinds == ["start", "pause", "start", "complete"]


def test_a_report_repeated_with_its_key_counts_once(api: ApiSession) -> None:
    work_order = _work_order(api)
    number, seq = work_order["number"], work_order["operations"][0]["seq"]
    _post(api, number, seq, "start")
    key = f"k-{uuid.uuid4().hex}"
    first = _post(api, number, seq, "complete", {"good": 1}, key=key)
    again = _post(api, number, seq, "complete", {"good": 1}, key=key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    other = _post(api, number, seq, "complete", {"good": 0, "scrap": 1}, key=key)
    assert other.status_code == 422 and "different report" in other.json()["detail"]
    detail = _get(api, number)
    assert [r["kind"] for r in detail["reports"]] == ["start", "complete"]
    assert detail["operations"][0]["good_quantity"] == 1


def test_a_problem_is_kept_as_a_report_and_changes_no_status(api: ApiSession) -> None:
    work_order = _work_order(api)
    number = work_order["number"]
    waiting = next(o for o in work_order["operations"] if o["status"] == "waiting")
    key = f"k-{uuid.uuid4().hex}"
    body = {"note": "Veneer delivered with <b>cracks</b>"}
    first = _post(api, number, waiting["seq"], "problems", body, key=key)
    again = _post(api, number, waiting["seq"], "problems", body, key=key)
    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["operations"] == work_order["operations"]
    empty = _post(api, number, waiting["seq"], "problems", {"note": ""})
    assert empty.status_code == 422 and "note" in empty.text
    refused = _post(api, number, waiting["seq"], "problems", body, as_user="sales")
    assert refused.status_code == 403
    reports = _get(api, number)["reports"]
    assert [(r["kind"], r["note"]) for r in reports] == [("problem", body["note"])]


def test_a_waiting_operation_cannot_start_and_says_why(api: ApiSession) -> None:
    work_order = _work_order(api)
    waiting = next(o for o in work_order["operations"] if o["status"] == "waiting")
    response = _post(api, work_order["number"], waiting["seq"], "start")
    assert response.status_code == 409
    assert "not done" in response.json()["detail"]
    assert _get(api, work_order["number"])["reports"] == []


@pytest.mark.parametrize(
    ("verb", "body", "field"),
    [
        ("complete", {"good": -1}, "good"),
        ("complete", {"good": "two"}, "good"),
        ("complete", {}, "good"),
        ("complete", {"good": 1, "scrap": 10**9}, "scrap"),
        ("complete", {"good": 2}, "good"),  # more good than the one unit ordered
        ("complete", {"good": 1, "extra": 1}, "extra"),
        ("start", {"work_centre": "NOWHERE"}, "work_centre"),
        ("pause", {"note": "x" * 3000}, "note"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    api: ApiSession, verb: str, body: dict[str, Any], field: str
) -> None:
    work_order = _work_order(api)
    number, seq = work_order["number"], work_order["operations"][0]["seq"]
    if verb != "start":
        _post(api, number, seq, "start")
    before = _get(api, number)
    response = _post(api, number, seq, verb, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(field in f for f in fields), fields
    assert _get(api, number) == before


def test_unknown_records_are_404_and_an_unknown_operation_names_seq(api: ApiSession) -> None:
    admin = api.auth("admin")
    assert api.client.get(f"{API}/work-orders/WO-1999-9999", headers=admin).status_code == 404
    assert (
        api.client.get(f"{API}/orders/SO-1999-9999/work-orders", headers=admin).status_code == 404
    )
    assert _post(api, "WO-1999-9999", 10, "start").status_code == 404
    work_order = _work_order(api)
    response = _post(api, work_order["number"], 15, "start")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "seq"
    assert _post(api, work_order["number"], 0, "start").status_code == 422


def test_a_cancelled_order_cancels_its_open_work_orders(api: ApiSession) -> None:
    work_order = _work_order(api)
    response = api.act(work_order["order_number"], "cancel")
    assert response.status_code == 200, response.text
    assert _get(api, work_order["number"])["status"] == "cancelled"
    refused = _post(api, work_order["number"], 10, "start")
    assert refused.status_code == 409 and "cancelled" in refused.json()["detail"]


def test_customers_never_see_work_orders(api: ApiSession) -> None:
    work_order = _work_order(api)
    response = api.client.get(
        f"{API}/work-orders/{work_order['number']}", headers=api.auth("alpina")
    )
    assert response.status_code == 403


def test_the_traveler_says_what_to_make_and_codes_each_open_operation(api: ApiSession) -> None:
    import io

    import pypdf

    work_order = _work_order(api)
    number = work_order["number"]
    response = api.client.get(
        f"{API}/work-orders/{number}/traveler.pdf", headers=api.auth("operator")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"Traveler {number}" in text
    for op in work_order["operations"]:
        assert op["name"].split()[0] in text
    assert "€" not in text and "EUR" not in text  # the floor's paper carries no prices
    # a customer's role has no work orders; an unknown one is named
    refused = api.client.get(f"{API}/work-orders/{number}/traveler.pdf", headers=api.auth("alpina"))
    assert refused.status_code == 403
    missing = api.client.get(
        f"{API}/work-orders/WO-2099-9999/traveler.pdf", headers=api.auth("operator")
    )
    assert missing.status_code == 404 and "WO-2099-9999" in missing.json()["detail"]


def test_traveler_codes_open_the_operation_on_this_servers_public_address(
    api: ApiSession,
) -> None:
    from orderforge.production.ports import WORK_ORDERS
    from orderforge.production.services.travelers import traveler_paper

    number = _work_order(api)["number"]
    with api.application.ctx.uow() as uow:
        work_order = uow.repository(WORK_ORDERS).get(number)
        assert work_order is not None
        paper = traveler_paper(uow, work_order, "https://plant.example.com/")
        seqs = [o.seq for o in work_order.operations]
    table = next(s.table for s in paper.sections if s.heading == "Operations")
    assert table is not None
    assert list(table.codes) == [
        f"https://plant.example.com/floor/scan?code={number}/{seq}" for seq in seqs
    ]
    assert paper.code == f"https://plant.example.com/floor/scan?code={number}"


def test_an_orders_progress_against_the_plan_is_for_staff(api: ApiSession) -> None:
    """Staff read an order's floor progress (projected finish, what is behind); before a
    plan holds it, it says so; a customer is refused, an unknown order is 404."""
    work_order = _work_order(api)
    number = work_order["order_number"]
    url = f"{API}/orders/{number}/progress"
    response = api.client.get(url, headers=api.auth("sales"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order_number"] == number and body["promise_at_risk"] is False
    if not body["planned"]:
        assert body["operations"] == [] and body["projected_finish"] is None
    else:
        assert {o["work_order"] for o in body["operations"]} == {work_order["number"]}
    assert api.client.get(url, headers=api.auth("alpina")).status_code in (403, 404)
    missing = api.client.get(f"{API}/orders/SO-1999-0001/progress", headers=api.auth("sales"))
    assert missing.status_code == 404

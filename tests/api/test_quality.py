"""Inspections over HTTP: a table's final inspection out of tolerance holds packing until
a passing re-inspection or quality's signed acceptance; bad results are refused with
nothing stored; plans are put in force all or none."""

from __future__ import annotations

from typing import Any

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession, valid_line
from tests.api.test_shipping import signed_in
from tests.conftest import DEMO_PASSWORD

S = OrderState


def table_work_order(api: ApiSession) -> dict[str, Any]:
    number = api.make_order(S.RELEASED, lines=[valid_line("TABLE")])["number"]
    response = api.client.get(f"{API}/orders/{number}/work-orders", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    [work_order] = response.json()
    return dict(work_order)


def report(api: ApiSession, number: str, seq: int, verb: str, **body: Any) -> Any:
    return api.client.post(
        f"{API}/work-orders/{number}/operations/{seq}/{verb}",
        json=body or None,
        headers=api.auth("operator"),
    )


def run_until(api: ApiSession, work_order: dict[str, Any], code: str) -> tuple[int, int]:
    """Every operation before the one whose routing code is `code` done, that one
    started; (its seq, the seq of the operation after it)."""
    number, quantity = work_order["number"], work_order["quantity"]
    ops = work_order["operations"]
    target = next(o for o in ops if o["routing_key"].rsplit("/", 1)[-1] == code)
    for op in ops:
        if op["seq"] == target["seq"]:
            break
        assert report(api, number, op["seq"], "start").status_code == 200
        done = report(api, number, op["seq"], "complete", good=quantity, scrap=0)
        assert done.status_code == 200, done.text
    assert report(api, number, target["seq"], "start").status_code == 200
    after = next(o["seq"] for o in ops if target["seq"] in o["predecessors"])
    return target["seq"], after


def record(
    api: ApiSession, number: str, seq: int, body: dict[str, Any], as_user: str = "quality"
) -> Any:
    return api.client.post(
        f"{API}/work-orders/{number}/operations/{seq}/inspection/results",
        json=body,
        headers=api.auth(as_user),
    )


def inspection(api: ApiSession, number: str, seq: int) -> dict[str, Any]:
    response = api.client.get(
        f"{API}/work-orders/{number}/operations/{seq}/inspection", headers=api.auth("admin")
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_out_of_tolerance_holds_packing_until_re_inspected(api: ApiSession) -> None:
    wo = table_work_order(api)
    number, length = wo["number"], wo["spec"]["length"]
    qc, pack = run_until(api, wo, "QC")
    view = inspection(api, number, qc)
    limits = {c["code"]: c.get("limits_text") for c in view["plan"]["characteristics"]}
    low, high = int(length) - 2, int(length) + 2
    assert limits["length"] == f"{low}–{high} mm"
    assert view["status"] == "open" and view["units_to_inspect"] == wo["quantity"]

    failed = record(api, number, qc, {"values": {"flatness": {"value": "0.8", "unit": "mm"}}})
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "failed"
    report(api, number, qc, "complete", good=wo["quantity"], scrap=0)
    held = report(api, number, pack, "start")
    assert held.status_code == 409, held.text
    assert "inspection at operation" in held.json()["detail"]
    # The operator's screen says so before anyone taps Start, and offers no Start.
    centre = next(o for o in wo["operations"] if o["seq"] == pack)["work_centres"][0]
    page = signed_in(api, "operator").get(f"/floor/{centre}/ops/{number}/{pack}")
    assert page.status_code == 200, page.text
    assert 'id="start"' not in page.text
    assert "This operation cannot start: " in page.text and "inspection at operation" in page.text

    values = {
        "flatness": {"value": "0.2", "unit": "mm"},
        "length": {"value": length, "unit": "mm"},
        "width": {"value": wo["spec"]["width"], "unit": "mm"},
    }
    for unit in range(1, wo["quantity"] + 1):
        again = record(
            api,
            number,
            qc,
            {"unit": unit, "values": values, "checks": {"colour": True, "finish": True}},
        )
        assert again.status_code == 200, again.text
    assert inspection(api, number, qc)["status"] == "passed"
    assert report(api, number, pack, "start").status_code == 200


def test_quality_accepts_failed_work_as_is_with_a_signature(api: ApiSession) -> None:
    wo = table_work_order(api)
    number = wo["number"]
    qc, pack = run_until(api, wo, "QC")
    record(api, number, qc, {"values": {"flatness": {"value": "0.6", "unit": "mm"}}})
    path = f"{API}/work-orders/{number}/operations/{qc}/inspection/accept-as-is"
    wrong = api.client.post(
        path,
        json={"reason": "Customer agreed.", "username": "quality", "password": "nope"},
        headers=api.auth("quality"),
    )
    assert wrong.status_code == 422 and inspection(api, number, qc)["status"] == "failed"
    by_operator = api.client.post(
        path,
        json={"reason": "Fine.", "username": "operator", "password": DEMO_PASSWORD},
        headers=api.auth("operator"),
    )
    assert by_operator.status_code == 403
    accepted = api.client.post(
        path,
        json={
            "reason": "0.1 mm over; the customer agreed.",
            "username": "quality",
            "password": DEMO_PASSWORD,
        },
        headers=api.auth("quality"),
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted_as_is"
    assert body["accepted_as_is"]["signature"]["meaning_label"] == "Accepted as is"
    report(api, number, qc, "complete", good=wo["quantity"], scrap=0)
    assert report(api, number, pack, "start").status_code == 200


def test_bad_results_are_refused_and_nothing_is_stored(api: ApiSession) -> None:
    wo = table_work_order(api)
    number = wo["number"]
    first = wo["operations"][0]["seq"]
    qc = next(o["seq"] for o in wo["operations"] if o["routing_key"].endswith("QC"))
    early = record(api, number, qc, {"checks": {"colour": True}})
    assert early.status_code == 409 and "once it has started" in early.json()["detail"]
    none = record(api, number, first, {"checks": {"colour": True}})
    assert none.status_code == 404 and "no inspection plan" in none.json()["detail"]
    qc, _ = run_until(api, wo, "QC")
    before = inspection(api, number, qc)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"values": {"length": {"value": "200", "unit": "cm"}}}, "results.length"),
        ({"checks": {"gloss": True}}, "results.gloss"),
        ({"unit": 99, "checks": {"colour": True}}, "unit"),
        ({"values": {"flatness": {"value": "lots", "unit": "mm"}}}, "results.flatness"),
    ]
    for body, field in cases:
        refused = record(api, number, qc, body)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert inspection(api, number, qc) == before
    assert record(api, number, qc, {"checks": {"colour": True}}, as_user="sales").status_code == 403


def test_plans_are_put_in_force_all_or_none(api: ApiSession) -> None:
    plans = api.client.get(f"{API}/quality/plans", headers=api.auth("engineer"))
    assert plans.status_code == 200
    before = plans.json()
    assert {(p["family"], p["operation"]) for p in before} >= {("TABLE", "QC"), ("COUCH", "TEST")}
    body = {
        "plans": [
            {"family": "TABLE", "operation": "QC", "characteristics": [{"code": "colour"}]},
            {"family": "TABLE", "operation": "NO-SUCH-OP", "characteristics": [{"code": "x"}]},
        ]
    }
    refused = api.client.put(f"{API}/quality/plans", json=body, headers=api.auth("quality"))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["plans[1].operation"]
    assert api.client.get(f"{API}/quality/plans", headers=api.auth("admin")).json() == before
    assert (
        api.client.put(f"{API}/quality/plans", json=body, headers=api.auth("operator")).status_code
        == 403
    )


def test_the_operator_measures_on_the_inspection_page_and_quality_accepts_as_is(
    api: ApiSession,
) -> None:
    """The floor's operation page links its inspection; the page records a unit through
    its form (an out-of-tolerance value fails it, a wrong input stores nothing), and
    quality signs the acceptance there."""
    from fastapi.testclient import TestClient

    from tests.api.test_schedule_pages import Browser, flashes

    wo = table_work_order(api)
    number = wo["number"]
    qc, _pack = run_until(api, wo, "QC")
    operator = Browser(TestClient(api.client.app)).sign_in("operator")
    floor_page = operator.get(f"/floor/QC-FINAL/ops/{number}/{qc}")
    assert floor_page.status_code == 200
    assert 'id="op-inspection"' in floor_page.text and "Open" in floor_page.text
    page = operator.get(f"/quality/{number}/{qc}?centre=QC-FINAL")
    assert page.status_code == 200 and "Top flatness over 1 m" in page.text
    assert 'id="accept-form"' not in page.text  # operators record; quality decides
    bad = operator.post(f"/quality/{number}/{qc}/results", unit="1", **{"value-flatness": "x"})
    assert any("is not a number" in m for m in flashes(bad))
    assert inspection(api, number, qc)["results"] == []
    failed = operator.post(
        f"/quality/{number}/{qc}/results",
        unit="1",
        centre="QC-FINAL",
        **{"value-flatness": "0.9", "check-colour": "pass"},
    )
    assert any("failed" in m for m in flashes(failed))
    assert inspection(api, number, qc)["status"] == "failed"

    quality = Browser(TestClient(api.client.app)).sign_in("quality")
    shown = quality.get(f"/quality/{number}/{qc}")
    assert 'id="accept-form"' in shown.text and "FAIL" in shown.text
    signed = quality.post(
        f"/quality/{number}/{qc}/accept",
        reason="Flatness 0.4 mm over, on the underside; the customer agreed.",
        username="quality",
        password=DEMO_PASSWORD,
    )
    assert any("Accepted as is" in m for m in flashes(signed))
    assert inspection(api, number, qc)["status"] == "accepted_as_is"

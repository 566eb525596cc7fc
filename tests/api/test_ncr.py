"""Nonconformance reports over HTTP: the full rework loop (a failed final inspection, an
NCR that holds packing, rework operations added to the work order and planned, verified
and closed by a second person), scrap re-made, use as is signed, return to supplier,
and scrap reported with its cause."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from orderforge.bootstrap import Application
from tests.api.support import API, ApiSession, TestClient, drain_jobs
from tests.api.test_quality import record, report, run_until, table_work_order
from tests.api.test_schedule_pages import Browser, flashes
from tests.api.test_trace import consume, needs, receive, released_couch
from tests.conftest import DEMO_PASSWORD


def post(api: ApiSession, path: str, body: dict[str, Any], as_user: str = "quality") -> Any:
    return api.client.post(f"{API}{path}", json=body, headers=api.auth(as_user))


def work_order(api: ApiSession, number: str) -> dict[str, Any]:
    response = api.client.get(f"{API}/work-orders/{number}", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def failed_qc(api: ApiSession) -> tuple[dict[str, Any], int, int]:
    """A table whose final inspection failed on flatness, QC completed."""
    wo = table_work_order(api)
    qc, pack = run_until(api, wo, "QC")
    failed = record(api, wo["number"], qc, {"values": {"flatness": {"value": "0.9", "unit": "mm"}}})
    assert failed.json()["status"] == "failed", failed.text
    done = report(api, wo["number"], qc, "complete", good=wo["quantity"], scrap=0)
    assert done.status_code == 200, done.text
    return wo, qc, pack


def raise_ncr(api: ApiSession, wo: dict[str, Any], seq: int, **extra: Any) -> dict[str, Any]:
    body = {
        "work_order": wo["number"],
        "seq": seq,
        "quantity": 1,
        "description": "Top bows 0.9 mm over 1 m",
        "cause": "MATERIAL",
        "origin": "inspection",
        **extra,
    }
    raised = post(api, "/ncrs", body, as_user="operator")
    assert raised.status_code == 201, raised.text
    view: dict[str, Any] = raised.json()
    return view


def test_the_rework_loop_from_failed_inspection_to_closure(
    api: ApiSession, application: Application
) -> None:
    wo, qc, pack = failed_qc(api)
    number = wo["number"]
    ncr = raise_ncr(api, wo, qc)
    assert ncr["number"].startswith("NCR-") and ncr["status"] == "open"
    assert ncr["holds_next_operations"] and ncr["cause_label"].startswith("Material")
    held = report(api, number, pack, "start")
    assert held.status_code == 409 and ncr["number"] in held.json()["detail"]

    centre = next(o for o in wo["operations"] if o["seq"] == qc)["work_centres"][0]
    steps = [
        {"work_centre": centre, "minutes": 30, "instruction": "Plane the top flat"},
        {"work_centre": centre, "minutes": 15, "instruction": "Re-oil the top"},
    ]
    path = f"/ncrs/{ncr['number']}/disposition"
    by_operator = post(api, path, {"kind": "rework", "note": "x", "rework": steps}, "operator")
    assert by_operator.status_code == 403
    decided = post(api, path, {"kind": "rework", "note": "Plane and re-oil", "rework": steps})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "dispositioned" and body["replan_run"] is not None
    added = body["disposition"]["operations"]
    assert added == [qc + 1, qc + 2]
    again = post(api, path, {"kind": "scrap", "note": "twice"})
    assert again.status_code == 409 and "decided once" in again.json()["detail"]

    after = {o["seq"]: o for o in work_order(api, number)["operations"]}
    assert after[qc + 1]["status"] == "ready" and after[qc + 2]["predecessors"] == [qc + 1]
    assert after[pack]["predecessors"] == [qc + 2] and after[pack]["status"] == "waiting"
    keys = [o["routing_key"] for o in after.values()]
    assert len(keys) == len(set(keys))
    runs = api.listing("/plans/runs")
    run = next(r for r in runs if r["id"] == body["replan_run"])
    assert run["trigger"]["kind"] == "nonconformance" and run["trigger"]["ncr"] == ncr["number"]

    close = f"/ncrs/{ncr['number']}/close"
    early = post(api, close, {"note": "checked"}, "inspector")
    assert early.status_code == 409 and f"operation {qc + 1}" in early.json()["detail"]
    for seq in added:
        assert report(api, number, seq, "start").status_code == 200
        assert report(api, number, seq, "complete", good=1).status_code == 200
    not_inspected = post(api, close, {"note": "checked"}, "inspector")
    assert not_inspected.status_code == 409
    assert "re-inspection" in not_inspected.json()["detail"]

    values = {
        "flatness": {"value": "0.2", "unit": "mm"},
        "length": {"value": wo["spec"]["length"], "unit": "mm"},
        "width": {"value": wo["spec"]["width"], "unit": "mm"},
    }
    for unit in range(1, wo["quantity"] + 1):
        checks = {"colour": True, "finish": True}
        ok = record(api, number, qc, {"unit": unit, "values": values, "checks": checks})
        assert ok.status_code == 200, ok.text
    same_person = post(api, close, {"note": "done"})
    assert same_person.status_code == 409 and "second person" in same_person.json()["detail"]
    closed = post(api, close, {"note": "Rework done, re-inspected flat"}, "inspector")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["outstanding"] == []
    assert report(api, number, pack, "start").status_code == 200

    drain_jobs(application)
    finished = api.client.get(f"{API}/plans/runs/{body['replan_run']}", headers=api.auth("admin"))
    assert finished.json()["status"] in ("done", "failed"), finished.text


def test_scrap_is_re_made_in_the_work_order(api: ApiSession, application: Application) -> None:
    wo, qc, pack = failed_qc(api)
    ncr = raise_ncr(api, wo, qc, origin="floor", cause="HANDLING")
    decided = post(
        api, f"/ncrs/{ncr['number']}/disposition", {"kind": "scrap", "note": "Dented top"}
    )
    assert decided.status_code == 200, decided.text
    added = decided.json()["disposition"]["operations"]
    ops = {o["seq"]: o for o in work_order(api, wo["number"])["operations"]}
    before_qc = [o for o in wo["operations"] if o["seq"] <= qc]
    assert len(added) == len(before_qc)
    assert all(ops[s]["name"].startswith("Re-make: ") for s in added)
    assert ops[pack]["predecessors"] == [added[-1]]  # the re-made QC comes last
    first = min(added)
    assert ops[first]["status"] == "ready" and ops[first]["predecessors"] == [qc]
    drain_jobs(application)  # the replan it queued ends before the next test writes


def test_use_as_is_needs_a_signature_and_another_person(api: ApiSession) -> None:
    wo, qc, pack = failed_qc(api)
    raised = post(
        api,
        "/ncrs",
        {
            "work_order": wo["number"],
            "seq": qc,
            "quantity": 1,
            "description": "Flatness 0.9 mm",
            "cause": "MACHINE",
            "origin": "inspection",
        },
    )
    ncr = raised.json()
    path = f"/ncrs/{ncr['number']}/disposition"
    sign = {"kind": "use_as_is", "note": "Customer agreed", "username": "quality"}
    own = post(api, path, {**sign, "password": DEMO_PASSWORD})
    assert own.status_code == 409 and "someone else" in own.json()["detail"]
    wrong = post(api, path, {**sign, "username": "inspector", "password": "nope"}, "inspector")
    assert wrong.status_code == 422
    signed = post(
        api, path, {**sign, "username": "inspector", "password": DEMO_PASSWORD}, "inspector"
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["disposition"]["signature"]["meaning_label"] == "Use as is"
    inspection = api.client.get(
        f"{API}/work-orders/{wo['number']}/operations/{qc}/inspection", headers=api.auth("admin")
    ).json()
    assert inspection["status"] == "accepted_as_is"
    assert report(api, wo["number"], pack, "start").status_code == 200


def stock_of(api: ApiSession, item: str) -> dict[str, Any]:
    response = api.client.get(f"{API}/materials/stock?item={item}", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    [row] = response.json()
    return dict(row)


def test_a_lot_named_by_an_ncr_is_quarantined_and_a_returned_one_never_issued(
    api: ApiSession, application: Application
) -> None:
    wo = released_couch(api)
    seq, item, quantity = needs(wo)[0]
    lot = receive(api, item, str(Decimal(quantity) * 4))
    base = {"work_order": wo["number"], "seq": seq, "quantity": 1, "cause": "SUPPLIER"}
    body = {**base, "description": "Split boards", "origin": "material"}
    no_lot = post(api, "/ncrs", body)
    assert no_lot.status_code == 422 and no_lot.json()["errors"][0]["field"] == "lot"
    unknown = post(api, "/ncrs", {**body, "lot": "L-77"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lot"
    assert "no lot L-77" in unknown.json()["errors"][0]["message"]
    mine = api.client.get(f"{API}/ncrs?work_order={wo['number']}", headers=api.auth("admin"))
    assert mine.json() == []

    ncr = post(api, "/ncrs", {**body, "lot": lot}).json()
    assert ncr["lot_hold"] == {
        "lot": lot,
        "kind": "quarantine",
        "active": True,
        "label": "Quarantined",
    }
    stock = stock_of(api, item)
    assert lot not in [x["lot_number"] for x in stock["lots"]]
    [held] = [x for x in stock["held"] if x["lot_number"] == lot]
    assert (held["lot_number"], held["hold"], held["ncr"]) == (lot, "quarantine", ncr["number"])
    refused = consume(api, wo["number"], seq, lot, quantity)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "lot"
    assert "quarantined while " + ncr["number"] in refused.json()["errors"][0]["message"]

    path = f"/ncrs/{ncr['number']}/disposition"
    missing = post(api, path, {"kind": "return_to_supplier", "note": "Split"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "supplier"
    done = post(
        api,
        path,
        {
            "kind": "return_to_supplier",
            "note": "Split",
            "supplier": "Holz Nord",
            "debit_note": "DN-9",
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()["disposition"]["returned"] == {
        "lot": lot,
        "quantity": 1,
        "supplier": "Holz Nord",
        "debit_note": "DN-9",
    }
    assert done.json()["lot_hold"]["label"] == "Returned to supplier"
    returned = consume(api, wo["number"], seq, lot, quantity)
    assert returned.status_code == 422, returned.text
    assert "returned to its supplier" in returned.json()["errors"][0]["message"]
    [held] = [x for x in stock_of(api, item)["held"] if x["lot_number"] == lot]
    assert held["hold"] == "returned"
    listing = api.client.get(f"{API}/ncrs?work_order={wo['number']}", headers=api.auth("admin"))
    assert [n["number"] for n in listing.json()] == [ncr["number"]]
    for statement in (
        "UPDATE ncr_dispositions SET decided_by = 'mallory'",
        "DELETE FROM ncr_dispositions",
        "DELETE FROM lot_holds",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="facts"), application.engine.begin() as c:
            c.execute(sa.text(statement))


def test_a_quarantine_ends_when_the_ncr_is_decided_another_way(api: ApiSession) -> None:
    wo = released_couch(api)
    seq, item, quantity = needs(wo)[0]
    lot = receive(api, item, str(Decimal(quantity) * 2))
    body = {
        "work_order": wo["number"],
        "seq": seq,
        "quantity": 1,
        "cause": "SUPPLIER",
        "description": "Scratched",
        "origin": "material",
        "lot": lot,
    }
    ncr = post(api, "/ncrs", body).json()
    assert consume(api, wo["number"], seq, lot, quantity).status_code == 422
    centre = next(o for o in wo["operations"] if o["seq"] == seq)["work_centres"][0]
    rework = [{"work_centre": centre, "minutes": 10, "instruction": "Sand the scratch out"}]
    decided = post(
        api,
        f"/ncrs/{ncr['number']}/disposition",
        {"kind": "rework", "note": "Sand it", "rework": rework},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["lot_hold"] == {
        "lot": lot,
        "kind": "quarantine",
        "active": False,
        "label": "Released",
    }
    stock = stock_of(api, item)  # (the module's other tests may hold other lots of it)
    assert lot in [x["lot_number"] for x in stock["lots"]]
    assert lot not in [x["lot_number"] for x in stock["held"]]
    issued = consume(api, wo["number"], seq, lot, quantity)
    assert issued.status_code == 201, issued.text


def test_bad_ncr_input_is_refused_with_the_field(api: ApiSession) -> None:
    wo = table_work_order(api)
    seq = wo["operations"][0]["seq"]
    base = {"work_order": wo["number"], "seq": seq, "quantity": 1, "description": "x"}
    cases = [
        ({**base, "cause": "NOPE", "origin": "floor"}, "cause"),
        ({**base, "cause": "MACHINE", "origin": "moon"}, "origin"),
        ({**base, "quantity": 10_000, "cause": "MACHINE", "origin": "floor"}, "quantity"),
        ({**base, "cause": "MACHINE", "origin": "floor", "description": "a\x00b"}, "description"),
    ]
    for body, field in cases:
        refused = post(api, "/ncrs", body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in [e["field"] for e in refused.json()["errors"]], refused.text
    not_failed = post(api, "/ncrs", {**base, "cause": "MACHINE", "origin": "inspection"})
    assert not_failed.status_code == 409
    assert api.client.get(f"{API}/ncrs/NCR-1999-0001", headers=api.auth("admin")).status_code == 404
    hidden = api.client.get(f"{API}/ncrs", headers=api.auth("alpina"))
    assert hidden.status_code == 403


def test_scrap_is_reported_with_a_cause_from_the_catalogue(api: ApiSession) -> None:
    wo = table_work_order(api)
    number, seq = wo["number"], wo["operations"][0]["seq"]
    assert report(api, number, seq, "start").status_code == 200
    none = report(api, number, seq, "complete", good=0, scrap=1)
    assert none.status_code == 422 and none.json()["errors"][0]["field"] == "scrap_cause"
    unknown = report(api, number, seq, "complete", good=0, scrap=1, scrap_cause="GREMLINS")
    assert unknown.status_code == 422 and "MACHINE" in unknown.json()["detail"]
    stray = report(api, number, seq, "complete", good=1, scrap=0, scrap_cause="MACHINE")
    assert stray.status_code == 422
    done = report(api, number, seq, "complete", good=0, scrap=1, scrap_cause="machine")
    assert done.status_code == 200, done.text
    causes = api.client.get(f"{API}/quality/causes", headers=api.auth("operator")).json()
    assert "MACHINE" in {c["code"] for c in causes if c["active"]}


def test_the_pages_raise_decide_and_refuse_with_the_reason(api: ApiSession) -> None:
    wo, qc, _pack = failed_qc(api)
    quality = Browser(TestClient(api.client.app)).sign_in("quality")
    page = quality.get(f"/quality/{wo['number']}/{qc}")
    assert "Raise an NCR" in page.text
    form = quality.get(f"/ncrs/new?work_order={wo['number']}&seq={qc}&origin=inspection")
    assert form.status_code == 200 and "Material defect" in form.text
    raised = quality.post(
        "/ncrs",
        work_order=wo["number"],
        seq=str(qc),
        quantity="1",
        origin="inspection",
        cause="MACHINE",
        description="Flatness 0.9 mm",
    )
    assert raised.status_code == 200 and "raised" in " ".join(flashes(raised))
    number = re.search(r"NCR-\d{4}-\d{4}", raised.text)
    assert number is not None
    listing = quality.get("/ncrs?status=open")
    assert number.group(0) in listing.text and "Open: waits" in listing.text
    bad = quality.post(f"/ncrs/{number.group(0)}/disposition", kind="rework", note="Plane it")
    assert "Rework names 1 to 9 steps." in flashes(bad)
    centre = next(o for o in wo["operations"] if o["seq"] == qc)["work_centres"][0]
    decided = quality.post(
        f"/ncrs/{number.group(0)}/disposition",
        kind="rework",
        note="Plane it",
        **{"centre-1": centre, "minutes-1": "20", "instruction-1": "Plane the top"},
    )
    assert any("replan is queued" in f for f in flashes(decided)), flashes(decided)
    assert "Verify and close" in decided.text and "Plane the top" in decided.text
    refused = quality.post(f"/ncrs/{number.group(0)}/close", note="done")
    assert any("second person" in f for f in flashes(refused))
    operator = Browser(TestClient(api.client.app)).sign_in("operator")
    assert "Decide (once)" not in operator.get(f"/ncrs/{number.group(0)}").text
    customer = Browser(TestClient(api.client.app)).sign_in("alpina")
    assert customer.get("/ncrs").status_code == 403

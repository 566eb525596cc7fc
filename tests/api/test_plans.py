"""The planning API: runs are accepted (202) and run by the job queue; bad input names the
field and stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orderforge.bootstrap import Application
from tests.api.support import API, ApiSession
from tests.api.test_bad_input import problem


def _drain(application: Application) -> None:
    if application.settings.job_backend == "procrastinate":
        from orderforge.adapters.jobs.procrastinate_queue import run_worker

        run_worker(application.settings.database_url, application.run_job, wait=False)
    else:
        application.ctx.jobs.wait(timeout=120)  # type: ignore[union-attr]


def _plan(api: ApiSession, application: Application) -> dict[str, Any]:
    headers = api.auth("planner")
    accepted = api.client.post(f"{API}/plans/runs", json={"time_limit": 1}, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "queued"  # never solved inside the request
    _drain(application)
    run = api.client.get(accepted.headers["location"], headers=headers).json()
    assert run["status"] == "done", run["error"]
    result: dict[str, Any] = run
    return result


def test_plan_run_and_the_current_plan(api: ApiSession, application: Application) -> None:
    run = _plan(api, application)
    headers = api.auth("sales")  # everyone on staff may read the plan
    current = api.client.get(f"{API}/plans/current", headers=headers).json()
    assert current["number"] == run["plan_version"] and current["current"]
    assert current["operations"] and current["orders"]
    same = api.client.get(f"{API}/plans/{current['number']}", headers=headers).json()
    assert same["operations"] == current["operations"]
    listed = api.client.get(f"{API}/plans", headers=headers).json()
    assert listed[0]["number"] == current["number"]
    number = current["orders"][0]["order_number"]
    order = api.client.get(f"{API}/orders/{number}", headers=headers).json()
    assert dt.datetime.fromisoformat(order["planned_finish"]) == dt.datetime.fromisoformat(
        current["orders"][0]["planned_finish"]
    )
    assert order["plan_version"] == current["number"]
    problem(api.client.get(f"{API}/plans/999999", headers=headers), 404)


BAD_REPLANS = [
    ("no-event", {"time_limit": 1}, "event"),
    ("unknown-kind", {"event": {"kind": "earthquake", "reason": "x"}}, "event"),
    (
        "plant-time-skipped-by-dst",  # the demo plant is in Europe/Berlin: 02:00 -> 03:00
        {
            "event": {
                "kind": "machine_down",
                "work_centre": "SAW-BEAM",
                "start": "2027-03-28T02:30:00",
                "end": "2027-03-28T08:00:00",
                "reason": "x",
            }
        },
        "start",
    ),
    (
        "not-a-time",
        {
            "event": {
                "kind": "machine_down",
                "work_centre": "SAW-BEAM",
                "start": "tomorrow",
                "end": "2026-11-26T08:00:00",
                "reason": "x",
            }
        },
        "event.machine_down.start",
    ),
    (
        "unknown-centre",
        {
            "event": {
                "kind": "machine_down",
                "work_centre": "LASER",
                "start": "2026-11-26T06:00:00Z",
                "end": "2026-11-26T08:00:00Z",
                "reason": "x",
            }
        },
        "work_centre",
    ),
    (
        "ends-before-start",
        {
            "event": {
                "kind": "machine_down",
                "work_centre": "SAW-BEAM",
                "start": "2026-11-26T08:00:00Z",
                "end": "2026-11-26T06:00:00Z",
                "reason": "x",
            }
        },
        "end",
    ),
    (
        "zero-overrun",
        {
            "event": {
                "kind": "operation_overrun",
                "operation": "X",
                "extra_minutes": 0,
                "reason": "x",
            }
        },
        "event.operation_overrun.extra_minutes",
    ),
    (
        "time-limit",
        {"event": {"kind": "rush_order", "order": "X", "reason": "x"}, "time_limit": 0},
        "time_limit",
    ),
]


@pytest.mark.parametrize(("body", "field"), [pytest.param(b, f, id=i) for i, b, f in BAD_REPLANS])
def test_bad_replans_name_the_field_and_store_nothing(
    api: ApiSession, body: dict[str, Any], field: str
) -> None:
    headers = api.auth("planner")
    before = api.client.get(f"{API}/plans/runs", headers=headers).json()
    downtimes = api.client.get(f"{API}/plans/downtimes", headers=headers).json()
    problem(api.client.post(f"{API}/plans/replan", json=body, headers=headers), 422, field)
    assert api.client.get(f"{API}/plans/runs", headers=headers).json() == before
    assert api.client.get(f"{API}/plans/downtimes", headers=headers).json() == downtimes


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_breakdown_typed_without_offset_is_plant_time(
    api: ApiSession, application: Application
) -> None:
    headers = api.auth("planner")
    event = {
        "kind": "machine_down",
        "work_centre": "SAW-BEAM",
        "start": "2026-11-26T06:00",  # Berlin wall clock in winter: 05:00 UTC
        "end": "2026-07-01T14:00",  # summer: 12:00 UTC; ends before it starts
        "reason": "blade change",
    }
    before = api.client.get(f"{API}/plans/downtimes", headers=headers).json()
    problem(api.client.post(f"{API}/plans/replan", json={"event": event}, headers=headers), 422)
    assert api.client.get(f"{API}/plans/downtimes", headers=headers).json() == before
    event["end"] = "2026-11-26T14:00"
    body = {"event": event, "time_limit": 0.5}
    accepted = api.client.post(f"{API}/plans/replan", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    trigger = accepted.json()["trigger"]
    assert _instant(trigger["start"]) == dt.datetime(2026, 11, 26, 5, tzinfo=dt.UTC)
    _drain(application)
    [downtime] = [
        d
        for d in api.client.get(f"{API}/plans/downtimes", headers=headers).json()
        if d not in before
    ]
    assert _instant(downtime["start"]) == dt.datetime(2026, 11, 26, 5, tzinfo=dt.UTC)
    assert _instant(downtime["end"]) == dt.datetime(2026, 11, 26, 13, tzinfo=dt.UTC)


def test_pins_over_http(api: ApiSession, application: Application) -> None:
    _plan(api, application)
    headers = api.auth("planner")
    ops = api.client.get(f"{API}/plans/current", headers=headers).json()["operations"]
    op = max(ops, key=lambda o: o["start"])
    body = {"operation": op["key"], "resource": "NOT-A-UNIT"}
    refused = problem(
        api.client.post(f"{API}/plans/pins", json=body, headers=headers), 422, "resource"
    )
    assert op["resource"] in refused["detail"]
    body = {"operation": op["key"], "resource": op["resource"], "not_before": "soon"}
    problem(api.client.post(f"{API}/plans/pins", json=body, headers=headers), 422, "not_before")
    body["not_before"] = "2026-12-01T08:00:00Z"
    pin = api.client.post(f"{API}/plans/pins", json=body, headers=headers)
    assert pin.status_code == 201, pin.text
    assert _instant(pin.json()["not_before"]) == dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    body["not_before"] = "2026-12-01T08:00"  # no offset: the plant's wall clock (Berlin, CET)
    pin = api.client.post(f"{API}/plans/pins", json=body, headers=headers)
    assert pin.status_code == 201, pin.text
    assert _instant(pin.json()["not_before"]) == dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    assert [p["id"] for p in api.client.get(f"{API}/plans/pins", headers=headers).json()] == [
        pin.json()["id"]
    ]
    gone = api.client.delete(f"{API}/plans/pins/{pin.json()['id']}", headers=headers)
    assert gone.status_code == 204
    problem(api.client.delete(f"{API}/plans/pins/{pin.json()['id']}", headers=headers), 404)


def test_run_options_are_kept_with_the_run(api: ApiSession, application: Application) -> None:
    headers = api.auth("planner")
    body = {"time_limit": 0.5, "displace": True, "min_gain_minutes": 30}
    accepted = api.client.post(f"{API}/plans/runs", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["options"] == {"displace": True, "min_gain_minutes": 30}
    _drain(application)
    run = api.client.get(accepted.headers["location"], headers=headers).json()
    assert run["status"] == "done", run["error"]
    assert run["options"] == {"displace": True, "min_gain_minutes": 30}
    again = api.client.post(f"{API}/plans/runs", json={"time_limit": 0.5}, headers=headers)
    assert again.json()["options"] == {"displace": False, "min_gain_minutes": 120}
    _drain(application)
    current = api.client.get(f"{API}/plans/current", headers=headers).json()
    assert current["based_on"] == run["plan_version"]
    assert 0 <= current["moved_operations"] <= current["comparable_operations"]
    assert current["comparable_operations"] > 0
    assert all(isinstance(o["waits"], list) for o in current["orders"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_gain_minutes": -1}, "min_gain_minutes"),
        ({"min_gain_minutes": 100_000}, "min_gain_minutes"),
        ({"min_gain_minutes": "many"}, "min_gain_minutes"),
        ({"displace": "perhaps"}, "displace"),
    ],
)
def test_bad_run_options_name_the_field_and_queue_nothing(
    api: ApiSession, body: dict[str, Any], field: str
) -> None:
    headers = api.auth("planner")
    before = api.client.get(f"{API}/plans/runs", headers=headers).json()
    problem(api.client.post(f"{API}/plans/runs", json=body, headers=headers), 422, field)
    replan = {"event": {"kind": "rush_order", "order": "X", "reason": "x"}, **body}
    problem(api.client.post(f"{API}/plans/replan", json=replan, headers=headers), 422, field)
    assert api.client.get(f"{API}/plans/runs", headers=headers).json() == before

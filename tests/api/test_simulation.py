"""Confidence studies over HTTP on the demo plant: queued and run by a worker, one entry
per open planned order with sound figures, the deterministic replay agreeing with the
plan, customers kept out, bad parameters refused with the field named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orderforge.bootstrap import Application
from orderforge.domain.user import Role
from tests.api.support import API, ROLE_USER, ApiSession, drain_jobs
from tests.api.test_shipping import csrf_of, signed_in

S = f"{API}/simulations"


@pytest.fixture(scope="module")
def planned(api: ApiSession, application: Application) -> dict[str, Any]:
    """The demo planned once for the module (a study needs a plan): the plan's orders."""
    headers = api.auth("planner")
    accepted = api.client.post(f"{API}/plans/runs", json={"time_limit": 1}, headers=headers)
    assert accepted.status_code == 202, accepted.text
    drain_jobs(application)
    run = api.client.get(accepted.headers["location"], headers=headers).json()
    assert run["status"] == "done", run["error"]
    current: dict[str, Any] = api.client.get(f"{API}/plans/current", headers=headers).json()
    return current


def _study(api: ApiSession, body: dict[str, Any], as_user: str = "planner") -> dict[str, Any]:
    accepted = api.client.post(f"{S}/plan-confidence", json=body, headers=api.auth(as_user))
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "queued"  # a worker runs it, never the request
    assert accepted.headers["Location"] == f"/api/v1/simulations/{accepted.json()['id']}"
    drain_jobs(api.application)
    done: dict[str, Any] = api.client.get(
        accepted.headers["Location"], headers=api.auth(as_user)
    ).json()
    assert done["status"] == "done", done["error"]
    return done


def _unfinished_orders(planned: dict[str, Any]) -> set[str]:
    """Orders of the plan with work the floor has not finished (done work is frozen)."""
    ops = planned["operations"]
    return {o["order_number"] for o in ops if not o["frozen"]}


def test_a_study_gives_every_open_planned_order_its_chance(
    api: ApiSession, planned: dict[str, Any]
) -> None:
    run = _study(api, {"replications": 12, "seed": 7}, as_user="sales")
    result = run["result"]
    assert result["replications"] == 12 and result["seed"] == 7
    assert result["plan_version"] == planned["number"]
    entries = {e["order"]: e for e in result["orders"]}
    assert _unfinished_orders(planned) <= set(entries)
    for entry in entries.values():
        assert entry["on_time"] is None or 0 <= entry["on_time"] <= 1
        p50, p80, p95 = (
            dt.datetime.fromisoformat(entry["finish_at"][k]) for k in ("p50", "p80", "p95")
        )
        assert p50 <= p80 <= p95
        assert entry["customer"] and entry["planned_finish"]
        assert entry["promise_basis"] in ("promise", "requested", None)
    assert set(result["kpis"]["utilisation"]) <= {v["work_centre"] for v in result["variability"]}
    assert all(0 <= u <= 1 for u in result["kpis"]["utilisation"].values())
    assert set(result["defaulted"]) == {
        v["work_centre"] for v in result["variability"] if v["source"] == "default"
    }
    listed = api.client.get(S, headers=api.auth("purchasing")).json()
    assert run["id"] in [r["id"] for r in listed]
    number = next(iter(entries))
    mine = api.client.get(f"{API}/orders/{number}/confidence", headers=api.auth("admin"))
    assert mine.status_code == 200, mine.text
    latest = mine.json()
    assert latest["order"] == number and latest["run_id"] >= run["id"]


def test_with_no_spread_an_order_is_on_time_exactly_when_the_plan_says_so(
    api: ApiSession, planned: dict[str, Any]
) -> None:
    run = _study(api, {"replications": 3, "learn": False, "default_cv": 0})
    checked = 0
    for entry in run["result"]["orders"]:
        if entry["due"] is None:
            continue
        finish = dt.datetime.fromisoformat(entry["planned_finish"])
        expected = 1.0 if finish <= dt.datetime.fromisoformat(entry["due"]) else 0.0
        assert entry["on_time"] == expected, entry
        assert entry["finish_at"]["p95"] == entry["planned_finish"], entry
        checked += 1
    assert checked > 0


def test_customers_never_see_studies(api: ApiSession, planned: dict[str, Any]) -> None:
    customer = api.auth(ROLE_USER[Role.CUSTOMER])
    assert api.client.get(S, headers=customer).status_code == 403
    refused = api.client.post(f"{S}/plan-confidence", json={}, headers=customer)
    assert refused.status_code == 403
    number = planned["operations"][0]["order_number"]
    assert api.client.get(f"{API}/orders/{number}/confidence", headers=customer).status_code in (
        403,
        404,
    )
    for role in (Role.ENGINEER, Role.OPERATOR, Role.QUALITY):
        assert api.client.get(S, headers=api.auth(ROLE_USER[role])).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"replications": 0}, "replications"),
        ({"replications": 10**9}, "replications"),
        ({"seed": -1}, "seed"),
        ({"default_cv": -0.5}, "default_cv"),
        ({"hold_to_plan": "maybe"}, "hold_to_plan"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_name_the_field_and_queue_nothing(
    api: ApiSession, body: dict[str, Any], field: str
) -> None:
    admin = api.auth("admin")
    before = len(api.client.get(S, headers=admin).json())
    response = api.client.post(f"{S}/plan-confidence", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert len(api.client.get(S, headers=admin).json()) == before


def test_unknown_study_and_order_are_404(api: ApiSession) -> None:
    admin = api.auth("admin")
    assert api.client.get(f"{S}/999999", headers=admin).status_code == 404
    assert api.client.get(f"{API}/orders/SO-1999-0001/confidence", headers=admin).status_code == 404


def test_the_page_queues_a_study_and_shows_the_chances_in_words(
    api: ApiSession, planned: dict[str, Any]
) -> None:
    browser = signed_in(api, "planner")
    page = browser.get("/simulations")
    assert page.status_code == 200, page.text
    assert "Run a new study" in page.text
    assert 'href="/simulations"' in browser.get("/dashboard").text  # reached from there
    asked = browser.post(
        "/simulations", data={"replications": "6", "seed": "2", "csrf": csrf_of(page)}
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/simulations"
    # the in-process worker may already be on it: the flash says what was asked
    assert "queued: a worker runs it" in browser.get("/simulations").text
    drain_jobs(api.application)
    done = browser.get("/simulations").text
    run = api.client.get(S, headers=api.auth("planner")).json()[0]
    assert run["status"] == "done" and f"Study {run['id']}" in done
    entries = run["result"]["orders"]
    assert all(e["order"] in done for e in entries)
    risky = [e for e in entries if e["on_time"] is not None and e["on_time"] < 0.8]
    assert done.count('class="at-risk"') == len(risky)
    promised = next(e for e in entries if e["promise_basis"] == "promise")
    order_page = browser.get(f"/orders/{promised['order']}").text
    percent = round(promised["on_time"] * 100)
    sentence = f"Chance of meeting the promise: {percent} % (80 % date".replace(" %", "\u00a0%")
    assert sentence in order_page


def test_the_page_is_staff_only_and_read_only_for_purchasing(
    api: ApiSession, planned: dict[str, Any]
) -> None:
    buyer = signed_in(api, "purchasing")
    page = buyer.get("/simulations")
    assert page.status_code == 200 and "Run a new study" not in page.text
    refused = buyer.post("/simulations", data={"replications": "3", "csrf": csrf_of(page)})
    assert "No study was queued" in buyer.get(refused.headers["location"]).text
    portal = ROLE_USER[Role.CUSTOMER]
    customer = signed_in(api, portal)
    assert customer.get("/simulations").status_code == 403
    mine = api.client.get(f"{API}/orders", headers=api.auth(portal)).json()
    number = (mine["items"] if isinstance(mine, dict) else mine)[0]["number"]
    own = customer.get(f"/orders/{number}")
    assert own.status_code == 200
    assert "Chance of meeting" not in own.text and 'href="/simulations"' not in own.text


def test_a_large_study_is_shared_out_in_batches_and_merged(
    api: ApiSession, planned: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orderforge.simulation import services

    monkeypatch.setattr(services, "FANOUT_BATCH", 4)
    monkeypatch.setattr(services, "POLL_SECONDS", 0.05)
    run = _study(api, {"replications": 10, "seed": 3})
    assert run["result"]["replications"] == 10
    admin = api.auth("admin")
    batches = [api.client.get(f"{S}/{run['id'] + i}", headers=admin).json() for i in range(1, 4)]
    assert [b["kind"] for b in batches] == ["plan_confidence_batch"] * 3
    assert [b["params"]["first_seed"] for b in batches] == [3, 7, 11]
    assert all(b["status"] == "done" and b["params"]["parent"] == run["id"] for b in batches)
    listed = [r["id"] for r in api.client.get(S, headers=admin).json()]
    assert not set(listed) & {b["id"] for b in batches}  # the list shows studies only

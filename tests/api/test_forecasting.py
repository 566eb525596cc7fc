"""Forecasts over HTTP on the demo: a planner asks for one (202, a worker fits the models),
reads it back (a series per product family with its model, its backtest beside the
baseline and weekly forecasts whose intervals hold the point), and bad parameters are
refused naming the field, with nothing queued."""

from __future__ import annotations

from typing import Any

from tests.api.support import API, ApiSession, drain_jobs
from tests.api.test_shipping import csrf_of, signed_in

F = f"{API}/forecasts"


def _runs(api: ApiSession) -> list[dict[str, Any]]:
    response = api.client.get(F, headers=api.auth("planner"))
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_planner_asks_for_a_forecast_and_reads_it(api: ApiSession) -> None:
    planner = api.auth("planner")
    asked = api.client.post(F, json={"horizon_weeks": 6, "history_weeks": 60}, headers=planner)
    assert asked.status_code == 202, asked.text
    run = asked.json()
    assert run["status"] == "queued" and asked.headers["Location"] == f"{F}/{run['id']}"
    drain_jobs(api.application)
    done = api.client.get(f"{F}/{run['id']}", headers=planner).json()
    assert done["status"] == "done" and done["progress"] == 1.0, done
    result = done["result"]
    assert result["horizon_weeks"] == 6 and result["history"]["weeks"] == 60
    assert result["history"]["orders"] > 0
    families = {s["key"]: s for s in result["series"] if s["kind"] == "family"}
    assert {"TABLE", "SEATING", "CABINET", "COUCH", "WALL-PANEL"} <= set(families)
    table = families["TABLE"]
    assert table["label"] and table["unit"] == "units" and len(table["history"]) == 60
    assert sum(w["value"] for w in table["history"]) > 0, "the demo's tables were confirmed"
    assert table["baseline"]["model"] and table["accuracy"]["model"] == table["model"]
    for s in result["series"]:
        assert len(s["forecast"]) == 6
        for w in s["forecast"]:
            assert 0 <= w["lower_95"] <= w["lower_80"] <= w["point"] + 1e-9
            assert w["point"] <= w["upper_80"] + 1e-9 <= w["upper_95"] + 2e-9
    capacity = result["capacity"]
    assert capacity["work_centres"] and capacity["start_delay_weeks"] >= 0
    for centre in capacity["work_centres"]:
        assert len(centre["weeks"]) == 6 and centre["name"]
        for w in centre["weeks"]:
            asked = w["committed_hours"] + w["forecast_hours"]
            assert min(asked, w["available_hours"]) >= 0
            if w["available_hours"]:
                assert abs(w["load"] - asked / w["available_hours"]) < 0.01
            assert (
                w["overloaded"] == (asked > w["available_hours"] + 0.05)
                or abs(asked - w["available_hours"]) <= 0.05
            )
    assert any(w["forecast_hours"] > 0 for c in capacity["work_centres"] for w in c["weeks"])
    # common modules: bought parts nearly every order of a family uses, in words
    modules = {m["item_code"]: m for m in result["common_modules"]}
    assert modules, "the demo's families share bought parts"
    budget = result["material_budget_days"]
    for module in modules.values():
        assert module["label"].endswith(f"({module['item_code']})") and module["unit"]
        assert module["basis"].startswith("common module of ")
        assert module["long_lead"] == (
            module["lead_time_days"] is not None and module["lead_time_days"] > budget
        )
        for use in module["families"]:
            assert use["share"] >= 0.8 and use["per_unit"] > 0 and use["name"] in module["basis"]
    for proposal in result["buy_ahead"]:
        assert proposal["basis"] == (
            modules[proposal["item_code"]]["basis"]
            if proposal["item_code"] in modules
            else "its own history"
        )
    latest = api.client.get(f"{F}/latest", headers=api.auth("sales")).json()
    assert latest["id"] >= run["id"]
    assert api.client.post(f"{F}/{run['id']}/cancel", headers=planner).status_code == 409
    buyer = api.auth("purchasing")
    nothing = api.client.post(f"{F}/{run['id']}/buy-ahead/GLUE-PUR", headers=buyer)
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["field"] == "item_code"
    outsider = api.client.post(f"{F}/{run['id']}/buy-ahead/GLUE-PUR", headers=api.auth("alpina"))
    assert outsider.status_code == 403


def test_bad_parameters_are_refused_with_the_field_and_nothing_queued(api: ApiSession) -> None:
    planner = api.auth("planner")
    before = len(_runs(api))
    for body, field in (
        ({"horizon_weeks": 0}, "horizon_weeks"),
        ({"horizon_weeks": 27}, "horizon_weeks"),
        ({"history_weeks": 10}, "history_weeks"),
        ({"horizon_weeks": 26, "history_weeks": 104}, "history_weeks"),
        ({"horizon_weeks": "soon"}, "horizon_weeks"),
        ({"weeks": 4}, "weeks"),
    ):
        refused = api.client.post(F, json=body, headers=planner)
        assert refused.status_code == 422, (body, refused.text)
        assert field in {e["field"] for e in refused.json()["errors"]}, refused.text
    assert len(_runs(api)) == before
    assert api.client.get(f"{F}/999999", headers=planner).status_code == 404
    assert api.client.get(F, headers=api.auth("alpina")).status_code == 403


def test_the_forecast_page_asks_for_a_run_and_shows_it_in_words(api: ApiSession) -> None:
    browser = signed_in(api, "planner")
    page = browser.get("/forecasts")
    assert page.status_code == 200, page.text
    asked = browser.post(
        "/forecasts",
        data={"horizon_weeks": "4", "history_weeks": "40", "csrf": csrf_of(page)},
    )
    assert asked.status_code == 303
    drain_jobs(api.application)
    shown = browser.get("/forecasts").text
    assert "Product families" in shown and "Dining &amp; conference table" in shown
    assert 'id="forecast-data"' in shown and "forecast_charts.js" in shown
    assert "Next 4 weeks: about" in shown and "80 % range" in shown
    assert "Capacity load in the coming weeks" in shown
    refused = browser.post(
        "/forecasts",
        data={"horizon_weeks": "26", "history_weeks": "40", "csrf": csrf_of(page)},
    )
    assert refused.status_code == 303
    assert "history_weeks" in browser.get("/forecasts").text
    operator = signed_in(api, "operator")
    assert 'href="/forecasts"' not in operator.get("/orders").text
    assert operator.get("/forecasts").status_code == 403


def test_the_dashboard_shows_the_plant_in_figures_to_staff_only(api: ApiSession) -> None:
    browser = signed_in(api, "planner")
    page = browser.get("/dashboard")
    assert page.status_code == 200, page.text
    text = page.text
    for section in ("intake", "lead-time", "load", "wip", "fpy", "forecast"):
        assert f'id="{section}"' in text, section
    assert 'id="dashboard-data"' in text and "dashboard_charts.js" in text
    assert "Final inspection:" in text and "First-pass yield" in text
    assert "From 20" in text  # the yield's period in dates
    assert signed_in(api, "operator").get("/dashboard").status_code == 403
    assert signed_in(api, "alpina").get("/dashboard").status_code == 403

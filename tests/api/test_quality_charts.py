"""Quality charts over HTTP: a table's final inspection shows on the control chart (as the
deviation from the ordered length), its scrap and rework count against the yield of the
work centre, scrap counts against its cause; customers see none of it; bad
queries are refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import API, ApiSession
from tests.api.test_permissions import assert_problem
from tests.api.test_quality import record, report, run_until, table_work_order

CONTROL = f"{API}/quality/charts/control"


def _get(api: ApiSession, path: str, as_user: str = "quality", **params: str) -> Any:
    return api.client.get(path, params=params, headers=api.auth(as_user))


def test_results_and_completions_reach_the_charts(api: ApiSession) -> None:
    work_order = table_work_order(api)
    number, quantity = work_order["number"], work_order["quantity"]
    qc, _ = run_until(api, work_order, "QC")
    length = float(work_order["spec"]["length"])
    before_pareto = _get(api, f"{API}/quality/scrap-pareto").json()
    before_fpy = _get(api, f"{API}/quality/first-pass-yield").json()
    # unit 1 within limits; then a failing flatness re-inspected after rework
    assert (
        record(
            api, number, qc, {"values": {"length": {"value": str(length + 1.5), "unit": "mm"}}}
        ).status_code
        == 200
    )
    assert (
        record(
            api, number, qc, {"values": {"flatness": {"value": "0.9", "unit": "mm"}}}
        ).status_code
        == 200
    )
    assert (
        record(
            api, number, qc, {"values": {"flatness": {"value": "0.2", "unit": "mm"}}}
        ).status_code
        == 200
    )
    done = report(api, number, qc, "complete", good=quantity, scrap=1, scrap_cause="HANDLING")
    assert done.status_code == 200, done.text

    chart = _get(api, CONTROL, family="TABLE", operation="QC", characteristic="length").json()
    mine = [p for p in chart["measurements"] if p["work_order"] == number]
    assert [p["value"] for p in mine] == [1.5]  # the deviation from the ordered length
    assert chart["spec"] == {"lower": -2.0, "upper": 2.0}
    assert chart["plotted"].startswith("deviation from the ordered length")
    assert chart["capability"]["minimum"] == 20
    flat = _get(api, CONTROL, family="table", operation="QC", characteristic="flatness").json()
    assert [p["value"] for p in flat["measurements"] if p["work_order"] == number] == [0.9]

    fpy = _get(api, f"{API}/quality/first-pass-yield").json()
    assert "first attempt" in fpy["definition"]
    assert fpy["total"]["entered"] - before_fpy["total"]["entered"] >= quantity + 1
    qc_before = {r["work_centre"]: r for r in before_fpy["work_centres"]}
    qc_row = next(
        r
        for r in fpy["work_centres"]
        if r["reworked"] > qc_before.get(r["work_centre"], {"reworked": 0})["reworked"]
    )
    assert qc_row["first_pass"] < qc_row["entered"]

    pareto = _get(api, f"{API}/quality/scrap-pareto").json()
    assert pareto["total"] == before_pareto["total"] + 1

    def handled(body: dict[str, Any]) -> int:
        return sum(c["quantity"] for c in body["causes"] if c["cause"] == "HANDLING")

    assert handled(pareto) == handled(before_pareto) + 1
    assert pareto["causes"][-1]["cumulative_percent"] == 100.0


@pytest.mark.parametrize("path", ["/quality/first-pass-yield", "/quality/scrap-pareto"])
def test_customers_see_no_quality_figures(api: ApiSession, path: str) -> None:
    assert_problem(_get(api, f"{API}{path}", as_user="alpina"), 403)
    assert _get(api, f"{API}{path}", as_user="planner").status_code == 200


def test_a_customer_sees_no_control_chart(api: ApiSession) -> None:
    response = _get(
        api, CONTROL, as_user="alpina", family="TABLE", operation="QC", characteristic="length"
    )
    assert_problem(response, 403)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"family": "NOPE", "operation": "QC", "characteristic": "length"}, 404, None),
        ({"family": "TABLE", "operation": "QC", "characteristic": "colour"}, 422, "characteristic"),
        ({"family": "TABLE", "operation": "QC", "characteristic": "<b>"}, 422, "characteristic"),
        ({"family": "TABLE", "operation": "QC"}, 422, "characteristic"),
    ],
)
def test_bad_chart_queries_are_refused(
    api: ApiSession, params: dict[str, str], status: int, field: str | None
) -> None:
    body = assert_problem(_get(api, CONTROL, **params), status)
    if field is not None:
        assert field in str(body)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ({"from": "2010-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_periods_are_refused(api: ApiSession, params: dict[str, str], field: str) -> None:
    for path in ("first-pass-yield", "scrap-pareto"):
        body = assert_problem(_get(api, f"{API}/quality/{path}", **params), 422)
        assert field in str(body)

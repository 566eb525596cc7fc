"""A nonconformance in the browser, on a tablet: a table's final inspection fails, quality
raises an NCR from the inspection page and decides rework; the rework operations are
added to the work order and a replan is queued. The server's worker runs that replan and
the planner's schedule board shows the rework in the table's plan. The floor's reports
that bring the table to its final inspection go through the API with the operator's
browser session."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_changes import tablet
from tests.e2e.test_schedule import board_data, chart_item, wait_for_chart

pytestmark = pytest.mark.e2e

#: How long the NCR's replan (10 s solver limit) may take on a busy machine.
RUN_SECONDS = 120.0


def _csrf(page: Page) -> str:
    page.goto("/account")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token, "the account page carries the session's CSRF token"
    return token


def table_at_final_inspection(page: Page) -> tuple[dict[str, Any], int]:
    """An open table work order walked by the operator up to its QC operation, started."""
    csrf = {"x-csrf-token": _csrf(page)}
    listing = page.request.get("/api/v1/work-orders?limit=200")
    assert listing.ok, listing.text()
    for wo in listing.json():
        qc = [o for o in wo["operations"] if o["routing_key"].rsplit("/", 1)[-1] == "QC"]
        fresh = all(o["status"] in ("ready", "waiting") for o in wo["operations"])
        if wo["product_family"] == "TABLE" and wo["status"] == "open" and qc and fresh:
            order = page.request.get(f"/api/v1/orders/{wo['order_number']}").json()
            if order["state"] in ("released", "in_production"):  # the floor may work on it
                break
    else:
        raise AssertionError("the demo has no open table work order")
    base = f"/api/v1/work-orders/{wo['number']}/operations"
    for op in wo["operations"]:
        assert page.request.post(f"{base}/{op['seq']}/start", headers=csrf).ok
        if op["seq"] == qc[0]["seq"]:
            return wo, op["seq"]
        done = page.request.post(
            f"{base}/{op['seq']}/complete", data={"good": wo["quantity"]}, headers=csrf
        )
        assert done.ok, done.text()
    raise AssertionError("unreachable: QC is one of the operations")


def finished_run(page: Page, run_id: int) -> dict[str, Any]:
    """The plan run once the server's worker has ended it, asked for as the board's run
    panel asks (done, failed or cancelled; still running after RUN_SECONDS fails)."""
    deadline = time.monotonic() + RUN_SECONDS
    while True:
        answer = page.request.get(f"/api/v1/plans/runs/{run_id}")
        assert answer.ok, answer.text()
        run: dict[str, Any] = answer.json()
        if run["status"] not in ("queued", "running"):
            return run
        if time.monotonic() > deadline:
            pytest.fail(f"plan run {run_id} is still {run['status']} after {RUN_SECONDS:.0f} s")
        time.sleep(0.5)


def show_in_chart(page: Page, order_number: str, key: str) -> None:
    """Bring an operation into the drawn chart: the board's own focusOrder (what the "Show
    ... in the chart" button of a late or waiting order does) puts the order's remaining
    work in view, then the window closes in on the operation, as a planner would with
    Ctrl + scroll. (Written when opening the board with ?focus=<key> could leave the chart
    hidden; the board now waits for its first drawing, so ?focus= would do too.)"""
    page.evaluate(
        """([number, key]) => {
            const chart = window.orderforgeSchedule;
            chart.focusOrder(number);
            const op = chart.items.get(key);
            const margin = 2 * 3600 * 1000;
            const [start, end] = [op.start.getTime() - margin, op.end.getTime() + margin];
            chart.timeline.setWindow(start, end, { animation: false });
        }""",
        [order_number, key],
    )


def test_ncr_rework_is_decided_and_the_replanned_board_shows_it(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    operator = tablet(browser, server_url, "operator")
    wo, qc = table_at_final_inspection(operator)
    operator.context.close()

    quality = tablet(browser, server_url, "quality")
    quality.goto(f"/quality/{wo['number']}/{qc}")
    form = quality.locator("#record-form")
    form.locator("input[name='value-flatness']").fill("0.9")
    form.get_by_role("button", name="Record").click()
    expect(quality.locator("#inspection-status")).to_contain_text("Failed")
    quality.locator("#raise-ncr").get_by_role("link", name="Raise an NCR").click()
    ncr = quality.locator("#ncr-form")
    expect(ncr.get_by_label("Work order")).to_have_value(wo["number"])
    ncr.get_by_label("Cause").select_option("MATERIAL")
    ncr.get_by_label("What is wrong").fill("Top bows 0.9 mm over 1 m")
    ncr.get_by_role("button", name="Raise the NCR").click()
    expect(quality.locator(".flash").first).to_contain_text("raised")
    number = re.search(r"NCR-\d{4}-\d{4}", quality.locator("h1").inner_text())
    assert number is not None
    expect(quality.locator("#ncr-status")).to_contain_text("Open")
    expect(quality.locator("section.card").first).to_contain_text(
        "Material defect (knots, cracks, wrong grade)"
    )

    decide = quality.locator("#disposition-form")
    decide.get_by_label("Disposition").select_option("rework")
    decide.get_by_label("Why").fill("Plane the top flat and re-oil it.")
    inspection = next(o for o in wo["operations"] if o["seq"] == qc)
    centre, qc_key = inspection["work_centres"][0], inspection["routing_key"]
    decide.locator("input[name='centre-1']").fill(centre)
    decide.locator("input[name='minutes-1']").fill("30")
    decide.locator("input[name='instruction-1']").fill("Plane the top flat")
    decide.get_by_role("button", name="Decide").click()
    expect(quality.locator(".flash").first).to_contain_text("replan is queued")
    expect(quality.locator("#ncr-status")).to_contain_text("Decided")
    expect(quality.locator("#disposition")).to_contain_text(f"{qc + 1}")
    expect(quality.locator("#ncr-outstanding")).to_contain_text("not done")
    wide = quality.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the NCR page scrolls sideways by {wide}px at 1024x768"
    quality.screenshot(path=screenshots / "ncr-rework-tablet.png", full_page=True)

    added = quality.request.get(f"/api/v1/work-orders/{wo['number']}").json()
    rework = next(o for o in added["operations"] if o["seq"] == qc + 1)
    runs = quality.request.get("/api/v1/plans/runs").json()
    items = runs["items"] if isinstance(runs, dict) else runs
    replan = next(r for r in items if r["trigger"].get("ncr") == number.group(0))
    quality.context.close()

    # The worker runs the queued replan; the planner opens the board on it.
    planner = tablet(browser, server_url, "planner")
    run = finished_run(planner, replan["id"])
    assert run["status"] == "done", run.get("error")
    key = f"{wo['order_number']}/{wo['line_no']}/{rework['routing_key']}"
    planner.goto(f"/schedule?view=order&run={run['id']}")
    expect(planner.locator("#run-status")).to_have_text("done")
    expect(planner.locator("#plan-version")).to_have_text(f"version {run['plan_version']}")
    expect(planner.locator("#plan-summary")).to_contain_text(
        f"Replan: {number.group(0)} adds rework work to {wo['number']}"
    )
    wait_for_chart(planner)
    show_in_chart(planner, wo["order_number"], key)
    bar = chart_item(planner, key)
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(f"Rework ({number.group(0)}): Plane the top flat")
    ops = {o["key"]: o for o in board_data(planner)["operations"]}
    unit = ops[key]["resource"]
    bar.click()  # its details, in the board's status line
    expect(planner.locator("#board-status")).to_contain_text(
        f"{wo['order_number']} · Rework ({number.group(0)}): Plane the top flat on {unit}"
    )
    row = planner.locator("#plan-table tr", has_text=key)
    expect(row).to_contain_text(f"Rework ({number.group(0)}): Plane the top flat")
    expect(row).to_contain_text(centre)
    # Drawn in the order's row of the chart, after the inspection it reworks.
    bar.scroll_into_view_if_needed()
    label = planner.locator(".vis-label", has_text=wo["order_number"]).bounding_box()
    box = bar.bounding_box()
    assert label is not None and box is not None
    assert label["y"] <= box["y"] + box["height"] / 2 <= label["y"] + label["height"]
    inspected = ops[f"{wo['order_number']}/{wo['line_no']}/{qc_key}"]
    assert dt.datetime.fromisoformat(ops[key]["start"]) >= dt.datetime.fromisoformat(
        inspected["end"]
    )
    planner.screenshot(path=screenshots / "ncr-rework-schedule-tablet.png")
    planner.context.close()

"""The planner's schedule board (/schedule): Gantt chart, pins, replans, breakdowns.

Same real server and Chromium as test_browser.py. The demo has no plan at first: the
first test to need one makes it with "Plan now" (as the planner), later ones reuse it.
Runs use a 2-second time limit; waiting for one allows far longer, because the machine
may be busy. Every pin a test makes is removed again, so the tests pass in any order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import sign_in, signed_in

pytestmark = pytest.mark.e2e

#: A plan run: building the problem, solving for 2 s, storing, the page reloading.
RUN_MS = 120_000
RUN_SECONDS = "2"
VERSION = re.compile(r"^version (\d+)$")


# -- helpers -------------------------------------------------------------------


def open_schedule(page: Page, query: str = "") -> None:
    page.goto(f"/schedule{query}")
    expect(page.get_by_role("heading", name=re.compile(r"^Schedule"), level=1)).to_be_visible()


def version_shown(page: Page) -> int:
    heading = page.locator("#plan-version")
    expect(heading).to_have_text(VERSION)
    match = VERSION.match(heading.inner_text().strip())
    assert match is not None
    return int(match.group(1))


def ensure_plan(page: Page) -> int:
    """The current plan's version; makes the first plan with "Plan now" when there is none
    (the page must be signed in as someone who may run plans)."""
    open_schedule(page)
    if page.locator("#no-plan").count():
        expect(page.get_by_role("heading", name="No plan yet")).to_be_visible()
        page.get_by_label("Time limit (s)", exact=True).fill(RUN_SECONDS)
        page.get_by_role("button", name="Plan now").click()
        expect(page.locator("#run-panel")).to_be_visible()
        expect(page.locator("#plan-version")).to_be_visible(timeout=RUN_MS)
    return version_shown(page)


def board_data(page: Page) -> dict[str, Any]:
    """What the page drew, as the server gave it to the script."""
    data: dict[str, Any] = page.evaluate(
        "JSON.parse(document.getElementById('board-data').textContent)"
    )
    return data


def chart_item(page: Page, key: str) -> Locator:
    """The Gantt bar of one operation (its content carries the key)."""
    return page.locator(".vis-item.op", has=page.locator(f'[data-op="{key}"]'))


def wait_for_chart(page: Page) -> None:
    expect(page.locator("#gantt.ready")).to_be_visible()
    expect(page.locator(".vis-item.op").first).to_be_visible()


def plant_time(iso: str, zone: str, **shift: float) -> str:
    """An ISO moment as a datetime-local value in the plant's zone, shifted."""
    moment = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)) + dt.timedelta(**shift)
    return moment.strftime("%Y-%m-%dT%H:%M")


def replan_and_wait(page: Page, before: int) -> int:
    """Click Replan (2 s) and wait for the page to show the next version."""
    page.get_by_label("Time limit (s)", exact=True).fill(RUN_SECONDS)
    page.get_by_role("button", name="Replan", exact=True).click()
    panel = page.locator("#run-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(re.compile(r"Plan run \d+"))
    expect(page.locator("#plan-version")).to_have_text(f"version {before + 1}", timeout=RUN_MS)
    return before + 1


def remove_pin(page: Page, key: str) -> None:
    page.get_by_role("button", name=f"Remove pin of {key}").click()
    expect(page.get_by_role("status").filter(has_text="Pin removed")).to_be_visible()
    expect(page.locator("#pin-table tr", has_text=key)).to_have_count(0)


@pytest.fixture
def planner(page: Page) -> Iterator[Page]:
    """The page signed in as the planner, on a schedule that has a plan."""
    sign_in(page, "planner")
    ensure_plan(page)
    yield page


@pytest.fixture
def page_without_js(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# -- tests ---------------------------------------------------------------------


def test_planner_reads_the_gantt_by_work_centre_and_by_order(
    planner: Page, screenshots: Path
) -> None:
    page = planner
    expect(page.get_by_role("link", name="Schedule")).to_have_attribute("aria-current", "page")
    wait_for_chart(page)
    # The chart library came from the vendored, install-time assets.
    assert page.evaluate("typeof window.vis.Timeline") == "function"
    script = page.locator("script[src*='/static/vendor/vis-timeline/']")
    expect(script).to_have_count(1)
    data = board_data(page)
    units = [u for w in data["work_centres"] for u in w["units"]]
    labels = page.locator(".vis-label")
    expect(labels.filter(has_text=re.compile(rf"^{re.escape(units[0])}$"))).to_be_visible()
    expect(page.locator(".vis-custom-time.now")).to_be_visible()
    expect(page.get_by_role("link", name="By work centre")).to_have_attribute(
        "aria-current", "true"
    )
    # The chart shows the plan; the table is folded away but there.
    expect(page.locator("#plan-table")).not_to_have_attribute("open", "")
    assert page.locator("#plan-table tbody tr").count() == len(data["operations"])
    page.screenshot(path=screenshots / "schedule.png")

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("link", name="By order").click()
    expect(page).to_have_url(re.compile(r"[?&]view=order"))
    expect(page.get_by_role("link", name="By order")).to_have_attribute("aria-current", "true")
    order_rows = labels.filter(has_text=re.compile(r"SO-\d{4}-\d{4}"))
    expect(order_rows).to_have_count(len(data["orders"]))

    page.get_by_role("link", name="Lateness").click()
    expect(page).to_have_url(re.compile(r"[?&]colour=lateness"))
    expect(page.locator("#board")).to_have_class(re.compile(r"\bcolour-lateness\b"))
    expect(page.locator(".legend").get_by_text("On time")).to_be_visible()
    bars = page.locator(".vis-item.op")
    expect(bars.first).to_be_visible()
    assert bars.count() == page.locator(".vis-item.op.late, .vis-item.op.ontime").count()
    assert page.evaluate("window.stillTheSamePage") is True  # switched in place, no reload
    page.screenshot(path=screenshots / "schedule-by-order.png")


def test_pin_by_form_makes_an_order_late_after_replan(planner: Page, screenshots: Path) -> None:
    page = planner
    data = board_data(page)
    before = version_shown(page)
    orders = {o["order"]: o for o in data["orders"]}
    # Packing, the last step, of an order with a due date, on a two-unit work centre.
    op = next(
        o
        for o in data["operations"]
        if o["key"].endswith("/PACK")
        and not o["frozen"]
        and orders[o["order_number"]]["due"]
        and not orders[o["order_number"]]["late"]
    )
    key, number = op["key"], op["order_number"]
    other = "PACKING#2" if op["resource"] == "PACKING#1" else "PACKING#1"
    not_before = plant_time(orders[number]["due"], data["timezone"], days=3)

    form = page.locator("#pin-form")
    form.get_by_label("Operation", exact=True).fill(key)
    form.get_by_label("Operation", exact=True).press("Tab")
    expect(page.locator("#pin-eligible")).to_have_text("Can run on PACKING#1, PACKING#2.")
    form.get_by_label("Unit").select_option(other)
    form.get_by_label("Not before").fill(not_before)
    form.get_by_label("Note").fill("Customer's site not ready before then")
    form.get_by_role("button", name="Pin", exact=True).click()

    expect(page.get_by_role("status").filter(has_text=f"Pinned {key} to {other}")).to_be_visible()
    pin_row = page.locator("#pin-table tr", has_text=key)
    expect(pin_row).to_contain_text(other)
    expect(pin_row).to_contain_text("Customer's site not ready before then")
    expect(page.locator("#plan-table tr", has_text=key)).to_contain_text("pinned")
    pin_row.get_by_role("link", name=key).click()
    expect(chart_item(page, key)).to_be_visible()
    expect(chart_item(page, key)).to_have_class(re.compile(r"\bpinned\b"))

    replan_and_wait(page, before)
    late = page.locator("#late-orders li", has_text=number)
    expect(late).to_be_visible()
    expect(late.locator(".late-reason")).to_have_text(re.compile(r"^\d+\.\d h late, bound by "))
    row = page.locator("#plan-table tr", has_text=key)
    expect(row).to_contain_text(other)
    page.get_by_role("link", name="Lateness").click()
    late.get_by_role("button", name=f"Show {number} in the chart").click()
    expect(chart_item(page, key)).to_be_visible()
    expect(chart_item(page, key)).to_have_class(re.compile(r"\blate\b"))
    page.screenshot(path=screenshots / "schedule-late.png")

    remove_pin(page, key)


def test_drag_an_operation_to_another_unit_pins_it(planner: Page) -> None:
    page = planner
    data = board_data(page)
    now = dt.datetime.fromisoformat(data["now"])
    centre = next(w for w in data["work_centres"] if w["code"] == "ASSEMBLY")
    op = next(
        o
        for o in data["operations"]
        if o["work_centre"] == "ASSEMBLY"
        and not o["frozen"]
        and dt.datetime.fromisoformat(o["start"]) > now + dt.timedelta(hours=2)
    )
    target = next(u for u in centre["units"] if u != op["resource"])
    open_schedule(page, f"?focus={op['key']}")
    bar = chart_item(page, op["key"])
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    row = page.locator(".vis-label", has_text=re.compile(rf"^{re.escape(target)}$")).bounding_box()
    assert box is not None and row is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 3, y + 3, steps=3)
    page.mouse.move(x + 3, row["y"] + row["height"] / 2, steps=10)
    page.mouse.up()

    status = page.locator("#board-status")
    expect(status).to_contain_text(f"Pinned {op['key']} to {target}")
    expect(status).to_contain_text("Replan to apply it.")
    expect(page.locator("#pin-table tr", has_text=op["key"])).to_contain_text(target)
    expect(bar).to_have_class(re.compile(r"\bpinned\b"))

    page.reload()  # the pin is stored, not only drawn
    expect(page.locator("#pin-table tr", has_text=op["key"])).to_contain_text("Moved on the board")
    remove_pin(page, op["key"])


def test_operator_records_a_machine_down_and_the_plan_is_remade(
    page: Page, browser: Browser, server_url: str, screenshots: Path
) -> None:
    with signed_in(browser, server_url, "planner") as planner:
        ensure_plan(planner)
    sign_in(page, "operator")
    open_schedule(page)
    before = version_shown(page)
    # An operator reports breakdowns but neither pins nor replans at will.
    expect(page.get_by_role("button", name="Replan", exact=True)).to_have_count(0)
    expect(page.locator("#pin-form")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Remove pin"))).to_have_count(0)

    form = page.locator("#down-form")
    form.get_by_label("Work centre or unit").select_option("CNC-5AX")
    form.get_by_label("Reason").fill("Spindle bearing <failed>")
    form.get_by_label("Replan time limit (s)").fill(RUN_SECONDS)
    form.get_by_role("button", name="Record and replan").click()
    expect(page.locator("#run-panel")).to_contain_text(re.compile(r"Plan run \d+"))
    expect(page.locator("#plan-version")).to_have_text(f"version {before + 1}", timeout=RUN_MS)

    expect(page.locator("#plan-summary")).to_contain_text("Replan: CNC-5AX down")
    moved = re.compile(r"moved \d+ of \d+ operations since version")
    expect(page.locator("#plan-moved")).to_have_text(moved)
    expect(page.locator("#downtimes")).to_contain_text("Spindle bearing <failed>")
    wait_for_chart(page)
    expect(page.locator(".vis-item.vis-background.downtime").first).to_be_visible()
    page.screenshot(path=screenshots / "schedule-machine-down.png")


def test_sales_sees_the_plan_without_controls(
    page: Page, browser: Browser, server_url: str
) -> None:
    with signed_in(browser, server_url, "planner") as planner:
        version = ensure_plan(planner)
    sign_in(page, "sales")
    page.get_by_role("link", name="Schedule").click()
    expect(page.locator("#plan-version")).to_have_text(f"version {version}")
    wait_for_chart(page)
    for name in ("Replan", "Plan now", "Pin", "Record and replan"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.locator("#pin-form, #down-form")).to_have_count(0)
    assert board_data(page)["editable"] is False


def test_older_versions_are_read_only(planner: Page) -> None:
    page = planner
    current = version_shown(page)
    if current == 1:
        current = replan_and_wait(page, current)
    page.get_by_label("Plan version").select_option(str(current - 1))
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]version={current - 1}"))
    expect(page.locator("#plan-version")).to_have_text(f"version {current - 1}")
    note = page.locator("#old-version-note")
    expect(note).to_contain_text("read-only")
    assert board_data(page)["editable"] is False
    note.get_by_role("link", name="Show the current plan").click()
    expect(page.locator("#plan-version")).to_have_text(f"version {current}")


def test_a_failed_run_shows_why(planner: Page) -> None:
    """The page's side of a failure: every issue the run recorded, then Replan again.
    (The server is asked for nothing: how runs fail is the services' tests' business.)"""
    page = planner
    before = version_shown(page)
    run = {"id": 9999, "status": "queued", "time_limit": 2.0, "progress": {}, "error": None}
    polls: list[str] = []
    answers = [
        {**run, "status": "running", "progress": {"seconds": 0.5, "objective": 90, "bound": 40}},
        {
            **run,
            "status": "failed",
            "error": {
                "title": "The plan could not be made; the stored plan is unchanged.",
                "issues": [
                    {"where": "SO-2026-0099/1", "message": "no work centre can <run> it"},
                    {"where": "calendar DAY", "message": "no working time in the horizon"},
                ],
            },
        },
    ]

    def requested(route: Route) -> None:
        body = {"message": "Plan run 9999 requested.", "run": run}
        route.fulfill(status=201, json=body)

    def polled(route: Route) -> None:
        polls.append(route.request.url)
        route.fulfill(json=answers[min(len(polls), len(answers)) - 1])

    page.route("**/schedule/runs", requested)
    page.route("**/schedule/runs/9999.json", polled)
    page.get_by_role("button", name="Replan", exact=True).click()
    panel = page.locator("#run-panel")
    expect(panel).to_contain_text("Plan run 9999")
    expect(panel.locator("#run-issues li")).to_have_text(
        [
            "SO-2026-0099/1: no work centre can <run> it",
            "calendar DAY: no working time in the horizon",
        ]
    )
    expect(panel).to_contain_text("The plan could not be made; the stored plan is unchanged.")
    expect(page.locator("#run-status")).to_have_text("failed")
    expect(page.get_by_role("button", name="Replan", exact=True)).to_be_enabled()
    assert len(polls) >= 2
    assert version_shown(page) == before


def test_customer_has_no_schedule(page: Page) -> None:
    sign_in(page, "alpina")
    expect(page.get_by_role("link", name="Schedule")).to_have_count(0)
    response = page.goto("/schedule")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()


def test_without_javascript_the_plan_is_a_table(
    page_without_js: Page, browser: Browser, server_url: str
) -> None:
    with signed_in(browser, server_url, "planner") as planner:
        ensure_plan(planner)
    page = page_without_js
    sign_in(page, "planner")
    open_schedule(page)
    table = page.locator("#plan-table")
    expect(table).to_have_attribute("open", "")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(table.locator("thead")).to_contain_text("Order")
    expect(page.get_by_text("The chart needs JavaScript")).to_be_visible()
    expect(page.locator("#gantt")).to_be_hidden()


def test_without_the_chart_library_the_plan_is_a_table(planner: Page) -> None:
    page = planner
    page.route("**/static/vendor/vis-timeline/**", lambda route: route.abort())
    open_schedule(page)
    expect(page.locator("#gantt-fallback")).to_contain_text("chart library is not installed")
    expect(page.locator("#plan-table")).to_have_attribute("open", "")
    expect(page.locator("#plan-table tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="Replan", exact=True)).to_be_enabled()

"""The dashboard and the demand forecast on a tablet, on the demo: a planner makes a
forecast from its page (a worker fits the models), its family charts are drawn with their
bands, and the dashboard's charts (intake against capacity, lead time and on time, load
with the bottleneck, work in progress, first-pass yield, the forecast) are drawn by
Chart.js beside their figures, within 1024 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_changes import tablet

pytestmark = pytest.mark.e2e


def drawn(page: Page, canvas_id: str) -> bool:
    return bool(
        page.evaluate(
            """id => {
                const canvas = document.getElementById(id);
                const chart = canvas && window.Chart && Chart.getChart(canvas);
                return Boolean(chart) && canvas.width > 0 && canvas.height > 0
                    && chart.data.datasets.some(s => s.data.some(v => v !== null));
            }""",
            canvas_id,
        )
    )


def test_a_planner_forecasts_and_reads_the_dashboard(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    page = tablet(browser, server_url, "planner")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/orders")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="How the plant is doing")).to_be_visible()
    page.get_by_role("link", name="demand forecast").click()
    page.get_by_label("Weeks ahead").fill("6")
    page.get_by_label("Weeks of history").fill("52")
    page.get_by_role("button", name="Make a new forecast").click()
    for _ in range(60):  # the worker fits the models; the page says so until it is done
        if page.get_by_role("heading", name="Product families").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.get_by_role("heading", name="Product families")).to_be_visible()
    expect(page.locator("#families")).to_contain_text("Dining & conference table")
    assert drawn(page, "chart-0"), "the first family's forecast chart was not drawn"
    expect(page.locator("#capacity")).to_contain_text("Bench assembly team")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.screenshot(path=str(screenshots / "forecast.png"), full_page=True)

    page.goto("/dashboard")
    for canvas_id in (
        "intake-chart",
        "lead-chart",
        "load-chart",
        "wip-chart",
        "fpy-chart",
        "forecast-chart",
    ):
        assert drawn(page, canvas_id), f"{canvas_id} was not drawn"
    # (with no plan yet, as when this test runs first, the chart shows nothing booked)
    expect(page.locator("#load")).to_contain_text(
        re.compile("The bottleneck is|There is no plan yet")
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"the page is {width} px wide on a 1024 px tablet"
    assert errors == []
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

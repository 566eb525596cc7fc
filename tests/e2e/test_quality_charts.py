"""Quality's charts on a tablet, on the demo: the control chart of a table's top flatness
is drawn by Chart.js (a canvas with a chart), its capability is shown in words, and the
yield and scrap charts are drawn beside their tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_changes import tablet

pytestmark = pytest.mark.e2e


def test_quality_sees_the_charts(browser: Browser, server_url: str, screenshots: Path) -> None:
    page = tablet(browser, server_url, "quality")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/orders")
    page.get_by_role("link", name="Quality", exact=True).click()
    expect(page.get_by_role("heading", name="Quality charts")).to_be_visible()
    page.locator("#chart-pick").select_option("TABLE/QC/flatness")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("h3")).to_contain_text("Top flatness")
    expect(page.locator("#capability")).to_contain_text("Cpk")
    for canvas_id in ("control-chart", "range-chart", "fpy-chart", "pareto-chart"):
        drawn = page.evaluate(
            """id => {
                const canvas = document.getElementById(id);
                const chart = window.Chart && Chart.getChart(canvas);
                return Boolean(chart) && canvas.width > 0 && canvas.height > 0;
            }""",
            canvas_id,
        )
        assert drawn, f"{canvas_id} was not drawn"
    expect(page.locator("#fpy-table")).to_contain_text("Final quality control")
    expect(page.locator("#pareto-table")).to_contain_text(
        "MATERIAL"
    )  # the demo floor's commonest cause
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"the page is {width} px wide on a 1024 px tablet"
    assert errors == []
    page.screenshot(path=str(screenshots / "quality-charts.png"), full_page=True)

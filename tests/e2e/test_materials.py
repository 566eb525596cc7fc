"""The Materials page in Chromium on a 1024x768 tablet: purchasing signs in, runs the
MRP, accepts a purchase proposal and receives part of it; the purchase order line then
shows what is still open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def tablet(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_purchasing_runs_mrp_accepts_a_proposal_and_receives_part(
    tablet: Page, screenshots: Path
) -> None:
    page = tablet
    sign_in(page, "purchasing")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Materials").click()
    expect(page.get_by_role("heading", name="Materials", level=1)).to_be_visible()
    page.get_by_role("button", name="Run MRP").click()
    # queued for the server's worker thread; the page says so until it has run
    expect(page.get_by_text(re.compile(r"^MRP run \d+ queued"))).to_be_visible()
    for _ in range(40):
        if page.locator("#mrp b", has_text="done").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator("#mrp b", has_text="done")).to_be_visible()
    page.locator("#proposals").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "materials-proposals.png")
    first = page.locator("#proposals tbody tr").first
    item = first.locator("td").nth(1).inner_text()
    first.get_by_role("button", name="Accept").click()
    flash = page.get_by_text(re.compile(r"^Proposal accepted: PO-\d{4}-\d{4}"))
    expect(flash).to_be_visible()
    found = re.search(r"PO-\d{4}-\d{4}", flash.inner_text())
    assert found is not None
    number = found.group(0)
    row = page.locator(f"#po-{number}-1")
    expect(row).to_contain_text(item)
    ordered = row.locator("td").nth(3).inner_text().split(" / ")[1]
    row.get_by_label("Qty").fill("1")
    row.get_by_label("Location").fill("GOODS-IN")
    row.get_by_role("button", name="Receive").click()
    expect(
        page.get_by_text(re.compile(rf"^Received 1 {re.escape(item)} on {number} line 1"))
    ).to_be_visible()
    row = page.locator(f"#po-{number}-1")
    expect(row).to_contain_text("Partially received")
    open_now = row.locator("td").nth(3).inner_text().split(" / ")[0]
    assert float(open_now) == float(ordered) - 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024
    page.screenshot(path=screenshots / "materials.png", full_page=False)

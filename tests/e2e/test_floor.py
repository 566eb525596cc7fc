"""The operator screen in Chromium on a 1024x768 tablet: the operator picks a work
centre, starts and completes the operation on top of its queue, and the queue moves on.
Same real demo server as the other browser tests; the plan comes from the schedule
board's "Plan now" when no test made one yet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.test_browser import sign_in, signed_in
from tests.e2e.test_schedule import ensure_plan

pytestmark = pytest.mark.e2e

TABLET: ViewportSize = {"width": 1024, "height": 768}
#: Large targets: every button and queue entry an operator taps is at least this high.
TAP_PX = 48


def fits_the_screen(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls sideways by {wide}px at 1024x768"


def tall_enough(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["height"] >= TAP_PX, (selector, box)


def centre_with_a_ready_top(page: Page) -> str:
    """A work centre whose next operation is ready (not already running)."""
    page.goto("/floor?pick=1")
    hrefs = page.locator("a.floor-centre").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    for href in hrefs:
        page.goto(href)
        top = page.locator("li.floor-next .badge.floor-status-ready")
        if top.count():
            return str(href)
    raise AssertionError("no work centre has a ready operation on top")


def test_an_operator_starts_and_completes_the_next_operation(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    with signed_in(browser, server_url, "planner") as planner:
        ensure_plan(planner)
    context = browser.new_context(base_url=server_url, viewport=TABLET, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, "operator")
        page.get_by_role("link", name="Floor", exact=True).click()
        expect(page.get_by_role("heading", name="Floor: pick your work centre")).to_be_visible()
        fits_the_screen(page)
        tall_enough(page, "a.floor-centre")
        page.screenshot(path=str(screenshots / "floor-centres.png"))

        href = centre_with_a_ready_top(page)
        page.goto("/floor?pick=1")
        page.locator(f'a.floor-centre[href="{href}"]').click()
        expect(page.locator("li.floor-next")).to_be_visible()
        fits_the_screen(page)
        tall_enough(page, "li.floor-next a")
        page.screenshot(path=str(screenshots / "floor-queue.png"))
        code = page.locator("li.floor-next .floor-code").inner_text().strip()

        page.locator("li.floor-next a").click()
        expect(page.locator("#op-code")).to_have_text(code)
        expect(page.get_by_role("heading", name="Work instruction")).to_be_visible()
        fits_the_screen(page)
        tall_enough(page, "#start")
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text(f"{code.replace('/', ' op ')}")
        expect(page.locator(".flash-success")).to_contain_text("started")
        expect(page.locator("li.floor-next .floor-code")).to_have_text(code)
        expect(page.locator("li.floor-next .badge.floor-status-running")).to_be_visible()

        page.locator("li.floor-next a").click()
        expect(page.locator("#op-status")).to_have_text("running")
        good = page.get_by_label("Good")
        expect(good).not_to_have_value("0")
        tall_enough(page, "#complete")
        page.screenshot(path=str(screenshots / "floor-operation.png"))
        page.get_by_role("button", name="Complete", exact=True).click()
        flash = page.locator(".flash-success")
        expect(flash).to_contain_text("completed")
        expect(flash).to_contain_text(re.compile(r"Next: |Nothing is ready here now"))
        expect(page.locator(f'li.floor-item:has(.floor-code:text-is("{code}"))')).to_have_count(0)
        fits_the_screen(page)

        # The scan box: the work order's code typed and Enter opens its operation page.
        page.get_by_label("Scan or type a work order code").fill(code)
        page.keyboard.press("Enter")
        expect(page.locator("#op-code")).to_have_text(code)
        expect(page.locator("#op-status")).to_have_text("done")
    finally:
        context.close()

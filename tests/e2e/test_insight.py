"""Learning from orders in Chromium on a 1024x768 tablet: a customer rates a delivered
order of its own in the portal, sees the rating it gave, and staff find its comment in
the product insight report of the family, beside what the report proposes to change."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_browser import sign_in, signed_in
from tests.e2e.test_floor import TABLET, fits_the_screen

pytestmark = pytest.mark.e2e

COMMENT = "Doors close softly; one shelf pin was missing."


def test_a_customer_rates_a_delivered_order_and_staff_read_it_in_the_report(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=server_url, viewport=TABLET, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, "studio-berg")  # the demo delivered Studio Berg's cabinets
        page.goto("/orders?state=delivered")
        page.locator("a.ordernum").first.click()
        number = page.url.rstrip("/").rsplit("/", 1)[-1]
        form = page.locator("#feedback-form")
        expect(form).to_be_visible()
        form.get_by_label("4 · Very good").check()
        form.get_by_label("Comment").fill(COMMENT)
        form.get_by_role("button", name="Send rating").click()
        expect(page.locator("#current-rating")).to_contain_text("4 of 5 · Very good")
        expect(page.locator("#current-comment")).to_have_text(COMMENT)
        fits_the_screen(page)
        page.locator("#feedback").screenshot(path=str(screenshots / "order-rating.png"))
    finally:
        context.close()

    with signed_in(browser, server_url, "sales") as staff:
        staff.set_viewport_size(TABLET)
        staff.goto(f"/orders/{number}")
        expect(staff.locator("#current-rating")).to_contain_text("4 of 5")
        expect(staff.locator("#feedback-form")).to_have_count(0)  # staff read, never rate
        staff.goto("/insights")
        staff.get_by_role("link", name="Cabinet", exact=False).first.click()
        expect(
            staff.get_by_role("heading", name="Catalogue changes worth making next")
        ).to_be_visible()
        expect(staff.get_by_text(COMMENT)).to_be_visible()
        fits_the_screen(staff)
        staff.screenshot(path=str(screenshots / "insight-family.png"))

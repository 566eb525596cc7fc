"""Capable-to-promise in the browser: the date beside the price with what sets it, and
the same date promised on the order when it is confirmed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import sign_in, state_badge

pytestmark = pytest.mark.e2e

CUSTOMER = "Hotel Alpina Garmisch (C-HOTEL-ALPINA)"
DAY = re.compile(r"^\w{3} \d{2} \w{3} \d{4}$")


def test_configure_promise_confirm_and_the_order_keeps_the_date(
    page: Page, screenshots: Path
) -> None:
    sign_in(page, "sales")
    page.goto("/configure/TABLE")
    expect(page.locator("#configurator[data-live='on']")).to_have_count(1)
    date = page.locator("#promise-date")
    expect(date).to_have_text(DAY)
    page.get_by_label("Top construction").select_option("solid")
    page.get_by_label("Quantity").fill("3")
    # a requested date before anything can be made: the promise says how late, and why
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.get_by_label("Requested date").fill(tomorrow)
    page.get_by_label("Requested date").dispatch_event("change")
    summary = page.locator("#promise-summary")
    expect(summary).to_contain_text(re.compile(r"\d+ days after the requested"))
    expect(summary).to_have_class(re.compile(r"\blate\b"))
    page.locator("#promise-box summary", has_text="What sets this date").click()
    expect(page.locator("#promise-binding li").first).to_contain_text(
        re.compile(r"days \(needed for|in stock|arriving|booked with other orders|the work itself")
    )
    promised = date.inner_text()
    page.screenshot(path=screenshots / "configurator-promise.png")

    page.get_by_label("Requested date").fill("")
    page.get_by_label("Customer").select_option(label=CUSTOMER)
    page.get_by_role("button", name="Create quote").click()
    expect(page).to_have_url(re.compile(r"/orders/SO-[\d-]+$"))
    expect(page.locator("#promise-date")).to_have_text("not promised yet")
    expect(page.locator("#quote-promise")).to_contain_text(f"Earliest delivery {promised}")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(state_badge(page)).not_to_have_text("Quote")
    shown = dt.datetime.strptime(promised, "%a %d %b %Y").date().isoformat()
    expect(page.locator("#promise-date")).to_have_text(shown)
    expect(page.locator("#timeline > li", has_text="promised")).not_to_have_count(0)

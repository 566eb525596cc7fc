"""The configurator (/configure) with and without JavaScript, and the review queue.

Same real server and Chromium as test_browser.py; every test uses its own browser
context. The TABLE catalogue (demo/catalogue/table.yaml) supplies the rules:
a solid-wood top has no core, is not made in smoked oak or cherry, and is at most
2800 mm long.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import create_quote, sign_in, signed_in, state_badge

pytestmark = pytest.mark.e2e

CUSTOMER = "Hotel Alpina Garmisch (C-HOTEL-ALPINA)"
SOLID_LENGTH_RULE = "solid boards come 3 m long, so glued tops go up to 2800 mm"
PRICE = re.compile(r"^€\d{1,3}(,\d{3})*\.\d\d$")


@pytest.fixture
def page_without_js(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server_url,
        viewport={"width": 1280, "height": 800},
        locale="en-GB",
        java_script_enabled=False,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def order_count(page: Page) -> int:
    """All orders, from the 'All N' chip of the orders list."""
    page.goto("/orders")
    chip = page.get_by_role("navigation", name="Orders by state").get_by_role("link").first
    match = re.search(r"All (\d+)", chip.inner_text())
    assert match is not None
    return int(match.group(1))


def test_sales_configures_a_table_live_and_creates_the_quote(page: Page, screenshots: Path) -> None:
    sign_in(page, "sales")
    expect(page.get_by_role("link", name="Review queue")).to_have_count(0)
    page.get_by_role("link", name="Configure").click()
    expect(page.get_by_role("heading", name="Configure a product")).to_be_visible()
    page.get_by_role("link", name=re.compile("Dining & conference table")).click()
    expect(page).to_have_url(re.compile(r"/configure/TABLE$"))
    expect(page.locator("#configurator[data-live='on']")).to_have_count(1)
    price = page.locator("#price")
    expect(price).to_have_text(PRICE)
    veneered_price = price.inner_text()

    # Marks this document: a reload would lose it.
    page.evaluate("window.stillTheSamePage = true")
    smoked_oak = page.locator("#f-wood option[value='smoked-oak']")
    expect(smoked_oak).to_be_enabled()
    page.get_by_label("Top construction").select_option("solid")
    expect(smoked_oak).to_be_disabled()
    expect(smoked_oak).to_have_text("Smoked oak (not possible)")
    expect(page.locator("#f-core option[value='mdf']")).to_be_disabled()
    expect(page.locator("#range-length")).to_have_text("800–2800 mm in steps of 10")
    expect(price).not_to_have_text(veneered_price)
    expect(price).to_have_text(PRICE)
    expect(page.locator("#price-box")).to_contain_text("Top core: No core")
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_label("Wood species").select_option("walnut")
    page.get_by_label("Length (mm)").fill("2000")
    expect(page.locator("#range-length")).to_have_text("800–2800 mm in steps of 10")
    page.get_by_label("Customer").select_option(label=CUSTOMER)
    page.get_by_label("Quantity").fill("2")
    expect(page.locator("#price-total")).to_contain_text("2 ×")
    page.locator("#price-box details").first.click()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "configurator.png")
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_role("button", name="Create quote").click()
    created = page.get_by_role("status").filter(has_text=re.compile(r"^Quote SO-[\d-]+ created\."))
    expect(created).to_be_visible()
    match = re.search(r"SO-[\d-]+", created.inner_text())
    assert match is not None
    expect(page).to_have_url(re.compile(rf"/orders/{match.group(0)}$"))
    expect(state_badge(page)).to_have_text("Quote")
    line = page.locator(".line").first
    expect(line).to_contain_text("2 × Dining & conference table")  # words, not codes
    expect(line.locator(".price")).to_contain_text("2 × €")
    for item in ("Solid-wood top", "Top core No core", "Wood species Walnut", "Length 2000 mm"):
        expect(line.locator(".spec")).to_contain_text(item)


def test_without_javascript_the_server_refuses_an_impossible_table(
    page_without_js: Page,
) -> None:
    page = page_without_js
    sign_in(page, "sales")
    before = order_count(page)
    page.goto("/configure/TABLE")
    page.get_by_label("Top construction").select_option("solid")
    page.get_by_role("button", name="Check").click()
    expect(page).to_have_url(re.compile(r"/configure/TABLE$"))
    expect(page.get_by_label("Top construction")).to_have_value("solid")
    expect(page.locator("#f-wood option[value='smoked-oak']")).to_be_disabled()
    expect(page.locator("#f-wood option[value='smoked-oak']")).to_have_text(
        "Smoked oak (not possible)"
    )
    expect(page.locator("#range-length")).to_have_text("800–2800 mm in steps of 10")
    expect(page.locator("#price")).to_have_text(PRICE)

    # The impossible combination, submitted anyway.
    page.get_by_label("Length (mm)").fill("2900")
    page.get_by_label("Customer").select_option(label=CUSTOMER)
    page.get_by_role("button", name="Create quote").click()
    error = page.locator("#form-error")
    expect(error).to_contain_text("The quote was not created")
    expect(error).to_contain_text(SOLID_LENGTH_RULE)
    expect(error).to_contain_text("Check: Top construction, Length.")
    expect(page.locator("#conflicts")).to_contain_text(SOLID_LENGTH_RULE)
    expect(page.locator("#price")).to_have_count(0)
    # The picks are kept for correcting.
    expect(page.get_by_label("Length (mm)")).to_have_value("2900")
    expect(page.get_by_label("Top construction")).to_have_value("solid")
    expect(page.get_by_label("Customer")).to_have_value("C-HOTEL-ALPINA")
    assert order_count(page) == before


def test_engineer_sees_flagged_order_in_review_queue(
    page: Page, browser: Browser, server_url: str
) -> None:
    with signed_in(browser, server_url, "sales") as sales:
        number = create_quote(sales)
        sales.get_by_role("button", name="Confirm", exact=True).click()
        expect(state_badge(sales)).to_have_text("Confirmed")

    reason = f"Top exceeds the veneer press ({secrets.token_hex(3)}); check the split."
    sign_in(page, "engineer")
    page.goto(f"/orders/{number}")
    page.get_by_label("Reason or note").fill(reason)
    page.get_by_role("button", name="Flag needs engineering").click()
    expect(state_badge(page)).to_have_text("Needs engineering")

    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name=re.compile("^Review queue"))).to_be_visible()
    row = page.locator("table.review tbody tr").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(reason)
    expect(row).to_contain_text("by engineer")
    row.get_by_role("link", name=number).click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}$"))
    expect(page.get_by_role("button", name="Accept engineering")).to_be_visible()


def test_review_queue_is_refused_to_operators(page: Page) -> None:
    sign_in(page, "operator")
    expect(page.get_by_role("link", name="Configure")).to_be_visible()
    expect(page.get_by_role("link", name="Review queue")).to_have_count(0)
    response = page.goto("/review")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()

"""The order conversation in the browser, at 1024x768: a customer asks on its order in
the portal, sales reads it and answers, and adds an internal note the customer never
sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import order_rows, sign_in

pytestmark = pytest.mark.e2e


def _page(browser: Browser, server_url: str) -> Page:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _post(page: Page, text: str, internal: bool = False) -> None:
    form = page.locator("#message-form")
    form.get_by_label("Message").fill(text)
    if internal:
        form.get_by_label("Internal note — not shown to the customer").check()
    form.get_by_role("button", name="Post").click()


def test_customer_asks_sales_answers_and_keeps_a_note_internal(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    customer = _page(browser, server_url)
    sales = _page(browser, server_url)
    try:
        sign_in(customer, "alpina")
        customer.goto("/orders")
        customer_link = order_rows(customer).first.locator("a.ordernum")
        number = customer_link.inner_text().strip()
        customer_link.click()
        expect(customer).to_have_url(re.compile(rf"/orders/{number}$"))
        thread = customer.locator("#conversation")
        expect(thread.get_by_label("Internal note — not shown to the customer")).to_have_count(0)
        _post(customer, "Could the table come with felt pads? @sales")
        expect(customer.locator(".flash", has_text="Message posted.")).to_be_visible()
        expect(thread.locator("#messages > li").last).to_contain_text("felt pads")

        sign_in(sales, "sales")
        sales.goto(f"/orders/{number}#conversation")
        asked = sales.locator("#messages > li", has_text="felt pads")
        expect(asked).to_contain_text("Franz Huber")
        expect(asked).to_contain_text("Customer")
        _post(sales, "Yes, felt pads are included at no charge.")
        _post(sales, "Pads cost us 2 EUR a set, fine to waive", internal=True)
        note = sales.locator("#messages > li", has_text="Pads cost us")
        expect(note.locator(".badge", has_text="Internal")).to_be_visible()
        expect(sales.locator("#timeline > li", has_text="Message posted")).to_have_count(3)
        sales.screenshot(path=screenshots / "order-conversation-staff.png", full_page=True)

        customer.reload()
        messages = customer.locator("#messages > li")
        expect(messages.last).to_contain_text("felt pads are included")
        expect(messages).to_have_count(2)
        expect(customer.get_by_text("Pads cost us")).to_have_count(0)
        expect(customer.locator("#conversation .badge", has_text="Internal")).to_have_count(0)
        expect(customer.locator("#timeline > li", has_text="Message posted")).to_have_count(2)
        box = customer.locator("#message-form textarea").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1024
        customer.screenshot(path=screenshots / "order-conversation-customer.png", full_page=True)
    finally:
        customer.context.close()
        sales.context.close()

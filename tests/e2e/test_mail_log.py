"""The e-mail log in the browser, at 1024x768: sales answers a customer on its order,
the server's mail worker queues the mail to the customer (held: this server has no SMTP
server), and the administrator finds it in the log, opens it and reads why it waits."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import order_rows, sign_in

pytestmark = pytest.mark.e2e

#: The server's mail worker passes every 5 s (ORDERFORGE_MAIL_POLL_SECONDS).
WORKER_SECONDS = 20.0


def _page(browser: Browser, server_url: str) -> Page:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _mail_row(page: Page, number: str) -> Locator:
    """The log's row of the mail about `number`, reloading until the worker queued it."""
    row = page.locator("#mail-log tbody tr", has_text=f"[{number}] New message from")
    deadline = time.monotonic() + WORKER_SECONDS
    while row.count() == 0 and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    return row.first


def test_admin_finds_the_customers_mail_in_the_log(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    customer = _page(browser, server_url)
    sales = _page(browser, server_url)
    admin = _page(browser, server_url)
    try:
        sign_in(customer, "alpina")
        customer.goto("/orders")
        number = order_rows(customer).first.locator("a.ordernum").inner_text().strip()

        sign_in(sales, "sales")
        sales.goto(f"/orders/{number}#conversation")
        form = sales.locator("#message-form")
        form.get_by_label("Message").fill("Your table leaves the workshop on Friday.")
        form.get_by_role("button", name="Post").click()
        expect(sales.locator(".flash", has_text="Message posted.")).to_be_visible()
        expect(sales.get_by_role("link", name="E-mail", exact=True)).to_have_count(0)

        sign_in(admin, "admin")
        admin.get_by_role("link", name="E-mail", exact=True).click()
        expect(admin).to_have_url(re.compile(r"/mail$"))
        expect(admin.get_by_role("heading", name="E-mail log")).to_be_visible()
        row = _mail_row(admin, number)
        expect(row).to_contain_text("Held")
        expect(row).to_contain_text("not sent: no SMTP server configured")
        expect(row).to_contain_text("customer C-HOTEL-ALPINA")
        width = admin.evaluate("document.documentElement.scrollWidth")
        assert width <= 1024, f"the log is {width} px wide at 1024x768"
        admin.screenshot(path=str(screenshots / "mail-log.png"))

        admin.get_by_role("link", name="Held").first.click()
        expect(admin).to_have_url(re.compile(r"/mail\?status=held$"))
        row = _mail_row(admin, number)
        row.get_by_role("link", name=re.compile(rf"\[{number}\]")).click()
        expect(admin).to_have_url(re.compile(r"/mail/\d+$"))
        expect(admin.locator("dl.facts")).to_contain_text("no SMTP server is configured")
        expect(admin.locator("#attempts")).to_contain_text("Not tried yet.")
        expect(admin.locator("dl.facts").get_by_role("link", name=number)).to_be_visible()
    finally:
        for page in (customer, sales, admin):
            page.context.close()

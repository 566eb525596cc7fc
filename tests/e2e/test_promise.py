"""Capable-to-promise in the browser: the date beside the price with what sets it, and
the same date promised on the order when it is confirmed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser import sign_in, signed_in, state_badge
from tests.e2e.test_schedule import ensure_plan, open_schedule, replan_and_wait

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


def test_a_late_receipt_raises_an_alert_with_the_new_date(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    """Sales promises a leather bench; purchasing orders the leather, then the supplier
    announces it months late; the planner's next plan cannot keep the promise, and the
    order shows the alert with the date the plan now gives."""
    with signed_in(browser, server_url, "sales") as page:
        page.goto("/configure/SEATING")
        expect(page.locator("#configurator[data-live='on']")).to_have_count(1)
        page.get_by_label("Cover").select_option(label="Cognac leather")
        # more leather than the stock and the open purchase orders hold: some is bought
        page.get_by_label("Quantity").fill("40")
        expect(page.locator("#promise-date")).to_have_text(DAY)
        page.get_by_label("Customer").select_option(label=CUSTOMER)
        page.get_by_role("button", name="Create quote").click()
        expect(page).to_have_url(re.compile(r"/orders/SO-[\d-]+$"))
        number = page.url.rsplit("/", 1)[1]
        page.get_by_role("button", name="Confirm", exact=True).click()
        expect(page.locator("#promise-date")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
        promised = dt.date.fromisoformat(page.locator("#promise-date").inner_text())
    with signed_in(browser, server_url, "engineer") as page:
        page.goto(f"/orders/{number}")
        page.get_by_role("button", name="Mark feasible", exact=True).click()
        expect(state_badge(page)).to_have_text("Feasible")
    with signed_in(browser, server_url, "purchasing") as page:
        page.goto("/materials")
        page.get_by_role("button", name="Run MRP").click()
        # queued for the server's worker; the card shows the newest run until it is done
        expect(page.get_by_text(re.compile(r"^MRP run \d+ queued"))).to_be_visible()
        for _ in range(80):
            if page.locator("#mrp b", has_text="done").count():
                break
            page.wait_for_timeout(250)
            page.reload()
        expect(page.locator("#mrp b", has_text="done")).to_be_visible()
        row = page.locator("#proposals tbody tr", has_text=number).filter(has_text="LEATHER-COGNAC")
        expect(row).to_have_count(1)
        row.get_by_role("button", name="Accept").click()
        flash = page.get_by_text(re.compile(r"^Proposal accepted: PO-\d{4}-\d{4}"))
        expect(flash).to_be_visible()
        found = re.search(r"PO-\d{4}-\d{4}", flash.inner_text())
        assert found is not None
        po = found.group(0)
        # the supplier writes: the hides come five months late
        late = dt.date.today() + dt.timedelta(days=150)
        line = page.locator(f"#po-{po}-1")
        line.get_by_label("New arrival").fill(late.isoformat())
        line.get_by_role("button", name="Change date").click()
        expect(page.get_by_text(f"{po} line 1 now arrives on {late:%a %d %b %Y}")).to_be_visible()
    with signed_in(browser, server_url, "planner") as page:
        before = ensure_plan(page)
        page.goto(f"/orders/{number}")
        page.get_by_role("button", name="Plan", exact=True).click()
        expect(state_badge(page)).to_have_text("Planned")
        # the board shows the time its promise holds until a plan run lays it down
        open_schedule(page)
        expect(page.locator("#held-orders li", has_text=number)).to_contain_text(
            f"promised {promised:%a %d %b %Y}"
        )
        replan_and_wait(page, before)
        expect(page.locator("#held-orders li", has_text=number)).to_have_count(0)
    with signed_in(browser, server_url, "sales") as page:
        page.goto(f"/orders/{number}")
        alert = page.locator("#promise-alert")
        expect(alert).to_contain_text("Now expected to finish on")
        expect(alert).to_contain_text(f"arrive with {po} on {late:%a %d %b}")
        shown = alert.locator("strong").inner_text()
        new_date = dt.datetime.strptime(shown, "%a %d %b %Y").date()
        assert new_date >= late > promised
        expect(page.locator("#promise-date")).to_have_text(promised.isoformat())
        page.screenshot(path=screenshots / "promise-alert.png")
    with signed_in(browser, server_url, "alpina") as page:  # the customer: no plant internals
        page.goto(f"/orders/{number}")
        expect(page.locator("#promise-alert")).to_have_count(0)

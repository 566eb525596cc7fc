"""What people see in the browser: sign-in, the orders list, quotes and their lifecycle.

Each test signs in through the form in its own browser context against one real
server with the demo data. Tests that need an order in a given state look one up in
the list (as admin) or create their own quote, so they pass in any order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

ALPINA = "Hotel Alpina Garmisch"
LOGIN_URL = re.compile(r"/login(\?.*)?$")


# -- helpers -------------------------------------------------------------------


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form; wait until the browser has left the sign-in page."""
    if not LOGIN_URL.search(page.url):
        page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(LOGIN_URL)


@contextmanager
def signed_in(browser: Browser, server_url: str, username: str) -> Iterator[Page]:
    """A page in its own context, signed in as `username` (for looking things up)."""
    context = browser.new_context(base_url=server_url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, username)
        yield page
    finally:
        context.close()


def order_rows(page: Page) -> Locator:
    return page.locator("table.orders tbody tr").filter(has=page.locator("a.ordernum"))


def listed_orders(page: Page, state: str = "") -> list[tuple[str, str]]:
    """(number, customer name) of the orders the list shows, optionally of one state."""
    page.goto(f"/orders?state={state}" if state else "/orders")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    result = []
    for row in order_rows(page).all():
        cells = row.locator("td")
        result.append((cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()))
    return result


def an_order_in(browser: Browser, server_url: str, state: str) -> str:
    """The number of some order in `state`, looked up by the admin."""
    with signed_in(browser, server_url, "admin") as admin:
        rows = listed_orders(admin, state)
    if not rows:
        pytest.fail(f"The demo data has no order in state {state} left.")
    return rows[0][0]


def create_quote(page: Page) -> str:
    """Open a quote for the first customer with the form's defaults; returns its number."""
    page.goto("/orders/new")
    expect(page.get_by_role("heading", name="New quote")).to_be_visible()
    customer = page.get_by_label(re.compile(r"^Customer"))
    customer.select_option(index=1)
    page.get_by_role("button", name="Create quote").click()
    created = page.get_by_role("status").filter(has_text=re.compile(r"^Quote SO-[\d-]+ created\."))
    expect(created).to_be_visible()
    match = re.search(r"SO-[\d-]+", created.inner_text())
    assert match is not None
    number = match.group(0)
    expect(page).to_have_url(re.compile(rf"/orders/{number}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    return number


def action_buttons(page: Page) -> Locator:
    return page.locator("#action-form").get_by_role("button")


def state_badge(page: Page) -> Locator:
    return page.locator("#order-state")


def newest_event(page: Page) -> Locator:
    return page.locator("#timeline > li").first


# -- tests ---------------------------------------------------------------------


def test_sign_in_list_filter_by_state(page: Page, screenshots: Path) -> None:
    page.goto("/orders")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in_button = page.get_by_role("button", name="Sign in")
    page.get_by_label("Username").fill("sales")
    page.get_by_label("Password").fill("not-the-password")
    sign_in_button.click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_label("Username")).to_have_value("sales")

    sign_in(page, "sales")
    expect(page).to_have_url(re.compile(r"/orders$"))
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    expect(page.get_by_text("Svenja Krüger")).to_be_visible()
    chips = page.get_by_role("navigation", name="Orders by state").get_by_role("link")
    expect(chips.first).to_have_text(re.compile(r"^All \d+$"))
    assert chips.count() > 3
    rows = order_rows(page)
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    expect(page.get_by_role("link", name="New quote")).to_be_visible()
    page.screenshot(path=screenshots / "orders.png")

    page.get_by_role("combobox", name="State").select_option(label="In production")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]state=in_production"))
    expect(page.get_by_role("combobox", name="State")).to_have_value("in_production")
    badges = page.locator("table.orders tbody .badge")
    expect(badges.first).to_be_visible()
    assert set(badges.all_inner_texts()) == {"In production"}
    chip = chips.filter(has_text="In production")
    expect(chip).to_have_text(f"In production {badges.count()}")
    expect(page.get_by_role("link", name="Clear")).to_be_visible()


def test_sales_creates_and_confirms_a_quote(page: Page, screenshots: Path) -> None:
    sign_in(page, "sales")
    page.get_by_role("link", name="New quote").click()
    number = create_quote(page)
    expect(state_badge(page)).to_have_text("Quote")
    expect(newest_event(page)).to_contain_text("by sales")
    expect(newest_event(page)).to_contain_text("new → quote")

    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Confirm: order {number} is now confirmed.")
    expect(state_badge(page)).to_have_text("Confirmed")
    # the promise is committed with the confirmation: its event is the newest
    expect(newest_event(page)).to_contain_text("Promised by sales")
    confirmed = page.locator("#timeline > li").nth(1)
    expect(confirmed).to_contain_text("Confirm by sales")
    expect(confirmed).to_contain_text("quote → confirmed")
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_have_count(0)
    page.screenshot(path=screenshots / "order-detail.png")


def test_engineer_flag_needs_a_reason(page: Page, browser: Browser, server_url: str) -> None:
    number = an_order_in(browser, server_url, "confirmed")
    page.goto(f"/orders/{number}")
    sign_in(page, "engineer")
    expect(page).to_have_url(re.compile(rf"/orders/{number}$"))
    expect(state_badge(page)).to_have_text("Confirmed")
    flag = page.get_by_role("button", name="Flag needs engineering")

    flag.click()
    expect(page.get_by_role("alert")).to_have_text(
        "Flag needs engineering needs a reason: say why, for the people who act next."
    )
    expect(state_badge(page)).to_have_text("Confirmed")
    expect(newest_event(page)).not_to_contain_text("Flag needs engineering")

    reason = "Cabinet depth exceeds the CNC bed; check the split."
    page.get_by_label("Reason or note").fill(reason)
    flag.click()
    expect(page.get_by_role("status")).to_have_text(
        f"Flag needs engineering: order {number} is now needs engineering."
    )
    expect(state_badge(page)).to_have_text("Needs engineering")
    expect(newest_event(page)).to_contain_text("Flag needs engineering by engineer")
    expect(newest_event(page)).to_contain_text(f"“{reason}”")


def test_operator_starts_production_of_released_order(
    page: Page, browser: Browser, server_url: str
) -> None:
    """No button starts production: the operator starts the first operation on the floor,
    and the order follows."""
    number = an_order_in(browser, server_url, "released")
    page.goto(f"/orders/{number}")
    sign_in(page, "operator")
    expect(state_badge(page)).to_have_text("Released")
    expect(page.get_by_role("button", name="Start production")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)

    [wo] = page.request.get(f"/api/v1/orders/{number}/work-orders").json()[:1]
    op = next(o for o in wo["operations"] if o["status"] == "ready")
    page.goto(f"/floor/{op['work_centres'][0]}/ops/{wo['number']}/{op['seq']}")
    page.get_by_role("button", name="Start", exact=True).click()
    page.goto(f"/orders/{number}")
    expect(state_badge(page)).to_have_text("In production")
    expect(newest_event(page)).to_contain_text("Start production by operator")
    expect(page.get_by_role("button", name="Finish production")).to_have_count(0)


def test_operator_sees_the_orders_list(page: Page) -> None:
    sign_in(page, "operator")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    expect(order_rows(page).first).to_be_visible()
    # Only pages the role can open are offered.
    expect(page.get_by_role("link", name="Customers")).to_have_count(0)


def test_stale_form_says_changed_meanwhile(page: Page) -> None:
    sign_in(page, "admin")
    number = create_quote(page)
    other = page.context.new_page()
    other.goto(f"/orders/{number}")
    expect(state_badge(other)).to_have_text("Quote")

    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(state_badge(page)).to_have_text("Confirmed")

    other.get_by_label("Reason or note").fill("Customer called to cancel.")
    other.get_by_role("button", name="Cancel", exact=True).click()
    alert = other.get_by_role("alert")
    expect(alert).to_contain_text(f"Order {number} was changed by someone else meanwhile")
    expect(alert).to_contain_text("The page now shows its current state.")
    expect(state_badge(other)).to_have_text("Confirmed")
    expect(other.get_by_text(re.compile(r"· version 2$"))).to_be_visible()
    expect(other.locator("#timeline > li").nth(1)).to_contain_text("Confirm by admin")


def test_customer_sees_only_own_orders(page: Page, browser: Browser, server_url: str) -> None:
    with signed_in(browser, server_url, "admin") as admin:
        everything = listed_orders(admin)
    foreign = next(number for number, customer in everything if customer != ALPINA)
    own = [number for number, customer in everything if customer == ALPINA]
    assert own, "the demo data should have orders of Hotel Alpina"

    sign_in(page, "alpina")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    rows = order_rows(page)
    expect(rows.first).to_be_visible()
    customers = [row.locator("td").nth(1).inner_text().strip() for row in rows.all()]
    assert customers == [ALPINA] * len(own)
    expect(page.get_by_role("link", name="New quote")).to_have_count(0)
    expect(page.get_by_role("link", name="Plant")).to_have_count(0)

    response = page.goto(f"/orders/{foreign}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(f"There is no order {foreign}.")).to_be_visible()


def test_sign_out(page: Page) -> None:
    sign_in(page, "quality")
    expect(page.get_by_text("Heike Thomsen")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/orders")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)orders$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sales_adds_and_removes_quote_lines(page: Page) -> None:
    sign_in(page, "sales")
    number = create_quote(page)
    lines = page.locator(".line .linehead")
    expect(lines).to_have_count(1)
    # A new line is configured in the configurator (price and date checked there).
    page.get_by_text("Add a line to this quote").click()
    page.get_by_role("link", name=re.compile("Upholstered")).click()
    expect(page.get_by_role("heading", name=f"Add to quote {number}")).to_be_visible()
    page.get_by_role("button", name=f"Add to quote {number}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Quote {number} updated")
    expect(lines).to_have_count(2)
    expect(lines.nth(1)).to_contain_text("1 \u00d7 Upholstered bench & sofa")
    expect(newest_event(page)).to_contain_text("Revised by sales")
    lines.nth(0).get_by_role("button", name="Remove").click()
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Upholstered bench & sofa")
    # Once confirmed, lines can no longer be edited here: a change request is the way.
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(state_badge(page)).to_have_text("Confirmed")
    expect(page.get_by_text("Add a line to this quote")).to_have_count(0)

"""Shipping in the browser, on a tablet: a planner packs an order that is ready to ship
(one package, its size, weight and contents), ships it with a carrier and a tracking
number, and the customer sees the status, the tracking link and the delivery note in the
portal, without the plant's packing note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_changes import tablet

pytestmark = pytest.mark.e2e
PORTAL_PASSWORD = "portal-e2e-password"


def a_ready_order(page: Page) -> tuple[str, str]:
    """An order ready to ship (the demo has some) and its customer's code."""
    page.goto("/orders?state=ready_to_ship")
    number = page.locator("table.orders a.ordernum").first.inner_text().strip()
    page.goto(f"/orders/{number}")
    facts = page.locator("dl.facts").first.inner_text()
    found = re.search(r"\(([A-Z0-9-]+)\)", facts)
    assert found is not None, facts
    return number, found.group(1)


def test_planner_packs_and_ships_and_the_customer_tracks_it(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    planner = tablet(browser, server_url, "planner")
    number, customer = a_ready_order(planner)
    expect(planner.locator("#shipping-link")).to_have_text("pack and ship")
    planner.locator("#shipping-link").click()
    form = planner.locator("form#pack")
    form.get_by_label("Package 1 length").fill("120")
    form.get_by_label("Package 1 width").fill("80")
    form.get_by_label("Package 1 height").fill("95")
    form.get_by_label("Package 1 weight").fill("68,5")
    for box in form.locator("input[name^='p1-line-']").all():
        box.fill(box.get_attribute("max") or "0")
    form.get_by_label("Note (for the plant, not printed)").fill("Corner protectors: staff only")
    planner.screenshot(path=screenshots / "shipping-pack-tablet.png", full_page=True)
    form.get_by_role("button", name="Pack").click()
    flash = planner.locator(".flash").first
    expect(flash).to_contain_text("packed")
    shipment = re.search(r"SHP-\d{4}-\d{4}", flash.inner_text())
    assert shipment is not None, flash.inner_text()
    code = shipment.group(0)
    ship = planner.locator(f"form#ship-{code}")
    ship.get_by_label("Carrier").select_option(label="DHL Freight")
    ship.get_by_label("Tracking number").fill("JD0146000061")
    ship.get_by_role("button", name="Ship").click()
    expect(planner.locator(f"article#{code} .badge")).to_have_text("On its way")
    expect(planner.locator(".badge").first).to_have_text("Shipped")
    planner.screenshot(path=screenshots / "shipping-shipped-tablet.png", full_page=True)
    planner.context.close()

    admin = tablet(browser, server_url, "admin")
    admin.goto("/users")
    admin.locator("summary", has_text="Add a user").click()
    add = admin.locator("form[action='/users']")
    add.get_by_label("Username").fill("portal-e2e")
    add.get_by_label("Role").select_option("customer")
    add.get_by_label("Customer (portal users)").select_option(customer)
    add.get_by_label("Password").fill(PORTAL_PASSWORD)
    add.get_by_role("button", name="Add").click()
    expect(admin.locator("body")).to_contain_text("portal-e2e")
    admin.context.close()

    portal = browser.new_context(base_url=server_url, viewport={"width": 1024, "height": 768})
    page = portal.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("portal-e2e")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/orders/{number}")
    delivery = page.locator("#delivery")
    expect(delivery).to_contain_text(f"{code}: On its way with DHL Freight")
    link = delivery.locator("a.tracking")
    expect(link).to_have_text("JD0146000061")
    assert "JD0146000061" in (link.get_attribute("href") or "")
    expect(delivery.get_by_role("link", name="delivery note (PDF)")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("staff only")
    page.screenshot(path=screenshots / "shipping-portal-tablet.png", full_page=True)
    note = page.request.get(f"/shipping/{code}/delivery-note.pdf")
    assert note.ok and note.body().startswith(b"%PDF")
    portal.close()

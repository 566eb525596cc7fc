"""Shipping in the browser, on a tablet: a planner packs an order that is ready to ship
(one package, its size, weight and contents), ships it with a carrier and a tracking
number, and the customer sees the status, the tracking link and the delivery note in the
portal, without the plant's packing note. And the end of an order's road: quality passes
its final inspection, the planner packs, ships and confirms the delivery with its date,
and the order is delivered and counted by the on-time delivery figures."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def pack_and_ship(
    planner: Page,
    size: tuple[str, str, str, str],
    carrier: tuple[str, str],
    note: str = "",
    shot: Path | None = None,
) -> str:
    """On the order's shipping page: one package (length, width, height in cm, weight in
    kg as typed) holding all that is left, packed, then shipped with (carrier label,
    tracking number); the shipment's number."""
    form = planner.locator("form#pack")
    for label, value in zip(("length", "width", "height", "weight"), size, strict=True):
        form.get_by_label(f"Package 1 {label}").fill(value)
    for box in form.locator("input[name^='p1-line-']").all():
        box.fill(box.get_attribute("max") or "0")
    if note:
        form.get_by_label("Note (for the plant, not printed)").fill(note)
    if shot is not None:
        planner.screenshot(path=shot, full_page=True)
    form.get_by_role("button", name="Pack").click()
    flash = planner.locator(".flash").first
    expect(flash).to_contain_text("packed")
    shipment = re.search(r"SHP-\d{4}-\d{4}", flash.inner_text())
    assert shipment is not None, flash.inner_text()
    code = shipment.group(0)
    ship = planner.locator(f"form#ship-{code}")
    ship.get_by_label("Carrier").select_option(label=carrier[0])
    ship.get_by_label("Tracking number").fill(carrier[1])
    ship.get_by_role("button", name="Ship").click()
    expect(planner.locator(f"article#{code} .badge")).to_have_text("On its way")
    return code


def test_planner_packs_and_ships_and_the_customer_tracks_it(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    planner = tablet(browser, server_url, "planner")
    number, customer = a_ready_order(planner)
    expect(planner.locator("#shipping-link")).to_have_text("pack and ship")
    planner.locator("#shipping-link").click()
    code = pack_and_ship(
        planner,
        ("120", "80", "95", "68,5"),
        ("DHL Freight", "JD0146000061"),
        note="Corner protectors: staff only",
        shot=screenshots / "shipping-pack-tablet.png",
    )
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


def an_order_at_final_inspection(page: Page) -> str:
    """An order whose production is finished, waiting for its final inspection (the demo
    has several; the API spares a page load)."""
    found = page.request.get("/api/v1/orders?state=final_inspection")
    assert found.ok, found.text()
    items = found.json()["items"]
    assert items, "the demo has no order at final inspection"
    number: str = items[0]["number"]
    return number


def on_time_row(page: Page, customer: str) -> dict[str, Any]:
    """The on-time delivery figures of one customer, as the API gives them (zeros when
    nothing of theirs was delivered yet)."""
    figures = page.request.get("/api/v1/shipping/on-time?by=customer")
    assert figures.ok, figures.text()
    rows: dict[str, dict[str, Any]] = {r["key"]: r for r in figures.json()["rows"]}
    empty = {"orders": 0, "on_time": 0, "late": 0, "without_promise": 0}
    return rows.get(customer, {"key": customer, **empty})


def test_final_inspection_packing_shipping_delivery_and_on_time(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    quality = tablet(browser, server_url, "quality")
    number = an_order_at_final_inspection(quality)
    quality.goto(f"/orders/{number}/final-inspection")
    expect(quality.locator("#final-state")).to_have_text("Final inspection")
    # What the records answer is all yes; the person checks the rest.
    expect(quality.locator("#final-facts td:first-child")).to_have_text(["Yes", "Yes", "Yes"])
    form = quality.locator("#final-form")
    items = form.locator("fieldset.final-item")
    expect(items.first).to_be_visible()
    for item in items.all():
        item.get_by_label("Pass").check()
    form.get_by_label("Note", exact=True).fill("Checked against the approved drawing")
    quality.screenshot(path=screenshots / "final-inspection-tablet.png", full_page=True)
    form.get_by_role("button", name="Record final inspection").click()
    expect(quality.locator(".flash").first).to_contain_text(
        "Final inspection passed: the order is ready to ship."
    )
    expect(quality.locator("#final-state")).to_have_text("Ready to ship")
    newest = quality.locator(".final-attempt").first
    expect(newest.locator("h3")).to_contain_text("Passed")
    expect(newest).to_contain_text("By quality")
    expect(quality.locator("#final-form")).to_have_count(0)
    wide = quality.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the final inspection page scrolls sideways by {wide}px at 1024x768"
    quality.screenshot(path=screenshots / "final-inspection-passed-tablet.png", full_page=True)
    quality.context.close()

    planner = tablet(browser, server_url, "planner")
    planner.goto(f"/orders/{number}")
    expect(planner.locator(".badge").first).to_have_text("Ready to ship")
    facts = planner.locator("dl.facts").first.inner_text()
    customer = re.search(r"^(.+?) \(([A-Z0-9-]+)\)$", facts, re.MULTILINE)
    assert customer is not None, facts
    before = on_time_row(planner, customer.group(1))
    planner.locator("#shipping-link").click()
    code = pack_and_ship(planner, ("230", "110", "95", "62,5"), ("DB Schenker", "SCH-4471-0093"))
    expect(planner.locator("h1 .badge")).to_have_text("Shipped")

    deliver = planner.locator(f"form#deliver-{code}")
    day = deliver.get_by_label("Delivered on")
    today = day.get_attribute("max")  # the plant's today: a delivery is not in the future
    assert today, "the delivery date has the plant's today as its latest"
    day.fill(today)
    deliver.get_by_label("Received by").fill("M. Berger, goods-in")
    deliver.get_by_role("button", name="Confirm delivery").click()
    expect(planner.locator(".flash").first).to_contain_text(f"{code} delivered on {today}.")
    expect(planner.locator(f"article#{code} .badge")).to_have_text("Delivered")
    expect(planner.locator(f"article#{code}")).to_contain_text(
        f"{today}, received by M. Berger, goods-in"
    )
    expect(planner.locator(f"form#deliver-{code}")).to_have_count(0)
    planner.screenshot(path=screenshots / "shipping-delivered-tablet.png", full_page=True)

    planner.get_by_role("link", name=f"← order {number}").click()
    expect(planner.locator(".badge").first).to_have_text("Delivered")
    expect(planner.locator("#delivery")).to_contain_text(f"{code}: Delivered")
    expect(planner.locator("#delivery")).to_contain_text(f"delivered {today}")
    # The demo promises every confirmed order: the figures count it on time or late.
    promised = planner.locator("#promise-date").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", promised), f"promise date: {promised!r}"
    on_time = today <= promised

    planner.goto("/shipping/on-time?by=customer")
    row = planner.locator("#on-time tbody tr").filter(
        has=planner.get_by_role("cell", name=customer.group(1), exact=True)
    )
    cells = row.locator("td")
    # Customer, orders, on time, late, %, bar, without promise.
    after = [
        before["orders"] + 1,
        before["on_time"] + int(on_time),
        before["late"] + int(not on_time),
        before["without_promise"],
    ]
    expect(cells.nth(1)).to_have_text(str(after[0]))
    expect(cells.nth(2)).to_have_text(str(after[1]))
    expect(cells.nth(3)).to_have_text(str(after[2]))
    percent = (Decimal(100) * after[1] / after[0]).quantize(Decimal("0.1"))
    expect(cells.nth(4)).to_have_text(f"{percent} %")
    expect(cells.nth(6)).to_have_text(str(after[3]))
    planner.screenshot(path=screenshots / "on-time-delivery-tablet.png", full_page=True)
    planner.context.close()

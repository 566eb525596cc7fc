"""Design approval in the browser: revision A rejected by the customer, revision B
signed by the customer, the engineering lead and quality, then released; on a tablet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect

from tests.e2e.test_browser import signed_in, state_badge

pytestmark = pytest.mark.e2e

CUSTOMER = "Hotel Alpina Garmisch (C-HOTEL-ALPINA)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TABLET: ViewportSize = {"width": 1024, "height": 768}


def act(page: Page, number: str, button: str) -> None:
    page.goto(f"/orders/{number}")
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".flash").first).to_be_visible()


def open_design(browser: Browser, server_url: str, username: str, number: str) -> Page:
    context = browser.new_context(base_url=server_url, viewport=TABLET)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("orderforge-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/orders/{number}/design")
    return page


def propose(page: Page, notes: str, file_name: str) -> None:
    if page.locator("details.propose").get_attribute("open") is None:
        page.locator("details.propose summary").click()
    page.get_by_label("What this revision shows or changes").fill(notes)
    upload: FilePayload = {"name": file_name, "mimeType": "application/pdf", "buffer": PDF}
    page.get_by_label("Documents").set_input_files([upload])
    page.get_by_role("button", name="Propose revision").click()


def sign(page: Page, username: str, letter: str) -> None:
    form = page.locator("form.sign-form")
    form.get_by_label("Your user id").fill(username)
    form.get_by_label("Your password").fill("orderforge-demo")
    form.get_by_role("button", name=f"Sign revision {letter}").click()


def _csrf(page: Page) -> dict[str, str]:
    page.goto("/account")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token, "the account page carries the session's CSRF token"
    return {"x-csrf-token": token}


def build_prototype(page: Page, number: str) -> None:
    """The floor starts and completes every operation of the prototype, in order."""
    csrf = _csrf(page)
    wo = page.request.get(f"/api/v1/work-orders/{number}").json()
    base = f"/api/v1/work-orders/{number}/operations"
    for op in wo["operations"]:
        assert page.request.post(f"{base}/{op['seq']}/start", headers=csrf).ok
        done = page.request.post(f"{base}/{op['seq']}/complete", data={"good": 1}, headers=csrf)
        assert done.ok, done.text()


def inspect_prototype(page: Page, number: str) -> None:
    """Quality records the prototype's inspection, every value on nominal."""
    csrf = _csrf(page)
    for inspection in page.request.get(f"/api/v1/work-orders/{number}/inspections").json():
        plan = inspection["plan"]["characteristics"]
        body = {
            "unit": 1,
            "values": {
                c["code"]: {"value": c["limits"]["nominal"], "unit": c["unit"]}
                for c in plan
                if c["unit"]
            },
            "checks": {c["code"]: True for c in plan if not c["unit"]},
        }
        recorded = page.request.post(
            f"/api/v1/work-orders/{number}/operations/{inspection['seq']}/inspection/results",
            data=body,
            headers=csrf,
        )
        assert recorded.ok, recorded.text()


def test_couch_design_rejected_then_signed_and_released(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    with signed_in(browser, server_url, "sales") as page:
        page.goto("/configure/COUCH")
        expect(page.locator("#configurator[data-live='on']")).to_have_count(1)
        page.get_by_label("Customer").select_option(label=CUSTOMER)
        page.get_by_role("button", name="Create quote").click()
        expect(page).to_have_url(re.compile(r"/orders/SO-[\d-]+$"))
        number = page.url.rsplit("/", 1)[1]
        page.get_by_role("button", name="Confirm", exact=True).click()
        expect(state_badge(page)).not_to_have_text("Quote")
    with signed_in(browser, server_url, "engineer") as page:
        page.goto(f"/orders/{number}")
        if page.get_by_role("button", name="Mark feasible", exact=True).count():
            page.get_by_role("button", name="Mark feasible", exact=True).click()
        expect(state_badge(page)).to_have_text("Feasible")
    with signed_in(browser, server_url, "planner") as page:
        page.goto(f"/orders/{number}")
        page.get_by_role("button", name="Plan", exact=True).click()
        expect(state_badge(page)).to_have_text("Planned")

    engineer = open_design(browser, server_url, "engineer", number)
    propose(engineer, "Head rest tilts 40 degrees; top 1900 x 650 mm.", "couch-rev-a.pdf")
    expect(engineer.locator(".flash").first).to_contain_text("Revision A")
    expect(engineer.locator("#design-blockers")).to_contain_text("still needs customer approval")
    expect(engineer.locator("img.mockup")).to_have_count(1)

    customer = open_design(browser, server_url, "alpina", number)
    expect(customer.get_by_role("link", name="couch-rev-a.pdf")).to_be_visible()
    customer.get_by_label("What must change").fill("Please make the head rest tilt further.")
    customer.get_by_role("button", name="Reject revision A").click()
    expect(customer.locator(".badge.rev-rejected")).to_have_count(1)

    engineer.reload()
    propose(engineer, "Head rest tilts 60 degrees as asked.", "couch-rev-b.pdf")
    expect(engineer.locator("h3", has_text="Revision B")).to_be_visible()
    # the author cannot give the engineering approval: no signing form for them
    expect(engineer.locator("form.sign-form")).to_have_count(0)

    customer.reload()
    sign(customer, "alpina", "B")
    expect(customer.locator("table.signatures")).to_contain_text("Franz Huber (Hotel Alpina)")
    customer.screenshot(path=screenshots / "design-customer-signed.png")

    quality = open_design(browser, server_url, "quality", number)
    form = quality.locator("form.sign-form")
    form.get_by_label("Your user id").fill("quality")
    form.get_by_label("Your password").fill("wrong-password")
    form.get_by_role("button", name="Sign revision B").click()
    expect(quality.locator(".flash").first).to_contain_text("password is not right")
    sign(quality, "quality", "B")
    expect(quality.locator("table.signatures")).to_contain_text("Heike Thomsen")

    lead = open_design(browser, server_url, "lead", number)
    sign(lead, "lead", "B")
    expect(lead.locator("#design-state")).to_have_text("Approved")
    expect(lead.locator("table.signatures tbody tr")).to_have_count(3)
    expect(lead.locator("table.signatures")).to_contain_text("verified")
    lead.screenshot(path=screenshots / "design-approved.png")

    # The couch asks for a prototype: the lead makes it, the floor builds it before
    # release, and quality passes its inspection.
    lead.get_by_role("button", name="Make prototype").click()
    expect(lead.locator(".flash").first).to_contain_text("Prototype WO-")
    expect(lead.locator(".prototype")).to_contain_text("has not passed its inspection")
    prototype = re.search(r"WO-\d{4}-\d+", lead.locator(".prototype").inner_text())
    assert prototype is not None
    with signed_in(browser, server_url, "planner") as page:
        build_prototype(page, prototype.group(0))
    inspect_prototype(quality, prototype.group(0))
    lead.reload()
    expect(lead.locator(".prototype")).to_contain_text("passed its inspection")
    lead.screenshot(path=screenshots / "design-prototype-passed.png")

    with signed_in(browser, server_url, "planner") as page:
        page.goto(f"/orders/{number}")
        page.get_by_role("button", name="Release", exact=True).click()
        expect(state_badge(page)).to_have_text("Released")
    for p in (engineer, customer, quality, lead):
        p.context.close()

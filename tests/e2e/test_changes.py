"""An engineering change in the browser, on a tablet: sales asks for a change of a table in
production with a new drawing attached, the impact and the carried revision are shown, an
engineer signs the ECO, and the order carries the new price and date, the design its next
revision (approved by the signature), the work order is at its next revision and the plan
is run again."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.test_browser import signed_in, state_badge

pytestmark = pytest.mark.e2e

TABLET: ViewportSize = {"width": 1024, "height": 768}


def tablet(browser: Browser, server_url: str, username: str) -> Page:
    context = browser.new_context(base_url=server_url, viewport=TABLET)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("orderforge-demo")
    page.get_by_role("button", name="Sign in").click()
    return page


def a_table_in_production(page: Page) -> str:
    """An order in production whose first line is a table (the demo has several)."""
    page.goto("/orders?state=in_production")
    numbers = [link.inner_text().strip() for link in page.locator("table.orders a.ordernum").all()]
    for number in numbers:
        page.goto(f"/orders/{number}/changes")
        if page.locator("#ask-line-1 select[name='line-1-wood']").count():
            return number
    raise AssertionError("the demo has no table in production")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_change_in_production_signed_and_applied(
    browser: Browser, server_url: str, screenshots: Path, tmp_path: Path
) -> None:
    sales = tablet(browser, server_url, "sales")
    number = a_table_in_production(sales)
    form = sales.locator("#ask-line-1")
    wood = form.locator("select[name='line-1-wood']")
    current = wood.input_value()
    other = next(
        v for v in wood.locator("option").evaluate_all("os => os.map(o => o.value)") if v != current
    )
    wood.select_option(other)
    form.get_by_label("What the revision changes").fill("The top drawn again in the new wood.")
    drawing = tmp_path / "top-detail.pdf"
    drawing.write_bytes(PDF)
    form.locator("input[name='documents-1']").set_input_files(str(drawing))
    form.get_by_label("What should change and why").fill("The customer wants the other wood.")
    form.get_by_role("button", name="Ask for this change").click()
    flash = sales.locator(".flash").first
    expect(flash).to_contain_text("asked for")
    if "cannot" in (flash.inner_text() or "") or sales.locator(".flash.error").count():
        pytest.fail(f"the change was refused: {flash.inner_text()}")
    change = re.search(r"ECR-\d{4}-\d{4}", flash.inner_text())
    assert change is not None
    ecr = change.group(0)
    card = sales.locator(f"section#{ecr}")
    expect(card.locator(".badge")).to_have_text("Awaiting the engineering decision")
    expect(card.locator("table.change-options")).to_contain_text("Wood")
    expect(card.locator("table.change-operations")).to_be_visible()
    expect(card.locator(f"#{ecr}-price")).to_contain_text("→")
    expect(card.locator(f"#{ecr}-design-1")).to_contain_text("top-detail.pdf")
    expect(card.locator(f"#{ecr}-design-1 img.mockup")).to_be_visible()
    sales.screenshot(path=screenshots / "change-requested-tablet.png", full_page=True)
    sales.context.close()

    engineer = tablet(browser, server_url, "lead")
    engineer.goto("/changes")
    expect(engineer.locator("#changes")).to_contain_text(ecr)
    engineer.goto(f"/orders/{number}/changes")
    card = engineer.locator(f"section#{ecr}")
    approve = card.locator("form.approve-form")
    approve.get_by_label("Your user id").fill("lead")
    approve.get_by_label("Your password").fill("not-my-password")
    approve.get_by_role("button", name=f"Sign and apply {ecr}").click()
    expect(engineer.locator(".flash").first).to_contain_text("nothing was signed")
    card = engineer.locator(f"section#{ecr}")
    approve = card.locator("form.approve-form")
    approve.get_by_label("Your user id").fill("lead")
    approve.get_by_label("Your password").fill("orderforge-demo")
    approve.get_by_role("button", name=f"Sign and apply {ecr}").click()
    expect(engineer.locator(".flash").first).to_contain_text("approved and applied")
    card = engineer.locator(f"section#{ecr}")
    expect(card.locator("table.signatures")).to_contain_text("Approved")
    expect(card.locator("table.signatures")).to_contain_text("verified")
    expect(card.locator("ul.applied")).to_contain_text("revision 2")
    expect(card).to_contain_text("approved by this change's signature")
    engineer.goto(f"/orders/{number}/design")
    expect(engineer.locator(".change-origin").first).to_contain_text(ecr)
    expect(engineer.locator(".change-origin").first).to_contain_text("authority")
    engineer.goto(f"/orders/{number}/changes")
    engineer.screenshot(path=screenshots / "change-approved-tablet.png", full_page=True)
    engineer.context.close()

    with signed_in(browser, server_url, "planner") as page:
        page.goto(f"/orders/{number}")
        expect(state_badge(page)).to_have_text("In production")
        expect(page.locator("#promise-date")).not_to_have_text("not promised yet")
        # the replan runs in the background: the plan's summary names the change
        deadline = time.monotonic() + 120
        summary_text = ""
        while ecr not in summary_text:
            if time.monotonic() > deadline:
                raise AssertionError(f"no plan made for {ecr}: {summary_text}")
            time.sleep(2)
            try:
                page.goto("/schedule")
                summary = page.locator("#plan-summary")
                summary_text = summary.inner_text() if summary.count() else ""
            except PlaywrightError:  # the board reloads itself while a run is going
                continue

"""The plant admin pages in Chromium on a 1024x768 tablet: an admin adds a work centre
and changes its units through the forms, and sees the change on the page.

A work centre of its own (unique code, on no routing) keeps the demo's centres, which
the schedule tests plan on, as they are."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def tablet(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_admin_edits_a_work_centres_units(tablet: Page, screenshots: Path) -> None:
    page = tablet
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    sign_in(page, "admin")
    page.goto("/plant/work-centres")
    expect(page.get_by_role("heading", name="Work centres", level=1)).to_be_visible()
    new = page.locator("#centre-new")
    new.get_by_label("Code", exact=True).fill(code)
    new.get_by_label("Name", exact=True).fill("Edge bander")
    new.locator("select[name=calendar]").select_option("DAY")
    new.get_by_label(re.compile(r"^Hourly rate")).fill("64.5")
    new.get_by_role("button", name="Add work centre").click()
    expect(page.get_by_text(f"Work centre {code} added.")).to_be_visible()
    expect(page.locator("#centre-units")).to_have_text("1")

    edit = page.locator("#centre-edit")
    edit.get_by_label(re.compile(r"^Units")).fill("3")
    edit.get_by_label(re.compile(r"^Limits")).fill("length / 2800 mm")
    edit.get_by_role("button", name="Save work centre").click()
    expect(page.get_by_text(f"Work centre {code} saved.")).to_be_visible()
    expect(page.locator("#centre-units")).to_have_text("3")
    expect(page.get_by_text("length 2800 mm")).to_be_visible()
    # Nothing wider than the tablet: the page does not scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024
    page.screenshot(path=screenshots / "plant-work-centre.png", full_page=True)

    page.goto("/plant/work-centres")
    row = page.locator("table.centres tr", has=page.get_by_role("link", name=code))
    expect(row.locator("td").nth(2)).to_have_text("3")
    expect(row.locator("td").nth(4)).to_have_text("€64.50")

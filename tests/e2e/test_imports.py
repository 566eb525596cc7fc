"""Importing in the browser, at 1024x768: sales uploads a customers file with an error
and sees the row and column marked and no confirm button; uploads the corrected file,
confirms, and the batch says who applied it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


def test_sales_previews_corrects_and_confirms_an_import(
    browser: Browser, server_url: str, screenshots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, "sales")
        page.get_by_role("link", name="Import").click()
        expect(page.get_by_role("heading", name="Import", exact=True)).to_be_visible()
        page.screenshot(path=screenshots / "import-upload.png", full_page=True)
        code = f"C-E2E-{uuid.uuid4().hex[:6].upper()}"
        bad = tmp_path / "customers.csv"
        bad.write_text(f"code,name,email\n{code},Browser Test AG,\nC-E2E-BAD,Bad,nope\n")
        form = page.locator("#import-upload")
        form.get_by_label("What the file holds").select_option("customers")
        form.locator("input[type=file]").set_input_files(str(bad))
        form.get_by_role("button", name="Show the preview").click()
        error_row = page.locator("#import-rows tr.outcome-error")
        expect(error_row).to_contain_text("column email")
        expect(page.locator("#import-confirm")).to_have_count(0)
        page.screenshot(path=screenshots / "import-preview-errors.png", full_page=True)

        good = tmp_path / "customers-fixed.csv"
        good.write_text(f"code,name,email\n{code},Browser Test AG,\n")
        page.goto("/imports")
        form.locator("input[type=file]").set_input_files(str(good))
        form.get_by_role("button", name="Show the preview").click()
        expect(page.locator("#import-rows tr.outcome-create")).to_contain_text(code)
        page.get_by_role("button", name="Confirm and apply").click()
        expect(page.locator(".flash", has_text="applied: 1 created")).to_be_visible()
        expect(page.locator("#import-state")).to_contain_text("has been applied")
        expect(page.get_by_text("by sales").first).to_be_visible()
        page.screenshot(path=screenshots / "import-applied.png", full_page=True)
    finally:
        context.close()

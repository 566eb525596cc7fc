"""A nonconformance in the browser, on a tablet: a table's final inspection fails, quality
raises an NCR from the inspection page and decides rework; the rework operations are
added to the work order and a replan is queued. The floor's reports that bring the
table to its final inspection go through the API with the operator's browser session."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_changes import tablet

pytestmark = pytest.mark.e2e


def _csrf(page: Page) -> str:
    page.goto("/account")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token, "the account page carries the session's CSRF token"
    return token


def table_at_final_inspection(page: Page) -> tuple[dict[str, Any], int]:
    """An open table work order walked by the operator up to its QC operation, started."""
    csrf = {"x-csrf-token": _csrf(page)}
    listing = page.request.get("/api/v1/work-orders?limit=200")
    assert listing.ok, listing.text()
    for wo in listing.json():
        qc = [o for o in wo["operations"] if o["routing_key"].rsplit("/", 1)[-1] == "QC"]
        fresh = all(o["status"] in ("ready", "waiting") for o in wo["operations"])
        if wo["product_family"] == "TABLE" and wo["status"] == "open" and qc and fresh:
            order = page.request.get(f"/api/v1/orders/{wo['order_number']}").json()
            if order["state"] in ("released", "in_production"):  # the floor may work on it
                break
    else:
        raise AssertionError("the demo has no open table work order")
    base = f"/api/v1/work-orders/{wo['number']}/operations"
    for op in wo["operations"]:
        assert page.request.post(f"{base}/{op['seq']}/start", headers=csrf).ok
        if op["seq"] == qc[0]["seq"]:
            return wo, op["seq"]
        done = page.request.post(
            f"{base}/{op['seq']}/complete", data={"good": wo["quantity"]}, headers=csrf
        )
        assert done.ok, done.text()
    raise AssertionError("unreachable: QC is one of the operations")


def test_quality_raises_an_ncr_from_a_failed_inspection_and_decides_rework(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    operator = tablet(browser, server_url, "operator")
    wo, qc = table_at_final_inspection(operator)
    operator.context.close()

    quality = tablet(browser, server_url, "quality")
    quality.goto(f"/quality/{wo['number']}/{qc}")
    form = quality.locator("#record-form")
    form.locator("input[name='value-flatness']").fill("0.9")
    form.get_by_role("button", name="Record").click()
    expect(quality.locator("#inspection-status")).to_contain_text("Failed")
    quality.locator("#raise-ncr").get_by_role("link", name="Raise an NCR").click()
    ncr = quality.locator("#ncr-form")
    expect(ncr.get_by_label("Work order")).to_have_value(wo["number"])
    ncr.get_by_label("Cause").select_option("MATERIAL")
    ncr.get_by_label("What is wrong").fill("Top bows 0.9 mm over 1 m")
    ncr.get_by_role("button", name="Raise the NCR").click()
    expect(quality.locator(".flash").first).to_contain_text("raised")
    number = re.search(r"NCR-\d{4}-\d{4}", quality.locator("h1").inner_text())
    assert number is not None
    expect(quality.locator("#ncr-status")).to_contain_text("Open")
    expect(quality.locator("section.card").first).to_contain_text(
        "Material defect (knots, cracks, wrong grade)"
    )

    decide = quality.locator("#disposition-form")
    decide.get_by_label("Disposition").select_option("rework")
    decide.get_by_label("Why").fill("Plane the top flat and re-oil it.")
    centre = next(o for o in wo["operations"] if o["seq"] == qc)["work_centres"][0]
    decide.locator("input[name='centre-1']").fill(centre)
    decide.locator("input[name='minutes-1']").fill("30")
    decide.locator("input[name='instruction-1']").fill("Plane the top flat")
    decide.get_by_role("button", name="Decide").click()
    expect(quality.locator(".flash").first).to_contain_text("replan is queued")
    expect(quality.locator("#ncr-status")).to_contain_text("Decided")
    expect(quality.locator("#disposition")).to_contain_text(f"{qc + 1}")
    expect(quality.locator("#ncr-outstanding")).to_contain_text("not done")
    wide = quality.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the NCR page scrolls sideways by {wide}px at 1024x768"
    quality.screenshot(path=screenshots / "ncr-rework-tablet.png", full_page=True)

    added = quality.request.get(f"/api/v1/work-orders/{wo['number']}").json()
    seqs = [o["seq"] for o in added["operations"]]
    assert qc + 1 in seqs
    runs = quality.request.get("/api/v1/plans/runs").json()
    items = runs["items"] if isinstance(runs, dict) else runs
    assert any(r["trigger"].get("ncr") == number.group(0) for r in items)
    quality.context.close()

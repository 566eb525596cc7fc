"""Traceability in Chromium on the demo server: an operator scans a lot into the
"Consume material" form of an operation on the floor screen (a wedge scanner types the
lot and Enter), the work order is finished, and quality opens the trace of a unit it made
from the trace page's search box, then follows the lot forward to that unit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import APIRequestContext, Browser, expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_browser import sign_in
from tests.e2e.test_floor import TABLET, fits_the_screen

pytestmark = pytest.mark.e2e
API = "/api/v1"


def _token(request: APIRequestContext, username: str) -> dict[str, str]:
    response = request.post(
        f"{API}/auth/token",
        data={"username": username, "password": DEMO_PASSWORD, "name": "e2e-trace"},
    )
    assert response.ok, response.text()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _pick(request: APIRequestContext, admin: dict[str, str]) -> tuple[Any, Any, str, str]:
    """An unfinished work order, an operation of it that takes a material, and a lot in
    stock with enough of that material: (work order, operation, lot, quantity)."""
    stock = request.get(f"{API}/materials/stock", headers=admin).json()
    lots = {s["item_code"]: s["lots"] for s in stock}
    for wo in request.get(f"{API}/work-orders", headers=admin).json():
        if wo["status"] not in ("open", "in_progress"):
            continue
        order = request.get(f"{API}/orders/{wo['order_number']}", headers=admin).json()
        if order["state"] not in ("released", "in_production"):  # the floor may work on it
            continue
        for m in wo["materials"]:
            ops = [o for o in wo["operations"] if o["routing_key"] == m["operation"]] or [
                o for o in wo["operations"] if not o["predecessors"]
            ]
            lot = next(
                (x for x in lots.get(m["item_code"], []) if Decimal(x["quantity"]) >= 1), None
            )
            if lot is not None:
                quantity = min(Decimal(m["quantity"]), Decimal(lot["quantity"]))
                return wo, ops[0], lot["lot_number"], format(quantity.normalize(), "f")
    raise AssertionError("no unfinished work order takes a material the demo has in stock")


def _finish(request: APIRequestContext, operator: dict[str, str], wo: dict[str, Any]) -> None:
    base = f"{API}/work-orders/{wo['number']}/operations"
    for op in sorted(wo["operations"], key=lambda o: o["seq"]):
        if op["status"] == "done":
            continue
        if op["status"] != "running":
            assert request.post(f"{base}/{op['seq']}/start", headers=operator).ok
        done = request.post(
            f"{base}/{op['seq']}/complete", data={"good": wo["quantity"]}, headers=operator
        )
        assert done.ok, done.text()


def test_an_operator_scans_a_lot_and_quality_traces_the_unit(
    browser: Browser, server_url: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=server_url, viewport=TABLET, locale="en-GB")
    page = context.new_page()
    try:
        admin = _token(context.request, "admin")
        wo, op, lot, quantity = _pick(context.request, admin)
        centre = op["work_centre"] or op["work_centres"][0]
        sign_in(page, "operator")
        page.goto(f"/floor/{quote(centre, safe='')}/ops/{quote(wo['number'])}/{op['seq']}")
        form = page.locator("#consume-form")
        expect(form).to_be_visible()
        page.get_by_label("Quantity").fill(quantity)
        # The wedge scanner: the lot typed into the focused field, then Enter.
        page.locator("#lot").click()
        page.keyboard.type(lot)
        page.keyboard.press("Enter")
        expect(page.locator(".flash-success")).to_contain_text(f"lot {lot}")
        expect(page.locator("#lots-used")).to_contain_text(lot)
        fits_the_screen(page)
        page.screenshot(path=str(screenshots / "floor-consume.png"))

        _finish(context.request, _token(context.request, "operator"), wo)
        detail = context.request.get(f"{API}/work-orders/{wo['number']}", headers=admin).json()
        serial = detail["serials"][0]["serial"]

        context.clear_cookies()
        sign_in(page, "quality")
        page.get_by_role("link", name="Trace", exact=True).click()
        page.get_by_label("Serial number or lot").fill(serial)
        page.keyboard.press("Enter")
        expect(page.locator("#unit-serial")).to_have_text(serial)
        expect(page.locator("#unit-operations")).to_contain_text(lot)
        fits_the_screen(page)
        page.screenshot(path=str(screenshots / "trace-unit.png"))
        page.locator("#unit-operations").get_by_role("link", name=lot).first.click()
        expect(page.locator("#lot-number")).to_have_text(lot)
        expect(page.locator("#lot-units")).to_contain_text(serial)
        page.screenshot(path=str(screenshots / "trace-lot.png"))
    finally:
        context.close()

"""The Materials page over HTTP: purchasing runs the MRP, accepts a proposal and
receives part of it through the forms; a receipt beyond the open quantity is refused
with the reason and stores nothing; sales reads without controls; customers see no
materials, on the page or in the order's Materials section."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession, TestClient, drain_jobs
from tests.api.test_schedule_pages import Browser, flashes

OpenAs = Callable[[str], Browser]


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


def test_purchasing_runs_mrp_accepts_and_receives_through_the_page(
    api: ApiSession, browser: OpenAs
) -> None:
    order = api.make_order(OrderState.CONFIRMED)["number"]
    buyer = browser("purchasing")
    page = buyer.get("/materials")
    assert page.status_code == 200 and "Run MRP" in page.text
    assert 'href="/materials"' in page.text  # the nav offers the page
    asked = buyer.post("/materials/mrp-runs")
    assert any(m.startswith("MRP run ") and "queued" in m for m in flashes(asked)), flashes(asked)
    drain_jobs(api.application)
    after_run = buyer.get("/materials")
    assert "<b>done</b>" in after_run.text
    proposal = re.search(r'action="/materials/proposals/(\d+)/accept"', after_run.text)
    assert proposal is not None
    accepted = buyer.post(f"/materials/proposals/{proposal.group(1)}/accept")
    [message] = flashes(accepted)
    number = re.search(r"(PO-\d{4}-\d{4})", message)
    assert number is not None
    po = number.group(1)
    headers = api.auth("purchasing")
    line = api.client.get(f"{API}/materials/purchase-orders/{po}", headers=headers).json()
    ordered = line["lines"][0]["quantity"]
    too_much = buyer.post(
        f"/materials/purchase-orders/{po}/lines/1/receive", quantity=str(float(ordered) + 1)
    )
    assert any("Nothing was changed" in m and "quantity" in m for m in flashes(too_much))
    same = api.client.get(f"{API}/materials/purchase-orders/{po}", headers=headers).json()
    assert same == line
    received = buyer.post(f"/materials/purchase-orders/{po}/lines/1/receive", quantity="1")
    assert any(m.startswith("Received 1 ") for m in flashes(received)), flashes(received)
    after = api.client.get(f"{API}/materials/purchase-orders/{po}", headers=headers).json()
    assert after["lines"][0]["received_quantity"] == "1"
    staff_order = buyer.get(f"/orders/{order}")
    assert 'id="materials"' in staff_order.text


def test_sales_reads_without_controls_and_customers_see_nothing(
    api: ApiSession, browser: OpenAs
) -> None:
    sales = browser("sales").get("/materials")
    assert sales.status_code == 200
    assert "Run MRP" not in sales.text and "Accept</button>" not in sales.text
    assert 'href="/materials"' not in sales.text  # not in the nav for sales
    refused = browser("sales").post("/materials/mrp-runs")
    assert refused.status_code == 403
    customer = browser("alpina")
    assert customer.get("/materials").status_code == 403
    mine = api.make_order(OrderState.CONFIRMED, customer="C-HOTEL-ALPINA")["number"]
    page = customer.get(f"/orders/{mine}")
    assert page.status_code == 200 and 'id="materials"' not in page.text

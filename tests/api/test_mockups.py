"""Mock-up drawings over HTTP: an order line's SVG for staff and the owning customer,
missing for everyone else; an unknown line is a problem naming it; the image can never
run anything (headers); the configurator and the order page show it as an <img>."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import unescape

import httpx
import pytest

from tests.api.support import API, ApiSession, TestClient
from tests.api.test_schedule_pages import Browser

OpenAs = Callable[[str], Browser]
POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


def _quote(api: ApiSession) -> str:
    body = {
        "customer": "C-HOTEL-ALPINA",
        "lines": [
            {"product_family": "TABLE", "quantity": 2, "spec": {"wood": "walnut"}},
            {"product_family": "COUCH", "quantity": 1, "spec": {"lift": "electric"}},
        ],
    }
    response = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales"))
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def _words(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _assert_image(response: httpx.Response) -> None:
    headers = response.headers
    assert response.status_code == 200, response.text
    assert headers["content-type"].startswith("image/svg+xml")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == POLICY


def test_a_lines_mockup_for_staff_and_its_customer_only(api: ApiSession) -> None:
    number = _quote(api)
    url = f"{API}/orders/{number}/lines/1/mockup.svg"
    staff = api.client.get(url, headers=api.auth("sales"))
    _assert_image(staff)
    words = _words(staff.content)
    assert "Wood species: Walnut" in words and "Quantity 2" in words
    assert "Top view" in words and "Front view" in words
    own = api.client.get(url, headers=api.auth("alpina"))
    _assert_image(own)
    assert own.content == staff.content  # one drawing, whoever asks
    couch = api.client.get(f"{API}/orders/{number}/lines/2/mockup.svg", headers=api.auth("alpina"))
    _assert_image(couch)
    assert "Height adjustment: Electric lift column with foot switch" in _words(couch.content)
    other = api.client.get(url, headers=api.auth("studio-berg"))
    assert other.status_code == 404
    assert "svg" not in other.headers["content-type"]
    anonymous = api.client.get(url)
    assert anonymous.status_code == 401


def test_an_unknown_line_or_order_is_a_problem_naming_it(api: ApiSession) -> None:
    number = _quote(api)
    missing = api.client.get(f"{API}/orders/{number}/lines/3/mockup.svg", headers=api.auth("sales"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    problem = missing.json()
    assert problem["errors"] == [{"field": "line_no", "message": problem["detail"]}]
    assert "no line 3" in problem["detail"] and number in problem["detail"]
    nothing = api.client.get(
        f"{API}/orders/SO-1999-0001/lines/1/mockup.svg", headers=api.auth("sales")
    )
    assert nothing.status_code == 404
    bad = api.client.get(f"{API}/orders/{number}/lines/zero/mockup.svg", headers=api.auth("sales"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "line_no"


def test_the_configurator_and_the_order_page_show_the_mockup(
    api: ApiSession, browser: OpenAs
) -> None:
    sales = browser("sales")
    page = sales.get("/configure/TABLE")
    assert page.status_code == 200
    found = re.search(r'<img id="mockup" src="([^"]+)"', page.text)
    assert found is not None, "the configurator shows no mock-up"
    url = unescape(found.group(1))
    assert url.startswith("/configure/TABLE/mockup.svg?") and "length=" in url
    image = sales.get(url)
    _assert_image(image)
    assert "Top view" in _words(image.content)
    walnut = sales.get("/configure/TABLE/mockup.svg?wood=walnut&length=2400&quantity=3")
    _assert_image(walnut)
    assert {"Wood species: Walnut", "2 400 mm", "Quantity 3"} <= set(_words(walnut.content))
    wrong = sales.get("/configure/TABLE/mockup.svg?wood=plastic")
    assert wrong.status_code == 422 and "svg" not in wrong.headers["content-type"]

    number = _quote(api)
    customer = browser("alpina")
    order = customer.get(f"/orders/{number}")
    assert f'src="/orders/{number}/lines/2/mockup.svg"' in order.text
    _assert_image(customer.get(f"/orders/{number}/lines/2/mockup.svg"))
    assert browser("studio-berg").get(f"/orders/{number}/lines/1/mockup.svg").status_code == 404
    signed_out = TestClient(api.client.app).get(
        f"/orders/{number}/lines/1/mockup.svg", follow_redirects=False
    )
    assert signed_out.status_code == 303  # to the sign-in page, like every page

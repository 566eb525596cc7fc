"""Ratings and the product insight report over HTTP on the demo: the order's own customer
rates a delivered order (again: the new one is shown, the first stays stored), bad input
is refused naming the field with nothing stored, other customers' orders look missing;
staff read the rating on the order and the report per family (JSON and pages), which a
customer never sees."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from orderforge.domain.order import OrderState
from orderforge.insight.storage import order_feedback
from tests.api.support import API, CUSTOMER_OF, DEFAULT_CUSTOMER, ApiSession
from tests.api.test_shipping import csrf_of, signed_in

S = OrderState
ALPINA = CUSTOMER_OF["alpina"]


def _stored(api: ApiSession, number: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(order_feedback)
    if number is not None:
        query = query.where(order_feedback.c.order_number == number)
    with api.application.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


@pytest.fixture(scope="module")
def delivered(api: ApiSession) -> str:
    """A delivered table of the portal customer's company."""
    return str(api.make_order(S.DELIVERED, customer=ALPINA)["number"])


def _rate(api: ApiSession, number: str, body: Any, as_user: str = "alpina") -> Any:
    return api.client.post(f"{API}/orders/{number}/feedback", json=body, headers=api.auth(as_user))


def test_the_customer_rates_and_rates_again_keeping_the_first(
    api: ApiSession, delivered: str
) -> None:
    before = _stored(api, delivered)
    first = _rate(api, delivered, {"rating": 2, "comment": "  A leg was scratched.  "})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["current"]["rating"] == 2 and body["current"]["rating_words"] == "Fair"
    assert body["current"]["comment"] == "A leg was scratched."
    assert body["current"]["given_by"] == "Franz Huber (Hotel Alpina)"
    assert body["can_rate"] is True
    second = _rate(api, delivered, {"rating": 5, "comment": "Fixed at once, thank you!"})
    assert second.status_code == 201, second.text
    assert second.json()["current"]["rating"] == 5
    assert second.json()["earlier"][0]["rating"] == 2
    assert _stored(api, delivered) == before + 2
    staff = api.client.get(f"{API}/orders/{delivered}/feedback", headers=api.auth("sales"))
    assert staff.status_code == 200
    assert staff.json()["current"]["comment"] == "Fixed at once, thank you!"
    assert staff.json()["can_rate"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": -1, "comment": "x"}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": True}, "rating"),
        ({"comment": "no rating"}, "rating"),
        ({"rating": 4, "comment": "x" * 2001}, "comment"),
        ({"rating": 4, "comment": "nul \x00 inside"}, "comment"),
        ({"rating": 4, "comment": 12}, "comment"),
        ({"rating": 4, "stars": 4}, "stars"),
    ],
)
def test_bad_ratings_are_refused_naming_the_field(
    api: ApiSession, delivered: str, body: dict[str, Any], field: str
) -> None:
    before = _stored(api)
    response = _rate(api, delivered, body)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}, response.text
    assert _stored(api) == before


def test_only_a_delivered_order_of_ones_own_is_rated(api: ApiSession) -> None:
    before = _stored(api)
    quote = api.make_order(S.QUOTE, customer=ALPINA)["number"]
    refused = _rate(api, quote, {"rating": 5})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == "order"
    assert "once it is delivered" in problem["detail"]
    others = api.make_order(S.DELIVERED, customer=DEFAULT_CUSTOMER)["number"]
    # another customer's order looks missing, to read and to rate
    assert _rate(api, others, {"rating": 5}).status_code == 404
    read = api.client.get(f"{API}/orders/{others}/feedback", headers=api.auth("alpina"))
    assert read.status_code == 404
    assert _rate(api, "SO-1999-9999", {"rating": 5}).status_code == 404
    # staff never rate for the customer, not even an administrator
    assert _rate(api, others, {"rating": 5}, as_user="admin").status_code == 403
    assert _rate(api, others, {"rating": 5}, as_user="sales").status_code == 403
    assert _stored(api) == before


def test_the_order_page_has_the_form_and_shows_comments_escaped(
    api: ApiSession, delivered: str
) -> None:
    browser = signed_in(api, "alpina")
    page = browser.get(f"/orders/{delivered}")
    assert page.status_code == 200
    assert 'id="feedback-form"' in page.text
    posted = browser.post(
        f"/orders/{delivered}/feedback",
        data={
            "rating": "3",
            "comment": "<script>alert(1)</script> Größe ok",
            "csrf": csrf_of(page),
        },
    )
    assert posted.status_code == 303
    shown = browser.get(f"/orders/{delivered}").text
    assert "your rating is recorded" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Größe ok" in shown
    assert "<script>alert(1)</script>" not in shown
    refused = browser.post(
        f"/orders/{delivered}/feedback", data={"rating": "", "csrf": csrf_of(page)}
    )
    assert refused.status_code == 303
    assert "Choose a rating from 1 to 5." in browser.get(f"/orders/{delivered}").text
    staff = signed_in(api, "quality").get(f"/orders/{delivered}").text
    assert 'id="current-rating"' in staff and 'id="feedback-form"' not in staff
    assert "3 of 5" in staff
    quote = api.make_order(S.QUOTE, customer=ALPINA)["number"]
    assert 'id="feedback"' not in browser.get(f"/orders/{quote}").text
    unrated = api.make_order(S.DELIVERED, customer=DEFAULT_CUSTOMER)["number"]
    assert 'id="not-rated"' in signed_in(api, "sales").get(f"/orders/{unrated}").text


def test_the_report_per_family_in_words(api: ApiSession, delivered: str) -> None:
    _rate(api, delivered, {"rating": 1, "comment": "Report me."})
    listed = api.client.get(f"{API}/insights/families", headers=api.auth("engineer"))
    assert listed.status_code == 200, listed.text
    table = next(f for f in listed.json() if f["family"] == "TABLE")
    assert table["name"] == "Dining & conference table"
    assert table["delivered"] >= 1 and table["ratings"] >= 1
    response = api.client.get(f"{API}/insights/families/table", headers=api.auth("quality"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["family"] == "TABLE"
    assert any(c["comment"] == "Report me." for c in report["ratings"]["latest_comments"])
    assert sum(d["count"] for d in report["ratings"]["distribution"]) == report["ratings"]["count"]
    wood = next(o for o in report["options"] if o["code"] == "wood")
    assert wood["label"] and all(c["label"] != c["code"] for c in wood["choices"])
    assert round(sum(c["share"] for c in wood["choices"]), 2) == 1.0
    length = next(p for p in report["parameters"] if p["code"] == "length")
    assert length["maximum"].endswith(" mm") and "mm to" in length["range"]
    # the demo's own orders include engineers' needs-engineering and rejection reasons
    assert all(e["reason"] for e in report["engineering"])
    assert all(set(c) == {"rule", "subject", "title", "evidence"} for c in report["changes"])


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/insights/families/NO-SUCH", 404, None),
        ("/insights/families/TABLE?since=2026-13-01", 422, "since"),
        ("/insights/families?since=yesterday", 422, "since"),
        ("/insights/families?since=2099-01-01", 422, "since"),
        ("/insights/families/TABLE?since=1990-01-01", 422, "since"),
    ],
)
def test_bad_report_requests(api: ApiSession, path: str, status: int, field: str | None) -> None:
    response = api.client.get(f"{API}{path}", headers=api.auth("engineer"))
    assert response.status_code == status, response.text
    if field:
        assert field in {e["field"] for e in response.json()["errors"]}
    else:
        assert "NO-SUCH" in response.json()["detail"]


def test_a_customer_never_reads_the_report(api: ApiSession) -> None:
    for path in ("/insights/families", "/insights/families/TABLE"):
        assert api.client.get(f"{API}{path}", headers=api.auth("alpina")).status_code == 403
    browser = signed_in(api, "alpina")
    assert browser.get("/insights").status_code == 403
    assert browser.get("/insights/TABLE").status_code == 403
    assert 'href="/insights"' not in browser.get("/orders").text


def test_the_insight_pages(api: ApiSession) -> None:
    planner = signed_in(api, "planner")
    assert 'href="/insights"' in planner.get("/dashboard").text
    page = planner.get("/insights")
    assert page.status_code == 200, page.text
    assert "Dining &amp; conference table" in page.text and 'href="/insights/TABLE"' in page.text
    family = planner.get("/insights/TABLE?since=2025-01-01")
    assert family.status_code == 200, family.text
    for section in ("changes", "ratings", "ncrs", "options", "parameters", "engineering"):
        assert f'id="{section}"' in family.text, section
    assert "Catalogue changes worth making next" in family.text
    assert "Since 2025-01-01" in family.text
    bad = planner.get("/insights/TABLE?since=not-a-day")
    assert bad.status_code == 200 and 'id="since-error"' in bad.text
    assert planner.get("/insights/NO-SUCH").status_code == 404
    # quality sees no dashboard, so the report has its own place in the navigation
    quality = signed_in(api, "quality")
    assert 'href="/insights"' in quality.get("/orders").text
    assert signed_in(api, "operator").get("/insights").status_code == 403

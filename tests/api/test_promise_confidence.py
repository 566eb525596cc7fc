"""The confidence beside a promise over HTTP: staff get the chance and the dates at 50,
80 and 95 %, may quote at a chosen confidence, and get the same answer twice; customers
get the date only and may not ask for a confidence; a confidence out of range is refused
with the field named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession
from tests.api.test_shipping import csrf_of, signed_in

P = f"{API}/promise"


def _quote(api: ApiSession, body: dict[str, Any], as_user: str = "sales") -> dict[str, Any]:
    response = api.client.post(P, json={"family": "TABLE", **body}, headers=api.auth(as_user))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_staff_see_the_chance_and_the_dates_at_each_confidence(api: ApiSession) -> None:
    # not given unless asked for: it costs a few hundred replays
    assert _quote(api, {"quantity": 2})["confidence"] is None
    found = _quote(api, {"quantity": 2, "with_confidence": True})
    sure = found["confidence"]
    assert sure is not None and sure["asked"] is None
    dates = {k: dt.date.fromisoformat(v) for k, v in sure["dates"].items()}
    assert set(dates) == {"p50", "p80", "p95"}
    earliest = dt.date.fromisoformat(found["date"])
    assert earliest <= dates["p50"] <= dates["p80"] <= dates["p95"]
    assert 0 <= sure["chance"] <= 1 and sure["replications"] > 0
    assert sure["basis"] in {"learned", "partly default spread", "default spread"}
    assert sure["work_centres"] and all(
        c["source"] in {"learned", "default"} for c in sure["work_centres"]
    )
    # honest about what it learned from: the count matches the centres it learned for
    learned = sum(c["actuals"] for c in sure["work_centres"] if c["source"] == "learned")
    assert sure["actuals"] == learned
    assert "Chance of keeping" in sure["summary"]
    # the plan's own date is promised when no confidence is asked for, as before
    assert found["promise_date"] == found["date"]
    # deterministic: the same question gets the same answer
    assert _quote(api, {"quantity": 2, "with_confidence": True})["confidence"] == sure


@pytest.mark.parametrize("level", [0.5, 0.9, 0.99])
def test_quoting_at_a_confidence_promises_the_date_at_it(api: ApiSession, level: float) -> None:
    found = _quote(api, {"quantity": 2, "confidence": level})
    sure = found["confidence"]
    key = f"p{level * 100:.4g}"
    assert sure["asked"] == level and key in sure["dates"]
    promised = dt.date.fromisoformat(found["promise_date"])
    assert promised == dt.date.fromisoformat(sure["dates"][key])
    assert promised >= dt.date.fromisoformat(found["date"])  # never before the plan's date
    assert sure["chance"] >= level  # the date at a confidence is met at least that often
    assert f"{level:.0%} confidence" in found["summary"]


def test_an_order_is_promised_at_a_confidence_too(api: ApiSession) -> None:
    number = api.create_order(as_user="sales")["number"]
    url = f"{API}/orders/{number}/promise"
    plain = api.client.get(url, headers=api.auth("sales")).json()
    assert plain["confidence"] is None
    assessed = api.client.get(url, params={"with_confidence": True}, headers=api.auth("sales"))
    assert assessed.json()["confidence"] is not None
    sure = api.client.get(url, params={"confidence": 0.95}, headers=api.auth("sales")).json()
    assert sure["promise_date"] == sure["confidence"]["dates"]["p95"]
    refused = api.client.get(url, params={"confidence": 1.2}, headers=api.auth("sales"))
    assert refused.status_code == 422 and "confidence" in refused.text


@pytest.mark.parametrize("bad", [0.49, 0.995, 1, 95, -0.5, "sure", None, [0.9]])
def test_a_confidence_out_of_range_is_refused_naming_the_field(
    api: ApiSession, bad: object
) -> None:
    if bad is None:  # null means "the plan's own date", not an error
        sure = _quote(api, {"confidence": None, "with_confidence": True})["confidence"]
        assert sure["asked"] is None
        return
    response = api.client.post(
        P, json={"family": "TABLE", "confidence": bad}, headers=api.auth("sales")
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["confidence"]


def test_customers_see_the_date_but_neither_the_chance_nor_the_dates(api: ApiSession) -> None:
    found = _quote(api, {"quantity": 2, "with_confidence": True}, as_user="alpina")
    assert found["date"] is not None and found["promise_date"] is not None
    assert found["confidence"] is None and found["plan_version"] is None
    asked = api.client.post(
        P, json={"family": "TABLE", "confidence": 0.9}, headers=api.auth("alpina")
    )
    assert asked.status_code == 403, asked.text
    assert "confidence" in asked.json()["detail"]
    # nor on their own quote
    number = api.make_order(OrderState.QUOTE, customer="C-HOTEL-ALPINA")["number"]
    mine = api.client.get(f"{API}/orders/{number}/promise", headers=api.auth("alpina"))
    assert mine.status_code == 200 and mine.json()["confidence"] is None


def test_the_quote_pages_show_staff_the_confidence_and_customers_only_the_date(
    api: ApiSession,
) -> None:
    sales = signed_in(api, "sales")
    page = sales.get("/configure/TABLE")
    assert page.status_code == 200
    assert 'id="promise-confidence"' in page.text and "Chance of keeping" in page.text
    assert 'name="confidence"' in page.text  # sales may choose the confidence to quote at
    checked = sales.post(
        "/configure/TABLE",
        data={"csrf": csrf_of(page), "do": "check", "quantity": "2", "confidence": "0.9"},
    )
    assert checked.status_code == 200, checked.text[:300]
    assert "90% confidence" in checked.text
    customer = signed_in(api, "alpina")
    seen = customer.get("/configure/TABLE")
    assert seen.status_code == 200 and 'id="promise-date"' in seen.text
    assert "promise-confidence" not in seen.text and "Chance of keeping" not in seen.text
    assert 'name="confidence"' not in seen.text
    # the quote's own page: staff see how sure, the customer does not
    number = api.make_order(OrderState.QUOTE, customer="C-HOTEL-ALPINA")["number"]
    assert 'id="quote-confidence"' in sales.get(f"/orders/{number}").text
    theirs = customer.get(f"/orders/{number}")
    assert theirs.status_code == 200 and "quote-confidence" not in theirs.text

"""Bad input for every endpoint family: the status, the field named, nothing stored.

Families: orders (create, list, read, edit, actions, timeline), customers, users,
tokens, plant, me. Every refused write is followed by a check that the stored state
(order count, the order's version and timeline, the customer and user lists) is as
before.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from orderforge.domain.order import OrderAction, OrderState
from tests.api.support import (
    API,
    DEFAULT_CUSTOMER,
    FAMILIES,
    ApiSession,
    Stored,
    TestClient,
    order_body,
    unique,
    valid_line,
    valid_spec,
)
from tests.conftest import DEMO_PASSWORD, FixedClock

A = OrderAction
S = OrderState
MAX_BODY = 1_000_000
MARKUP = "<script>alert('x')</script><b onmouseover=\"steal()\">&amp; ' \""
UNICODE = "Grüße aus Kiel · Ørsted · 漢字 · 😀 · \u202eRTL\u202c · tab\t newline\nend"


def is_postgres(api: ApiSession) -> bool:
    return str(api.application.engine.dialect.name) == "postgresql"


def problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with `status`, naming `field` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def line(**changes: Any) -> dict[str, Any]:
    result = valid_line()
    result.update(changes)
    return result


def spec(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = valid_spec(FAMILIES["TABLE"])
    result.update(changes)
    return result


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


TODAY = dt.date(2026, 11, 25)  # the FixedClock's day

#: (id, request body, field the error must name) for POST /orders.
BAD_ORDERS: list[tuple[str, dict[str, Any], str]] = [
    # missing fields
    ("no-customer", without(order_body(), "customer"), "customer"),
    ("no-lines", without(order_body(), "lines"), "lines"),
    (
        "no-family",
        order_body(lines=[without(valid_line(), "product_family")]),
        "lines[0].product_family",
    ),
    ("no-quantity", order_body(lines=[without(valid_line(), "quantity")]), "lines[0].quantity"),
    ("empty-lines", order_body(lines=[]), "lines"),
    ("empty-customer", order_body(""), "customer"),
    # wrong types
    ("customer-number", {**order_body(), "customer": 42}, "customer"),
    ("lines-object", order_body(lines={"0": valid_line()}), "lines"),
    ("quantity-text", order_body(lines=[line(quantity="many")]), "lines[0].quantity"),
    ("quantity-fraction", order_body(lines=[line(quantity=1.5)]), "lines[0].quantity"),
    ("quantity-list", order_body(lines=[line(quantity=[1])]), "lines[0].quantity"),
    ("spec-list", order_body(lines=[line(spec=["oak"])]), "lines[0].spec"),
    ("spec-value-number", order_body(lines=[line(spec=spec(length=800))]), "lines[0].spec.length"),
    ("date-text", order_body(requested_date="next week"), "requested_date"),
    ("notes-object", order_body(notes={"text": "x"}), "notes"),
    # out of range
    ("quantity-zero", order_body(lines=[line(quantity=0)]), "lines[0].quantity"),
    ("quantity-negative", order_body(lines=[line(quantity=-3)]), "lines[0].quantity"),
    ("quantity-huge", order_body(lines=[line(quantity=10_001)]), "lines[0].quantity"),
    ("too-many-lines", order_body(lines=[valid_line()] * 101), "lines"),
    ("notes-too-long", order_body(notes="n" * 5001), "notes"),
    ("customer-too-long", order_body("C-" + "X" * 19), "customer"),
    (
        "spec-too-many",
        order_body(lines=[line(spec={f"k{i}": "v" for i in range(101)})]),
        "lines[0].spec",
    ),
    ("past-date", order_body(requested_date=str(TODAY - dt.timedelta(days=1))), "requested_date"),
    (
        "far-date",
        order_body(requested_date=str(TODAY + dt.timedelta(days=3 * 366 + 1))),
        "requested_date",
    ),
    # extra fields
    ("extra-field", order_body(discount=50), "discount"),
    ("extra-line-field", order_body(lines=[line(price="1.00")]), "lines[0].price"),
    # business rules
    ("unknown-customer", order_body("C-NO-SUCH"), "customer"),
    (
        "unknown-family",
        order_body(lines=[line(product_family="SPACESHIP")]),
        "lines[0].product_family",
    ),
    ("unknown-option", order_body(lines=[line(spec=spec(wings="two"))]), "lines[0].spec.wings"),
    ("unknown-choice", order_body(lines=[line(spec=spec(wood="plastic"))]), "lines[0].spec.wood"),
    ("choice-wrong-case", order_body(lines=[line(spec=spec(wood="Oak"))]), "lines[0].spec.wood"),
    ("below-minimum", order_body(lines=[line(spec=spec(length="790"))]), "lines[0].spec.length"),
    ("above-maximum", order_body(lines=[line(spec=spec(length="3010"))]), "lines[0].spec.length"),
    ("off-step", order_body(lines=[line(spec=spec(length="805"))]), "lines[0].spec.length"),
    ("not-a-number", order_body(lines=[line(spec=spec(height="tall"))]), "lines[0].spec.height"),
    ("nan", order_body(lines=[line(spec=spec(height="nan"))]), "lines[0].spec.height"),
    (
        "second-line",
        order_body(lines=[valid_line(), line(spec=spec(wood="teak"))]),
        "lines[1].spec.wood",
    ),
]


@pytest.mark.parametrize(("body", "field"), [pytest.param(b, f, id=i) for i, b, f in BAD_ORDERS])
def test_create_order_refuses(api: ApiSession, body: dict[str, Any], field: str) -> None:
    before = api.order_count()
    response = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales"))
    problem(response, 422, field)
    assert api.order_count() == before


def test_create_order_accepts_the_boundaries(api: ApiSession) -> None:
    top = valid_spec(FAMILIES["TABLE"])
    del top["length"]
    # The longest length the rules still allow with the rest of this spec.
    domains = api.client.post(
        f"{API}/families/TABLE/domains", json={"spec": top}, headers=api.auth("sales")
    ).json()
    top["length"] = domains["parameters"]["length"]["ranges"][-1]["max"]
    body = order_body(
        lines=[valid_line(quantity=1), line(quantity=10_000, spec=top)],
        requested_date=str(TODAY),
        notes="n" * 5000,
    )
    response = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales"))
    assert response.status_code == 201, response.text
    assert [li["quantity"] for li in response.json()["lines"]] == [1, 10_000]
    assert response.json()["requested_date"] == str(TODAY)


@pytest.mark.parametrize("quantity", [True, "2"], ids=["true", "text-2"])
def test_quantity_must_be_a_json_number(api: ApiSession, quantity: Any) -> None:
    before = api.order_count()
    body = order_body(lines=[line(quantity=quantity)])
    response = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales"))
    problem(response, 422, "lines[0].quantity")
    assert api.order_count() == before


# -- listing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "shipping"}, "state"),
        ({"state": "QUOTE"}, "state"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "first"}, "offset"),
        ({"q": "q" * 101}, "q"),
    ],
    ids=lambda v: "-".join(f"{k}={str(x)[:8]}" for k, x in v.items()) if isinstance(v, dict) else v,
)
def test_list_orders_refuses(api: ApiSession, params: dict[str, Any], field: str) -> None:
    response = api.client.get(f"{API}/orders", params=params, headers=api.auth("sales"))
    problem(response, 422, field)


def test_every_state_filter_is_accepted(api: ApiSession) -> None:
    for state in OrderState:
        response = api.client.get(
            f"{API}/orders", params={"state": state.value}, headers=api.auth("sales")
        )
        assert response.status_code == 200, response.text
        assert {o["state"] for o in response.json()["items"]} <= {state.value}


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_search_text_is_literal(api: ApiSession, wildcard: str) -> None:
    marked = api.make_order(notes=f"Discount 10{wildcard} agreed")["number"]
    response = api.client.get(
        f"{API}/orders", params={"q": wildcard, "limit": 1000}, headers=api.auth("admin")
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert marked in {o["number"] for o in items}
    assert all(wildcard in o["notes"] or wildcard in o["number"] for o in items)


# -- unknown ids -----------------------------------------------------------------


UNKNOWN = "SO-1999-0001"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/orders/{UNKNOWN}", None),
        ("PATCH", f"/orders/{UNKNOWN}", {"notes": "x"}),
        ("GET", f"/orders/{UNKNOWN}/events", None),
        ("GET", f"/orders/{UNKNOWN}/actions", None),
        ("POST", f"/orders/{UNKNOWN}/actions/confirm", {"reason": ""}),
        ("GET", "/customers/C-NO-SUCH", None),
        ("GET", "/no-such-endpoint", None),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_unknown_id_is_404(api: ApiSession, method: str, path: str, body: Any) -> None:
    before = api.order_count()
    response = api.client.request(method, f"{API}{path}", json=body, headers=api.auth("admin"))
    problem(response, 404)
    assert api.order_count() == before


# -- editing and actions --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": "n" * 5001}, "notes"),
        ({"notes": 7}, "notes"),
        ({"lines": []}, "lines"),
        ({"lines": [line(quantity=0)]}, "lines[0].quantity"),
        ({"lines": [line(spec=spec(wood="plastic"))]}, "lines[0].spec.wood"),
        ({"lines": [line(product_family="SPACESHIP")]}, "lines[0].product_family"),
        ({"requested_date": "2026-11-24"}, "requested_date"),
        ({"requested_date": "soon"}, "requested_date"),
        ({"state": "confirmed"}, "state"),
        ({"version": 99}, "version"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else v,
)
def test_edit_refuses(api: ApiSession, body: dict[str, Any], field: str) -> None:
    number = api.make_order()["number"]
    before = api.stored(number)
    response = api.client.patch(f"{API}/orders/{number}", json=body, headers=api.auth("sales"))
    problem(response, 422, field)
    assert api.stored(number) == before


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("teleport", {"reason": ""}, "action"),
        ("CONFIRM", {"reason": ""}, "action"),
        ("hold", {"reason": ""}, "reason"),
        ("hold", {"reason": "   "}, "reason"),
        ("hold", None, "reason"),
        ("cancel", {"reason": 5}, "reason"),
        ("cancel", {"reason": "r" * 2001}, "reason"),
        ("cancel", {"reason": "ok", "force": True}, "force"),
        ("cancel", ["reason"], "body"),
    ],
    ids=lambda v: str(v)[:12] if not isinstance(v, dict) else "-".join(v),
)
def test_action_refuses(api: ApiSession, action: str, body: Any, field: str) -> None:
    number = api.make_order(S.CONFIRMED)["number"]
    before = api.stored(number)
    response = api.client.post(
        f"{API}/orders/{number}/actions/{action}", json=body, headers=api.auth("admin")
    )
    problem(response, 422, field)
    assert api.stored(number) == before


# -- customers, users, tokens -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No Code GmbH"}, "code"),
        ({"code": "C-NEW"}, "name"),
        ({"code": "C", "name": "x"}, "code"),
        ({"code": "C NEW SPACE", "name": "x"}, "code"),
        ({"code": "C-" + "X" * 19, "name": "x"}, "code"),
        ({"code": 12345, "name": "x"}, "code"),
        ({"code": "C-NEW", "name": ""}, "name"),
        ({"code": "C-NEW", "name": "n" * 201}, "name"),
        ({"code": "C-NEW", "name": "x", "email": "not-an-address"}, "email"),
        ({"code": "C-NEW", "name": "x", "country": "DEU"}, "country"),
        ({"code": "C-NEW", "name": "x", "country": "D1"}, "country"),
        ({"code": "C-NEW", "name": "x", "vat": "DE1"}, "vat"),
        ({"code": "C-HOTEL-ALPINA", "name": "Duplicate"}, "code"),
    ],
    ids=lambda v: "-".join(f"{k}" for k in v) if isinstance(v, dict) else v,
)
def test_create_customer_refuses(api: ApiSession, body: dict[str, Any], field: str) -> None:
    before = api.listing("/customers")
    response = api.client.post(f"{API}/customers", json=body, headers=api.auth("sales"))
    problem(response, 422, field)
    assert api.listing("/customers") == before


def _user(**fields: Any) -> dict[str, Any]:
    body = {"username": "new-user", "role": "planner", "password": "long-enough-pw"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_user(password=None), "password"),
        (_user(role=None), "role"),
        (_user(password="short"), "password"),
        (_user(role="boss"), "role"),
        (_user(role="customer"), "customer"),
        (_user(customer="C-HOTEL-ALPINA"), "customer"),
        (_user(role="customer", customer="C-NO-SUCH"), "customer"),
        (_user(username="Has Space"), "username"),
        (_user(username="x"), "username"),
        (_user(username="u" * 41), "username"),
        (_user(username="admin"), "username"),
        (_user(admin=True), "admin"),
        (_user(role=["admin"]), "role"),
    ],
    ids=lambda v: "-".join(f"{k}={str(x)[:6]}" for k, x in v.items()) if isinstance(v, dict) else v,
)
def test_create_user_refuses(api: ApiSession, body: dict[str, Any], field: str) -> None:
    before = api.listing("/users")
    response = api.client.post(f"{API}/users", json=body, headers=api.auth("admin"))
    problem(response, 422, field)
    assert api.listing("/users") == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"username": "admin", "password": "wrong-password"}, 401, None),
        ({"username": "nobody", "password": DEMO_PASSWORD}, 401, None),
        ({"username": "admin"}, 422, "password"),
        ({"password": DEMO_PASSWORD}, 422, "username"),
        ({"username": "admin", "password": DEMO_PASSWORD, "scope": "all"}, 422, "scope"),
        ({"username": "admin", "password": DEMO_PASSWORD, "name": "n" * 101}, 422, "name"),
    ],
    ids=["wrong-password", "unknown-user", "no-password", "no-username", "extra", "long-name"],
)
def test_token_refuses(
    api: ApiSession, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = api.client.post(f"{API}/auth/token", json=body)
    problem(response, status, field)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


# -- credentials and roles ------------------------------------------------------


ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/me", None),
    ("GET", "/orders", None),
    ("POST", "/orders", order_body()),
    ("GET", "/orders/{number}", None),
    ("PATCH", "/orders/{number}", {"notes": "x"}),
    ("POST", "/orders/{number}/actions/confirm", {"reason": ""}),
    ("GET", "/orders/{number}/actions", None),
    ("GET", "/orders/{number}/events", None),
    ("GET", "/customers", None),
    ("POST", "/customers", {"code": "C-AUTH-TEST", "name": "x"}),
    ("GET", "/customers/C-HOTEL-ALPINA", None),
    ("GET", "/users", None),
    ("POST", "/users", _user(username="auth-test")),
    ("GET", "/plant", None),
]
CREDENTIALS: dict[str, dict[str, str]] = {
    "none": {},
    "unknown-token": {"Authorization": "Bearer ofk_not-a-token-anyone-was-given"},
    "foreign-token": {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"},
    "empty-bearer": {"Authorization": "Bearer "},
    "basic": {"Authorization": "Basic YWRtaW46b3JkZXJmb3JnZS1kZW1v"},
    "token-as-scheme": {"Authorization": "ofk_abc"},
}


def everything(api: ApiSession, number: str) -> tuple[int, Stored, int, int]:
    return (
        api.order_count(),
        api.stored(number),
        len(api.listing("/customers")),
        len(api.listing("/users")),
    )


@pytest.mark.parametrize("credentials", list(CREDENTIALS))
def test_without_valid_credentials_is_401(api: ApiSession, credentials: str) -> None:
    number = api.make_order()["number"]
    before = everything(api, number)
    for method, path, body in ENDPOINTS:
        response = api.client.request(
            method,
            f"{API}{path.format(number=number)}",
            json=body,
            headers=CREDENTIALS[credentials],
        )
        problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer", (method, path)
    assert everything(api, number) == before


@pytest.mark.parametrize(
    ("username", "method", "path", "body"),
    [
        ("operator", "POST", "/orders", order_body()),
        ("alpina", "POST", "/orders", order_body("C-HOTEL-ALPINA")),
        ("quality", "PATCH", "/orders/{number}", {"notes": "x"}),
        ("operator", "POST", "/orders/{number}/actions/confirm", {"reason": ""}),
        ("planner", "POST", "/orders/{number}/actions/cancel", {"reason": "no"}),
        ("engineer", "POST", "/customers", {"code": "C-ROLE-TEST", "name": "x"}),
        ("operator", "GET", "/customers", None),
        ("sales", "POST", "/users", _user(username="role-test")),
        ("sales", "GET", "/users", None),
        ("alpina", "GET", "/plant", None),
    ],
    ids=lambda v: v.replace("/", "_") if isinstance(v, str) else None,
)
def test_wrong_role_is_403(
    api: ApiSession, username: str, method: str, path: str, body: Any
) -> None:
    number = api.make_order(customer="C-HOTEL-ALPINA")["number"]
    before = everything(api, number)
    response = api.client.request(
        method, f"{API}{path.format(number=number)}", json=body, headers=api.auth(username)
    )
    problem(response, 403)
    assert everything(api, number) == before


# -- oversized bodies ------------------------------------------------------------


def _oversized(template: dict[str, Any], key: str) -> bytes:
    body = dict(template)
    body[key] = "x" * (MAX_BODY + 1)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("method", "path", "template", "key"),
    [
        ("POST", "/orders", order_body(), "notes"),
        ("PATCH", "/orders/{number}", {}, "notes"),
        ("POST", "/orders/{number}/actions/hold", {}, "reason"),
        ("POST", "/customers", {"code": "C-BIG", "name": "Big"}, "email"),
        ("POST", "/users", _user(username="big"), "display_name"),
        ("POST", "/auth/token", {"username": "admin"}, "password"),
    ],
    ids=lambda v: v.replace("/", "_") if isinstance(v, str) and v.startswith("/") else None,
)
def test_oversized_body_is_413(
    api: ApiSession, method: str, path: str, template: dict[str, Any], key: str
) -> None:
    number = api.make_order()["number"]
    before = everything(api, number)
    content = _oversized(template, key)
    assert len(content) > MAX_BODY
    response = api.client.request(
        method,
        f"{API}{path.format(number=number)}",
        content=content,
        headers={**api.auth("admin"), "content-type": "application/json"},
    )
    problem(response, 413)
    assert everything(api, number) == before


def test_oversized_chunked_body_is_413(api: ApiSession) -> None:
    before = api.order_count()
    content = _oversized(order_body(), "notes")
    response = api.client.post(
        f"{API}/orders",
        content=iter([content[: len(content) // 2], content[len(content) // 2 :]]),
        headers={**api.auth("admin"), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    problem(response, 413)
    assert api.order_count() == before


# -- idempotency keys --------------------------------------------------------------


def test_empty_idempotency_key_is_422(api: ApiSession) -> None:
    before = api.order_count()
    response = api.client.post(
        f"{API}/orders", json=order_body(), headers={**api.auth("sales"), "Idempotency-Key": ""}
    )
    problem(response, 422, "Idempotency-Key")
    assert api.order_count() == before


def test_long_idempotency_key_names_the_header(api: ApiSession) -> None:
    before = api.order_count()
    response = api.client.post(
        f"{API}/orders",
        json=order_body(),
        headers={**api.auth("sales"), "Idempotency-Key": "k" * 256},
    )
    problem(response, 422, "Idempotency-Key")
    assert api.order_count() == before


# -- unicode and markup --------------------------------------------------------------


def test_unicode_and_markup_are_stored_verbatim(api: ApiSession) -> None:
    text = f"{MARKUP}\n{UNICODE}"
    created = api.client.post(
        f"{API}/orders", json=order_body(notes=text), headers=api.auth("sales")
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    read = api.client.get(f"{API}/orders/{number}", headers=api.auth("sales"))
    assert read.headers["content-type"] == "application/json"
    assert json.loads(read.content.decode("utf-8"))["notes"] == text
    assert read.json()["notes"] == text
    # Control characters are JSON escapes in the raw body, never raw bytes.
    assert "\n" not in read.text and "\t" not in read.text

    reason = f"{MARKUP} {UNICODE}"
    assert api.act(number, A.CANCEL, as_user="sales", reason=reason).status_code == 200
    assert api.timeline(number)[-1]["reason"] == reason

    code = unique("C-U").upper()
    customer = api.client.post(
        f"{API}/customers",
        json={"code": code, "name": f"{MARKUP} {UNICODE}"},
        headers=api.auth("sales"),
    )
    assert customer.status_code == 201, customer.text
    stored = api.client.get(f"{API}/customers/{code}", headers=api.auth("sales")).json()
    assert stored["name"] == f"{MARKUP} {UNICODE}".strip()


def _signed_in_browser(api: ApiSession, username: str) -> TestClient:
    browser = TestClient(api.client.app)
    page = browser.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text
    response = browser.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return browser


def test_order_page_renders_markup_escaped(api: ApiSession) -> None:
    code = unique("C-X").upper()
    name = "<script>alert('customer')</script> Ærø"
    created = api.client.post(
        f"{API}/customers", json={"code": code, "name": name}, headers=api.auth("sales")
    )
    assert created.status_code == 201
    number = api.make_order(customer=code, notes=f"{MARKUP}\n{UNICODE}")["number"]
    reason = "<script>alert('reason')</script>"
    assert api.act(number, A.CANCEL, reason=reason).status_code == 200

    browser = _signed_in_browser(api, "sales")
    page = browser.get(f"/orders/{number}")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    for raw in ("<script>alert('x')", "<script>alert('customer')", "<script>alert('reason')"):
        assert raw not in text
    assert "&lt;script&gt;alert(" in text
    shown = html.unescape(text)
    for raw in ("<script>alert('x')", "<script>alert('customer')", "<script>alert('reason')"):
        assert raw in shown  # escaped, yet shown as written
    assert "Grüße aus Kiel" in text and "😀" in text and "Ærø" in text


def test_page_form_without_csrf_changes_nothing(api: ApiSession) -> None:
    number = api.make_order()["number"]
    before = api.stored(number)
    browser = _signed_in_browser(api, "sales")
    api_call = browser.post(f"{API}/orders/{number}/actions/confirm", json={"reason": ""})
    problem(api_call, 401)
    form = browser.post(
        f"/orders/{number}/actions/confirm",
        data={"version": str(before.view["version"]), "csrf": "forged"},
        follow_redirects=False,
    )
    assert form.status_code in (303, 403, 409, 422), form.status_code
    assert api.stored(number) == before


@pytest.mark.parametrize("where", ["notes", "customer-name", "search"])
def test_nul_character_is_refused_or_kept_never_500(
    api: ApiSession, request: pytest.FixtureRequest, where: str
) -> None:
    client = TestClient(api.client.app, raise_server_exceptions=False)
    headers = api.auth("sales")
    before = (api.order_count(), len(api.listing("/customers")))
    send: dict[str, Callable[[], httpx.Response]] = {
        "notes": lambda: client.post(
            f"{API}/orders", json=order_body(notes="a\x00b"), headers=headers
        ),
        "customer-name": lambda: client.post(
            f"{API}/customers",
            json={"code": unique("C-N").upper(), "name": "a\x00b"},
            headers=headers,
        ),
        "search": lambda: client.get(f"{API}/orders", params={"q": "a\x00b"}, headers=headers),
    }
    response = send[where]()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.status_code == 422
        assert (api.order_count(), len(api.listing("/customers"))) == before


def test_requested_date_in_the_past_follows_the_clock(api: ApiSession, clock: FixedClock) -> None:
    """'Past' means before the server's today, not a fixed date."""
    clock.advance(days=10)
    before = api.order_count()
    stale = str(TODAY + dt.timedelta(days=5))
    response = api.client.post(
        f"{API}/orders", json=order_body(requested_date=stale), headers=api.auth("sales")
    )
    problem(response, 422, "requested_date")
    assert api.order_count() == before


def test_default_customer_order_is_valid(api: ApiSession) -> None:
    """The control for the refusals above: the unmodified body is accepted."""
    response = api.client.post(
        f"{API}/orders", json=order_body(DEFAULT_CUSTOMER), headers=api.auth("sales")
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("offset", [2**63, 10**30], ids=["2^63", "1e30"])
def test_huge_offset_is_not_a_server_error(api: ApiSession, offset: int) -> None:
    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.get(
        f"{API}/orders", params={"offset": offset, "limit": 1}, headers=api.auth("sales")
    )
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        problem(response, 422, "offset")
    else:
        assert response.json()["items"] == []

"""E-mail over HTTP: addresses on users (set by an administrator, or by each user for
themself; bad ones are 422 naming the field and change nothing), and the mail log,
which only administrators read (with status and attempts, never an SMTP setting)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from orderforge.domain.events import DomainEvent
from orderforge.domain.order import OrderState
from orderforge.mail import services as mail
from tests.api.support import API, ApiSession, TestClient, customer_for
from tests.api.test_security import csrf_of, sign_in

CONFIG = mail.MailConfig("OrderForge <orderforge@plant.example>", "https://mto.example.com")


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def test_the_mail_log_shows_what_was_queued_and_why_it_waits(api: ApiSession) -> None:
    admin = api.auth("admin")
    changed = api.client.patch(
        f"{API}/users/quality", json={"email": "heike@plant.example"}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["email"] == "heike@plant.example"
    order = api.make_order(OrderState.CONFIRMED, customer=customer_for("alpina"))["number"]
    ctx = api.application.ctx
    data = {
        "order": order,
        "author": "Svenja Krüger",
        "author_role": "sales",
        "internal": False,
        "body": "Samples are on their way.",
        "attachments": [],
        "notify": {"users": ["quality"], "customer": True, "exclude": ["sales"]},
    }
    event = DomainEvent("order", order, "order_message_posted", "sales", ctx.clock.now(), data)
    with ctx.uow() as uow:
        uow.events.append([event])
        uow.commit()
    mail.deliver_due(ctx, ctx.clock.now(), None, CONFIG)  # no SMTP server: held

    response = api.client.get(f"{API}/mail", params={"order": order}, headers=admin)
    assert response.status_code == 200, response.text
    log = {m["recipient"]: m for m in response.json()}
    # alpina's portal user has no address: the customer record's address is written to
    customer = api.client.get(f"{API}/customers/C-HOTEL-ALPINA", headers=admin).json()
    assert set(log) == {"quality", "customer C-HOTEL-ALPINA"}
    assert log["customer C-HOTEL-ALPINA"]["to"] == customer["email"]
    assert log["customer C-HOTEL-ALPINA"]["audience"] == "customer"
    entry = log["quality"]
    assert entry["to"] == "heike@plant.example" and entry["audience"] == "staff"
    assert entry["status"] == "held" and entry["note"] == "not sent: no SMTP server configured"
    assert entry["subject"] == f"[{order}] New message from Svenja Krüger"
    assert entry["type"] == "order_message_posted" and entry["attempts"] == []
    assert "password" not in response.text.lower()
    held = api.client.get(f"{API}/mail", params={"status": "held"}, headers=admin).json()
    assert entry["id"] in {m["id"] for m in held}
    sent = api.client.get(f"{API}/mail", params={"status": "sent", "order": order}, headers=admin)
    assert sent.json() == []


@pytest.mark.parametrize("user", ["sales", "engineer", "quality", "alpina", "studio-berg"])
def test_only_administrators_read_the_mail_log(api: ApiSession, user: str) -> None:
    problem(api.client.get(f"{API}/mail", headers=api.auth(user)), 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "lost"}, "status"), ({"limit": 0}, "limit"), ({"order": "S" * 61}, "order")],
)
def test_bad_filters_name_the_field(api: ApiSession, params: dict[str, Any], field: str) -> None:
    problem(api.client.get(f"{API}/mail", params=params, headers=api.auth("admin")), 422, field)


def test_each_user_sets_their_own_address(api: ApiSession) -> None:
    me = api.auth("planner")
    assert api.client.get(f"{API}/me", headers=me).json()["email"] == ""
    done = api.client.patch(f"{API}/me", json={"email": "jana@plant.example"}, headers=me)
    assert done.status_code == 200 and done.json()["email"] == "jana@plant.example"
    for bad in ("jana", "a@b.c\r\nBcc: x@y.z", "Jana <jana@plant.example>", 42):
        problem(api.client.patch(f"{API}/me", json={"email": bad}, headers=me), 422, "email")
    problem(
        api.client.patch(f"{API}/me", json={"email": "x@y.z", "role": "admin"}, headers=me), 422
    )
    assert api.client.get(f"{API}/me", headers=me).json()["email"] == "jana@plant.example"
    cleared = api.client.patch(f"{API}/me", json={"email": ""}, headers=me)
    assert cleared.json()["email"] == ""


def test_bad_addresses_on_users_change_nothing(api: ApiSession) -> None:
    admin = api.auth("admin")
    before = api.client.get(f"{API}/users", headers=admin).json()
    body = {"username": "new-one", "role": "sales", "password": "long-enough-1", "email": "x@"}
    problem(api.client.post(f"{API}/users", json=body, headers=admin), 422, "email")
    problem(
        api.client.patch(f"{API}/users/sales", json={"email": "no"}, headers=admin), 422, "email"
    )
    assert api.client.get(f"{API}/users", headers=admin).json() == before
    made = api.client.post(
        f"{API}/users", json={**body, "email": "new@plant.example"}, headers=admin
    )
    assert made.status_code == 201 and made.json()["email"] == "new@plant.example"


def test_addresses_are_set_in_the_pages(api: ApiSession) -> None:
    admin_headers = api.auth("admin")
    name = "u" + uuid.uuid4().hex[:10]
    body = {"username": name, "role": "sales", "password": "first-password"}
    assert api.client.post(f"{API}/users", json=body, headers=admin_headers).status_code == 201
    admin = TestClient(api.client.app)
    sign_in(admin, "admin")
    csrf = csrf_of(admin.get("/users"))
    admin.post(f"/users/{name}/email", data={"email": "first@plant.example", "csrf": csrf})
    page = admin.get("/users")
    assert 'value="first@plant.example"' in page.text
    user = TestClient(api.client.app)
    sign_in(user, name, "first-password")
    account = user.get("/account")
    assert 'value="first@plant.example"' in account.text
    refused = user.post(
        "/account/email", data={"email": "not-an-address", "csrf": csrf_of(account)}
    )
    assert "is not an e-mail address" in refused.text  # the flash on the page it returns to
    assert 'value="first@plant.example"' in refused.text
    user.post("/account/email", data={"email": "mine@plant.example", "csrf": csrf_of(refused)})
    assert 'value="mine@plant.example"' in user.get("/account").text
    [row] = [
        u
        for u in api.client.get(f"{API}/users", headers=admin_headers).json()
        if u["username"] == name
    ]
    assert row["email"] == "mine@plant.example"
    # another user's page never shows it
    other = TestClient(api.client.app)
    sign_in(other, "planner")
    assert "mine@plant.example" not in other.get("/account").text
    assert other.get("/users").status_code == 403

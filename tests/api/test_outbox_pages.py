"""The delivery-log pages over HTTP: the e-mail log and the webhook pages render for
administrators only (403 for every other role, the sign-in page for nobody), show how
each delivery stands (queued, retrying with its next try, held, sent, failed) with the
last error, filter and page; the webhook forms add (secret shown once, never cached),
send a test, rotate and deactivate, and a refused form stores nothing."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from orderforge.domain.events import DomainEvent
from orderforge.domain.order import OrderState
from orderforge.mail import pages as mail_pages
from orderforge.mail import services as mail
from orderforge.mail.ports import OutgoingMail, SendResult
from orderforge.services import plant_time
from orderforge.webhooks import pages as webhook_pages
from orderforge.webhooks import services as webhooks
from orderforge.webhooks.ports import Response
from tests.api.support import API, ApiSession, TestClient, customer_for
from tests.api.test_schedule_pages import Browser, flashes
from tests.conftest import FixedClock

CONFIG = mail.MailConfig("OrderForge <orderforge@plant.example>", "https://mto.example.com")
OpenAs = Callable[[str], Browser]


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


class Refusing:
    """An SMTP server that answers every mail with the same refusal."""

    def __init__(self, code: int, error: str, permanent: bool = False) -> None:
        self.result = SendResult(code, error, permanent)

    def send(self, mail: OutgoingMail) -> SendResult:
        return self.result


class Unreachable:
    """A webhook receiver nobody answers at."""

    def post(self, url: str, body: str, headers: Mapping[str, str]) -> Response:
        return Response(None, "Connection refused by erp.example.com")


def _message(api: ApiSession, body: str) -> str:
    """A staff message on a new order of Hotel Alpina: one mail to the customer's
    address is queued at the next pass. The order's number."""
    order: str = api.make_order(OrderState.CONFIRMED, customer=customer_for("alpina"))["number"]
    ctx = api.application.ctx
    data = {
        "order": order,
        "author": "Svenja Krüger",
        "author_role": "sales",
        "internal": False,
        "body": body,
        "attachments": [],
        "notify": {"users": [], "customer": True, "exclude": ["sales"]},
    }
    event = DomainEvent("order", order, "order_message_posted", "sales", ctx.clock.now(), data)
    with ctx.uow() as uow:
        uow.events.append([event])
        uow.commit()
    return order


def _mail_ids(order: str, api: ApiSession) -> list[int]:
    found = api.client.get(f"{API}/mail", params={"order": order}, headers=api.auth("admin"))
    return [m["id"] for m in found.json()]


def _row(page: httpx.Response, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page.text, re.S)
    assert match, page.text[:2000]
    text = re.sub(r"<[^>]+>", " ", match.group(1))  # what a person reads in the row
    return " ".join(html.unescape(text).split())


def test_the_mail_log_shows_each_mail_as_its_delivery_stands(
    api: ApiSession, browser: OpenAs
) -> None:
    ctx = api.application.ctx
    busy_order = _message(api, "Tried again later.")
    mail.deliver_due(ctx, ctx.clock.now(), Refusing(451, "4.3.0 Mailbox busy, try later"), CONFIG)
    [busy] = _mail_ids(busy_order, api)
    held_order = _message(api, "Held until a server is set.")
    mail.deliver_due(ctx, ctx.clock.now(), None, CONFIG)  # no SMTP server: held
    [held] = _mail_ids(held_order, api)
    admin = browser("admin")
    log = admin.get("/mail")
    assert log.status_code == 200
    assert 'href="/mail"' in log.text and 'href="/webhooks"' in log.text  # the nav
    row = _row(log, f"mail-{held}")
    assert "Held" in row and f"[{held_order}] New message from Svenja Krüger" in row
    assert "not sent: no SMTP server configured" in row
    row = _row(log, f"mail-{busy}")
    assert "Retrying" in row and "4.3.0 Mailbox busy, try later" in row
    zone = plant_time.zone_of(ctx)
    next_try = plant_time.show(ctx.clock.now() + dt.timedelta(minutes=1), zone)
    assert f"next try {next_try}" in row  # the first retry waits a minute, in plant time

    retrying = admin.get("/mail", params={"status": "retrying"})
    assert f'id="mail-{busy}"' in retrying.text and f'id="mail-{held}"' not in retrying.text
    held_only = admin.get("/mail", params={"status": "held"})
    assert f'id="mail-{held}"' in held_only.text and f'id="mail-{busy}"' not in held_only.text

    detail = admin.get(f"/mail/{busy}")
    assert detail.status_code == 200
    attempts = html.unescape(detail.text)
    assert "refused (451)" in attempts and "4.3.0 Mailbox busy, try later" in attempts
    assert "Next attempt" in attempts


def test_a_mail_refused_for_good_shows_as_failed_with_the_servers_words(
    api: ApiSession, browser: OpenAs
) -> None:
    ctx = api.application.ctx
    order = _message(api, "Nobody reads this.")
    refusal = Refusing(550, "5.1.1 <office@hotel-alpina.example>: no such user", permanent=True)
    mail.deliver_due(ctx, ctx.clock.now(), refusal, CONFIG)
    [failed] = _mail_ids(order, api)
    admin = browser("admin")
    row = _row(admin.get("/mail", params={"status": "failed"}), f"mail-{failed}")
    assert "Failed" in row and "no such user" in row
    detail = html.unescape(admin.get(f"/mail/{failed}").text)
    assert "refused (550)" in detail and "Next attempt" not in detail


def test_the_mail_log_pages_older_mails(
    api: ApiSession, browser: OpenAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = api.application.ctx
    orders = [_message(api, f"Paging {i}.") for i in range(3)]
    mail.deliver_due(ctx, ctx.clock.now(), None, CONFIG)
    ids = [_mail_ids(o, api)[0] for o in orders]
    monkeypatch.setattr(mail_pages, "PAGE", 2)
    admin = browser("admin")
    first = admin.get("/mail", params={"status": "held"})
    shown = [int(i) for i in re.findall(r'<tr id="mail-(\d+)">', first.text)]
    assert shown == [ids[2], ids[1]]  # newest first
    older = re.search(r'<a class="button" href="([^"]+)" rel="next">Older</a>', first.text)
    assert older is not None
    second = admin.get(html.unescape(older.group(1)))
    assert "status=held" in html.unescape(older.group(1))
    assert re.findall(r'<tr id="mail-(\d+)">', second.text)[0] == str(ids[0])
    assert ">Newest</a>" in second.text


@pytest.mark.parametrize(
    ("path", "params", "said"),
    [
        ("/mail", {"status": "lost"}, "Unknown status 'lost'"),
        ("/mail", {"before": "abc"}, "'abc' is not the id of a mail"),
        ("/mail", {"before": "99999999999"}, "is not the id of a mail"),
        ("/mail", {"before": "0"}, "1 or more"),
        ("/webhooks/deliveries", {"status": "sent"}, "Unknown status 'sent'"),
        ("/webhooks/deliveries", {"webhook": "x"}, "'x' is not the id of a webhook"),
        ("/webhooks/deliveries", {"before": "-1"}, "is not the id of a delivery"),
    ],
)
def test_bad_filters_say_what_is_wrong(
    browser: OpenAs, path: str, params: dict[str, str], said: str
) -> None:
    page = browser("admin").get(path, params=params)
    assert page.status_code == 422 and said in html.unescape(page.text)


@pytest.mark.parametrize("user", ["sales", "engineer", "planner", "quality", "alpina"])
def test_only_administrators_open_the_logs(api: ApiSession, browser: OpenAs, user: str) -> None:
    someone = browser(user)
    home = someone.get("/orders")
    assert 'href="/mail"' not in home.text and 'href="/webhooks"' not in home.text
    for path in ("/mail", "/mail/1", "/webhooks", "/webhooks/deliveries", "/webhooks/1"):
        assert someone.get(path).status_code == 403, path
    before = api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json()
    refused = _add(someone, url="https://evil.example/hook", event_types="*")
    assert refused.status_code == 403
    assert api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json() == before


def test_nobody_signed_in_is_sent_to_sign_in(api: ApiSession) -> None:
    anonymous = TestClient(api.client.app)
    for path in ("/mail", "/webhooks", "/webhooks/deliveries"):
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def _add(browser: Browser, **fields: str) -> httpx.Response:
    """Submit the add-a-webhook form (its `url` field clashes with Browser.post's)."""
    answer: httpx.Response = browser.client.post("/webhooks", data={"csrf": browser.csrf, **fields})
    return answer


def _secret(page: httpx.Response) -> str:
    match = re.search(r'id="secret-value" readonly value="(whsec_[^"]+)"', page.text)
    assert match, page.text[:2000]
    return match.group(1)


def test_webhook_forms_add_test_rotate_and_deactivate(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    added = _add(
        admin,
        url="https://erp.example.com/hooks",
        event_types="order_confirmed, webhook_test",
        description="ERP <import>",
    )
    assert added.status_code == 200 and added.headers["cache-control"] == "no-store"
    secret = _secret(added)
    number = int(re.findall(r'href="/webhooks/(\d+)"', added.text)[0])
    stored = api.client.get(f"{API}/webhooks/{number}", headers=api.auth("admin")).json()
    assert stored["event_types"] == ["order_confirmed", "webhook_test"]
    page = admin.get(f"/webhooks/{number}")
    assert secret not in page.text  # shown once
    assert "ERP &lt;import&gt;" in page.text  # escaped, never markup

    tested = admin.post(f"/webhooks/{number}/test")
    assert any(m.startswith("Test event queued") for m in flashes(tested)), flashes(tested)
    ctx = api.application.ctx
    webhooks.deliver_due(ctx, ctx.clock.now(), Unreachable())
    log = admin.get("/webhooks/deliveries", params={"webhook": str(number)})
    [delivery] = re.findall(r'<tr id="delivery-(\d+)">', log.text)
    row = _row(log, f"delivery-{delivery}")
    assert "Retrying" in row and "Connection refused by erp.example.com" in row
    assert "webhook_test" in row and "next try" in row
    detail = html.unescape(admin.get(f"/webhooks/deliveries/{delivery}").text)
    assert "Connection refused by erp.example.com" in detail and "Next attempt" in detail
    failing = admin.get("/webhooks/deliveries", params={"status": "retrying"})
    assert f'id="delivery-{delivery}"' in failing.text
    delivered = admin.get("/webhooks/deliveries", params={"status": "delivered"})
    assert f'id="delivery-{delivery}"' not in delivered.text

    rotated = admin.post(f"/webhooks/{number}/rotate-secret")
    assert rotated.headers["cache-control"] == "no-store" and _secret(rotated) != secret

    gone = admin.post(f"/webhooks/{number}/deactivate")
    assert any("deactivated" in m for m in flashes(gone))
    assert "Deactivated" in gone.text and "Send a test event" not in gone.text
    again = admin.post(f"/webhooks/{number}/test")
    assert any("deactivated" in m and "Nothing was changed" in m for m in flashes(again))
    after = api.client.get(f"{API}/webhooks/{number}", headers=api.auth("admin")).json()
    assert after["active"] is False


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"url": "ftp://erp.example.com", "event_types": "*"}, "url", "http://"),
        ({"url": "https://a:b@erp.example.com", "event_types": "*"}, "url", "password"),
        ({"url": "https://erp.example.com", "event_types": "Order Confirmed"}, "event_types", ""),
        ({"url": "https://erp.example.com", "event_types": ""}, "event_types", "at least one"),
    ],
)
def test_a_refused_webhook_form_says_why_and_stores_nothing(
    api: ApiSession, browser: OpenAs, fields: dict[str, str], field: str, said: str
) -> None:
    before = api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json()
    admin = browser("admin")
    refused = _add(admin, **fields)
    assert refused.status_code == 422
    [message] = flashes(refused)
    assert message.startswith("Nothing was saved.") and field in message and said in message
    assert f'value="{html.escape(fields["url"])}"' in refused.text  # what was typed stays
    assert "whsec_" not in refused.text
    assert api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json() == before


def test_a_form_without_its_token_changes_nothing(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    before = api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json()
    admin.csrf = "forged"
    refused = _add(admin, url="https://erp.example.com/x", event_types="*")
    assert refused.status_code == 422 and "The form expired" in refused.text
    assert api.client.get(f"{API}/webhooks", headers=api.auth("admin")).json() == before


def test_unknown_ids_are_not_found(browser: OpenAs) -> None:
    admin = browser("admin")
    paths = (
        "/mail/999999",
        "/mail/99999999999",  # beyond a 32-bit id: still a plain "not found"
        "/mail/abc",
        "/webhooks/999999",
        "/webhooks/9999999999",
        "/webhooks/deliveries/99999",
        "/webhooks/deliveries/1e3",
    )
    for path in paths:
        assert admin.get(path).status_code == 404, path


def test_the_webhook_log_pages_by_webhook(
    api: ApiSession, browser: OpenAs, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    admin_headers = api.auth("admin")
    body: dict[str, Any] = {"url": "https://paging.example/h", "event_types": ["webhook_test"]}
    number = api.client.post(f"{API}/webhooks", json=body, headers=admin_headers).json()["id"]
    ctx = api.application.ctx
    for _ in range(3):
        api.client.post(f"{API}/webhooks/{number}/test", headers=admin_headers)
        webhooks.deliver_due(ctx, ctx.clock.now(), Unreachable())
        clock.advance(seconds=1)
    monkeypatch.setattr(webhook_pages, "PAGE", 2)
    admin = browser("admin")
    first = admin.get("/webhooks/deliveries", params={"webhook": str(number)})
    assert len(re.findall(r'<tr id="delivery-\d+">', first.text)) == 2
    older = re.search(r'href="([^"]+)" rel="next">Older</a>', first.text)
    assert older is not None and f"webhook={number}" in html.unescape(older.group(1))
    second = admin.get(html.unescape(older.group(1)))
    assert len(re.findall(r'<tr id="delivery-\d+">', second.text)) == 1
    assert "Older</a>" not in second.text

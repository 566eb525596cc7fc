"""Webhook rules without storage: which URLs are accepted, what a secret looks like,
who receives which event, and the retry schedule down to "failed"."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import OutboxEvent
from orderforge.webhooks.domain import (
    BACKOFF,
    Attempt,
    Delivery,
    DeliveryStatus,
    Progress,
    Subscription,
    check_event_types,
    check_url,
    new_secret,
)

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "url",
    ["https://erp.example.com/hooks", "http://127.0.0.1:8080/in?x=1", "https://[::1]/h"],
)
def test_good_urls_pass(url: str) -> None:
    assert check_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "Give the URL"),
        ("ftp://example.com/x", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https:///path", "no host"),
        ("https://bob:secret@example.com/h", "user name or password"),
        ("https://token@example.com/h", "user name or password"),
        ("https://example.com:99999/", "is not a URL"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
    ],
)
def test_bad_urls_are_refused_naming_the_field(url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as refused:
        check_url(url)
    assert refused.value.field == "url"


def test_event_types() -> None:
    assert check_event_types(["order_confirmed", " order_confirmed"]) == ("order_confirmed",)
    assert check_event_types(["*"]) == ("*",)
    for bad in ([], ["*", "order_confirmed"], ["Order Confirmed"], ["<b>x</b>"]):
        with pytest.raises(InvalidInput) as refused:
            check_event_types(bad)
        assert refused.value.field == "event_types"


def test_secret_is_standard_webhooks_form_and_never_repeats() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 32


def _sub(types: tuple[str, ...], sub_id: int = 1, active: bool = True) -> Subscription:
    return Subscription(
        "https://x.example/h", types, "", new_secret(), "admin", T0, active, None, sub_id
    )


def _event(kind: str, data: dict[str, object] | None = None, at: dt.datetime = T0) -> OutboxEvent:
    return OutboxEvent(1, "e-1", kind, "order", "SO-1", "sales", at, dict(data or {}))


def test_who_wants_what() -> None:
    assert _sub(("*",)).wants(_event("order_confirmed"))
    assert _sub(("order_confirmed",)).wants(_event("order_confirmed"))
    assert not _sub(("order_shipped",)).wants(_event("order_confirmed"))
    assert not _sub(("*",), active=False).wants(_event("order_confirmed"))
    # no backlog: what happened before the subscription existed is not sent
    assert not _sub(("*",)).wants(_event("order_confirmed", at=T0 - dt.timedelta(seconds=1)))
    # a test event goes to the one subscription it names, whatever it listens to
    assert _sub(("order_shipped",), 7).wants(_event("webhook_test", {"subscription_id": 7}))
    assert not _sub(("*",), 8).wants(_event("webhook_test", {"subscription_id": 7}))


def _delivery() -> Delivery:
    event = OutboxEvent(1, "e-1", "order_confirmed", "order", "SO-1", "sales", T0, {})
    return Delivery(1, event, DeliveryStatus.PENDING, T0, T0)


def test_failures_follow_the_backoff_schedule_then_fail() -> None:
    delivery = _delivery()
    at = T0
    waits = []
    for _ in BACKOFF:
        delivery.record(Attempt(at, 500, None, 3))
        assert delivery.status is DeliveryStatus.PENDING and delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - at)
        at = delivery.next_attempt_at
    assert tuple(waits) == BACKOFF
    delivery.record(Attempt(at, None, "ConnectError: refused", 1))
    assert delivery.status is DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert len(delivery.attempts) == len(BACKOFF) + 1


def test_a_2xx_delivers_after_a_failure() -> None:
    delivery = _delivery()
    delivery.record(Attempt(T0, 503, None, 2))
    delivery.record(Attempt(T0 + BACKOFF[0], 204, None, 2))
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.next_attempt_at is None


def test_the_log_tells_a_queued_delivery_from_one_that_is_retrying() -> None:
    delivery = Delivery(1, _event("order_confirmed"), DeliveryStatus.PENDING, T0, T0)
    seen = [delivery.progress]
    delivery.record(Attempt(T0, 503, None, 10))
    seen.append(delivery.progress)
    stored = delivery.status
    delivery.record(Attempt(T0, 204, None, 10))
    seen.append(delivery.progress)
    assert seen == [Progress.QUEUED, Progress.RETRYING, Progress.DELIVERED]
    assert stored is DeliveryStatus.PENDING  # retrying is a word of the log, not a state
    dropped = Delivery(1, _event("order_confirmed"), DeliveryStatus.PENDING, T0, T0)
    dropped.abandon(Attempt(T0, None, "The webhook was deactivated.", 0))
    assert dropped.progress is Progress.FAILED

"""Outbox and webhooks on SQLite and PostgreSQL: the outbox row is written with the
change (and vanishes with a rollback), fan-out follows event types and never repeats,
deliveries reach a real local receiver signed so the standardwebhooks library verifies
them, and a receiver that keeps failing gets the backoff schedule, then "failed"."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Mapping

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orderforge.adapters.db import tables as t
from orderforge.bootstrap import Application
from orderforge.config import ConfigError, load_settings
from orderforge.domain.events import DomainEvent
from orderforge.domain.user import Role
from orderforge.services import customers
from orderforge.services.outbox import OUTBOX
from orderforge.services.ports import Principal
from orderforge.webhooks import services as webhooks
from orderforge.webhooks.domain import BACKOFF, DeliveryStatus
from orderforge.webhooks.ports import Response
from orderforge.webhooks.sender import HttpSender
from orderforge.webhooks.worker import WebhookWorker
from tests.conftest import FixedClock
from tests.integration.webhook_receiver import receiver

ADMIN = Principal(user_id=0, username="local-admin", role=Role.ADMIN, display_name="Admin")


def _register(app: Application, code: str) -> None:
    customers.register_customer(app.ctx, ADMIN, customers.RegisterCustomer(code, f"Firm {code}"))


def _outbox(app: Application) -> list[sa.Row[tuple[object, ...]]]:
    with app.engine.connect() as conn:
        return list(conn.execute(sa.select(t.outbox).order_by(t.outbox.c.id)))


def _add(app: Application, url: str, *kinds: str) -> int:
    sub = webhooks.add_webhook(app.ctx, ADMIN, webhooks.AddWebhook(url, kinds))
    assert sub.id is not None
    return sub.id


def test_outbox_row_is_written_with_the_change_and_gone_on_rollback(
    application: Application,
) -> None:
    _register(application, "C-ONE")
    [row] = [r for r in _outbox(application) if r.kind == "customer_registered"]
    assert row.aggregate_key == "C-ONE" and row.dispatched_at is None
    assert len(row.event_id) == 36 and row.data["changes"]["name"]["after"] == "Firm C-ONE"

    before = len(_outbox(application))
    event = DomainEvent(
        "customer", "C-TWO", "customer_registered", "x", application.ctx.clock.now()
    )
    with application.ctx.uow() as uow:
        uow.events.append([event])
        inside = uow.repository(OUTBOX).undispatched(100)
        assert [e.aggregate_key for e in inside][-1] == "C-TWO"  # same transaction
        uow.rollback()
    assert len(_outbox(application)) == before


def test_fan_out_follows_event_types_and_never_repeats(
    application: Application, clock: FixedClock
) -> None:
    ctx = application.ctx
    _register(application, "C-OLD")  # before any subscription: no backlog is sent
    clock.advance(minutes=1)
    wants_customers = _add(application, "https://a.example/h", "customer_registered")
    clock.advance(minutes=1)
    wants_all = _add(application, "https://b.example/h", "*")
    clock.advance(minutes=1)
    wants_other = _add(application, "https://c.example/h", "order_shipped")
    _register(application, "C-FAN")
    now = ctx.clock.now()
    assert webhooks.dispatch(ctx, now) == len(_outbox(application))

    def kinds(sub_id: int) -> list[str]:
        return sorted(d.event.kind for d in webhooks.deliveries(ctx, ADMIN, sub_id))

    assert kinds(wants_customers) == ["customer_registered"]
    # "*" also hears itself and the later subscription being added (audit events)
    assert kinds(wants_all) == ["customer_registered", "webhook_added", "webhook_added"]
    assert kinds(wants_other) == []

    # A dispatcher that crashed after queueing but before marking: the redo adds nothing.
    with application.engine.begin() as conn:
        conn.execute(t.outbox.update().values(dispatched_at=None))
    assert webhooks.dispatch(ctx, now) > 0
    assert kinds(wants_customers) == ["customer_registered"]
    assert len(kinds(wants_all)) == 3
    assert webhooks.dispatch(ctx, now) == 0


def test_delivery_reaches_a_real_receiver_and_the_signature_verifies(
    application: Application, clock: FixedClock
) -> None:
    # the library checks the timestamp against the real time, so the clock is now
    clock.at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with receiver(status=204) as hook:
        sub = webhooks.add_webhook(
            application.ctx, ADMIN, webhooks.AddWebhook(hook.url, ("customer_registered",))
        )
        assert sub.id is not None
        _register(application, "C-SIGN")
        counts = webhooks.deliver_due(application.ctx, clock.now(), HttpSender())
        assert (counts.delivered, counts.retrying, counts.failed) == (1, 0, 0)
        [request] = hook.requests
    assert request.path == "/hooks"
    body = Webhook(sub.secret).verify(request.body, request.headers)
    assert body["type"] == "customer_registered"
    assert body["data"]["aggregate_key"] == "C-SIGN"
    assert json.loads(request.body) == body
    [delivery] = webhooks.deliveries(application.ctx, ADMIN, sub.id)
    assert request.headers["webhook-id"] == delivery.event.event_id
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [204]
    # delivered means done: another pass sends nothing
    assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).delivered == 0
    assert len(hook.requests) == 1


def test_a_failing_receiver_gets_the_backoff_schedule_then_failed(
    application: Application, clock: FixedClock
) -> None:
    with receiver(status=500) as hook:
        sub_id = _add(application, hook.url, "customer_registered")
        _register(application, "C-DOWN")
        start = clock.now()
        assert webhooks.deliver_due(application.ctx, start, HttpSender()).retrying == 1
        for wait in BACKOFF:
            early = clock.now() + wait - dt.timedelta(seconds=1)
            assert webhooks.deliver_due(application.ctx, early, HttpSender()).retrying == 0
            clock.advance(seconds=wait.total_seconds())
            counts = webhooks.deliver_due(application.ctx, clock.now(), HttpSender())
            assert counts.retrying + counts.failed == 1
        assert counts.failed == 1
        sent = len(hook.requests)
        clock.advance(days=2)
        assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).failed == 0
    assert sent == len(BACKOFF) + 1 == len(hook.requests)
    # every retry carries the same webhook-id: receivers deduplicate on it
    assert len({r.headers["webhook-id"] for r in hook.requests}) == 1
    [delivery] = webhooks.deliveries(application.ctx, ADMIN, sub_id)
    assert delivery.status is DeliveryStatus.FAILED
    times = [a.attempted_at for a in delivery.attempts]
    assert [b - a for a, b in itertools.pairwise(times)] == list(BACKOFF)
    assert {a.status_code for a in delivery.attempts} == {500}


def test_unreachable_receiver_is_logged_as_an_error_and_deactivation_stops_it(
    application: Application, clock: FixedClock
) -> None:
    with receiver() as hook:
        url = hook.url  # the server is gone after this block: connections are refused
    sub_id = _add(application, url, "customer_registered")
    _register(application, "C-GONE")
    assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).retrying == 1
    [delivery] = webhooks.deliveries(application.ctx, ADMIN, sub_id)
    [attempt] = delivery.attempts
    assert attempt.status_code is None and attempt.error
    webhooks.deactivate_webhook(application.ctx, ADMIN, sub_id)
    clock.advance(minutes=1)
    assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).failed == 1
    [delivery] = webhooks.deliveries(application.ctx, ADMIN, sub_id)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts[-1].error == "The webhook was deactivated."
    assert webhooks.get_webhook(application.ctx, ADMIN, sub_id).active is False


def test_test_event_goes_to_its_subscription_only(
    application: Application, clock: FixedClock
) -> None:
    clock.at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with receiver() as first, receiver() as second:
        one = webhooks.add_webhook(
            application.ctx, ADMIN, webhooks.AddWebhook(first.url, ("order_shipped",))
        )
        _add(application, second.url, "order_shipped")
        assert one.id is not None
        webhooks.send_test(application.ctx, ADMIN, one.id)
        assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).delivered == 1
    [request] = first.requests
    assert second.requests == []
    body = Webhook(one.secret).verify(request.body, request.headers)
    assert body["type"] == "webhook_test"


class _RecordingSender:
    """Stands in for the network in the worker test: records, answers 200."""

    def __init__(self) -> None:
        self.sent = threading.Event()
        self.urls: list[str] = []

    def post(self, url: str, body: str, headers: Mapping[str, str]) -> Response:
        self.urls.append(url)
        self.sent.set()
        return Response(status_code=200, error=None)


def test_the_serve_worker_delivers_in_the_background_and_stops_cleanly(
    application: Application,
) -> None:
    _add(application, "https://erp.example.com/h", "customer_registered")
    _register(application, "C-BG")
    sender = _RecordingSender()
    worker = WebhookWorker(application.ctx, interval=0.05, sender=sender)
    worker.start()
    try:
        assert sender.sent.wait(60), "the worker made no delivery"
    finally:
        worker.stop()
    assert not worker.thread.is_alive()
    assert sender.urls == ["https://erp.example.com/h"]


def test_poll_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFORGE_WEBHOOK_POLL_SECONDS", "2")
    assert load_settings().webhook_poll_seconds == 2
    monkeypatch.setenv("ORDERFORGE_WEBHOOK_POLL_SECONDS", "0")
    with pytest.raises(ConfigError, match="WEBHOOK_POLL_SECONDS"):
        load_settings()


def test_two_workers_never_send_one_delivery_at_the_same_time(application: Application) -> None:
    """While one worker is mid-POST its delivery is claimed, and a second worker's pass
    skips it instead of sending it again; meanwhile no transaction is held open, so the
    plant keeps writing (on SQLite a slow receiver used to hold the one write lock)."""
    gate = threading.Event()
    results: list[webhooks.DeliveryCounts] = []
    with receiver(gate=gate) as hook:
        _add(application, hook.url, "customer_registered")
        _register(application, "C-RACE")
        now = application.ctx.clock.now()
        first = threading.Thread(
            target=lambda: results.append(webhooks.deliver_due(application.ctx, now, HttpSender()))
        )
        first.start()
        try:
            assert hook.arrived.wait(60), "the first worker sent nothing"
            second = webhooks.deliver_due(application.ctx, now, HttpSender())
            _register(application, "C-WHILE-SENDING")  # a write while the POST waits
        finally:
            gate.set()
            first.join(60)
        assert (second.delivered, second.retrying, second.failed) == (0, 0, 0)
        assert [r.delivered for r in results] == [1]
        assert len(hook.requests) == 1


def test_a_rotated_secret_signs_from_now_on(application: Application, clock: FixedClock) -> None:
    clock.at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with receiver() as hook:
        old = webhooks.add_webhook(
            application.ctx, ADMIN, webhooks.AddWebhook(hook.url, ("customer_registered",))
        )
        assert old.id is not None
        new = webhooks.rotate_secret(application.ctx, ADMIN, old.id)
        assert new.secret != old.secret and new.secret.startswith("whsec_")
        _register(application, "C-ROT")
        assert webhooks.deliver_due(application.ctx, clock.now(), HttpSender()).delivered == 1
    [request] = hook.requests
    assert Webhook(new.secret).verify(request.body, request.headers)["type"]
    with pytest.raises(WebhookVerificationError):
        Webhook(old.secret).verify(request.body, request.headers)

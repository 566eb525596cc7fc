"""E-mail through the outbox on SQLite and PostgreSQL, against a real local SMTP server
(aiosmtpd): an event that asks for it reaches each person once with the right To,
Subject, body and link; a rolled-back change sends nothing; a second pass sends
nothing again; a server that is down gets retries and then the mail; with no server
configured mails are held, then sent; two workers never send one mail twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from orderforge.adapters.db import tables as t
from orderforge.bootstrap import Application
from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import Order, OrderState
from orderforge.domain.user import Role
from orderforge.mail import services as mail
from orderforge.mail.domain import BACKOFF, NO_SMTP, MailStatus, message_id
from orderforge.mail.sender import SmtpTransport, transport_from
from orderforge.mail.worker import MailWorker
from orderforge.services import customers, users
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.integration.smtp_server import free_port, smtp_server

ADMIN = Principal(user_id=0, username="local-admin", role=Role.ADMIN, display_name="Admin")
ORDER = "SO-2026-0042"
CONFIG = mail.MailConfig("OrderForge <orderforge@plant.example>", "https://mto.example.com")
PEOPLE = [
    # username, role, email, customer
    ("sam", "sales", "sam@plant.example", None),
    ("erin", "engineer", "erin@plant.example", None),
    ("quinn", "quality", "quinn@plant.example", None),
    ("quill", "quality", "", None),  # no address: skipped and counted
    ("bob", "quality", "bob@plant.example", None),  # deactivated below
    ("buyer", "customer", "buyer@acme.example", "C-ACME"),
]


def _transport(port: int) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", port, starttls=False, timeout=10)


@pytest.fixture
def plant(application: Application) -> Application:
    """A customer with an order, staff with and without addresses, a portal user."""
    ctx = application.ctx
    customers.register_customer(
        ctx, ADMIN, customers.RegisterCustomer("C-ACME", "Acme Hotels", "office@acme.example")
    )
    for username, role, email, customer in PEOPLE:
        cmd = users.AddUser(username, role, "long-enough-1", username.title(), customer, email)
        users.add_user(ctx, None, cmd)
    users.change_user(ctx, None, users.UserChange("bob", active=False))
    with ctx.uow() as uow:
        found = uow.customers.get("C-ACME")
        assert found is not None and found.id is not None
        now = ctx.clock.now()
        uow.orders.add(Order(ORDER, found.id, OrderState.CONFIRMED, now, now))
        uow.commit()
    return application


def _post(app: Application, *, internal: bool = False, **notify: Any) -> None:
    """An `order_message_posted` event written through the real event log (the
    conversation room's contract)."""
    data = {
        "order": ORDER,
        "message_id": 7,
        "author": "Sam Sales",
        "author_role": "sales",
        "internal": internal,
        "body": "The oak top is glued; can we deliver on Friday?",
        "attachments": ["glue-up.jpg"],
        "notify": notify,
    }
    event = DomainEvent("order", ORDER, "order_message_posted", "sam", app.ctx.clock.now(), data)
    with app.ctx.uow() as uow:
        uow.events.append([event])
        uow.commit()


def _last_event_id(app: Application) -> str:
    with app.engine.connect() as conn:
        row = conn.execute(sa.select(t.outbox.c.event_id).order_by(t.outbox.c.id.desc())).first()
    assert row is not None
    return str(row[0])


def test_an_event_with_notify_reaches_each_person_once(plant: Application) -> None:
    _post(plant, users=["erin", "quinn"], roles=["quality"], customer=True, exclude=["sam"])
    event_id = _last_event_id(plant)
    with smtp_server() as server:
        counts = mail.deliver_due(plant.ctx, plant.ctx.clock.now(), _transport(server.port), CONFIG)
    assert (counts.queued, counts.sent, counts.no_address) == (3, 3, 1)
    by_to = {m.recipients[0]: m for m in server.received}
    # quill has no address, bob is deactivated, sam wrote it; the customer's portal
    # user has an address, so the customer record's own address is not used
    assert sorted(by_to) == ["buyer@acme.example", "erin@plant.example", "quinn@plant.example"]
    for address, received in by_to.items():
        msg = received.message
        assert msg["To"] == address
        assert msg["From"] == "OrderForge <orderforge@plant.example>"
        assert received.envelope_from == "orderforge@plant.example"
        assert msg["Subject"] == f"[{ORDER}] New message from Sam Sales"
        assert msg["Message-ID"] == message_id(event_id, address, "plant.example")
        assert msg["X-OrderForge-Event"] == event_id
        assert "can we deliver on Friday?" in received.body
        assert f"https://mto.example.com/orders/{ORDER}" in received.body
        assert "glue-up.jpg" in received.body
    assert "Sam Sales (sales) wrote" in by_to["erin@plant.example"].body
    assert "(sales)" not in by_to["buyer@acme.example"].body
    log = mail.list_mail(plant.ctx, ADMIN, order=ORDER)
    assert {m.status for m in log} == {MailStatus.SENT}
    assert {m.recipient for m in log} == {"erin", "quinn", "buyer"}


def test_the_customer_record_is_written_to_when_no_portal_user_has_an_address(
    plant: Application,
) -> None:
    users.change_user(plant.ctx, None, users.UserChange("buyer", email=""))
    _post(plant, customer=True)
    with smtp_server() as server:
        mail.deliver_due(plant.ctx, plant.ctx.clock.now(), _transport(server.port), CONFIG)
    assert [m.recipients for m in server.received] == [["office@acme.example"]]


def test_an_internal_event_never_reaches_a_customer(plant: Application) -> None:
    _post(plant, internal=True, users=["buyer", "erin"], customer=True)
    with smtp_server() as server:
        mail.deliver_due(plant.ctx, plant.ctx.clock.now(), _transport(server.port), CONFIG)
    assert [m.recipients for m in server.received] == [["erin@plant.example"]]
    [received] = server.received
    assert received.message["Subject"] == f"[{ORDER}] Internal note from Sam Sales"
    assert "staff only" in received.body


def test_a_rolled_back_change_sends_nothing(plant: Application) -> None:
    event = DomainEvent(
        "order", ORDER, "order_message_posted", "sam", plant.ctx.clock.now(),
        {"order": ORDER, "body": "never", "notify": {"users": ["erin"]}},
    )  # fmt: skip
    with plant.ctx.uow() as uow:
        uow.events.append([event])
        uow.rollback()
    with smtp_server() as server:
        counts = mail.deliver_due(plant.ctx, plant.ctx.clock.now(), _transport(server.port), CONFIG)
    assert (counts.queued, counts.sent) == (0, 0)
    assert server.received == []
    assert mail.list_mail(plant.ctx, ADMIN) == []


def test_two_passes_and_a_redone_fan_out_send_once(plant: Application) -> None:
    _post(plant, users=["erin"])
    now = plant.ctx.clock.now()
    with smtp_server() as server:
        assert mail.deliver_due(plant.ctx, now, _transport(server.port), CONFIG).sent == 1
        assert mail.deliver_due(plant.ctx, now, _transport(server.port), CONFIG).sent == 0
        # a dispatcher that crashed after queueing but before marking: the redo adds nothing
        with plant.engine.begin() as conn:
            conn.execute(t.outbox.update().values(dispatched_at=None))
        again = mail.deliver_due(plant.ctx, now, _transport(server.port), CONFIG)
        assert again.dispatched > 0 and (again.queued, again.sent) == (0, 0)
    assert len(server.received) == 1
    assert len(mail.list_mail(plant.ctx, ADMIN)) == 1


def test_a_server_that_is_down_gets_a_retry_then_the_mail(
    plant: Application, clock: FixedClock
) -> None:
    _post(plant, users=["erin"])
    port = free_port()  # nothing listens there yet
    first = mail.deliver_due(plant.ctx, clock.now(), _transport(port), CONFIG)
    assert (first.sent, first.retrying) == (0, 1)
    [logged] = mail.list_mail(plant.ctx, ADMIN)
    assert logged.status is MailStatus.PENDING and logged.attempts[0].error
    assert logged.next_attempt_at == clock.now() + BACKOFF[0]
    with smtp_server(port=port) as server:
        early = clock.now() + BACKOFF[0] - dt.timedelta(seconds=1)
        assert mail.deliver_due(plant.ctx, early, _transport(port), CONFIG).sent == 0
        clock.advance(seconds=BACKOFF[0].total_seconds())
        assert mail.deliver_due(plant.ctx, clock.now(), _transport(port), CONFIG).sent == 1
    assert len(server.received) == 1
    [logged] = mail.list_mail(plant.ctx, ADMIN)
    assert logged.status is MailStatus.SENT and len(logged.attempts) == 2


def test_a_refusing_server_gets_the_backoff_schedule_then_failed(
    plant: Application, clock: FixedClock
) -> None:
    _post(plant, users=["erin"])
    with smtp_server(reply="451 4.3.0 Try again later") as server:
        transport = _transport(server.port)
        assert mail.deliver_due(plant.ctx, clock.now(), transport, CONFIG).retrying == 1
        for wait in BACKOFF:
            clock.advance(seconds=wait.total_seconds())
            counts = mail.deliver_due(plant.ctx, clock.now(), transport, CONFIG)
            assert counts.retrying + counts.failed == 1
        assert counts.failed == 1
        clock.advance(days=2)
        assert mail.deliver_due(plant.ctx, clock.now(), transport, CONFIG).failed == 0
    [logged] = mail.list_mail(plant.ctx, ADMIN, status="failed")
    times = [a.attempted_at for a in logged.attempts]
    assert [b - a for a, b in itertools.pairwise(times)] == list(BACKOFF)
    assert {a.smtp_code for a in logged.attempts} == {451}


def test_a_permanent_refusal_fails_at_once(plant: Application) -> None:
    _post(plant, users=["erin"])
    with smtp_server(reply="550 5.1.1 No such mailbox") as server:
        counts = mail.deliver_due(plant.ctx, plant.ctx.clock.now(), _transport(server.port), CONFIG)
    assert (counts.failed, counts.retrying) == (1, 0)


def test_without_a_server_mail_is_held_then_sent_once_one_is_configured(
    plant: Application, clock: FixedClock
) -> None:
    _post(plant, users=["erin", "quinn"])
    assert transport_from(plant.settings) is None  # ORDERFORGE_SMTP_HOST is empty
    held = mail.deliver_due(plant.ctx, clock.now(), None, CONFIG)
    assert (held.queued, held.held, held.sent) == (2, 2, 0)
    log = mail.list_mail(plant.ctx, ADMIN, status="held")
    assert len(log) == 2 and {m.note for m in log} == {NO_SMTP}
    clock.advance(days=3)  # held is never given up
    with smtp_server() as server:
        configured = dataclasses.replace(
            plant.settings, smtp_host="127.0.0.1", smtp_port=server.port, smtp_starttls=False
        )
        transport = transport_from(configured)
        assert transport is not None
        assert mail.deliver_due(plant.ctx, clock.now(), transport, CONFIG).sent == 2
    assert sorted(m.recipients[0] for m in server.received) == [
        "erin@plant.example",
        "quinn@plant.example",
    ]
    assert {m.note for m in mail.list_mail(plant.ctx, ADMIN)} == {None}


def test_two_workers_never_send_one_mail_twice(plant: Application) -> None:
    """While one worker is mid-DATA its mail is claimed, and a second worker's pass
    skips it; meanwhile no transaction is held open, so the plant keeps writing."""
    _post(plant, users=["erin"])
    gate = threading.Event()
    results: list[mail.MailCounts] = []
    now = plant.ctx.clock.now()
    with smtp_server(gate=gate) as server:
        transport = _transport(server.port)
        first = threading.Thread(
            target=lambda: results.append(mail.deliver_due(plant.ctx, now, transport, CONFIG))
        )
        first.start()
        try:
            assert server.arrived.wait(60), "the first worker sent nothing"
            second = mail.deliver_due(plant.ctx, now, transport, CONFIG)
            _post(plant, users=["quinn"])  # a write while the first mail is in flight
        finally:
            gate.set()
            first.join(60)
        assert (second.sent, second.retrying, second.failed) == (0, 0, 0)
        assert [r.sent for r in results] == [1]
        assert [m.recipients for m in server.received] == [["erin@plant.example"]]


def test_the_serve_worker_sends_in_the_background_and_stops(plant: Application) -> None:
    _post(plant, users=["erin"])
    with smtp_server() as server:
        settings = dataclasses.replace(
            plant.settings, smtp_host="127.0.0.1", smtp_port=server.port, smtp_starttls=False
        )
        worker = MailWorker(plant.ctx, settings, interval=0.05)
        worker.start()
        try:
            assert server.arrived.wait(60), "the worker sent nothing"
        finally:
            worker.stop()
        assert not worker.thread.is_alive()
    assert [m.recipients for m in server.received] == [["erin@plant.example"]]


def test_user_addresses_are_checked_and_changed(plant: Application) -> None:
    ctx = plant.ctx
    with pytest.raises(InvalidInput) as refused:
        users.add_user(ctx, None, users.AddUser("eve", "sales", "long-enough-1", email="eve@"))
    assert refused.value.field == "email"
    assert "eve" not in {u.username for u in users.list_users(ctx, ADMIN)}
    for bad in ("a@b.c\r\nBcc: x@y.z", "Eve <eve@x.example>", "x" * 250 + "@x.example"):
        with pytest.raises(InvalidInput) as refused:
            users.change_user(ctx, None, users.UserChange("erin", email=bad))
        assert refused.value.field == "email"
    assert users.change_user(ctx, None, users.UserChange("erin", email=" e@x.example ")).email == (
        "e@x.example"
    )
    with ctx.uow() as uow:
        erin = uow.users.get("erin")
        assert erin is not None and erin.id is not None
        me = users.principal_of(erin)
    assert users.change_own_email(ctx, me, "").email == ""
    assert users.my_account(ctx, me).email == ""
    with plant.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.events.c.data).where(t.events.c.kind == "user_email_changed")
        )
        history = [row.data for row in rows]
    assert history and all("x.example" not in str(data) for data in history)

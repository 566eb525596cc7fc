"""Mail rules without storage or network: who is told of an event, that internal
content never reaches a customer, what each kind of mail says, the retry schedule down
to "failed", and the settings' refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.config import ConfigError, load_settings
from orderforge.domain.events import OutboxEvent
from orderforge.mail.domain import (
    BACKOFF,
    Attempt,
    Audience,
    CustomerContact,
    Mail,
    MailStatus,
    Notify,
    Person,
    Progress,
    is_internal,
    message_id,
    order_of,
    resolve,
)
from orderforge.mail.rendering import render, subject

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
ACME = CustomerContact(1, "C-ACME", "Acme Hotels", "office@acme.example")
PEOPLE = [
    Person("sam", "Sam Sales", "sales", "sam@plant.example", True),
    Person("erin", "Erin Eng", "engineer", "erin@plant.example", True),
    Person("quinn", "Quinn", "quality", "quinn@plant.example", True),
    Person("quill", "Quill", "quality", "", True),
    Person("bob", "Bob", "quality", "bob@plant.example", False),
    Person("buyer", "Bea Buyer", "customer", "buyer@acme.example", True, customer_id=1),
    Person("other", "Otto", "customer", "otto@rival.example", True, customer_id=2),
    # shares an address with a staff member: written to once, as the customer
    Person("twin", "Twin", "customer", "ERIN@plant.example", True, customer_id=1),
]


def _event(kind: str, data: dict[str, Any], aggregate: str = "order") -> OutboxEvent:
    return OutboxEvent(1, "e-1", kind, aggregate, "SO-2026-0042", "sam", T0, data)


def _to(resolution: Any) -> dict[str, Audience]:
    return {r.address: r.audience for r in resolution.recipients}


def test_notify_is_read_leniently() -> None:
    assert Notify.of({}) is None
    assert Notify.of({"notify": "everyone"}) is None
    notify = Notify.of(
        {"notify": {"users": ["Erin", 3, " ", "erin"], "roles": "quality", "customer": "yes"}}
    )
    assert notify == Notify(users=("erin",), roles=(), customer=False)


def test_users_and_roles_each_once_without_inactive_excluded_or_unreachable() -> None:
    notify = Notify(users=("erin", "sam", "nobody"), roles=("quality",), exclude=frozenset({"sam"}))
    resolution = resolve(notify, internal=False, people=PEOPLE, customer=ACME)
    assert _to(resolution) == {
        "erin@plant.example": Audience.STAFF,
        "quinn@plant.example": Audience.STAFF,
    }
    assert resolution.no_address == ("quill",)


def test_the_customer_is_its_portal_users_else_its_record() -> None:
    notify = Notify(customer=True)
    resolution = resolve(notify, internal=False, people=PEOPLE, customer=ACME)
    assert _to(resolution) == {
        "buyer@acme.example": Audience.CUSTOMER,
        "ERIN@plant.example": Audience.CUSTOMER,
    }
    without = [p for p in PEOPLE if p.role != "customer"]
    resolution = resolve(notify, internal=False, people=without, customer=ACME)
    assert _to(resolution) == {"office@acme.example": Audience.CUSTOMER}
    no_record = CustomerContact(1, "C-ACME", "Acme Hotels", "")
    resolution = resolve(notify, internal=False, people=without, customer=no_record)
    assert resolution.recipients == () and resolution.no_address == ("customer C-ACME",)


def test_a_shared_address_is_written_to_once_as_for_the_customer() -> None:
    notify = Notify(users=("erin", "twin"))
    resolution = resolve(notify, internal=False, people=PEOPLE, customer=ACME)
    [only] = resolution.recipients
    assert only.address.lower() == "erin@plant.example" and only.audience is Audience.CUSTOMER


@given(
    users=st.lists(st.sampled_from([p.username for p in PEOPLE]), max_size=8),
    roles=st.lists(st.sampled_from(["sales", "quality", "customer", "engineer"]), max_size=4),
    customer=st.booleans(),
)
def test_internal_content_never_goes_to_a_customer_whatever_notify_says(
    users: list[str], roles: list[str], customer: bool
) -> None:
    notify = Notify(users=tuple(users), roles=tuple(roles), customer=customer)
    resolution = resolve(notify, internal=True, people=PEOPLE, customer=ACME)
    customer_addresses = {"office@acme.example", "buyer@acme.example", "otto@rival.example"}
    assert all(r.audience is Audience.STAFF for r in resolution.recipients)
    assert not customer_addresses & {r.address for r in resolution.recipients}
    # and another customer's portal user never hears of this customer's order
    open_ = resolve(notify, internal=False, people=PEOPLE, customer=ACME)
    assert "otto@rival.example" not in {r.address for r in open_.recipients}


@pytest.mark.parametrize(
    ("data", "internal"),
    [({}, False), ({"internal": False}, False), ({"internal": True}, True)]
    + [({"internal": v}, True) for v in (1, "yes", None, "false")],
)
def test_anything_but_an_explicit_false_is_internal(data: dict[str, Any], internal: bool) -> None:
    assert is_internal(data) is internal


def test_the_order_comes_from_the_data_or_an_order_event() -> None:
    assert order_of(_event("x", {"order": "SO-2026-0007"}, "design")) == "SO-2026-0007"
    assert order_of(_event("x", {})) == "SO-2026-0042"
    assert order_of(_event("x", {}, "customer")) is None


MESSAGE = {
    "order": "SO-2026-0042",
    "author": "Sam Sales",
    "author_role": "sales",
    "internal": False,
    "body": "Glued.\nDeliver Friday?",
    "attachments": ["glue-up.jpg", 7],
}
DESIGN = {"order": "SO-2026-0042", "line_no": 2, "revision": "B", "author": "Erin Eng"}


@pytest.mark.parametrize(
    ("kind", "data", "subject_text", "in_body"),
    [
        (
            "order_message_posted",
            MESSAGE,
            "[SO-2026-0042] New message from Sam Sales",
            ["Sam Sales wrote:", "Glued.\nDeliver Friday?", "Attached: glue-up.jpg, 7"],
        ),
        (
            "design_revision_proposed",
            {**DESIGN, "awaiting": ["customer sign-off", "quality review"]},
            "[SO-2026-0042] Design revision B of line 2 awaits approval",
            ["Erin Eng proposed design revision B of line 2.", "  - customer sign-off"],
        ),
        (
            "design_revision_signed",
            {**DESIGN, "signer": "Bea Buyer", "meaning": "approved by customer"},
            "[SO-2026-0042] Design revision B of line 2 signed by Bea Buyer",
            ["Bea Buyer signed design revision B of line 2, meaning: approved by customer."],
        ),
        (
            "design_revision_rejected",
            {**DESIGN, "comment": "Legs too thin."},
            "[SO-2026-0042] Design revision B of line 2 rejected",
            ["Erin Eng rejected design revision B of line 2.", "Comment:\nLegs too thin."],
        ),
        (
            "design_approved",
            DESIGN,
            "[SO-2026-0042] The design of line 2 is approved (revision B)",
            ["may go into production"],
        ),
        (
            "order_shipped",
            {"order": "SO-2026-0042"},
            "[SO-2026-0042] Order shipped",
            ["Order shipped on order SO-2026-0042."],
        ),
    ],
)
def test_each_kind_has_its_subject_and_body_with_a_link(
    kind: str, data: dict[str, Any], subject_text: str, in_body: list[str]
) -> None:
    rendered = render(_event(kind, data), Audience.CUSTOMER, "https://mto.example.com/")
    assert rendered.subject == subject_text == subject(_event(kind, data), Audience.CUSTOMER)
    for text in in_body:
        assert text in rendered.body
    assert "Open the order: https://mto.example.com/orders/SO-2026-0042" in rendered.body


def test_staff_see_the_author_role_and_an_internal_note_says_so() -> None:
    staff = render(_event("order_message_posted", MESSAGE), Audience.STAFF, "http://x")
    assert "Sam Sales (sales) wrote:" in staff.body
    note = render(
        _event("order_message_posted", {**MESSAGE, "internal": True}), Audience.STAFF, "http://x"
    )
    assert note.subject == "[SO-2026-0042] Internal note from Sam Sales"
    assert "staff only" in note.body


def test_a_mail_never_carries_fields_it_does_not_name() -> None:
    """Costs and staff notes that an event carries stay out of every mail."""
    secret = {"unit_cost": "1234.56 EUR", "margin": "31 %", "staff_note": "slow payer"}
    for kind in ("order_shipped", "design_approved", "order_message_posted"):
        rendered = render(_event(kind, {**DESIGN, **secret}), Audience.CUSTOMER, "http://x")
        text = rendered.subject + rendered.body
        assert not any(value in text for value in secret.values())


def test_a_subject_is_one_line_whatever_the_data() -> None:
    data = {**MESSAGE, "author": "Eve\r\nBcc: all@example.com", "order": "SO-1\nX: y"}
    rendered = render(_event("order_message_posted", data), Audience.STAFF, "http://x")
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


def test_message_id_is_stable_per_event_and_address() -> None:
    one = message_id("e-1", "Erin@plant.example", "plant.example")
    assert one == message_id("e-1", " erin@plant.example", "plant.example")
    assert one != message_id("e-1", "quinn@plant.example", "plant.example")
    assert one != message_id("e-2", "erin@plant.example", "plant.example")
    assert one.startswith("<") and one.endswith("@plant.example>") and len(one) < 70


def _mail() -> Mail:
    event = _event("order_message_posted", MESSAGE)
    return Mail(event, "erin@plant.example", "erin", Audience.STAFF, MailStatus.PENDING, T0, T0)


def test_backoff_schedule_then_failed() -> None:
    mail = _mail()
    at = T0
    for wait in BACKOFF:
        mail.record(Attempt(at, 451, "try later", 3))
        assert mail.status is MailStatus.PENDING and mail.next_attempt_at == at + wait
        at += wait
    mail.record(Attempt(at, 451, "try later", 3))
    assert mail.status is MailStatus.FAILED and mail.next_attempt_at is None
    assert len(mail.attempts) == len(BACKOFF) + 1


def test_sent_ends_it_and_a_permanent_refusal_fails_at_once() -> None:
    mail = _mail()
    mail.record(Attempt(T0, None, "Connection refused", 1))
    mail.record(Attempt(T0 + BACKOFF[0], 250, None, 2))
    assert (mail.status, mail.sent_at, mail.next_attempt_at) == (
        MailStatus.SENT,
        T0 + BACKOFF[0],
        None,
    )
    refused = _mail()
    refused.record(Attempt(T0, 550, "No such mailbox", 1, permanent=True))
    assert refused.status is MailStatus.FAILED


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ORDERFORGE_SMTP_PORT": "0"}, "SMTP_PORT"),
        ({"ORDERFORGE_SMTP_PORT": "smtp"}, "SMTP_PORT"),
        ({"ORDERFORGE_SMTP_HOST": "mail host"}, "SMTP_HOST"),
        ({"ORDERFORGE_SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS"),
        ({"ORDERFORGE_SMTP_USERNAME": "of"}, "SMTP_PASSWORD"),
        ({"ORDERFORGE_SMTP_PASSWORD": "pw"}, "SMTP_USERNAME"),
        ({"ORDERFORGE_MAIL_FROM": "OrderForge"}, "MAIL_FROM"),
        ({"ORDERFORGE_MAIL_POLL_SECONDS": "0"}, "MAIL_POLL_SECONDS"),
    ],
)
def test_bad_mail_settings_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=named):
        load_settings()


def test_mail_settings_from_the_environment_and_the_password_not_in_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = load_settings()
    assert (defaults.smtp_host, defaults.smtp_port, defaults.smtp_starttls) == ("", 587, True)
    assert defaults.mail_from == "OrderForge <orderforge@localhost>"
    for name, value in {
        "SMTP_HOST": "smtp.example.com",
        "SMTP_PORT": "2525",
        "SMTP_USERNAME": "orderforge",
        "SMTP_PASSWORD": "s3cret-pw",
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "Plant <plant@example.com>",
    }.items():
        monkeypatch.setenv(f"ORDERFORGE_{name}", value)
    settings = load_settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.example.com",
        2525,
        False,
    )
    assert settings.smtp_password == "s3cret-pw" and "s3cret-pw" not in repr(settings)
    assert settings.mail_from == "Plant <plant@example.com>"


def test_the_log_tells_a_queued_mail_from_one_that_is_retrying() -> None:
    """Both are stored as pending; the log names them apart by whether a try failed,
    and a refusal for good, a success or a held mail keep their own word."""
    mail = Mail(_event("x", {}), "a@b.example", "sam", Audience.STAFF, MailStatus.PENDING, T0, T0)
    seen = [mail.progress]
    mail.record(Attempt(T0, 451, "busy", 5))
    seen.append(mail.progress)
    stored = mail.status
    mail.record(Attempt(T0, 250, None, 5))
    seen.append(mail.progress)
    assert seen == [Progress.QUEUED, Progress.RETRYING, Progress.SENT]
    assert stored is MailStatus.PENDING  # retrying is a word of the log, not a state
    refused = Mail(
        _event("x", {}), "a@b.example", "sam", Audience.STAFF, MailStatus.PENDING, T0, T0
    )
    refused.record(Attempt(T0, 550, "no such user", 5, permanent=True))
    assert refused.progress is Progress.FAILED
    held = Mail(_event("x", {}), "a@b.example", "sam", Audience.STAFF, MailStatus.HELD, T0, T0)
    assert held.progress is Progress.HELD


def test_an_approved_change_tells_the_customer_the_date_and_nothing_of_the_plant() -> None:
    applied = {
        "promise": {"before": "2026-12-10", "after": "2027-01-06", "summary": "bound by CNC"},
        "work_orders": [{"new": "WO-2026-0099", "revision": 2}],
        "price": {"before": "2536.00", "after": "2380.00"},
    }
    event = OutboxEvent(
        1,
        "e-1",
        "change_approved",
        "engineering_change",
        "ECR-2026-0003",
        "lead",
        T0,
        {"order": "SO-2026-0042", "applied": applied, "signed_by": "Ingrid Petersen"},
    )
    rendered = render(event, Audience.CUSTOMER, "https://mto.example.com/")
    assert rendered.subject == "[SO-2026-0042] Change ECR-2026-0003 approved"
    assert "Wed 06 Jan 2027" in rendered.body and "accept the new date and price" in rendered.body
    assert "WO-2026-0099" not in rendered.body and "CNC" not in rendered.body
    staff = render(event, Audience.STAFF, "https://mto.example.com/")
    assert "accept the new date" not in staff.body

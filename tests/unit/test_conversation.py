"""The order conversation without a database: mention parsing (with generated bodies),
who may mention whom, internal notes, whom a message notifies, and the use cases'
refusals leaving nothing stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.conversation import domain, services
from orderforge.conversation.domain import (
    MAX_BODY,
    Draft,
    Mentions,
    Message,
    Person,
    Thread,
    check_body,
    mentioned_names,
    notify,
    resolve_mentions,
)
from orderforge.conversation.ports import MESSAGES
from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.order import LineInput
from orderforge.domain.user import Role
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.conversation_fakes import FakeFileStore, FakeMessages
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
SO = "SO-2026-0001"
SALES = Person(2, "svenja", "Svenja Krüger", Role.SALES)
PLANNER = Person(3, "jana", "Jana Lorenzen", Role.PLANNER)
QUALITY = Person(4, "heike", "Heike Thomsen", Role.QUALITY)
FRANZ = Person(10, "franz", "Franz Huber", Role.CUSTOMER, customer_id=1)
ANNA = Person(11, "anna", "Anna Huber", Role.CUSTOMER, customer_id=1)
LEA = Person(12, "lea", "Lea Berg", Role.CUSTOMER, customer_id=2)
USERS = {p.username: p for p in (SALES, PLANNER, QUALITY, FRANZ, ANNA, LEA)}


def said(author: Person, internal: bool = False, body: str = "hello") -> Message:
    return Message(SO, author, body, internal, Mentions(), (), T0)


# -- parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("@planner can the oak top ship earlier?", ("planner",)),
        ("ask @Sales. And @sales again, and @jana!", ("sales", "jana")),
        ("write to franz@example.com or @@x", ()),
        ("(@heike) and @lea-berg_2, then @a", ("heike", "lea-berg_2")),
        ("no mention here", ()),
    ],
)
def test_mentions_are_parsed_from_the_body(body: str, names: tuple[str, ...]) -> None:
    assert mentioned_names(body) == names


_NAME = st.from_regex(r"[a-z0-9][a-z0-9_-]{1,20}", fullmatch=True)
_PLAIN = st.text(
    alphabet=st.characters(exclude_characters="@", exclude_categories=["Cs"]), max_size=30
)


@given(st.lists(st.tuples(_PLAIN, _NAME), max_size=8), _PLAIN)
def test_every_mention_in_a_generated_body_is_found_once_in_order(
    parts: list[tuple[str, str]], tail: str
) -> None:
    body = "".join(f"{text} @{name} " for text, name in parts) + tail
    assert mentioned_names(body) == tuple(dict.fromkeys(name for _, name in parts))


@given(st.text(max_size=300))
def test_any_text_parses_to_plausible_names(body: str) -> None:
    for name in mentioned_names(body):
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name)
        assert f"@{name}" in body.lower()


# -- the body -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "why"),
    [("", "empty"), ("   \n ", "empty"), ("x" * (MAX_BODY + 1), "at most"), ("a\x00b", "NUL")],
)
def test_bad_bodies_are_refused_naming_the_body(body: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as refused:
        check_body(body)
    assert refused.value.field == "body"


def test_a_body_of_exactly_the_limit_is_kept_trimmed() -> None:
    assert check_body(" " + "x" * MAX_BODY + "\n") == "x" * MAX_BODY


# -- who may mention whom ------------------------------------------------------------


def test_unknown_mention_is_refused_with_its_name() -> None:
    with pytest.raises(InvalidInput, match="@nobody") as refused:
        resolve_mentions("hi @nobody", SALES, False, Thread(SO, 1), USERS)
    assert refused.value.field == "body"


def test_staff_mention_roles_staff_and_the_orders_customer_users() -> None:
    found = resolve_mentions("@quality @jana @franz", SALES, False, Thread(SO, 1), USERS)
    assert found == Mentions(users=("jana", "franz"), roles=(Role.QUALITY,))


def test_nobody_mentions_another_customers_user() -> None:
    with pytest.raises(InvalidInput, match="@lea"):
        resolve_mentions("@lea", SALES, False, Thread(SO, 1), USERS)
    with pytest.raises(InvalidInput, match="@lea"):
        resolve_mentions("@lea", FRANZ, False, Thread(SO, 1), USERS)


def test_an_internal_note_mentions_no_customer_user() -> None:
    with pytest.raises(InvalidInput, match="customer user") as refused:
        resolve_mentions("@franz", SALES, True, Thread(SO, 1), USERS)
    assert refused.value.field == "body"


def test_customer_mentions_roles_colleagues_and_staff_who_wrote_publicly() -> None:
    assert resolve_mentions("@planner @anna", FRANZ, False, Thread(SO, 1), USERS) == Mentions(
        users=("anna",), roles=(Role.PLANNER,)
    )
    # staff who wrote only an internal note stay unknown to the customer
    thread = Thread(SO, 1, (said(SALES), said(PLANNER, internal=True)))
    assert resolve_mentions("@svenja", FRANZ, False, thread, USERS).users == ("svenja",)
    with pytest.raises(InvalidInput, match="@jana"):
        resolve_mentions("@jana", FRANZ, False, thread, USERS)


def test_customer_cannot_write_internal_notes() -> None:
    with pytest.raises(InvalidInput) as refused:
        domain.post(Thread(SO, 1), Draft(FRANZ, "psst", True), USERS, T0)
    assert refused.value.field == "internal"


# -- whom a message notifies ---------------------------------------------------------


def test_public_staff_message_tells_mentioned_participants_and_the_customer() -> None:
    thread = Thread(SO, 1, (said(FRANZ), said(PLANNER, internal=True), said(SALES)))
    message = domain.post(thread, Draft(SALES, "@quality @jana see above", False), USERS, T0)
    assert notify(message, thread) == {
        "users": ["jana", "franz"],
        "roles": ["quality"],
        "customer": True,
        "exclude": ["svenja"],
    }


def test_internal_note_never_lists_a_customer() -> None:
    thread = Thread(SO, 1, (said(FRANZ), said(ANNA), said(SALES)))
    message = domain.post(thread, Draft(PLANNER, "@heike check the veneer", True), USERS, T0)
    told = notify(message, thread)
    assert told["customer"] is False
    assert told["users"] == ["heike", "svenja"]
    assert not {"franz", "anna"} & set(told["users"])


def test_customer_message_reaching_no_staff_goes_to_sales() -> None:
    lone = domain.post(Thread(SO, 1), Draft(FRANZ, "Any news?"), USERS, T0)
    assert notify(lone, Thread(SO, 1))["roles"] == ["sales"]
    assert notify(lone, Thread(SO, 1))["customer"] is False
    thread = Thread(SO, 1, (said(PLANNER),))
    answered = domain.post(thread, Draft(FRANZ, "Thanks!", False), USERS, T0)
    assert notify(answered, thread) == {
        "users": ["jana"],
        "roles": [],
        "customer": False,
        "exclude": ["franz"],
    }


# -- use cases -----------------------------------------------------------------------

ADMIN = Principal(1, "admin", Role.ADMIN, "Ole Andersen")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def files() -> FakeFileStore:
    return FakeFileStore()


@pytest.fixture
def ctx(uow: FakeUnitOfWork, files: FakeFileStore) -> ServiceContext:
    context = ServiceContext(
        uow=uow,
        clock=FixedClock(),
        hasher=PlainHasher(),
        sealer=HmacSealer(lambda: "unit-tests"),
        files=files,
    )
    demo.load_demo(context, "orderforge-demo", count=5)
    return context


def _principal(uow: FakeUnitOfWork, username: str) -> Principal:
    user = uow.users.get(username)
    assert user is not None and user.id is not None
    return Principal(user.id, user.username, user.role, user.display_name, user.customer_id)


def _order(ctx: ServiceContext, customer: str = "C-HOTEL-ALPINA") -> str:
    cmd = orders.CreateOrder(customer, (LineInput("TABLE", 1, {"wood": "oak"}),))
    return orders.create_order(ctx, ADMIN, cmd).view.number


def _messages(uow: FakeUnitOfWork) -> FakeMessages:
    repo = uow.repository(MESSAGES)
    assert isinstance(repo, FakeMessages)
    return repo


def test_post_keeps_files_and_raises_the_event(
    ctx: ServiceContext, uow: FakeUnitOfWork, files: FakeFileStore
) -> None:
    number = _order(ctx)
    sales = _principal(uow, "sales")
    drawing = services.Upload("top view.pdf", b"%PDF-1.7 drawing")
    posted = services.post_message(
        ctx, sales, services.PostMessage(number, "Drawing attached, @quality", False, (drawing,))
    )
    assert posted.id is not None and posted.attachments[0].media_type == "application/pdf"
    assert files.get(posted.attachments[0].sha256) == b"%PDF-1.7 drawing"
    event = [e for e in uow.events.rows if e.kind == "order_message_posted"][-1]
    assert (event.aggregate, event.aggregate_key) == ("order", number)
    assert event.data["message_id"] == posted.id
    assert event.data["attachments"] == ["top view.pdf"]
    assert event.data["author"] == "Svenja Krüger" and event.data["author_role"] == "sales"
    assert event.data["notify"]["roles"] == ["quality"]
    assert event.data["notify"]["customer"] is True


def test_customer_reads_public_messages_only_and_cannot_post_internal(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = _order(ctx)
    sales, alpina = _principal(uow, "sales"), _principal(uow, "alpina")
    services.post_message(ctx, sales, services.PostMessage(number, "For you"))
    services.post_message(ctx, sales, services.PostMessage(number, "Margin is thin", True))
    assert [m.body for m in services.list_messages(ctx, alpina, number)] == ["For you"]
    assert len(services.list_messages(ctx, sales, number)) == 2
    with pytest.raises(PermissionDenied):
        services.post_message(ctx, alpina, services.PostMessage(number, "psst", True))
    assert len(_messages(uow).rows) == 2


def test_another_customers_order_looks_missing(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    number = _order(ctx, customer="C-REST-ZUNFT")
    alpina = _principal(uow, "alpina")
    with pytest.raises(NotFound):
        services.list_messages(ctx, alpina, number)
    with pytest.raises(NotFound):
        services.post_message(ctx, alpina, services.PostMessage(number, "hello"))
    assert _messages(uow).rows == []


@pytest.mark.parametrize(
    "uploads",
    [
        [services.Upload(f"p{i}.png", b"png") for i in range(6)],
        [services.Upload("../../etc/passwd.txt", b"x")],
        [services.Upload("..\\boot.ini.txt", b"x")],
        [services.Upload(".hidden.pdf", b"x")],
        [services.Upload("run.exe", b"MZ")],
        [services.Upload("empty.pdf", b"")],
        [services.Upload("big.pdf", b"x" * (services.MAX_ATTACHMENT_BYTES + 1))],
        [services.Upload("ok.pdf", b"%PDF"), services.Upload("nul\x00.pdf", b"x")],
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    ctx: ServiceContext, uow: FakeUnitOfWork, files: FakeFileStore, uploads: list[services.Upload]
) -> None:
    number = _order(ctx)
    before = len(uow.events.rows)
    with pytest.raises(InvalidInput) as refused:
        services.post_message(
            ctx,
            _principal(uow, "sales"),
            services.PostMessage(number, "see", False, tuple(uploads)),
        )
    assert refused.value.field == "files"
    assert files.puts == 0 and _messages(uow).rows == []
    assert len(uow.events.rows) == before


def test_a_refused_mention_keeps_no_file(
    ctx: ServiceContext, uow: FakeUnitOfWork, files: FakeFileStore
) -> None:
    number = _order(ctx)
    cmd = services.PostMessage(number, "@ghost look", False, (services.Upload("a.pdf", b"%PDF"),))
    with pytest.raises(InvalidInput, match="@ghost"):
        services.post_message(ctx, _principal(uow, "sales"), cmd)
    assert files.puts == 0 and _messages(uow).rows == []


def test_attachments_need_a_file_store(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    number = _order(ctx)
    bare = dataclasses.replace(ctx, files=None)
    cmd = services.PostMessage(number, "see", False, (services.Upload("a.pdf", b"%PDF"),))
    with pytest.raises(InvalidInput) as refused:
        services.post_message(bare, _principal(uow, "sales"), cmd)
    assert refused.value.field == "files"


def test_attachment_of_an_internal_note_is_missing_for_the_customer(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = _order(ctx)
    sales, alpina = _principal(uow, "sales"), _principal(uow, "alpina")
    upload = services.Upload("cost.txt", b"internal costs")
    note = services.post_message(ctx, sales, services.PostMessage(number, "costs", True, (upload,)))
    assert note.id is not None
    found, data = services.attachment(ctx, sales, number, note.id, 0)
    assert (found.name, data) == ("cost.txt", b"internal costs")
    with pytest.raises(NotFound):
        services.attachment(ctx, alpina, number, note.id, 0)
    with pytest.raises(NotFound):
        services.attachment(ctx, sales, number, note.id, 1)
    other = _order(ctx)
    with pytest.raises(NotFound):
        services.attachment(ctx, sales, other, note.id, 0)


def test_closed_orders_still_take_messages(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    number = _order(ctx)
    orders.advance_order(ctx, ADMIN, number, "cancel", reason="Customer withdrew")
    alpina = _principal(uow, "alpina")
    posted = services.post_message(ctx, alpina, services.PostMessage(number, "Sorry about that"))
    assert posted.id is not None

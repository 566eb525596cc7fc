"""The conversation on SQLite and PostgreSQL: a message with attachments is stored with
its files' records and read back whole; its `order_message_posted` outbox row carries
whom to notify (never a customer for an internal note); the tables refuse UPDATE and
DELETE; and the schema holds across a downgrade and upgrade of the migration."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.adapters.db import tables as t
from orderforge.bootstrap import Application
from orderforge.conversation import services, storage
from orderforge.domain.order import LineInput
from orderforge.domain.user import Role
from orderforge.services import orders, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD
from tests.unit.conversation_fakes import DirectoryFileStore


@pytest.fixture
def ctx(application: Application, tmp_path: Path) -> ServiceContext:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=3)
    return replace(application.ctx, files=DirectoryFileStore(tmp_path / "files"))


def _user(ctx: ServiceContext, name: str) -> Principal:
    return users.authenticate(ctx, name, DEMO_PASSWORD)


def _order(ctx: ServiceContext) -> str:
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", 1, {"wood": "oak"}),))
    number: str = orders.create_order(ctx, _user(ctx, "sales"), cmd).view.number
    return number


def _outbox(app: Application, number: str) -> list[dict[str, object]]:
    o = t.outbox.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            sa.select(o.data, o.aggregate, o.actor)
            .where(o.kind == "order_message_posted", o.aggregate_key == number)
            .order_by(o.id)
        )
        return [{**r.data, "_aggregate": r.aggregate, "_actor": r.actor} for r in rows]


def test_message_with_files_round_trips_and_notifies(
    application: Application, ctx: ServiceContext
) -> None:
    number = _order(ctx)
    alpina, sales, planner = (_user(ctx, n) for n in ("alpina", "sales", "planner"))
    services.post_message(ctx, alpina, services.PostMessage(number, "Is oak oil food-safe?"))
    files = (
        services.Upload("datasheet.pdf", b"%PDF-1.7 oil"),
        services.Upload("photo.jpg", b"\xff\xd8\xff jpeg"),
    )
    answer = services.post_message(
        ctx, sales, services.PostMessage(number, "Yes, see the sheet @planner", False, files)
    )
    note = services.post_message(
        ctx, planner, services.PostMessage(number, "@quality check the batch", True)
    )

    thread = services.list_messages(ctx, sales, number)
    assert [m.body[:5] for m in thread] == ["Is oa", "Yes, ", "@qual"]  # oldest first
    stored = next(m for m in thread if m.id == answer.id)
    assert [a.name for a in stored.attachments] == ["datasheet.pdf", "photo.jpg"]
    assert stored.attachments[1].media_type == "image/jpeg"
    # "planner" is a role before it is a username: every planner hears of it
    assert stored.mentions.roles == (Role.PLANNER,) and stored.mentions.users == ()
    assert stored.author.display_name == "Svenja Krüger"
    assert answer.id is not None
    _, data = services.attachment(ctx, alpina, number, answer.id, 0)
    assert data == b"%PDF-1.7 oil"
    assert [m.body for m in services.list_messages(ctx, alpina, number)] == [
        "Is oak oil food-safe?",
        "Yes, see the sheet @planner",
    ]

    first, public, internal = _outbox(application, number)
    assert first["notify"] == {
        "users": [],
        "roles": ["sales"],
        "customer": False,
        "exclude": ["alpina"],
    }
    assert public["_aggregate"] == "order" and public["_actor"] == "sales"
    assert public["notify"] == {
        "users": ["alpina"],
        "roles": ["planner"],
        "customer": True,
        "exclude": ["sales"],
    }
    assert public["attachments"] == ["datasheet.pdf", "photo.jpg"]
    assert internal["internal"] is True and internal["message_id"] == note.id
    assert internal["notify"] == {
        "users": ["sales"],
        "roles": ["quality"],
        "customer": False,
        "exclude": ["planner"],
    }


def test_messages_are_facts_the_database_will_not_change(
    application: Application, ctx: ServiceContext
) -> None:
    number = _order(ctx)
    upload = services.Upload("a.txt", b"text")
    services.post_message(
        ctx, _user(ctx, "sales"), services.PostMessage(number, "first", False, (upload,))
    )
    postgres = application.engine.dialect.name == "postgresql"
    for table, values in (
        (storage.order_messages, {"body": "changed"}),
        (storage.order_message_attachments, {"name": "b.txt"}),
    ):
        statements: list[sa.Executable] = [sa.update(table).values(**values), sa.delete(table)]
        if postgres:
            statements.append(sa.text(f"TRUNCATE {table.name} CASCADE"))
        for statement in statements:
            refused = pytest.raises(sa.exc.DBAPIError, match="facts")
            with refused, application.engine.begin() as connection:
                connection.execute(statement)
    assert [m.body for m in services.list_messages(ctx, _user(ctx, "sales"), number)] == ["first"]

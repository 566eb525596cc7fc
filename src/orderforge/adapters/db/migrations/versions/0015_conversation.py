"""The order conversation: messages on an order's thread and their attachments' records
(the bytes are in the file store, by SHA-256). Both tables are append-only: triggers
refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), because a message is a fact (a
correction is a new one).

Revision ID: 0015_conversation
Revises: 0013_webhooks
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_conversation"
down_revision = "0014_design"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
TABLES = ("order_messages", "order_message_attachments")


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_refuse_update BEFORE UPDATE ON {table}
           BEGIN SELECT RAISE(ABORT, 'messages are facts: UPDATE is refused'); END""",
        f"""CREATE TRIGGER {table}_refuse_delete BEFORE DELETE ON {table}
           BEGIN SELECT RAISE(ABORT, 'messages are facts: DELETE is refused'); END""",
    ]


POSTGRESQL_FUNCTION = """CREATE FUNCTION order_messages_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'messages are facts: % is refused', TG_OP; END $$"""


def _postgresql_triggers(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_refuse_update_delete BEFORE UPDATE OR DELETE ON {table}
           FOR EACH ROW EXECUTE FUNCTION order_messages_refuse_change()""",
        f"""CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table}
           FOR EACH STATEMENT EXECUTE FUNCTION order_messages_refuse_change()""",
    ]


def upgrade() -> None:
    op.create_table(
        "order_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column(
            "author_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name=op.f("fk_order_messages_author_id_users")),
            nullable=False,
        ),
        sa.Column("author_username", sa.String(60), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_role", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("mentions", JSON, nullable=False),
        sa.Column("posted_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_messages")),
    )
    op.create_index(op.f("ix_order_messages_order_number"), "order_messages", ["order_number"])
    op.create_table(
        "order_message_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "message_id",
            sa.Integer(),
            sa.ForeignKey(
                "order_messages.id",
                name=op.f("fk_order_message_attachments_message_id_order_messages"),
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_message_attachments")),
        sa.UniqueConstraint(
            "message_id", "position", name="uq_order_message_attachments_message_id"
        ),
    )
    op.create_index(
        op.f("ix_order_message_attachments_message_id"),
        "order_message_attachments",
        ["message_id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            for statement in _postgresql_triggers(table):
                op.execute(statement)
    else:
        for table in TABLES:
            for statement in _sqlite_triggers(table):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_update_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS order_messages_refuse_change()")
    op.drop_table("order_message_attachments")
    op.drop_table("order_messages")

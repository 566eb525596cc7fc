"""E-mail: users get an address, and the mail room keeps one row per (event, address)
queued from the outbox, with the log of every attempt to hand it to the SMTP server.
Nothing is deleted: mails end sent or failed.

Revision ID: 0016_mail
Revises: 0013_webhooks
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_mail"
down_revision = "0015_conversation"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(254), nullable=False, server_default=""))
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "outbox_id",
            sa.Integer(),
            sa.ForeignKey("outbox.id", name=op.f("fk_mail_messages_outbox_id_outbox")),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("order_number", sa.String(60), nullable=True),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("audience", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.UniqueConstraint("event_id", "address", name="uq_mail_messages_event_id"),
    )
    op.create_index(op.f("ix_mail_messages_next_attempt_at"), "mail_messages", ["next_attempt_at"])
    op.create_index(op.f("ix_mail_messages_order_number"), "mail_messages", ["order_number"])
    op.create_table(
        "mail_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "mail_id",
            sa.Integer(),
            sa.ForeignKey("mail_messages.id", name=op.f("fk_mail_attempts_mail_id_mail_messages")),
            nullable=False,
        ),
        sa.Column("attempted_at", WHEN, nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )
    op.create_index(op.f("ix_mail_attempts_mail_id"), "mail_attempts", ["mail_id"])


def downgrade() -> None:
    op.drop_table("mail_attempts")
    op.drop_table("mail_messages")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")

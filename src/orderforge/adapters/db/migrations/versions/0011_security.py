"""Security: server-side web sessions, expiring API tokens, the actor's id on events;
downtimes can be withdrawn (kept, marked by whom and when).

Revision ID: 0011_security
Revises: 0010_plan_stability
Create Date: 2026-11-30

Tokens made before this get an expiry 90 days after they were made (the new default),
so no old token lives for ever. Existing events keep their actor's name and have no
actor id (history is append-only; the name still names the user, usernames never
change). Sessions signed in before this end (their cookies carry no server-side id).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from orderforge.adapters.db.types import UTCDateTime

revision = "0011_security"
down_revision = "0010_plan_stability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    # Plain ADD COLUMN (no table copy): the events table's append-only triggers stay.
    op.add_column("api_tokens", sa.Column("expires_at", UTCDateTime(), nullable=True))
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.add_column("events", sa.Column("actor_id", sa.Integer(), nullable=True))
    op.add_column("downtimes", sa.Column("withdrawn_by", sa.String(60), nullable=True))
    op.add_column("downtimes", sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
    _expire_old_tokens()


def _expire_old_tokens() -> None:
    bind = op.get_bind()
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer()),
        sa.column("created_at", UTCDateTime()),
        sa.column("expires_at", UTCDateTime()),
    )
    for token_id, created_at in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        bind.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=created_at + dt.timedelta(days=90))
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_user_id")
        batch.drop_column("expires_at")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_column("events", "actor_id")
    with op.batch_alter_table("downtimes") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("withdrawn_by")

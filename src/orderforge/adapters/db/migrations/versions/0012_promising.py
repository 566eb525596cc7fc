"""Promising room: the capacity a committed promise holds until a plan run includes its
order, and alerts on promises a plan no longer keeps. Rows are released or resolved,
never deleted.

Revision ID: 0012_promising
Revises: 0011_security
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_promising"
down_revision = "0011_security"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "promise_reservations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("released_at", WHEN, nullable=True),
        sa.Column("steps", JSON, nullable=False),
    )
    op.create_index(
        op.f("ix_promise_reservations_order_number"), "promise_reservations", ["order_number"]
    )
    op.create_index(
        op.f("ix_promise_reservations_released_at"), "promise_reservations", ["released_at"]
    )
    op.create_table(
        "promise_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved_at", WHEN, nullable=True),
    )
    op.create_index(op.f("ix_promise_alerts_order_number"), "promise_alerts", ["order_number"])
    op.create_index(op.f("ix_promise_alerts_resolved_at"), "promise_alerts", ["resolved_at"])


def downgrade() -> None:
    op.drop_table("promise_alerts")
    op.drop_table("promise_reservations")

"""Customers' ratings of delivered orders: one row per rating given (order, rating 1 to 5,
comment, who, when). Append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL), because a second rating replaces the shown one as a new row and the earlier
stays for audit.

Revision ID: 0029_order_feedback
Revises: 0028_forecasts_simulations
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orderforge.adapters.db.types import UTCDateTime

revision = "0029_order_feedback"
down_revision = "0028_forecasts_simulations"
branch_labels = None
depends_on = None

TABLE = "order_feedback"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {TABLE}_refuse_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'ratings are facts: UPDATE is refused'); END""",
    f"""CREATE TRIGGER {TABLE}_refuse_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'ratings are facts: DELETE is refused'); END""",
]
POSTGRESQL_FUNCTION = f"""CREATE FUNCTION {TABLE}_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'ratings are facts: % is refused', TG_OP; END $$"""
POSTGRESQL_TRIGGERS = [
    f"""CREATE TRIGGER {TABLE}_refuse_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
       FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change()""",
    f"""CREATE TRIGGER {TABLE}_refuse_truncate BEFORE TRUNCATE ON {TABLE}
       FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customers.id", name=op.f("fk_order_feedback_customer_id_customers")),
            nullable=False,
        ),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("given_by", sa.String(60), nullable=False),
        sa.Column("given_by_name", sa.String(200), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_order_feedback_rating_1_to_5")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_feedback")),
    )
    op.create_index(op.f("ix_order_feedback_order_number"), TABLE, ["order_number"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_refuse_update_delete ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_refuse_truncate ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_refuse_change()")
    op.drop_table(TABLE)

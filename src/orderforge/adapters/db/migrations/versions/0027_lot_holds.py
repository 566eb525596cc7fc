"""Lot holds: a lot named by an open nonconformance is quarantined, and one sent back to
its supplier is blocked for good. Held lots are neither issued to operations nor counted
as stock by the MRP and the promise. A hold is released (who, when) but never deleted:
the record of why a lot was kept from the floor is part of the audit trail.

Revision ID: 0027_lot_holds
Revises: 0026_change_revision
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orderforge.adapters.db.types import UTCDateTime

revision = "0027_lot_holds"
down_revision = "0026_change_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lot_holds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lot_number", sa.String(40), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ncr", sa.String(20), nullable=False, index=True),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("placed_by", sa.String(60), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=False),
        sa.Column("released_by", sa.String(60), nullable=True),
        sa.Column("released_at", UTCDateTime(), nullable=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION lot_holds_refuse_delete() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION 'lot holds are facts of record: never deleted'; END;
               $$ LANGUAGE plpgsql"""
        )
        op.execute(
            """CREATE TRIGGER lot_holds_keep BEFORE DELETE ON lot_holds
               FOR EACH ROW EXECUTE FUNCTION lot_holds_refuse_delete()"""
        )
    else:
        op.execute(
            """CREATE TRIGGER lot_holds_keep BEFORE DELETE ON lot_holds
               BEGIN SELECT RAISE(ABORT, 'lot holds are facts of record: never deleted'); END"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lot_holds_keep ON lot_holds")
        op.execute("DROP FUNCTION IF EXISTS lot_holds_refuse_delete()")
    op.drop_table("lot_holds")

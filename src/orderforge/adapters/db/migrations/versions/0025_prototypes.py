"""Prototypes: a work order says whether it makes the order line's units or a prototype,
and which design revision a prototype proves. Every existing work order is production
work.

Revision ID: 0025_prototypes
Revises: 0024_final_inspection
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_prototypes"
down_revision = "0024_final_inspection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(40), nullable=False, server_default="production")
        )
        batch.add_column(sa.Column("design_revision", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("design_revision")
        batch.drop_column("kind")

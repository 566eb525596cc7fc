"""A stable plan: run options, the "of" of moved operations, the design approval allowance.

Revision ID: 0010_plan_stability
Revises: 0009_materials
Create Date: 2026-11-30

Plan runs keep the planner's settings for the run (may other orders be displaced onto
alternative units, the least gain worth moving an operation); plan versions keep how
many operations of the previous version they could have moved, so "moved 3 of 473"
reads true; planned orders keep what their work waits for (material, design approval);
plant settings say how many working days a design approval usually takes. Existing rows
get the defaults: no options (the defaults), 0 comparable operations (shown as before:
the moved count alone), no waits, 5 working days.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0010_plan_stability"
down_revision = "0009_materials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_runs") as batch:
        batch.add_column(sa.Column("options", JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("plan_versions") as batch:
        batch.add_column(
            sa.Column("comparable_operations", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("planned_orders") as batch:
        batch.add_column(sa.Column("waits", JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("plant_settings") as batch:
        batch.add_column(
            sa.Column("design_approval_days", sa.Integer(), nullable=False, server_default="5")
        )


def downgrade() -> None:
    with op.batch_alter_table("plant_settings") as batch:
        batch.drop_column("design_approval_days")
    with op.batch_alter_table("planned_orders") as batch:
        batch.drop_column("waits")
    with op.batch_alter_table("plan_versions") as batch:
        batch.drop_column("comparable_operations")
    with op.batch_alter_table("plan_runs") as batch:
        batch.drop_column("options")

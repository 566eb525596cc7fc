"""Generic recorded jobs: a plan run or an MRP run can be retried, the new run naming the
failed one it repeats (`retry_of`); `cancelled` is a new status value (text, no schema
change).

Revision ID: 0020_jobs
Revises: 0019_quality
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_jobs"
down_revision = "0019_quality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("plan_runs", "mrp_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("retry_of", sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_{table}_retry_of_{table}", table, ["retry_of"], ["id"])


def downgrade() -> None:
    for table in ("plan_runs", "mrp_runs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_retry_of_{table}", type_="foreignkey")
            batch.drop_column("retry_of")

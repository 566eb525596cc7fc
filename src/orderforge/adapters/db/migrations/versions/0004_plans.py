"""Plan runs (recorded jobs), plan versions with planned operations and orders, pins,
downtimes, operation delays; order priority and planned dates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("requested_by", sa.String(length=60), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("trigger", JSON, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("progress", JSON, nullable=False),
        sa.Column("error", JSON, nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_runs")),
    )
    op.create_index(op.f("ix_plan_runs_status"), "plan_runs", ["status"])
    op.create_table(
        "plan_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("horizon_start", WHEN, nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=False),
        sa.Column("lower_bound", sa.BigInteger(), nullable=False),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.Column("late_orders", sa.Integer(), nullable=False),
        sa.Column("operation_count", sa.Integer(), nullable=False),
        sa.Column("moved_operations", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("skipped", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["plan_runs.id"], name=op.f("fk_plan_versions_run_id_plan_runs")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_plan_versions")),
    )
    op.create_table(
        "planned_operations",
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("order_number", sa.String(length=30), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("work_centre", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.String(length=50), nullable=False),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("end", WHEN, nullable=False),
        sa.Column("setup_class", sa.String(length=60), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_version"],
            ["plan_versions.number"],
            name=op.f("fk_planned_operations_plan_version_plan_versions"),
        ),
        sa.PrimaryKeyConstraint("plan_version", "key", name=op.f("pk_planned_operations")),
    )
    op.create_table(
        "planned_orders",
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=30), nullable=False),
        sa.Column("planned_start", WHEN, nullable=False),
        sa.Column("planned_finish", WHEN, nullable=False),
        sa.Column("due", WHEN, nullable=True),
        sa.Column("tardiness_minutes", sa.Integer(), nullable=False),
        sa.Column("binding", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_version"],
            ["plan_versions.number"],
            name=op.f("fk_planned_orders_plan_version_plan_versions"),
        ),
        sa.PrimaryKeyConstraint("plan_version", "order_number", name=op.f("pk_planned_orders")),
    )
    op.create_table(
        "plan_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=120), nullable=False),
        sa.Column("resource", sa.String(length=50), nullable=False),
        sa.Column("not_before", WHEN, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("removed_by", sa.String(length=60), nullable=True),
        sa.Column("removed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_pins")),
    )
    op.create_index(op.f("ix_plan_pins_operation"), "plan_pins", ["operation"])
    op.create_table(
        "downtimes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_centre", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.String(length=50), nullable=True),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("end", WHEN, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downtimes")),
    )
    op.create_index(op.f("ix_downtimes_end"), "downtimes", ["end"])
    op.create_table(
        "operation_delays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=120), nullable=False),
        sa.Column("extra_minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_delays")),
    )
    op.create_index(op.f("ix_operation_delays_operation"), "operation_delays", ["operation"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("planned_start", WHEN, nullable=True))
        batch.add_column(sa.Column("planned_finish", WHEN, nullable=True))
        batch.add_column(sa.Column("plan_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("plan_version")
        batch.drop_column("planned_finish")
        batch.drop_column("planned_start")
        batch.drop_column("priority")
    for table in (
        "operation_delays",
        "downtimes",
        "plan_pins",
        "planned_orders",
        "planned_operations",
        "plan_versions",
        "plan_runs",
    ):
        op.drop_table(table)

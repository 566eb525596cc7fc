"""Work orders (production room): work orders, their operations and material
requirements, and the floor's reports (append-only: the database refuses UPDATE and
DELETE on them).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30

Follows 0006 (plant master data).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)

APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER work_order_reports_refuse_update BEFORE UPDATE ON work_order_reports
       BEGIN SELECT RAISE(ABORT, 'reports are facts: UPDATE is refused'); END""",
    """CREATE TRIGGER work_order_reports_refuse_delete BEFORE DELETE ON work_order_reports
       BEGIN SELECT RAISE(ABORT, 'reports are facts: DELETE is refused'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION work_order_reports_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'reports are facts: % is refused', TG_OP; END $$""",
    """CREATE TRIGGER work_order_reports_refuse_update_delete
       BEFORE UPDATE OR DELETE ON work_order_reports
       FOR EACH ROW EXECUTE FUNCTION work_order_reports_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("order_number", sa.String(length=30), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("product_family", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_work_orders_number")),
        sa.UniqueConstraint(
            "order_number",
            "line_no",
            "revision",
            name="uq_work_orders_order_number_line_no_revision",
        ),
    )
    op.create_index(op.f("ix_work_orders_order_number"), "work_orders", ["order_number"])
    op.create_index(op.f("ix_work_orders_status"), "work_orders", ["status"])
    op.create_table(
        "work_order_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("routing_key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("work_centres", JSON, nullable=False),
        sa.Column("setup_minutes", sa.Numeric(12, 2), nullable=False),
        sa.Column("run_minutes_per_unit", sa.Numeric(12, 2), nullable=False),
        sa.Column("predecessors", JSON, nullable=False),
        sa.Column("setup_class", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("good_quantity", sa.Integer(), nullable=False),
        sa.Column("scrap_quantity", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("work_centre", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_operations_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_operations")),
        sa.UniqueConstraint(
            "work_order_id", "seq", name="uq_work_order_operations_work_order_id_seq"
        ),
    )
    op.create_index(
        op.f("ix_work_order_operations_work_order_id"), "work_order_operations", ["work_order_id"]
    )
    op.create_table(
        "work_order_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 4), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_materials_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_materials")),
    )
    op.create_index(
        op.f("ix_work_order_materials_work_order_id"), "work_order_materials", ["work_order_id"]
    )
    op.create_table(
        "work_order_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order", sa.String(length=30), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("good", sa.Integer(), nullable=False),
        sa.Column("scrap", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("work_centre", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("client_key", sa.String(length=255), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_reports")),
        sa.UniqueConstraint("actor", "client_key", name="uq_work_order_reports_actor_client_key"),
    )
    op.create_index(op.f("ix_work_order_reports_work_order"), "work_order_reports", ["work_order"])
    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS work_order_reports_refuse_update_delete ON work_order_reports"
        )
        op.execute("DROP FUNCTION IF EXISTS work_order_reports_refuse_change()")
    op.drop_table("work_order_reports")
    op.drop_table("work_order_materials")
    op.drop_table("work_order_operations")
    op.drop_table("work_orders")

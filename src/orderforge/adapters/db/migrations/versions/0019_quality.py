"""Quality room: inspection plans (retired ones kept), inspections at operations and
their results. A result is only ever inserted: the database refuses to change or delete
one.

Revision ID: 0019_quality
Revises: 0018_imports
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_quality"
down_revision = "0018_imports"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
SQLITE = [
    """CREATE TRIGGER inspection_results_refuse_update BEFORE UPDATE ON inspection_results
       BEGIN SELECT RAISE(ABORT, 'inspection results are facts: UPDATE is refused'); END""",
    """CREATE TRIGGER inspection_results_refuse_delete BEFORE DELETE ON inspection_results
       BEGIN SELECT RAISE(ABORT, 'inspection results are facts: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION quality_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'inspection results are facts: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER inspection_results_refuse_change BEFORE UPDATE OR DELETE
       ON inspection_results FOR EACH ROW EXECUTE FUNCTION quality_refuse_change()""",
    """CREATE TRIGGER inspection_results_refuse_truncate BEFORE TRUNCATE
       ON inspection_results FOR EACH STATEMENT EXECUTE FUNCTION quality_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("family", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("document", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("put_in_force_by", sa.String(40), nullable=False),
        sa.Column("put_in_force_at", WHEN, nullable=False),
    )
    op.create_index(
        "ix_inspection_plans_family_operation", "inspection_plans", ["family", "operation"]
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("work_order", sa.String(30), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("plan", JSON, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("accepted_by", sa.String(40), nullable=True),
        sa.Column("accepted_at", WHEN, nullable=True),
        sa.Column("acceptance_reason", sa.Text(), nullable=False),
        sa.Column("signature", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("work_order", "seq", name="uq_inspection_operation"),
    )
    op.create_table(
        "inspection_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspections.id"), nullable=False),
        sa.Column("characteristic", sa.String(40), nullable=False),
        sa.Column("unit_serial", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("value", sa.String(40), nullable=True),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("inspector", sa.String(40), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index(
        op.f("ix_inspection_results_inspection_id"), "inspection_results", ["inspection_id"]
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("inspection_results_refuse_truncate", "inspection_results_refuse_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON inspection_results")
        op.execute("DROP FUNCTION IF EXISTS quality_refuse_change()")
    else:
        for name in ("inspection_results_refuse_delete", "inspection_results_refuse_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_inspection_results_inspection_id"), table_name="inspection_results")
    op.drop_table("inspection_results")
    op.drop_table("inspections")
    op.drop_index("ix_inspection_plans_family_operation", table_name="inspection_plans")
    op.drop_table("inspection_plans")

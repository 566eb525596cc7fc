"""Final inspection: checklists per family (retired ones kept) and the attempts at an
order's final inspection, which the database refuses to change or delete.

Revision ID: 0024_final_inspection
Revises: 0023_trace
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0024_final_inspection"
down_revision = "0023_trace"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
SQLITE = [
    """CREATE TRIGGER final_inspections_refuse_update BEFORE UPDATE ON final_inspections
       BEGIN SELECT RAISE(ABORT, 'final inspections are facts: UPDATE is refused'); END""",
    """CREATE TRIGGER final_inspections_refuse_delete BEFORE DELETE ON final_inspections
       BEGIN SELECT RAISE(ABORT, 'final inspections are facts: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE TRIGGER final_inspections_refuse_change BEFORE UPDATE OR DELETE
       ON final_inspections FOR EACH ROW EXECUTE FUNCTION quality_refuse_change()""",
    """CREATE TRIGGER final_inspections_refuse_truncate BEFORE TRUNCATE
       ON final_inspections FOR EACH STATEMENT EXECUTE FUNCTION quality_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "final_checklists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("family", sa.String(40), nullable=False),
        sa.Column("document", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("put_in_force_by", sa.String(40), nullable=False),
        sa.Column("put_in_force_at", WHEN, nullable=False),
    )
    op.create_index(op.f("ix_final_checklists_family"), "final_checklists", ["family"])
    op.create_table(
        "final_inspections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("inspector", sa.String(40), nullable=False),
        sa.Column("inspected_at", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("order_number", "attempt", name="uq_final_inspection_attempt"),
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("final_inspections_refuse_truncate", "final_inspections_refuse_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON final_inspections")
    else:
        for name in ("final_inspections_refuse_delete", "final_inspections_refuse_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("final_inspections")
    op.drop_index(op.f("ix_final_checklists_family"), table_name="final_checklists")
    op.drop_table("final_checklists")

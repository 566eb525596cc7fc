"""Nonconformance reports: quality's catalogue of defect causes, NCRs and their
dispositions. A disposition is only ever inserted: the database refuses to change or
delete one, so the decision and its signature stay as they were given.

Revision ID: 0021_ncr
Revises: 0020_jobs
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021_ncr"
down_revision = "0020_jobs"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
SQLITE = [
    """CREATE TRIGGER ncr_dispositions_refuse_update BEFORE UPDATE ON ncr_dispositions
       BEGIN SELECT RAISE(ABORT, 'NCR dispositions are facts: UPDATE is refused'); END""",
    """CREATE TRIGGER ncr_dispositions_refuse_delete BEFORE DELETE ON ncr_dispositions
       BEGIN SELECT RAISE(ABORT, 'NCR dispositions are facts: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION ncr_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'NCR dispositions are facts: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER ncr_dispositions_refuse_change BEFORE UPDATE OR DELETE
       ON ncr_dispositions FOR EACH ROW EXECUTE FUNCTION ncr_refuse_change()""",
    """CREATE TRIGGER ncr_dispositions_refuse_truncate BEFORE TRUNCATE
       ON ncr_dispositions FOR EACH STATEMENT EXECUTE FUNCTION ncr_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "defect_causes",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ncrs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("work_order", sa.String(30), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(20), sa.ForeignKey("defect_causes.code"), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("lot", sa.String(60), nullable=False),
        sa.Column("raised_by", sa.String(40), nullable=False),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_by", sa.String(40), nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("closure_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(op.f("ix_ncrs_work_order"), "ncrs", ["work_order"])
    op.create_index(op.f("ix_ncrs_status"), "ncrs", ["status"])
    op.create_table(
        "ncr_dispositions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ncr_id", sa.Integer(), sa.ForeignKey("ncrs.id"), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=False),
        sa.Column("decided_at", WHEN, nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("signature", JSON, nullable=False),
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("ncr_dispositions_refuse_truncate", "ncr_dispositions_refuse_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON ncr_dispositions")
        op.execute("DROP FUNCTION IF EXISTS ncr_refuse_change()")
    else:
        for name in ("ncr_dispositions_refuse_delete", "ncr_dispositions_refuse_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("ncr_dispositions")
    op.drop_index(op.f("ix_ncrs_status"), table_name="ncrs")
    op.drop_index(op.f("ix_ncrs_work_order"), table_name="ncrs")
    op.drop_table("ncrs")
    op.drop_table("defect_causes")

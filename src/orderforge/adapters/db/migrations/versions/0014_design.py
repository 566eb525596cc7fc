"""Design room: revisions of each order line's design and the electronic signatures
that approve them. A revision's content is written once; a signature only ever inserted.
The database itself refuses to change either, so a signed record stays what was signed.

Revision ID: 0014_design
Revises: 0013_webhooks
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_design"
down_revision = "0013_webhooks"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)

#: What a revision was proposed with: never rewritten (its state may change).
CONTENT = (
    "order_number, line_no, letter, spec, notes, files, mockup_sha256, required, "
    "author_id, author_name, author_username, proposed_at"
)
SQLITE = [
    f"""CREATE TRIGGER design_revisions_keep_content BEFORE UPDATE OF {CONTENT}
       ON design_revisions
       BEGIN SELECT RAISE(ABORT, 'a design revision''s content is never changed'); END""",
    """CREATE TRIGGER design_revisions_refuse_delete BEFORE DELETE ON design_revisions
       BEGIN SELECT RAISE(ABORT, 'design revisions are never deleted'); END""",
    """CREATE TRIGGER design_signatures_refuse_update BEFORE UPDATE ON design_signatures
       BEGIN SELECT RAISE(ABORT, 'signatures are append-only: UPDATE is refused'); END""",
    """CREATE TRIGGER design_signatures_refuse_delete BEFORE DELETE ON design_signatures
       BEGIN SELECT RAISE(ABORT, 'signatures are append-only: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION design_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'signed design records are never changed: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    f"""CREATE TRIGGER design_revisions_keep_content BEFORE UPDATE OF {CONTENT}
       ON design_revisions FOR EACH ROW EXECUTE FUNCTION design_refuse_change()""",
    """CREATE TRIGGER design_revisions_refuse_delete BEFORE DELETE ON design_revisions
       FOR EACH ROW EXECUTE FUNCTION design_refuse_change()""",
    """CREATE TRIGGER design_signatures_refuse_change BEFORE UPDATE OR DELETE
       ON design_signatures FOR EACH ROW EXECUTE FUNCTION design_refuse_change()""",
    """CREATE TRIGGER design_signatures_refuse_truncate BEFORE TRUNCATE ON design_signatures
       FOR EACH STATEMENT EXECUTE FUNCTION design_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "design_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(4), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("mockup_sha256", sa.String(64), nullable=True),
        sa.Column("required", JSON, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_username", sa.String(40), nullable=False),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column("rejected_by", sa.String(200), nullable=True),
        sa.Column("rejected_at", WHEN, nullable=True),
        sa.Column("rejection_comment", sa.Text(), nullable=False),
        sa.Column("superseded_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("order_number", "line_no", "letter", name="uq_design_revision"),
    )
    op.create_index(op.f("ix_design_revisions_order_number"), "design_revisions", ["order_number"])
    op.create_table(
        "design_signatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "revision_id", sa.Integer(), sa.ForeignKey("design_revisions.id"), nullable=False
        ),
        sa.Column("capacity", sa.String(20), nullable=False),
        sa.Column("meaning", sa.String(20), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_username", sa.String(40), nullable=False),
        sa.Column("printed_name", sa.String(200), nullable=False),
        sa.Column("signer_role", sa.String(20), nullable=False),
        sa.Column("signed_at", WHEN, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("seal", sa.String(64), nullable=False),
        sa.UniqueConstraint("revision_id", "capacity", name="uq_design_signature_capacity"),
    )
    op.create_index(op.f("ix_design_signatures_revision_id"), "design_signatures", ["revision_id"])
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS design_signatures_refuse_truncate ON design_signatures")
        op.execute("DROP TRIGGER IF EXISTS design_signatures_refuse_change ON design_signatures")
        op.execute("DROP TRIGGER IF EXISTS design_revisions_refuse_delete ON design_revisions")
        op.execute("DROP TRIGGER IF EXISTS design_revisions_keep_content ON design_revisions")
        op.execute("DROP FUNCTION IF EXISTS design_refuse_change()")
    else:
        for name in (
            "design_signatures_refuse_delete",
            "design_signatures_refuse_update",
            "design_revisions_refuse_delete",
            "design_revisions_keep_content",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_design_signatures_revision_id"), table_name="design_signatures")
    op.drop_table("design_signatures")
    op.drop_index(op.f("ix_design_revisions_order_number"), table_name="design_revisions")
    op.drop_table("design_revisions")

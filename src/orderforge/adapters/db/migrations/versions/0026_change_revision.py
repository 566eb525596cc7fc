"""A design revision may come with an engineering change: it names the change (ECR), and
says whether the change's signature approved it (the order was already released). Both
are written once, so the database's guard over a revision's content covers them too.

Revision ID: 0026_change_revision
Revises: 0025_prototypes
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_change_revision"
down_revision = "0025_prototypes"
branch_labels = None
depends_on = None

OLD_CONTENT = (
    "order_number, line_no, letter, spec, notes, files, mockup_sha256, required, "
    "author_id, author_name, author_username, proposed_at"
)
CONTENT = OLD_CONTENT + ", change_number, approved_by_change"


def _guard(columns: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"""CREATE TRIGGER design_revisions_keep_content BEFORE UPDATE OF {columns}
           ON design_revisions FOR EACH ROW EXECUTE FUNCTION design_refuse_change()"""
    return f"""CREATE TRIGGER design_revisions_keep_content BEFORE UPDATE OF {columns}
       ON design_revisions
       BEGIN SELECT RAISE(ABORT, 'a design revision''s content is never changed'); END"""


def _drop_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS design_revisions_keep_content ON design_revisions")
    else:
        op.execute("DROP TRIGGER IF EXISTS design_revisions_keep_content")


def upgrade() -> None:
    _drop_guard()
    with op.batch_alter_table("design_revisions") as batch:
        batch.add_column(sa.Column("change_number", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("approved_by_change", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(_guard(CONTENT))


def downgrade() -> None:
    _drop_guard()
    with op.batch_alter_table("design_revisions") as batch:
        batch.drop_column("approved_by_change")
        batch.drop_column("change_number")
    op.execute(_guard(OLD_CONTENT))
    if op.get_bind().dialect.name != "postgresql":
        # SQLite rebuilt the table to drop the columns, and its triggers with it
        op.execute("DROP TRIGGER IF EXISTS design_revisions_refuse_delete")
        op.execute(
            """CREATE TRIGGER design_revisions_refuse_delete BEFORE DELETE ON design_revisions
               BEGIN SELECT RAISE(ABORT, 'design revisions are never deleted'); END"""
        )

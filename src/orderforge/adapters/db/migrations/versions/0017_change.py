"""Change room: engineering changes of confirmed orders (ECR -> ECO) and the electronic
signatures that approve them. What was asked is written once; a signature only ever
inserted. The database itself refuses to rewrite either.

Revision ID: 0017_change
Revises: 0016_mail
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_change"
down_revision = "0016_mail"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)

#: What a change asked for: never rewritten (its state, impact and decision may change).
ASKED = (
    "number, order_number, origin, reason, lines, requested_by, requested_by_name, "
    "requested_at, order_state"
)
SQLITE = [
    f"""CREATE TRIGGER engineering_changes_keep_request BEFORE UPDATE OF {ASKED}
       ON engineering_changes
       BEGIN SELECT RAISE(ABORT, 'what an engineering change asked for is never changed'); END""",
    """CREATE TRIGGER engineering_changes_refuse_delete BEFORE DELETE ON engineering_changes
       BEGIN SELECT RAISE(ABORT, 'engineering changes are never deleted'); END""",
    """CREATE TRIGGER engineering_change_signatures_refuse_update
       BEFORE UPDATE ON engineering_change_signatures
       BEGIN SELECT RAISE(ABORT, 'signatures are append-only: UPDATE is refused'); END""",
    """CREATE TRIGGER engineering_change_signatures_refuse_delete
       BEFORE DELETE ON engineering_change_signatures
       BEGIN SELECT RAISE(ABORT, 'signatures are append-only: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION change_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'signed change records are never changed: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    f"""CREATE TRIGGER engineering_changes_keep_request BEFORE UPDATE OF {ASKED}
       ON engineering_changes FOR EACH ROW EXECUTE FUNCTION change_refuse_change()""",
    """CREATE TRIGGER engineering_changes_refuse_delete BEFORE DELETE ON engineering_changes
       FOR EACH ROW EXECUTE FUNCTION change_refuse_change()""",
    """CREATE TRIGGER engineering_change_signatures_refuse_change BEFORE UPDATE OR DELETE
       ON engineering_change_signatures FOR EACH ROW EXECUTE FUNCTION change_refuse_change()""",
    """CREATE TRIGGER engineering_change_signatures_refuse_truncate BEFORE TRUNCATE
       ON engineering_change_signatures
       FOR EACH STATEMENT EXECUTE FUNCTION change_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "engineering_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lines", JSON, nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("requested_by_name", sa.String(200), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("order_state", sa.String(30), nullable=False),
        sa.Column("impact", JSON, nullable=False),
        sa.Column("impact_at", WHEN, nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.Column("applied", JSON, nullable=False),
        sa.Column("customer_decided_by", sa.String(40), nullable=True),
        sa.Column("customer_decided_at", WHEN, nullable=True),
        sa.Column("customer_comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("number", name="uq_engineering_change_number"),
    )
    op.create_index(
        op.f("ix_engineering_changes_order_number"), "engineering_changes", ["order_number"]
    )
    op.create_index(op.f("ix_engineering_changes_state"), "engineering_changes", ["state"])
    op.create_table(
        "engineering_change_signatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "change_id", sa.Integer(), sa.ForeignKey("engineering_changes.id"), nullable=False
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
    )
    op.create_index(
        op.f("ix_engineering_change_signatures_change_id"),
        "engineering_change_signatures",
        ["change_id"],
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (
            ("engineering_change_signatures_refuse_truncate", "engineering_change_signatures"),
            ("engineering_change_signatures_refuse_change", "engineering_change_signatures"),
            ("engineering_changes_refuse_delete", "engineering_changes"),
            ("engineering_changes_keep_request", "engineering_changes"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS change_refuse_change()")
    else:
        for name in (
            "engineering_change_signatures_refuse_delete",
            "engineering_change_signatures_refuse_update",
            "engineering_changes_refuse_delete",
            "engineering_changes_keep_request",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(
        op.f("ix_engineering_change_signatures_change_id"),
        table_name="engineering_change_signatures",
    )
    op.drop_table("engineering_change_signatures")
    op.drop_index(op.f("ix_engineering_changes_state"), table_name="engineering_changes")
    op.drop_index(op.f("ix_engineering_changes_order_number"), table_name="engineering_changes")
    op.drop_table("engineering_changes")

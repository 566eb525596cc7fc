"""Traceability: lots issued to work order operations (materials' stock movements) and
the serial numbers of finished units (production). Both are facts, only ever inserted:
the database refuses to change or delete one.

Revision ID: 0023_trace
Revises: 0022_shipping
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_trace"
down_revision = "0022_shipping"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
TABLES = ("lot_consumptions", "unit_serials")
SQLITE = [
    f"""CREATE TRIGGER {table}_refuse_{verb.lower()} BEFORE {verb} ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} are facts: {verb} is refused'); END"""
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL = [
    """CREATE FUNCTION trace_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'traceability records are facts: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    *(
        f"""CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE
           ON {table} FOR EACH ROW EXECUTE FUNCTION trace_refuse_change()"""
        for table in TABLES
    ),
    *(
        f"""CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE
           ON {table} FOR EACH STATEMENT EXECUTE FUNCTION trace_refuse_change()"""
        for table in TABLES
    ),
]


def upgrade() -> None:
    op.create_table(
        "lot_consumptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(40), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 4), nullable=False),
        sa.Column("work_order", sa.String(30), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("consumed_at", WHEN, nullable=False),
        sa.Column("client_key", sa.String(255), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_consumptions")),
        sa.UniqueConstraint("actor", "client_key", name="uq_lot_consumptions_actor_client_key"),
    )
    op.create_index(op.f("ix_lot_consumptions_lot_number"), "lot_consumptions", ["lot_number"])
    op.create_index(op.f("ix_lot_consumptions_work_order"), "lot_consumptions", ["work_order"])
    op.create_table(
        "unit_serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(60), nullable=False),
        sa.Column("work_order", sa.String(30), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_family", sa.String(40), nullable=False),
        sa.Column("unit_no", sa.Integer(), nullable=False),
        sa.Column("made_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_serials")),
        sa.UniqueConstraint("serial", name=op.f("uq_unit_serials_serial")),
    )
    op.create_index(op.f("ix_unit_serials_work_order"), "unit_serials", ["work_order"])
    op.create_index(op.f("ix_unit_serials_order_number"), "unit_serials", ["order_number"])
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_change ON {table}")
        op.execute("DROP FUNCTION IF EXISTS trace_refuse_change()")
    else:
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_{verb}")
    op.drop_index(op.f("ix_unit_serials_order_number"), table_name="unit_serials")
    op.drop_index(op.f("ix_unit_serials_work_order"), table_name="unit_serials")
    op.drop_table("unit_serials")
    op.drop_index(op.f("ix_lot_consumptions_work_order"), table_name="lot_consumptions")
    op.drop_index(op.f("ix_lot_consumptions_lot_number"), table_name="lot_consumptions")
    op.drop_table("lot_consumptions")

"""Materials (materials room): suppliers and offers, stocking policies, stock lots,
purchase orders and their lines, MRP runs with their pegs and proposals; work order
materials may name the operation consuming them.

Revision ID: 0009_materials
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_materials"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
QTY = sa.Numeric(14, 4)


def upgrade() -> None:
    with op.batch_alter_table("work_order_materials") as batch:
        batch.add_column(sa.Column("operation", sa.String(120), nullable=True))
    op.create_table(
        "material_suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_material_suppliers_code")),
    )
    op.create_table(
        "material_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_code", sa.String(40), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("unit_price", QTY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("minimum", QTY, nullable=False),
        sa.Column("pack_size", QTY, nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("express", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_offers")),
    )
    op.create_index(op.f("ix_material_offers_item_code"), "material_offers", ["item_code"])
    op.create_table(
        "material_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("policy", sa.String(40), nullable=False),
        sa.Column("reorder_point", QTY, nullable=False),
        sa.Column("maximum", QTY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_policies")),
        sa.UniqueConstraint("item_code", name=op.f("uq_material_policies_item_code")),
    )
    op.create_table(
        "material_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(40), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("location", sa.String(40), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("po_number", sa.String(30), nullable=True),
        sa.Column("po_line_no", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_lots")),
        sa.UniqueConstraint("lot_number", name=op.f("uq_material_lots_lot_number")),
    )
    op.create_index(op.f("ix_material_lots_item_code"), "material_lots", ["item_code"])
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("supplier_code", sa.String(40), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("order_by", sa.Date(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_orders_number")),
    )
    op.create_index(op.f("ix_purchase_orders_status"), "purchase_orders", ["status"])
    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("received_quantity", QTY, nullable=False),
        sa.Column("unit_price", QTY, nullable=False),
        sa.Column("expected_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_purchase_order_id_purchase_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
        sa.UniqueConstraint(
            "purchase_order_id",
            "line_no",
            name="uq_purchase_order_lines_purchase_order_id_line_no",
        ),
    )
    op.create_index(
        op.f("ix_purchase_order_lines_purchase_order_id"),
        "purchase_order_lines",
        ["purchase_order_id"],
    )
    op.create_index(
        op.f("ix_purchase_order_lines_item_code"), "purchase_order_lines", ["item_code"]
    )
    op.create_table(
        "mrp_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("requested_by", sa.String(60), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrp_runs")),
    )
    op.create_table(
        "material_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("supplier_code", sa.String(40), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("unit_price", QTY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("order_by", sa.Date(), nullable=False),
        sa.Column("arrives_at", WHEN, nullable=False),
        sa.Column("need_at", WHEN, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("orders", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_proposals")),
        sa.UniqueConstraint("key", name=op.f("uq_material_proposals_key")),
    )
    op.create_index(op.f("ix_material_proposals_item_code"), "material_proposals", ["item_code"])
    op.create_table(
        "material_pegs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("work_order", sa.String(30), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("need_at", WHEN, nullable=False),
        sa.Column("available_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_pegs")),
    )
    op.create_index(op.f("ix_material_pegs_order_number"), "material_pegs", ["order_number"])
    op.create_index(op.f("ix_material_pegs_item_code"), "material_pegs", ["item_code"])
    op.create_index(op.f("ix_material_pegs_ref"), "material_pegs", ["ref"])


def downgrade() -> None:
    for table in (
        "material_pegs",
        "material_proposals",
        "mrp_runs",
        "purchase_order_lines",
        "purchase_orders",
        "material_lots",
        "material_policies",
        "material_offers",
        "material_suppliers",
    ):
        op.drop_table(table)
    with op.batch_alter_table("work_order_materials") as batch:
        batch.drop_column("operation")

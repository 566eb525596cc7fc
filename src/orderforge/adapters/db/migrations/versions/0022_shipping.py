"""Shipping room: carriers (a small list kept as data), shipments and their packages. A
package row is only ever inserted: the database refuses to change or delete one, so the
record of what was packed stays what left the plant.

Revision ID: 0022_shipping
Revises: 0021_ncr
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022_shipping"
down_revision = "0021_ncr"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
CARRIERS = [
    {
        "code": "DHL-FREIGHT",
        "name": "DHL Freight",
        "tracking_url": "https://www.dhl.com/de-en/home/tracking.html?tracking-id={tracking}",
        "active": True,
    },
    {
        "code": "SCHENKER",
        "name": "DB Schenker",
        "tracking_url": "https://www.dbschenker.com/app/tracking-public/?refNumber={tracking}",
        "active": True,
    },
    {
        "code": "DPD",
        "name": "DPD",
        "tracking_url": "https://tracking.dpd.de/status/en_US/parcel/{tracking}",
        "active": True,
    },
    {"code": "OWN-TRUCK", "name": "Own truck", "tracking_url": "", "active": True},
    {"code": "PICKUP", "name": "Collected by the customer", "tracking_url": "", "active": True},
]
SQLITE = [
    """CREATE TRIGGER shipment_packages_refuse_update BEFORE UPDATE ON shipment_packages
       BEGIN SELECT RAISE(ABORT, 'packed packages are facts: UPDATE is refused'); END""",
    """CREATE TRIGGER shipment_packages_refuse_delete BEFORE DELETE ON shipment_packages
       BEGIN SELECT RAISE(ABORT, 'packed packages are facts: DELETE is refused'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION shipping_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'packed packages are facts: % on % is refused',
       TG_OP, TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER shipment_packages_refuse_change BEFORE UPDATE OR DELETE
       ON shipment_packages FOR EACH ROW EXECUTE FUNCTION shipping_refuse_change()""",
    """CREATE TRIGGER shipment_packages_refuse_truncate BEFORE TRUNCATE
       ON shipment_packages FOR EACH STATEMENT EXECUTE FUNCTION shipping_refuse_change()""",
]


def upgrade() -> None:
    carriers = op.create_table(
        "carriers",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("tracking_url", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.bulk_insert(carriers, CARRIERS)
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("packed_by", sa.String(40), nullable=False),
        sa.Column("packed_at", WHEN, nullable=False),
        sa.Column("packing_note", sa.Text(), nullable=False),
        sa.Column("carrier", sa.String(20), nullable=False),
        sa.Column("tracking_number", sa.String(60), nullable=False),
        sa.Column("shipped_by", sa.String(40), nullable=False),
        sa.Column("shipped_at", WHEN, nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(120), nullable=False),
        sa.Column("delivery_remark", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.String(40), nullable=False),
        sa.Column("confirmed_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("number", name="uq_shipment_number"),
    )
    op.create_index(op.f("ix_shipments_order_number"), "shipments", ["order_number"])
    op.create_table(
        "shipment_packages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shipment_id", sa.Integer(), sa.ForeignKey("shipments.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("length_cm", sa.String(20), nullable=False),
        sa.Column("width_cm", sa.String(20), nullable=False),
        sa.Column("height_cm", sa.String(20), nullable=False),
        sa.Column("weight_kg", sa.String(20), nullable=False),
        sa.Column("contents", JSON, nullable=False),
        sa.UniqueConstraint("shipment_id", "number", name="uq_shipment_package"),
    )
    op.create_index(op.f("ix_shipment_packages_shipment_id"), "shipment_packages", ["shipment_id"])
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("shipment_packages_refuse_truncate", "shipment_packages_refuse_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON shipment_packages")
        op.execute("DROP FUNCTION IF EXISTS shipping_refuse_change()")
    else:
        for name in ("shipment_packages_refuse_delete", "shipment_packages_refuse_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_shipment_packages_shipment_id"), table_name="shipment_packages")
    op.drop_table("shipment_packages")
    op.drop_index(op.f("ix_shipments_order_number"), table_name="shipments")
    op.drop_table("shipments")
    op.drop_table("carriers")

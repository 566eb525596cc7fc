"""Imports: uploaded files of customers, items or orders kept as batches with their
preview until confirmed (who uploaded, who applied, when), and the customers' own
references for orders (their PO numbers), unique per customer. Nothing is deleted.

Revision ID: 0018_imports
Revises: 0017_change
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018_imports"
down_revision = "0017_change"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("rows", JSON, nullable=False),
        sa.Column("outcomes", JSON, nullable=False),
        sa.Column("uploaded_by", sa.String(60), nullable=False),
        sa.Column("uploaded_at", WHEN, nullable=False),
        sa.Column("applied_by", sa.String(60), nullable=True),
        sa.Column("applied_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(op.f("ix_import_batches_uploaded_at"), "import_batches", ["uploaded_at"])
    op.create_table(
        "import_order_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey(
                "customers.id", name=op.f("fk_import_order_references_customer_id_customers")
            ),
            nullable=False,
        ),
        sa.Column("external_ref", sa.String(60), nullable=False),
        sa.Column("order_number", sa.String(30), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_order_references")),
        sa.UniqueConstraint(
            "customer_id", "external_ref", name=op.f("uq_import_order_references_customer_id")
        ),
    )
    op.create_index(
        op.f("ix_import_order_references_order_number"),
        "import_order_references",
        ["order_number"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_import_order_references_order_number"), table_name="import_order_references"
    )
    op.drop_table("import_order_references")
    op.drop_index(op.f("ix_import_batches_uploaded_at"), table_name="import_batches")
    op.drop_table("import_batches")

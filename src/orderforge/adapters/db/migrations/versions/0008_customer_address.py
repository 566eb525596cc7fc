"""Customers get a postal address, printed on quotes and order confirmations, and a price
group that picks the plant's pricing rule.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Existing customers get an empty address (documents then show the name alone) until
sales fills it in, and no price group (the family's or the default margin, as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("address", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("price_group", sa.String(20), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("price_group")
        batch.drop_column("address")

"""Plant master data: settings, pricing rules; calendars by country with closures;
work centres' setup attribute, batch capacity and status; item cost. Drops the legacy
product_families (the catalogue is the one product model).

Existing rows get what they meant before: a calendar's stored holiday list becomes its
extra closed days (no country, so nothing is added twice), a work centre with a
changeover matrix takes `colour` as its setup attribute (the planner's old rule),
batch capacity 1, active; items cost 0 until priced.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "plant_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_lines", JSON, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", sa.Numeric(6, 4), nullable=False),
        sa.Column("quote_validity_days", sa.Integer(), nullable=False),
        sa.Column("payment_terms", sa.Text(), nullable=False),
        sa.Column("delivery_terms", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plant_settings")),
    )
    op.create_table(
        "pricing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=40), nullable=True),
        sa.Column("customer_group", sa.String(length=40), nullable=True),
        sa.Column("margin", sa.Numeric(6, 4), nullable=False),
        sa.Column("step", sa.Numeric(12, 2), nullable=False),
        sa.Column("rounding", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_rules")),
    )
    _calendars_up()
    _work_centres_up()
    with op.batch_alter_table("components") as batch:
        batch.add_column(sa.Column("cost", sa.Numeric(14, 4), nullable=False, server_default="0"))
    with op.batch_alter_table("components") as batch:
        batch.alter_column("cost", server_default=None)
    op.drop_table("product_families")


def _calendars_up() -> None:
    with op.batch_alter_table("calendars") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("subdivision", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("closures", JSON, nullable=True))
        batch.add_column(sa.Column("closed_days", JSON, nullable=True))
    conn = op.get_bind()
    old = sa.table(
        "calendars",
        sa.column("id", sa.Integer),
        sa.column("holidays", JSON),
        sa.column("closures", JSON),
        sa.column("closed_days", JSON),
    )
    for row in conn.execute(sa.select(old.c.id, old.c.holidays)).all():
        conn.execute(
            old.update()
            .where(old.c.id == row.id)
            .values(closures=[], closed_days=sorted(row.holidays or []))
        )
    with op.batch_alter_table("calendars") as batch:
        batch.alter_column("closures", existing_type=JSON, nullable=False)
        batch.alter_column("closed_days", existing_type=JSON, nullable=False)
        batch.drop_column("holidays")


def _work_centres_up() -> None:
    with op.batch_alter_table("work_centres") as batch:
        batch.add_column(sa.Column("setup_attribute", sa.String(length=60), nullable=True))
        batch.add_column(
            sa.Column("batch_capacity", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="active")
        )
    conn = op.get_bind()
    centres = sa.table(
        "work_centres",
        sa.column("id", sa.Integer),
        sa.column("changeover_minutes", JSON),
        sa.column("setup_attribute", sa.String),
    )
    for row in conn.execute(sa.select(centres.c.id, centres.c.changeover_minutes)).all():
        if row.changeover_minutes:
            conn.execute(
                centres.update().where(centres.c.id == row.id).values(setup_attribute="colour")
            )
    with op.batch_alter_table("work_centres") as batch:
        batch.alter_column("batch_capacity", existing_type=sa.Integer(), server_default=None)
        batch.alter_column("status", existing_type=sa.String(length=20), server_default=None)


def downgrade() -> None:
    op.create_table(
        "product_families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column("routing", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_families")),
        sa.UniqueConstraint("code", name=op.f("uq_product_families_code")),
    )
    with op.batch_alter_table("components") as batch:
        batch.drop_column("cost")
    with op.batch_alter_table("work_centres") as batch:
        batch.drop_column("status")
        batch.drop_column("batch_capacity")
        batch.drop_column("setup_attribute")
    with op.batch_alter_table("calendars") as batch:
        batch.add_column(sa.Column("holidays", JSON, nullable=True))
    conn = op.get_bind()
    cal = sa.table(
        "calendars",
        sa.column("id", sa.Integer),
        sa.column("holidays", JSON),
        sa.column("closed_days", JSON),
    )
    for row in conn.execute(sa.select(cal.c.id, cal.c.closed_days)).all():
        conn.execute(cal.update().where(cal.c.id == row.id).values(holidays=row.closed_days))
    with op.batch_alter_table("calendars") as batch:
        batch.alter_column("holidays", existing_type=JSON, nullable=False)
        batch.drop_column("closed_days")
        batch.drop_column("closures")
        batch.drop_column("subdivision")
        batch.drop_column("country")
    op.drop_table("pricing_rules")
    op.drop_table("plant_settings")

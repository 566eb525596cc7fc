"""Forecast runs and simulation runs: recorded jobs of the forecasting and simulation
rooms. Each row is what was asked (parameters), how far it got, and what it found (the
result, kept whole as JSON so that a later run never rewrites what an earlier one said:
a planner comparing this week's forecast with last week's reads both as they were).

Revision ID: 0028_forecasts_simulations
Revises: 0027_lot_holds
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orderforge.adapters.db.types import UTCDateTime

revision = "0028_forecasts_simulations"
down_revision = "0027_lot_holds"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _runs(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("requested_by", sa.String(60), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_status"), name, ["status"])


def upgrade() -> None:
    _runs("forecast_runs")
    _runs("simulation_runs")


def downgrade() -> None:
    op.drop_table("simulation_runs")
    op.drop_table("forecast_runs")

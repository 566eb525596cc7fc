"""The job queue's tables on PostgreSQL: procrastinate's schema (nothing on SQLite).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Procrastinate ships its schema as SQL; it is applied here so the database has one
history of changes. A procrastinate upgrade that changes its schema needs a migration
of ours applying its SQL migration files (pyproject pins the minor version).
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


DROP_FUNCTIONS = """
DO $$ DECLARE f record; BEGIN
  FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proname LIKE 'procrastinate%%' AND n.nspname = current_schema()
  LOOP EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE'; END LOOP;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in (
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_jobs",
        "procrastinate_workers",
    ):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    bind.exec_driver_sql(DROP_FUNCTIONS)
    for type_ in (
        "procrastinate_job_to_defer_v1",
        "procrastinate_job_event_type",
        "procrastinate_job_status",
    ):
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS {type_} CASCADE")

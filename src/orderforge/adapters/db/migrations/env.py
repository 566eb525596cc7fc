"""Alembic environment: runs on the connection or URL given by orderforge.adapters.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from orderforge.adapters.db.migrate import ours
from orderforge.adapters.db.tables import metadata
from orderforge.contexts import storages

storages()  # every context's tables join `metadata` when its storage module loads

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            include_name=ours,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        context.configure(
            connection=conn, target_metadata=metadata, render_as_batch=True, include_name=ours
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

"""The composition root: the one place that wires adapters into services.

Entrypoints ask for a built `Application`; nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import create_db_engine
from orderforge.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from orderforge.adapters.documents.quote_pdf import FpdfQuoteRenderer
from orderforge.adapters.security import Argon2PasswordHasher
from orderforge.config import Settings, load_settings
from orderforge.services.context import ServiceContext, SystemClock
from orderforge.services.ports import Clock, PasswordHasher


@dataclass
class Application:
    settings: Settings
    engine: Engine
    ctx: ServiceContext

    def upgrade_schema(self) -> None:
        migrate.upgrade(self.engine)

    def schema_is_current(self) -> bool:
        return migrate.current_revision(self.engine) == migrate.head_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
) -> Application:
    settings = settings or load_settings()
    engine = create_db_engine(settings.database_url)
    ctx = ServiceContext(
        uow=SqlUnitOfWorkFactory(engine),
        clock=clock or SystemClock(),
        hasher=hasher or Argon2PasswordHasher(),
        quotes=FpdfQuoteRenderer(),
        review_on_confirm=settings.review_on_confirm,
    )
    return Application(settings=settings, engine=engine, ctx=ctx)

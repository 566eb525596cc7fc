"""The SQLAlchemy unit of work: one session, one transaction, events stored with changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository
from orderforge.adapters.db.plan_repository import SqlPlanRepository
from orderforge.adapters.db.repositories import (
    SqlCatalogueRepository,
    SqlCustomerRepository,
    SqlEventLog,
    SqlIdempotencyStore,
    SqlNumberSequence,
    SqlOrderRepository,
    SqlSessionRepository,
    SqlTokenRepository,
    SqlUserRepository,
)
from orderforge.adapters.db.tables import start_mappers
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.domain.events import DomainEvent
from orderforge.services.ports import DuplicateRecord, RepositoryKey

R = TypeVar("R")


class SqlUnitOfWork:
    orders: SqlOrderRepository
    customers: SqlCustomerRepository
    users: SqlUserRepository
    tokens: SqlTokenRepository
    sessions: SqlSessionRepository
    events: SqlEventLog
    idempotency: SqlIdempotencyStore
    sequences: SqlNumberSequence
    catalogue: SqlCatalogueRepository
    plans: SqlPlanRepository
    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        factories: dict[str, Callable[[Session], Any]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.factories = factories or {}
        self.opened: dict[str, Any] = {}

    def repository(self, key: RepositoryKey[R]) -> R:
        """The context's repository for this transaction, made on first use."""
        if key.name not in self.opened:
            try:
                factory = self.factories[key.name]
            except KeyError:
                raise LookupError(
                    f"no storage registered for {key!r}: list its context's storage module "
                    "in orderforge.contexts.ROOMS"
                ) from None
            self.opened[key.name] = factory(self.session)
        return cast(R, self.opened[key.name])

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self.opened = {}
        self.orders = SqlOrderRepository(self.session)
        self.customers = SqlCustomerRepository(self.session)
        self.users = SqlUserRepository(self.session)
        self.tokens = SqlTokenRepository(self.session)
        self.sessions = SqlSessionRepository(self.session)
        self.events = SqlEventLog(self.session)
        self.idempotency = SqlIdempotencyStore(self.session)
        self.sequences = SqlNumberSequence(self.session)
        self.catalogue = SqlCatalogueRepository(self.session)
        self.plans = SqlPlanRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def _collect_events(self) -> list[DomainEvent]:
        collected: list[DomainEvent] = []
        tracking: list[TrackingRepository[Any]] = [
            self.orders,
            self.customers,
            self.users,
            self.catalogue,
        ]
        tracking += [r for r in self.opened.values() if isinstance(r, TrackingRepository)]
        for repo in tracking:
            collected.extend(repo.pending_events())
        return collected

    def _bump_changed_orders(self) -> None:
        """An order that raised events has changed, even if only its lines did; touching
        its row makes the version (the ETag) move, so no edit slips past If-Match."""
        for order in self.orders.seen:
            if order.pending_events and inspect(order).persistent:
                flag_modified(order, "updated_at")

    def commit(self) -> None:
        try:
            self._bump_changed_orders()
            self.session.flush()  # assign ids and raise version conflicts before events
            self.events.append(self._collect_events())
            self.idempotency.flush()
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrencyConflict(
                "The record was changed by someone else meanwhile; reload and try again."
            ) from exc
        except IntegrityError as exc:
            self.session.rollback()
            raise DuplicateRecord(str(exc.orig)) from exc

    def rollback(self) -> None:
        self.session.rollback()


class SqlUnitOfWorkFactory:
    """Makes units of work bound to one engine; the mapping is set up once."""

    def __init__(self, engine: Engine, contexts: Iterable[ContextStorage] = ()) -> None:
        contexts = tuple(contexts)
        start_mappers(contexts)
        self.engine = engine
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
        self.factories: dict[str, Callable[[Session], Any]] = {}
        for context in contexts:
            for name, factory in context.repositories.items():
                if name in self.factories:
                    raise ValueError(f"two contexts register a repository named {name!r}")
                self.factories[name] = factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory, self.factories)

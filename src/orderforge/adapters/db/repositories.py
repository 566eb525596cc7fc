"""Repositories: the storage side of the ports in services/ports.py."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orderforge.adapters.db import tables as t
from orderforge.adapters.db.context_storage import TrackingRepository
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.events import DomainEvent, StoredEvent
from orderforge.domain.order import Order, OrderState
from orderforge.domain.user import ApiToken, User, WebSession
from orderforge.services.ports import IdempotencyRecord, OrderFilter, OrderSummary


class SqlOrderRepository(TrackingRepository[Order]):
    """Every order it returns is tracked, so the unit of work stores its events."""

    def add(self, order: Order) -> None:
        self.session.add(order)
        self._track(order)

    def get(self, number: str) -> Order | None:
        stmt = sa.select(Order).where(t.orders.c.number == number)
        return self._track(self.session.scalars(stmt).one_or_none())

    def _where(self, stmt: Any, criteria: OrderFilter) -> Any:
        if criteria.state is not None:
            stmt = stmt.where(t.orders.c.state == criteria.state)
        if criteria.customer_id is not None:
            stmt = stmt.where(t.orders.c.customer_id == criteria.customer_id)
        if criteria.numbers is not None:
            stmt = stmt.where(t.orders.c.number.in_(criteria.numbers))
        if criteria.search:
            # The text is literal: %, _ and \ typed by a person match themselves.
            literal = criteria.search.strip().replace("\\", "\\\\")
            literal = literal.replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{literal}%"
            stmt = stmt.where(
                sa.or_(
                    t.orders.c.number.ilike(pattern, escape="\\"),
                    t.orders.c.notes.ilike(pattern, escape="\\"),
                )
            )
        return stmt

    def list(self, criteria: OrderFilter) -> list[Order]:
        stmt = self._where(sa.select(Order), criteria)
        stmt = stmt.order_by(t.orders.c.updated_at.desc(), t.orders.c.id.desc())
        stmt = stmt.limit(criteria.limit).offset(criteria.offset)
        return self._track_all(list(self.session.scalars(stmt)))

    def count(self, criteria: OrderFilter) -> int:
        stmt = self._where(sa.select(sa.func.count()).select_from(t.orders), criteria)
        return int(self.session.execute(stmt).scalar_one())

    def count_by_state(self, customer_id: int | None = None) -> dict[OrderState, int]:
        stmt = sa.select(t.orders.c.state, sa.func.count()).group_by(t.orders.c.state)
        if customer_id is not None:
            stmt = stmt.where(t.orders.c.customer_id == customer_id)
        return {state: int(n) for state, n in self.session.execute(stmt)}

    def summaries(self, numbers: Collection[str]) -> dict[str, OrderSummary]:
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        c = t.orders.c
        stmt = sa.select(c.number, c.state, c.changed_from, c.customer_id).where(
            c.number.in_(wanted)
        )
        return {
            r.number: OrderSummary(r.number, r.state, r.changed_from, r.customer_id)
            for r in self.session.execute(stmt)
        }


class SqlCustomerRepository(TrackingRepository[Customer]):
    def add(self, customer: Customer) -> None:
        self.session.add(customer)
        self._track(customer)

    def get(self, code: str) -> Customer | None:
        stmt = sa.select(Customer).where(t.customers.c.code == code)
        return self._track(self.session.scalars(stmt).one_or_none())

    def get_by_id(self, customer_id: int) -> Customer | None:
        return self._track(self.session.get(Customer, customer_id))

    def list(self) -> list[Customer]:
        stmt = sa.select(Customer).order_by(t.customers.c.name)
        return self._track_all(list(self.session.scalars(stmt)))


class SqlUserRepository(TrackingRepository[User]):
    def add(self, user: User) -> None:
        self.session.add(user)
        self._track(user)

    def get(self, username: str) -> User | None:
        stmt = sa.select(User).where(t.users.c.username == username)
        return self._track(self.session.scalars(stmt).one_or_none())

    def get_by_id(self, user_id: int) -> User | None:
        return self._track(self.session.get(User, user_id))

    def list(self) -> list[User]:
        stmt = sa.select(User).order_by(t.users.c.username)
        return self._track_all(list(self.session.scalars(stmt)))


_Credential = TypeVar("_Credential", ApiToken, WebSession)


def _with_its_user(
    session: Session,
    entity: type[_Credential],
    table: sa.Table,
    token_hash: str,
    kept: list[User],
) -> _Credential | None:
    """A token or session by its hash, with its user in the same query: every request asks
    for the user next, and `users.get_by_id` (session.get) then answers from the identity
    map. The user is kept in `kept` because that map holds weak references."""
    stmt = (
        sa.select(entity, User)
        .outerjoin(User, t.users.c.id == table.c.user_id)
        .where(table.c.token_hash == token_hash)
    )
    row = session.execute(stmt).one_or_none()
    if row is None:
        return None
    found: _Credential = row[0]
    if row[1] is not None:
        kept.append(row[1])
    return found


class SqlTokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: the users read along with their tokens/sessions, held so the session's identity
        #: map (weak references) still has them when `users.get_by_id` asks
        self._users: list[User] = []

    def add(self, token: ApiToken) -> None:
        self.session.add(token)

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return _with_its_user(self.session, ApiToken, t.api_tokens, token_hash, self._users)

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def list(self, user_id: int | None = None) -> list[ApiToken]:
        stmt = sa.select(ApiToken).order_by(t.api_tokens.c.id.desc())
        if user_id is not None:
            stmt = stmt.where(t.api_tokens.c.user_id == user_id)
        return list(self.session.scalars(stmt))


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: the users read along with their tokens/sessions, held so the session's identity
        #: map (weak references) still has them when `users.get_by_id` asks
        self._users: list[User] = []

    def add(self, web_session: WebSession) -> None:
        self.session.add(web_session)

    def get_by_hash(self, token_hash: str) -> WebSession | None:
        return _with_its_user(self.session, WebSession, t.web_sessions, token_hash, self._users)

    def live_for_user(self, user_id: int) -> list[WebSession]:
        stmt = sa.select(WebSession).where(
            t.web_sessions.c.user_id == user_id, t.web_sessions.c.revoked_at.is_(None)
        )
        return list(self.session.scalars(stmt))


class SqlEventLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, events: list[DomainEvent]) -> None:
        if not events:
            return
        ids = self._user_ids({e.actor for e in events if e.actor_id is None})
        self.session.execute(
            sa.insert(t.events),
            [
                {
                    "aggregate": e.aggregate,
                    "aggregate_key": e.aggregate_key,
                    "kind": e.kind,
                    "actor": e.actor,
                    "actor_id": e.actor_id if e.actor_id is not None else ids.get(e.actor),
                    "occurred_at": e.occurred_at,
                    "data": e.data,
                }
                for e in events
            ],
        )
        self._to_outbox(events)

    def _to_outbox(self, events: list[DomainEvent]) -> None:
        """The same facts, queued for the outside world (webhooks) in this transaction:
        they leave only if the change commits, and each keeps one id for every retry."""
        created = dt.datetime.now(dt.UTC)
        self.session.execute(
            sa.insert(t.outbox),
            [
                {
                    "event_id": str(uuid.uuid4()),
                    "kind": e.kind,
                    "aggregate": e.aggregate,
                    "aggregate_key": e.aggregate_key,
                    "actor": e.actor,
                    "occurred_at": e.occurred_at,
                    "data": e.data,
                    "created_at": created,
                }
                for e in events
            ],
        )

    def _user_ids(self, names: set[str]) -> dict[str, int]:
        """Usernames never change, so an event's actor name names one user; commands
        pass the name, the log records the id beside it."""
        if not names:
            return {}
        stmt = sa.select(t.users.c.username, t.users.c.id).where(t.users.c.username.in_(names))
        return {name: user_id for name, user_id in self.session.execute(stmt)}

    def for_aggregate(self, aggregate: str, key: str) -> list[StoredEvent]:
        stmt = (
            sa.select(t.events)
            .where(t.events.c.aggregate == aggregate, t.events.c.aggregate_key == key)
            .order_by(t.events.c.id)
        )
        return [
            StoredEvent(
                id=r.id,
                aggregate=r.aggregate,
                aggregate_key=r.aggregate_key,
                kind=r.kind,
                actor=r.actor,
                occurred_at=r.occurred_at,
                data=r.data,
                actor_id=r.actor_id,
            )
            for r in self.session.execute(stmt)
        ]


class SqlIdempotencyStore:
    """Records are written at commit, so a concurrent duplicate fails there as a whole."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[IdempotencyRecord] = []

    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        stmt = sa.select(t.idempotency_keys).where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key
        )
        row = self.session.execute(stmt).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            scope=row.scope,
            key=row.key,
            fingerprint=row.fingerprint,
            status_code=row.status_code,
            response=json.loads(row.response),
            created_at=row.created_at,
        )

    def add(self, record: IdempotencyRecord) -> None:
        self.pending.append(record)

    def flush(self) -> None:
        if self.pending:
            self.session.execute(
                sa.insert(t.idempotency_keys),
                [
                    {
                        "scope": r.scope,
                        "key": r.key,
                        "fingerprint": r.fingerprint,
                        "status_code": r.status_code,
                        "response": json.dumps(r.response),
                        "created_at": r.created_at,
                    }
                    for r in self.pending
                ],
            )
            self.pending.clear()


class SqlNumberSequence:
    """Gap-free per-name counters; the row lock (PostgreSQL) or the write lock (SQLite)
    serialises concurrent callers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_value(self, name: str) -> int:
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(t.sequences).values(name=name, last_value=0).on_conflict_do_nothing()
        )
        stmt = (
            sa.update(t.sequences)
            .where(t.sequences.c.name == name)
            .values(last_value=t.sequences.c.last_value + 1)
            .returning(t.sequences.c.last_value)
        )
        return int(self.session.execute(stmt).scalar_one())


class SqlCatalogueRepository(TrackingRepository[CatalogueVersion]):
    def add(self, entry: CatalogueVersion) -> None:
        self.session.add(entry)
        self._track(entry)

    def get(self, family_code: str, version: int) -> CatalogueVersion | None:
        c = t.catalogue_versions.c
        stmt = sa.select(CatalogueVersion).where(c.family_code == family_code, c.version == version)
        return self._track(self.session.scalars(stmt).one_or_none())

    def checksums(
        self, versions: Collection[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[CatalogueFormat, str]]:
        wanted = set(versions)
        if not wanted:
            return {}
        c = t.catalogue_versions.c
        stmt = sa.select(c.family_code, c.version, c.format, c.checksum).where(
            c.family_code.in_(sorted({code for code, _ in wanted})),
            c.version.in_(sorted({version for _, version in wanted})),
        )
        return {
            (r.family_code, r.version): (r.format, r.checksum)
            for r in self.session.execute(stmt)
            if (r.family_code, r.version) in wanted
        }

    def latest(self, family_code: str) -> CatalogueVersion | None:
        c = t.catalogue_versions.c
        stmt = (
            sa.select(CatalogueVersion)
            .where(c.family_code == family_code)
            .order_by(c.version.desc())
            .limit(1)
        )
        return self._track(self.session.scalars(stmt).one_or_none())

    def latest_all(self) -> list[CatalogueVersion]:
        c = t.catalogue_versions.c
        newest = (
            sa.select(c.family_code, sa.func.max(c.version).label("version"))
            .group_by(c.family_code)
            .subquery()
        )
        stmt = (
            sa.select(CatalogueVersion)
            .join(
                newest,
                sa.and_(c.family_code == newest.c.family_code, c.version == newest.c.version),
            )
            .order_by(c.family_code)
        )
        return self._track_all(list(self.session.scalars(stmt)))

    def history(self, family_code: str) -> list[CatalogueVersion]:
        c = t.catalogue_versions.c
        stmt = sa.select(CatalogueVersion).where(c.family_code == family_code).order_by(c.version)
        return self._track_all(list(self.session.scalars(stmt)))

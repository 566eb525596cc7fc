"""Ports: what the use cases need from the outside world, as Protocols.

Adapters implement these; tests replace them with in-memory fakes. Nothing here
knows about SQL, HTTP or files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from orderforge.domain.customer import Customer
from orderforge.domain.events import DomainEvent, StoredEvent
from orderforge.domain.order import Order, OrderState
from orderforge.domain.plant import Calendar, ProductFamily, WorkCenter
from orderforge.domain.user import ApiToken, Role, User


class DuplicateRecord(Exception):
    """A unique key was taken by a concurrent transaction (raised at commit)."""


@dataclass(frozen=True)
class Principal:
    """The authenticated user a request or command acts for."""

    user_id: int
    username: str
    role: Role
    display_name: str
    customer_id: int | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str
    key: str
    fingerprint: str
    status_code: int
    response: dict[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class OrderFilter:
    state: OrderState | None = None
    customer_id: int | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0


class OrderRepository(Protocol):
    def add(self, order: Order) -> None: ...
    def get(self, number: str) -> Order | None: ...
    def list(self, criteria: OrderFilter) -> list[Order]: ...
    def count(self, criteria: OrderFilter) -> int: ...
    def count_by_state(self) -> dict[OrderState, int]: ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, code: str) -> Customer | None: ...
    def get_by_id(self, customer_id: int) -> Customer | None: ...
    def list(self) -> list[Customer]: ...


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, username: str) -> User | None: ...
    def get_by_id(self, user_id: int) -> User | None: ...
    def list(self) -> list[User]: ...


class TokenRepository(Protocol):
    def add(self, token: ApiToken) -> None: ...
    def get_by_hash(self, token_hash: str) -> ApiToken | None: ...


class EventLog(Protocol):
    def append(self, events: list[DomainEvent]) -> None: ...
    def for_aggregate(self, aggregate: str, key: str) -> list[StoredEvent]: ...


class IdempotencyStore(Protocol):
    def get(self, scope: str, key: str) -> IdempotencyRecord | None: ...
    def add(self, record: IdempotencyRecord) -> None: ...


class NumberSequence(Protocol):
    def next_value(self, name: str) -> int: ...


class PlantRepository(Protocol):
    def add_calendar(self, calendar: Calendar) -> None: ...
    def add_work_centre(self, centre: WorkCenter) -> None: ...
    def add_family(self, family: ProductFamily) -> None: ...
    def calendars(self) -> list[Calendar]: ...
    def work_centres(self) -> list[WorkCenter]: ...
    def families(self) -> list[ProductFamily]: ...
    def family(self, code: str) -> ProductFamily | None: ...


class UnitOfWork(Protocol):
    """One transaction. Changes are stored by `commit`; leaving without it rolls back."""

    @property
    def orders(self) -> OrderRepository: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...
    @property
    def sequences(self) -> NumberSequence: ...
    @property
    def plant(self) -> PlantRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...

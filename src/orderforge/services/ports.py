"""Ports: what the use cases need from the outside world, as Protocols.

Adapters implement these; tests replace them with in-memory fakes. Nothing here
knows about SQL, HTTP or files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.documents import CustomerDocument, PlantPaper
from orderforge.domain.events import DomainEvent, StoredEvent
from orderforge.domain.order import Order, OrderState
from orderforge.domain.planning import (
    Downtime,
    OperationDelay,
    PlannedOperation,
    PlannedOrder,
    PlanPin,
    PlanRun,
    PlanVersion,
    RunStatus,
)
from orderforge.domain.prototypes import PrototypeState
from orderforge.domain.user import ApiToken, Role, User, WebSession

R = TypeVar("R")


class RepositoryKey(Generic[R]):
    """Names one context's repository port, so a unit of work can hand it out typed.

    A context declares its port (a Protocol) and a key beside it, e.g.
    `WORK_ORDERS: RepositoryKey[WorkOrderRepository] = RepositoryKey("work_orders")`;
    its use cases ask `uow.repository(WORK_ORDERS)`. Adding a context therefore adds
    a key and an adapter, and edits no shared unit-of-work class (ADR 0001)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"RepositoryKey({self.name!r})"


@dataclass(frozen=True)
class OperationRelease:
    """The earliest moment a planned operation may start, set by a context above
    planning (materials: the material it consumes is there then), with the reason the
    planner and sales are shown ("12 m² of leather arrive with PO-2026-0004")."""

    #: the plan's operation key, "<order number>/<line no>/<routing key>"
    operation: str
    not_before: dt.datetime
    reason: str


class OperationReleases(Protocol):
    """Release dates of operations, implemented by the context that knows them
    (materials); planning asks for them when it builds a problem. A plant without that
    context registered has no releases (the unit of work raises LookupError)."""

    def for_orders(self, order_numbers: Collection[str]) -> list[OperationRelease]: ...


OPERATION_RELEASES: RepositoryKey[OperationReleases] = RepositoryKey("operation_releases")


@dataclass(frozen=True)
class ReservedOperation:
    """Where a committed promise placed one operation of an order no plan holds yet: the
    unit and the time it was promised on, so the next plan run lays it down there (the
    promised date is only kept if the plan keeps the room the promise counted on)."""

    #: the plan's operation key, "<order number>/<line no>/<routing key>"
    operation: str
    resource: str
    start: dt.datetime
    end: dt.datetime


class PlanReservations(Protocol):
    """Reserved positions of operations, implemented by the context that commits
    promises; planning uses them as the reference of orders its current plan does not
    have. A plant without that context registered has none (LookupError)."""

    def for_orders(self, order_numbers: Collection[str]) -> list[ReservedOperation]: ...


PLAN_RESERVATIONS: RepositoryKey[PlanReservations] = RepositoryKey("plan_reservations")


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
class OrderSummary:
    """What a list of many orders needs of each (whether work may go on, whose it is),
    read as one row instead of the whole order with its lines and history."""

    number: str
    state: OrderState
    #: the state a pending change request came from
    changed_from: OrderState | None
    customer_id: int


@dataclass(frozen=True)
class OrderFilter:
    state: OrderState | None = None
    customer_id: int | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0
    #: Only these order numbers (e.g. the orders of one plan, loaded in one query).
    numbers: tuple[str, ...] | None = None


class OrderRepository(Protocol):
    def add(self, order: Order) -> None: ...
    def get(self, number: str) -> Order | None: ...
    def list(self, criteria: OrderFilter) -> list[Order]: ...
    def count(self, criteria: OrderFilter) -> int: ...
    def count_by_state(self, customer_id: int | None = None) -> dict[OrderState, int]: ...
    def summaries(self, numbers: Collection[str]) -> dict[str, OrderSummary]:
        """Order number -> its summary, as written, for pages that show many orders and
        need only their state and customer (the floor's queue, a lot's trace)."""
        ...


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
    def get(self, token_id: int) -> ApiToken | None: ...
    #: newest first; every user's when user_id is None
    def list(self, user_id: int | None = None) -> list[ApiToken]: ...


class SessionRepository(Protocol):
    def add(self, session: WebSession) -> None: ...
    def get_by_hash(self, token_hash: str) -> WebSession | None: ...
    def live_for_user(self, user_id: int) -> list[WebSession]: ...


class EventLog(Protocol):
    def append(self, events: list[DomainEvent]) -> None: ...
    def for_aggregate(self, aggregate: str, key: str) -> list[StoredEvent]: ...


class IdempotencyStore(Protocol):
    def get(self, scope: str, key: str) -> IdempotencyRecord | None: ...
    def add(self, record: IdempotencyRecord) -> None: ...


class NumberSequence(Protocol):
    def next_value(self, name: str) -> int: ...


class CatalogueRepository(Protocol):
    def add(self, entry: CatalogueVersion) -> None: ...
    def get(self, family_code: str, version: int) -> CatalogueVersion | None: ...
    def checksums(
        self, versions: Collection[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[CatalogueFormat, str]]:
        """Each stored version's (family code, version) format and checksum, without its
        text: enough to find its parsed family in the cache (pages that show many work
        orders ask for the families of all their rows at once)."""
        ...

    def latest(self, family_code: str) -> CatalogueVersion | None: ...
    def latest_all(self) -> list[CatalogueVersion]: ...
    def history(self, family_code: str) -> list[CatalogueVersion]: ...


class PlanRepository(Protocol):
    def add_run(self, run: PlanRun) -> None: ...
    def run(self, run_id: int, lock: bool = False) -> PlanRun | None:
        """`lock`: hold the row until the transaction ends (claiming or cancelling a run,
        so two workers, or a worker and a cancel, never both act on the same queued run)."""
        ...

    def runs(self, limit: int = 20, status: RunStatus | None = None) -> list[PlanRun]: ...
    def add_version(
        self,
        version: PlanVersion,
        operations: Iterable[PlannedOperation],
        orders: Iterable[PlannedOrder],
    ) -> None: ...
    def latest_version_number(self) -> int | None: ...
    def version(self, number: int) -> PlanVersion | None: ...
    def versions(self, limit: int = 50) -> list[PlanVersion]: ...
    def operations(
        self, number: int, orders: Collection[str] | None = None
    ) -> list[PlannedOperation]:
        """A version's operations; with `orders`, only those orders' (floor progress
        asks for one order at each report)."""
        ...

    def planned_orders(self, number: int) -> list[PlannedOrder]: ...
    def set_planned_dates(self, number: int, orders: Iterable[PlannedOrder]) -> None: ...
    def add_pin(self, pin: PlanPin) -> PlanPin: ...
    def pins(self) -> list[PlanPin]: ...
    def remove_pin(self, pin_id: int, by: str, at: dt.datetime) -> bool: ...
    def add_downtime(self, downtime: Downtime) -> Downtime: ...
    def downtimes(self, ending_after: dt.datetime) -> list[Downtime]: ...
    def withdraw_downtime(self, downtime_id: int, by: str, at: dt.datetime) -> bool: ...
    def add_delay(self, delay: OperationDelay) -> OperationDelay: ...
    def delays(self) -> list[OperationDelay]: ...


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
    def sessions(self) -> SessionRepository: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...
    @property
    def sequences(self) -> NumberSequence: ...
    @property
    def catalogue(self) -> CatalogueRepository: ...
    @property
    def plans(self) -> PlanRepository: ...

    def repository(self, key: RepositoryKey[R]) -> R:
        """The repository a context registered under `key`, bound to this transaction."""
        ...

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


class DocumentRenderer(Protocol):
    """Draws a customer document (quote, order confirmation) or a plant paper (a work
    order's traveler) as a PDF."""

    def render(self, document: CustomerDocument) -> bytes: ...

    def render_paper(self, paper: PlantPaper) -> bytes: ...


class JobQueue(Protocol):
    """Runs recorded jobs (plan runs, MRP runs) outside the request that asked for them.

    A job is a kind (which names its handler, see services/jobs.py) and the id of the
    record it carries out. `submit` is called only after the record is committed, so a
    worker never looks for a run that does not exist yet."""

    def submit(self, kind: str, record_id: int) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class AttemptLimiter(Protocol):
    """Counts failed attempts of one kind (sign-in, signature re-entry) per key (an
    account, a client address) and says how long a key must wait.

    Checked before the costly work (a password hash), hit only on failure, so a person
    who types the right password is never slowed by their own earlier typo beyond the
    lockout, and a flood of guesses costs the server almost nothing."""

    def retry_after(self, kind: str, keys: Mapping[str, str]) -> tuple[str, int] | None:
        """(the name of the key that is over its limit, seconds to wait), or None."""
        ...

    def failed(self, kind: str, keys: Mapping[str, str]) -> None: ...
    def succeeded(self, kind: str, keys: Mapping[str, str]) -> None: ...


@dataclass(frozen=True)
class StoredBlob:
    """Where a file's bytes are kept: named by their SHA-256, so the same bytes are kept
    once and a signature bound to the digest notices any change of content."""

    sha256: str
    size: int


class DamagedBlob(Exception):
    """The bytes kept under a digest no longer hash to it (a disk fault, or someone
    changed the file): they are refused rather than served as the signed content."""


class FileStore(Protocol):
    """Keeps uploaded files (drawings, photos, CAD files, attachments) by content.

    Nothing is ever overwritten or deleted through this port: a digest names the same
    bytes for ever, which is what an audit and an electronic signature need. Checking
    what a file is (type, size, name) is the caller's business, before `put`."""

    def put(self, data: bytes) -> StoredBlob: ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`; raises KeyError when there are none and
        DamagedBlob when the stored bytes no longer hash to `sha256`."""
        ...

    def exists(self, sha256: str) -> bool: ...


class Sealer(Protocol):
    """Keyed hash with the plant's secret: what makes a stored electronic signature
    verifiable, so a row copied to another record or edited in the database fails."""

    def seal(self, data: bytes) -> str: ...
    def verify(self, data: bytes, seal: str) -> bool: ...


class DesignGate(Protocol):
    """What the design context says about releasing an order to production (the orders
    context asks; the design context, above it, answers)."""

    def missing_approvals(self, order: Order) -> list[str]:
        """Sentences naming each approval still missing; empty when the current revision
        of every line is fully approved."""
        ...


DESIGN_GATE: RepositoryKey[DesignGate] = RepositoryKey("design_gate")


class PrototypeGate(Protocol):
    """What the quality context says about the order's prototypes (the design page shows
    it; release asks it). Quality judges a prototype by its inspection and sits above
    design and orders, so they ask this port and never import it."""

    def prototypes(self, order: Order) -> list[PrototypeState]:
        """One state per line of the order, by line."""
        ...


PROTOTYPE_GATE: RepositoryKey[PrototypeGate] = RepositoryKey("prototype_gate")

"""In-memory adapters for the service ports, so use cases run without a database."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Collection
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from orderforge.change.domain import ChangeState, EngineeringChange
from orderforge.change.ports import CHANGES
from orderforge.conversation.ports import MESSAGES
from orderforge.design.domain import DesignRevision
from orderforge.design.ports import DESIGNS
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.events import DomainEvent, StoredEvent
from orderforge.domain.order import Order, OrderState
from orderforge.domain.user import ApiToken, User, WebSession
from orderforge.imports.ports import (
    IMPORT_BATCHES,
    ORDER_REFERENCES,
    ImportBatchRepository,
    OrderReferenceRepository,
)
from orderforge.insight.ports import FEEDBACK
from orderforge.materials.ports import MATERIALS
from orderforge.plant.domain import Calendar, Component, PlantSettings, PricingPolicy, WorkCentre
from orderforge.plant.ports import PLANT, WORK_CENTRE_USE, PlantRepository
from orderforge.production.ports import WORK_ORDERS, WorkOrderRepository
from orderforge.promising.domain import PromiseAlert, Reservation
from orderforge.promising.ports import PROMISES
from orderforge.quality.chart_ports import QUALITY_FACTS
from orderforge.quality.domain import Inspection, InspectionPlan
from orderforge.quality.final import FinalChecklist, FinalInspection
from orderforge.quality.ncr_domain import DefectCause, NcrStatus, Nonconformance
from orderforge.quality.ports import FINAL_INSPECTIONS, NCRS, QUALITY
from orderforge.quality.yields import Completion
from orderforge.services.ports import (
    OPERATION_RELEASES,
    CatalogueRepository,
    CustomerRepository,
    DuplicateRecord,
    EventLog,
    IdempotencyRecord,
    IdempotencyStore,
    NumberSequence,
    OperationRelease,
    OrderFilter,
    OrderRepository,
    OrderSummary,
    PasswordHasher,
    PlanRepository,
    RepositoryKey,
    SessionRepository,
    TokenRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UserRepository,
)
from orderforge.shipping.domain import Carrier, Shipment
from orderforge.shipping.ports import SHIPMENT_GATE, SHIPMENTS
from tests.unit.conversation_fakes import FakeMessages
from tests.unit.imports_fakes import FakeImportBatches, FakeOrderReferences
from tests.unit.insight_fakes import FakeFeedback
from tests.unit.materials_fakes import FakeMaterials
from tests.unit.plan_fakes import FakePlans
from tests.unit.production_fakes import FakeWorkOrders

R = TypeVar("R")
_ids = itertools.count(1)


class FakeOrders:
    def __init__(self) -> None:
        self.rows: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        order.id = next(_ids)
        self.rows[order.number] = order

    def get(self, number: str) -> Order | None:
        return self.rows.get(number)

    def _match(self, c: OrderFilter) -> list[Order]:
        return [
            o
            for o in self.rows.values()
            if (c.state is None or o.state is c.state)
            and (c.customer_id is None or o.customer_id == c.customer_id)
            and (c.numbers is None or o.number in c.numbers)
        ]

    def list(self, criteria: OrderFilter) -> list[Order]:
        found = self._match(criteria)
        return found[criteria.offset : criteria.offset + criteria.limit]

    def count(self, criteria: OrderFilter) -> int:
        return len(self._match(criteria))

    def count_by_state(self, customer_id: int | None = None) -> dict[OrderState, int]:
        counts: dict[OrderState, int] = {}
        for order in self._match(OrderFilter(customer_id=customer_id)):
            counts[order.state] = counts.get(order.state, 0) + 1
        return counts

    def summaries(self, numbers: Collection[str]) -> dict[str, OrderSummary]:
        return {
            n: OrderSummary(n, o.state, o.changed_from, o.customer_id)
            for n, o in self.rows.items()
            if n in numbers
        }


class FakeCustomers:
    def __init__(self) -> None:
        self.rows: list[Customer] = []

    def add(self, customer: Customer) -> None:
        customer.id = next(_ids)
        self.rows.append(customer)

    def get(self, code: str) -> Customer | None:
        return next((c for c in self.rows if c.code == code), None)

    def get_by_id(self, customer_id: int) -> Customer | None:
        return next((c for c in self.rows if c.id == customer_id), None)

    def list(self) -> list[Customer]:
        return list(self.rows)


class FakeUsers:
    def __init__(self) -> None:
        self.rows: list[User] = []

    def add(self, user: User) -> None:
        user.id = next(_ids)
        self.rows.append(user)

    def get(self, username: str) -> User | None:
        return next((u for u in self.rows if u.username == username), None)

    def get_by_id(self, user_id: int) -> User | None:
        return next((u for u in self.rows if u.id == user_id), None)

    def list(self) -> list[User]:
        return list(self.rows)


class FakeTokens:
    def __init__(self) -> None:
        self.rows: list[ApiToken] = []

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self.rows if t.token_hash == token_hash), None)

    def add(self, token: ApiToken) -> None:
        token.id = next(_ids)
        self.rows.append(token)

    def get(self, token_id: int) -> ApiToken | None:
        return next((t for t in self.rows if t.id == token_id), None)

    def list(self, user_id: int | None = None) -> list[ApiToken]:
        return [t for t in reversed(self.rows) if user_id is None or t.user_id == user_id]


class FakeSessions:
    def __init__(self) -> None:
        self.rows: list[WebSession] = []

    def add(self, session: WebSession) -> None:
        session.id = next(_ids)
        self.rows.append(session)

    def get_by_hash(self, token_hash: str) -> WebSession | None:
        return next((s for s in self.rows if s.token_hash == token_hash), None)

    def live_for_user(self, user_id: int) -> list[WebSession]:
        return [s for s in self.rows if s.user_id == user_id and s.revoked_at is None]


class FakeEvents:
    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []

    def append(self, events: list[DomainEvent]) -> None:
        for e in events:
            self.rows.append(
                StoredEvent(
                    len(self.rows) + 1,
                    e.aggregate,
                    e.aggregate_key,
                    e.kind,
                    e.actor,
                    e.occurred_at,
                    e.data,
                )
            )

    def for_aggregate(self, aggregate: str, key: str) -> list[StoredEvent]:
        return [e for e in self.rows if (e.aggregate, e.aggregate_key) == (aggregate, key)]


class FakeIdempotency:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], IdempotencyRecord] = {}

    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        return self.rows.get((scope, key))

    def add(self, record: IdempotencyRecord) -> None:
        self.rows[(record.scope, record.key)] = record


class FakeSequences:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next_value(self, name: str) -> int:
        self.values[name] = self.values.get(name, 0) + 1
        return self.values[name]


class FakePlant:
    """Plant master data in memory; saves replace by code, like the SQL upsert."""

    def __init__(self) -> None:
        self.the_settings: PlantSettings | None = None
        self.cals: dict[str, Calendar] = {}
        self.centres: dict[str, WorkCentre] = {}
        self.comps: dict[str, Component] = {}
        self.policy = PricingPolicy()

    def settings(self) -> PlantSettings | None:
        return copy.deepcopy(self.the_settings)

    def timezone(self) -> str | None:
        return self.the_settings.timezone if self.the_settings is not None else None

    def save_settings(self, settings: PlantSettings) -> None:
        self.the_settings = copy.deepcopy(settings)

    def calendars(self) -> list[Calendar]:
        return [copy.deepcopy(self.cals[k]) for k in sorted(self.cals)]

    def calendar(self, code: str) -> Calendar | None:
        return copy.deepcopy(self.cals.get(code))

    def save_calendar(self, calendar: Calendar) -> None:
        self.cals[calendar.code] = copy.deepcopy(calendar)

    def work_centres(self) -> list[WorkCentre]:
        return [copy.deepcopy(self.centres[k]) for k in sorted(self.centres)]

    def work_centre(self, code: str) -> WorkCentre | None:
        return copy.deepcopy(self.centres.get(code))

    def save_work_centre(self, centre: WorkCentre) -> None:
        self.centres[centre.code] = copy.deepcopy(centre)

    def components(self) -> list[Component]:
        return [copy.deepcopy(self.comps[k]) for k in sorted(self.comps)]

    def component(self, code: str) -> Component | None:
        return copy.deepcopy(self.comps.get(code))

    def save_component(self, component: Component) -> None:
        self.comps[component.code] = copy.deepcopy(component)

    def pricing(self) -> PricingPolicy:
        return self.policy

    def save_pricing(self, policy: PricingPolicy) -> None:
        self.policy = policy


class FakeCatalogue:
    def __init__(self) -> None:
        self.rows: list[CatalogueVersion] = []

    def add(self, entry: CatalogueVersion) -> None:
        self.rows.append(entry)

    def get(self, family_code: str, version: int) -> CatalogueVersion | None:
        return next(
            (e for e in self.rows if (e.family_code, e.version) == (family_code, version)), None
        )

    def checksums(
        self, versions: Collection[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[CatalogueFormat, str]]:
        wanted = set(versions)
        return {
            (e.family_code, e.version): (e.format, e.checksum)
            for e in self.rows
            if (e.family_code, e.version) in wanted
        }

    def latest(self, family_code: str) -> CatalogueVersion | None:
        found = [e for e in self.rows if e.family_code == family_code]
        return max(found, key=lambda e: e.version) if found else None

    def latest_all(self) -> list[CatalogueVersion]:
        codes = sorted({e.family_code for e in self.rows})
        return [e for e in (self.latest(c) for c in codes) if e is not None]

    def history(self, family_code: str) -> list[CatalogueVersion]:
        return sorted(
            (e for e in self.rows if e.family_code == family_code), key=lambda e: e.version
        )


#: In-memory repositories of the contexts with a room, by repository key name; each
#: context's test support registers its fake here (the fake of `orderforge.contexts`).
class FakeWorkCentreUse:
    """The plant's WorkCentreUse port: tests say which order still needs which centre."""

    def __init__(self) -> None:
        self.open: dict[str, str] = {}

    def open_work_using(self, codes: set[str]) -> dict[str, str]:
        return {code: order for code, order in self.open.items() if code in codes}


class FakeOperationReleases:
    """Release dates a test sets, as the materials context would (`rows` to fill)."""

    def __init__(self) -> None:
        self.rows: list[OperationRelease] = []

    def for_orders(self, order_numbers: Collection[str]) -> list[OperationRelease]:
        wanted = set(order_numbers)
        return [r for r in self.rows if r.operation.split("/")[0] in wanted]


class FakeDesigns:
    """Design revisions in memory (the design room's DESIGNS port)."""

    def __init__(self) -> None:
        self.rows: list[DesignRevision] = []

    def add(self, revision: DesignRevision) -> None:
        revision.id = len(self.rows) + 1
        self.rows.append(revision)

    def for_order(self, order_number: str) -> list[DesignRevision]:
        found = [r for r in self.rows if r.order_number == order_number]
        return sorted(found, key=lambda r: (r.line_no, r.id or 0))

    def get(self, order_number: str, line_no: int, letter: str) -> DesignRevision | None:
        return next(
            (
                r
                for r in self.rows
                if (r.order_number, r.line_no, r.letter) == (order_number, line_no, letter)
            ),
            None,
        )

    def save(self, revision: DesignRevision) -> None:
        assert revision in self.rows


class FakePromises:
    """Capacity reservations and promise alerts in memory (the promising room's port)."""

    def __init__(self) -> None:
        self.reservations: list[tuple[Reservation, bool]] = []
        self.alerts: list[PromiseAlert] = []

    def add_reservation(self, reservation: Reservation) -> None:
        self.reservations.append((reservation, True))

    def active_reservations(self) -> list[Reservation]:
        return [r for r, active in self.reservations if active]

    def release(self, order_numbers: Collection[str], at: dt.datetime) -> int:
        before = len(self.active_reservations())
        self.reservations = [
            (r, active and r.order_number not in order_numbers) for r, active in self.reservations
        ]
        return before - len(self.active_reservations())

    def reservation_stamp(self) -> tuple[int, int]:
        return (len(self.active_reservations()), len(self.reservations))

    def add_alert(self, alert: PromiseAlert) -> None:
        self.alerts.append(alert)

    def open_alerts(self, order_numbers: Collection[str] | None = None) -> list[PromiseAlert]:
        return [a for a in self.alerts if order_numbers is None or a.order_number in order_numbers]

    def resolve_alerts(self, order_numbers: Collection[str], at: dt.datetime) -> int:
        before = len(self.alerts)
        self.alerts = [a for a in self.alerts if a.order_number not in order_numbers]
        return before - len(self.alerts)


class FakeQuality:
    """Inspection plans and inspections in memory (the quality room's port)."""

    def __init__(self) -> None:
        self.in_force: dict[tuple[str, str], InspectionPlan] = {}
        self.rows: list[Inspection] = []

    def plans(self) -> list[InspectionPlan]:
        return [self.in_force[k] for k in sorted(self.in_force)]

    def replace_plans(self, plans: list[InspectionPlan], actor: str, at: dt.datetime) -> int:
        changed = [p for p in plans if self.in_force.get((p.family, p.operation)) != p]
        for plan in changed:
            self.in_force[plan.family, plan.operation] = plan
        return len(changed)

    def inspection(self, work_order: str, seq: int) -> Inspection | None:
        return next((i for i in self.rows if (i.work_order, i.seq) == (work_order, seq)), None)

    def inspections(self, work_order: str) -> list[Inspection]:
        return [i for i in self.rows if i.work_order == work_order]

    def add(self, inspection: Inspection) -> None:
        inspection.id = len(self.rows) + 1
        self.rows.append(inspection)

    def save(self, inspection: Inspection) -> None:
        assert inspection in self.rows


class FakeFinalInspections:
    """Final checklists and attempts in memory (the quality room's FINAL_INSPECTIONS port)."""

    def __init__(self) -> None:
        self.in_force: dict[str, FinalChecklist] = {}
        self.rows: list[FinalInspection] = []

    def checklists(self) -> dict[str, FinalChecklist]:
        return dict(sorted(self.in_force.items()))

    def replace_checklists(
        self, checklists: list[FinalChecklist], actor: str, at: dt.datetime
    ) -> int:
        changed = [c for c in checklists if self.in_force.get(c.family) != c]
        for checklist in changed:
            self.in_force[checklist.family] = checklist
        return len(changed)

    def attempts(self, order_number: str) -> list[FinalInspection]:
        return [a for a in self.rows if a.order_number == order_number]

    def add(self, inspection: FinalInspection) -> None:
        if any(
            (a.order_number, a.attempt) == (inspection.order_number, inspection.attempt)
            for a in self.rows
        ):
            raise DuplicateRecord(f"attempt {inspection.attempt} of {inspection.order_number}")
        self.rows.append(inspection)


class FakeQualityFacts:
    """What the quality charts read, as the test puts it (the charts' read port)."""

    def __init__(self) -> None:
        self.inspections: list[Inspection] = []
        self.done: list[Completion] = []

    def inspections_of(self, family: str, operation: str) -> list[Inspection]:
        return [
            i for i in self.inspections if (i.plan.family, i.plan.operation) == (family, operation)
        ]

    def completions(self, since: dt.datetime, until: dt.datetime) -> list[Completion]:
        return [c for c in self.done if since <= c.at < until]

    def inspections_for(self, work_orders: Collection[str]) -> list[Inspection]:
        return [i for i in self.inspections if i.work_order in work_orders]


class FakeNcrs:
    """Defect causes and NCRs in memory (the quality room's NCRS port)."""

    def __init__(self) -> None:
        self.catalogue: dict[str, DefectCause] = {}
        self.rows: list[Nonconformance] = []

    def causes(self) -> list[DefectCause]:
        return [self.catalogue[k] for k in sorted(self.catalogue)]

    def put_causes(self, causes: list[DefectCause]) -> int:
        changed = [c for c in causes if self.catalogue.get(c.code) != c]
        self.catalogue.update({c.code: c for c in changed})
        return len(changed)

    def get(self, number: str) -> Nonconformance | None:
        return next((n for n in self.rows if n.number == number), None)

    def find(
        self, *, work_order: str | None = None, status: NcrStatus | None = None, limit: int = 500
    ) -> list[Nonconformance]:
        found = [
            n
            for n in reversed(self.rows)
            if work_order in (None, n.work_order) and status in (None, n.status)
        ]
        return found[:limit]

    def at(self, work_order: str, seqs: Collection[int]) -> list[Nonconformance]:
        return [n for n in self.rows if n.work_order == work_order and n.seq in seqs]

    def add(self, ncr: Nonconformance) -> None:
        ncr.id = len(self.rows) + 1
        self.rows.append(ncr)

    def save(self, ncr: Nonconformance) -> None:
        assert ncr in self.rows


class FakeChanges:
    """Engineering changes in memory (the change room's CHANGES port)."""

    def __init__(self) -> None:
        self.rows: list[EngineeringChange] = []

    def add(self, change: EngineeringChange) -> None:
        change.id = len(self.rows) + 1
        self.rows.append(change)

    def get(self, number: str) -> EngineeringChange | None:
        return next((c for c in self.rows if c.number == number), None)

    def for_order(self, order_number: str) -> list[EngineeringChange]:
        return [c for c in self.rows if c.order_number == order_number]

    def open_changes(self) -> list[EngineeringChange]:
        return [c for c in self.rows if c.state.open]

    def save(self, change: EngineeringChange) -> None:
        assert change in self.rows and isinstance(change.state, ChangeState)


class FakeShipments:
    """Shipments in memory (the shipping room's SHIPMENTS port), with the migration's
    carriers."""

    def __init__(self) -> None:
        self.rows: list[Shipment] = []
        # the codes of migration 0022's carriers (the demo ships with them)
        self.known = [
            Carrier("DHL-FREIGHT", "DHL Freight", "https://dhl.example/track?n={tracking}"),
            Carrier("SCHENKER", "DB Schenker", "https://schenker.example/t/{tracking}"),
            Carrier("DPD", "DPD", "https://dpd.example/parcel/{tracking}"),
            Carrier("OWN-TRUCK", "Own truck"),
            Carrier("PICKUP", "Collected by the customer"),
        ]

    def add(self, shipment: Shipment) -> None:
        shipment.id = len(self.rows) + 1
        self.rows.append(shipment)

    def get(self, number: str) -> Shipment | None:
        return next((s for s in self.rows if s.number == number), None)

    def for_order(self, order_number: str) -> list[Shipment]:
        return [s for s in self.rows if s.order_number == order_number]

    def listing(self, status: str | None = None, limit: int = 200) -> list[Shipment]:
        found = [s for s in reversed(self.rows) if status is None or s.status.value == status]
        return found[:limit]

    def delivered_orders(self) -> list[str]:
        return sorted({s.order_number for s in self.rows if s.status.value == "delivered"})

    def save(self, shipment: Shipment) -> None:
        assert shipment in self.rows

    def carriers(self) -> list[Carrier]:
        return list(self.known)


class FakeShipmentGate:
    """SHIPMENT_GATE: `held[order]` lists what a test says is missing."""

    def __init__(self) -> None:
        self.held: dict[str, list[str]] = {}

    def blocking(self, order_number: str) -> list[str]:
        return list(self.held.get(order_number, []))


FAKE_REPOSITORIES: dict[str, Callable[[], Any]] = {
    SHIPMENTS.name: FakeShipments,
    SHIPMENT_GATE.name: FakeShipmentGate,
    CHANGES.name: FakeChanges,
    PROMISES.name: FakePromises,
    QUALITY.name: FakeQuality,
    FINAL_INSPECTIONS.name: FakeFinalInspections,
    QUALITY_FACTS.name: FakeQualityFacts,
    NCRS.name: FakeNcrs,
    DESIGNS.name: FakeDesigns,
    PLANT.name: FakePlant,
    WORK_ORDERS.name: FakeWorkOrders,
    WORK_CENTRE_USE.name: FakeWorkCentreUse,
    OPERATION_RELEASES.name: FakeOperationReleases,
    MATERIALS.name: FakeMaterials,
    MESSAGES.name: FakeMessages,
    IMPORT_BATCHES.name: FakeImportBatches,
    ORDER_REFERENCES.name: FakeOrderReferences,
    FEEDBACK.name: FakeFeedback,
}


class FakeUnitOfWork:
    """One shared in-memory store; commit moves aggregates' events into the log.

    Unlike a database it does not roll back on a refusal, which is why the domain
    refuses before changing anything; tests assert that too.
    """

    def __init__(self) -> None:
        self.orders = FakeOrders()
        self.customers = FakeCustomers()
        self.users = FakeUsers()
        self.tokens = FakeTokens()
        self.sessions = FakeSessions()
        self.events = FakeEvents()
        self.idempotency = FakeIdempotency()
        self.sequences = FakeSequences()
        self.catalogue = FakeCatalogue()
        self.plans = FakePlans(self.orders.rows)
        self.commits = 0
        self.opened: dict[str, Any] = {}

    def repository(self, key: RepositoryKey[R]) -> R:
        """One fake per key for the store's life (the store is shared, like a database)."""
        if key.name not in self.opened:
            self.opened[key.name] = FAKE_REPOSITORIES[key.name]()
        return cast(R, self.opened[key.name])

    def __call__(self) -> Self:
        return self

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        aggregates: list[Order | Customer | User | CatalogueVersion] = [
            *self.orders.rows.values(),
            *self.customers.rows,
            *self.users.rows,
            *self.catalogue.rows,
        ]
        for aggregate in aggregates:
            self.events.append(aggregate.pending_events)
            aggregate.pending_events.clear()
        for repo in self.opened.values():
            for aggregate in getattr(repo, "seen", []):
                self.events.append(aggregate.pending_events)
                aggregate.pending_events.clear()
        self.commits += 1

    def rollback(self) -> None:
        return None


class PlainHasher:
    """Reversible stand-in for argon2: unit tests check the flow, not the KDF."""

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain$" + password


# mypy proves each fake implements its port: a missing method or a changed signature in
# a port fails the type check here, not as an AttributeError deep in some test.
_orders: type[OrderRepository] = FakeOrders
_customers: type[CustomerRepository] = FakeCustomers
_users: type[UserRepository] = FakeUsers
_tokens: type[TokenRepository] = FakeTokens
_sessions: type[SessionRepository] = FakeSessions
_events: type[EventLog] = FakeEvents
_idempotency: type[IdempotencyStore] = FakeIdempotency
_sequences: type[NumberSequence] = FakeSequences
_catalogue: type[CatalogueRepository] = FakeCatalogue
_plans: type[PlanRepository] = FakePlans
_plant: type[PlantRepository] = FakePlant
_work_orders: type[WorkOrderRepository] = FakeWorkOrders
_import_batches: type[ImportBatchRepository] = FakeImportBatches
_order_references: type[OrderReferenceRepository] = FakeOrderReferences
_unit_of_work: type[UnitOfWork] = FakeUnitOfWork
_factory: UnitOfWorkFactory = FakeUnitOfWork()
_hasher: type[PasswordHasher] = PlainHasher

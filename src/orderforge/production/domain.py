"""Work orders and their operations (pure domain).

A work order is the instruction to make one order line: its operations in routing order
(numbered 10, 20, 30...), the materials its configured BOM needs, and the quantities the
floor reports. It is made once from the line's spec when the order is confirmed, so the
plan and the floor read stored facts instead of deriving the routing again each time.

Operation status changes only by reports (start, pause, complete); a refused report
raises before touching anything. Every change records an event whose `changes` carry the
changed operations as they are afterwards, so the history replays to the current state.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text

AGGREGATE = "work_order"
#: Operation numbers step by ten, so an operation can later be put between two.
SEQ_STEP = 10
MAX_REPORTED_QUANTITY = 100_000
MAX_NOTE_LENGTH = 2000
#: Operations one rework or re-make adds to a work order at most.
MAX_ADDED_STEPS = 200


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class WorkOrderKind(StrEnum):
    #: the order line's units for the customer
    PRODUCTION = "production"
    #: one unit made to prove a design revision before the line is released: it is not
    #: the order's product (not shipped, traced, netted or planned as the order's work)
    PROTOTYPE = "prototype"


#: A work order in one of these takes no reports and is not planned.
CLOSED_STATUSES = frozenset(
    {WorkOrderStatus.DONE, WorkOrderStatus.SUPERSEDED, WorkOrderStatus.CANCELLED}
)
#: Still the order line's work: not replaced by a newer revision, not cancelled.
CURRENT_STATUSES = frozenset(
    {WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.DONE}
)


class OperationStatus(StrEnum):
    WAITING = "waiting"
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


class ReportKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    COMPLETE = "complete"
    #: a problem noted at an operation: kept as a fact, changes no status
    PROBLEM = "problem"


@dataclass(frozen=True)
class PlannedStep:
    """One routed operation as the configurator gives it, before it has a number."""

    routing_key: str
    name: str
    work_centres: tuple[str, ...]
    setup_minutes: Decimal
    run_minutes_per_unit: Decimal
    #: routing keys of the steps that must be done first
    predecessors: tuple[str, ...]
    setup_class: str | None = None


@dataclass(frozen=True)
class AddedStep:
    """An operation added to a work order after it was made (rework, a re-make): its
    minutes are for the whole step, not per unit (it is for some units, not the order)."""

    key: str
    name: str
    work_centres: tuple[str, ...]
    minutes: Decimal
    #: keys of the added steps it waits for (none: it waits for the operation it follows)
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaterialNeed:
    item_code: str
    name: str
    quantity: Decimal
    unit: str


@dataclass(eq=False)
class Operation:
    """One step of a work order on the floor."""

    seq: int
    routing_key: str
    name: str
    #: eligible work centres, preferred first
    work_centres: list[str]
    setup_minutes: Decimal
    run_minutes_per_unit: Decimal
    #: operation numbers (seq) that must be done before this one starts
    predecessors: list[int]
    setup_class: str | None
    status: OperationStatus
    good_quantity: int = 0
    scrap_quantity: int = 0
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: where it runs, as the start report said (None: where the plan puts it)
    work_centre: str | None = None
    id: int | None = None
    work_order_id: int | None = None

    @property
    def code(self) -> str:
        """The routing step's own code ("QC" of "TABLE/QC"): what inspection plans and
        checklists name, whatever the family's routing is called."""
        return self.routing_key.rsplit("/", 1)[-1]

    def minutes(self, quantity: int) -> Decimal:
        return self.setup_minutes + self.run_minutes_per_unit * quantity

    def snapshot(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "routing_key": self.routing_key,
            "name": self.name,
            "work_centres": list(self.work_centres),
            "setup_minutes": str(self.setup_minutes),
            "run_minutes_per_unit": str(self.run_minutes_per_unit),
            "predecessors": list(self.predecessors),
            "setup_class": self.setup_class,
            "status": self.status.value,
            "good_quantity": self.good_quantity,
            "scrap_quantity": self.scrap_quantity,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "work_centre": self.work_centre,
        }


@dataclass(eq=False)
class MaterialRequirement:
    item_code: str
    name: str
    quantity: Decimal
    unit: str
    #: routing key of the operation consuming it, when the BOM says (None: the work
    #: order's first operations)
    operation: str | None = None
    id: int | None = None
    work_order_id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "name": self.name,
            "quantity": str(self.quantity),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class WorkOrderSource:
    """Where a work order comes from: one confirmed order line and its configuration."""

    order_number: str
    line_no: int
    quantity: int
    product_family: str
    catalogue_version: int
    spec: dict[str, str]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def number_operations(steps: list[PlannedStep]) -> list[Operation]:
    """Number the routed steps 10, 20, 30... in routing order; the first ones are ready."""
    seq_of = {s.routing_key: (i + 1) * SEQ_STEP for i, s in enumerate(steps)}
    operations = []
    for step in steps:
        unknown = [p for p in step.predecessors if p not in seq_of]
        if unknown:
            raise InvalidInput(
                f"Routing step {step.routing_key!r} waits for {', '.join(unknown)}, "
                "which is not in the routing.",
                field="routing",
            )
        predecessors = sorted(seq_of[p] for p in step.predecessors)
        operations.append(
            Operation(
                seq=seq_of[step.routing_key],
                routing_key=step.routing_key,
                name=step.name,
                work_centres=list(step.work_centres),
                setup_minutes=step.setup_minutes,
                run_minutes_per_unit=step.run_minutes_per_unit,
                predecessors=predecessors,
                setup_class=step.setup_class,
                status=OperationStatus.WAITING if predecessors else OperationStatus.READY,
            )
        )
    return operations


@dataclass(eq=False)
class WorkOrder:
    """The work of one order line (aggregate root of its operations and materials)."""

    number: str
    order_number: str
    line_no: int
    revision: int
    status: WorkOrderStatus
    quantity: int
    product_family: str
    catalogue_version: int
    spec: dict[str, str]
    created_at: dt.datetime
    updated_at: dt.datetime
    operations: list[Operation] = field(default_factory=list)
    materials: list[MaterialRequirement] = field(default_factory=list)
    kind: WorkOrderKind = WorkOrderKind.PRODUCTION
    #: the design revision letter a prototype proves (None for production work)
    design_revision: str | None = None
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        number: str,
        source: WorkOrderSource,
        revision: int,
        steps: list[PlannedStep],
        materials: list[MaterialNeed],
        actor: str,
        at: dt.datetime,
        carry_from: WorkOrder | None = None,
        design_revision: str | None = None,
    ) -> WorkOrder:
        """A new work order (a prototype when `design_revision` names the design revision it
        proves); `carry_from` (the revision it replaces) hands over the progress
        of every operation whose work is the same under the new routing (see
        `unchanged_steps`), so an engineering change does not redo work that stands."""
        if source.quantity < 1:
            raise InvalidInput("A work order makes at least one unit.", field="quantity")
        if revision < 1:
            raise InvalidInput("Revisions count from 1.", field="revision")
        work_order = cls(
            number=number,
            order_number=source.order_number,
            line_no=source.line_no,
            revision=revision,
            status=WorkOrderStatus.OPEN,
            quantity=source.quantity,
            product_family=source.product_family,
            catalogue_version=source.catalogue_version,
            spec=dict(source.spec),
            created_at=at,
            updated_at=at,
            operations=number_operations(steps),
            materials=[
                MaterialRequirement(m.item_code, m.name, m.quantity, m.unit) for m in materials
            ],
            kind=WorkOrderKind.PRODUCTION if design_revision is None else WorkOrderKind.PROTOTYPE,
            design_revision=design_revision,
        )
        carried: list[int] = []
        if carry_from is not None:
            carried = work_order._carry_over(carry_from, steps, materials)
        work_order._record(
            "work_order_created",
            actor,
            at,
            snapshot=work_order.snapshot(),
            **({"carried_over": carried} if carry_from is not None else {}),
        )
        return work_order

    def _carry_over(
        self, old: WorkOrder, steps: list[PlannedStep], materials: list[MaterialNeed]
    ) -> list[int]:
        same = unchanged_steps(old, steps, materials, self.quantity)
        before = {o.routing_key: o for o in old.operations}
        carried: list[int] = []
        for op in self.operations:
            was = before.get(op.routing_key)
            if was is None or op.routing_key not in same or was.status in _NOT_STARTED:
                continue
            op.status, op.good_quantity, op.scrap_quantity = (
                was.status,
                was.good_quantity,
                was.scrap_quantity,
            )
            op.started_at, op.finished_at, op.work_centre = (
                was.started_at,
                was.finished_at,
                was.work_centre,
            )
            carried.append(op.seq)
        for op in self.operations:
            if op.status in _NOT_STARTED:
                done = all(
                    self.operation(p).status is OperationStatus.DONE for p in op.predecessors
                )
                op.status = OperationStatus.READY if done else OperationStatus.WAITING
        if carried:
            self.status = WorkOrderStatus.IN_PROGRESS
        return carried

    # -- queries -------------------------------------------------------------

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def is_prototype(self) -> bool:
        return self.kind is WorkOrderKind.PROTOTYPE

    def operation(self, seq: int) -> Operation:
        found = next((o for o in self.operations if o.seq == seq), None)
        if found is None:
            known = ", ".join(str(o.seq) for o in self.operations) or "none"
            raise InvalidInput(
                f"Work order {self.number} has no operation {seq}; its operations are {known}.",
                field="seq",
            )
        return found

    def materials_at(self, seq: int) -> list[MaterialRequirement]:
        """What the work order needs at this operation: the BOM's own pick, or (when the
        BOM does not say) the materials of the first operations."""
        op = self.operation(seq)
        return [
            m
            for m in self.materials
            if m.operation == op.routing_key or (m.operation is None and not op.predecessors)
        ]

    def finished_units(self) -> int:
        """Good units out of the last operations (those nothing follows): what the work
        order made, once it is done."""
        followed = {p for o in self.operations for p in o.predecessors}
        last = [o.good_quantity for o in self.operations if o.seq not in followed]
        return min(last, default=0)

    def planned_steps(self) -> list[PlannedStep]:
        """The operations as routed steps again (predecessors by routing key): what a
        promise or an impact analysis plans from a stored work order."""
        keys = {o.seq: o.routing_key for o in self.operations}
        return [
            PlannedStep(
                o.routing_key,
                o.name,
                tuple(o.work_centres),
                o.setup_minutes,
                o.run_minutes_per_unit,
                tuple(keys[p] for p in o.predecessors),
                o.setup_class,
            )
            for o in self.operations
        ]

    def remake_steps(self, seq: int, quantity: int, tag: str) -> list[AddedStep]:
        """The work that makes `quantity` units up to and including operation `seq` again
        (it and every operation it depends on, waiting for each other as in the route),
        each for those units only."""
        wanted = {seq}
        for op in sorted(self.operations, key=lambda o: -o.seq):
            if op.seq in wanted:
                wanted.update(op.predecessors)
        return [
            AddedStep(
                key=f"{tag}-{op.seq}",
                name=f"Re-make: {op.name}"[:200],
                work_centres=tuple(op.work_centres),
                minutes=op.minutes(quantity),
                after=tuple(f"{tag}-{p}" for p in op.predecessors),
            )
            for op in self.operations
            if op.seq in wanted
        ]

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "order_number": self.order_number,
            "line_no": self.line_no,
            "revision": self.revision,
            "status": self.status.value,
            "quantity": self.quantity,
            "product_family": self.product_family,
            "catalogue_version": self.catalogue_version,
            "spec": dict(self.spec),
            "operations": [o.snapshot() for o in self.operations],
            "materials": [m.snapshot() for m in self.materials],
            # only on prototypes, so the records of production work read as they always did
            **(
                {"kind": self.kind.value, "design_revision": self.design_revision}
                if self.is_prototype
                else {}
            ),
        }

    # -- reports -------------------------------------------------------------

    def start(
        self,
        seq: int,
        *,
        actor: str,
        at: dt.datetime,
        work_centre: str | None = None,
        note: str = "",
    ) -> None:
        """Start (or resume) an operation; its predecessors must all be done."""
        self._check_open("start")
        op = self.operation(seq)
        note = _note(note)
        if work_centre is not None and work_centre not in op.work_centres:
            raise InvalidInput(
                f"Operation {seq} ({op.name}) runs on {', '.join(op.work_centres)}, "
                f"not on {work_centre!r}.",
                field="work_centre",
            )
        if op.status is OperationStatus.WAITING:
            open_ = [self.operation(p) for p in op.predecessors]
            first = next((p for p in open_ if p.status is not OperationStatus.DONE), open_[0])
            raise IllegalTransition(
                f"Operation {seq} ({op.name}) of {self.number} cannot start: operation "
                f"{first.seq} ({first.name}) is {first.status.value.replace('_', ' ')}, "
                "not done."
            )
        if op.status not in (OperationStatus.READY, OperationStatus.PAUSED):
            raise IllegalTransition(
                f"Operation {seq} ({op.name}) of {self.number} is {op.status.value}; only a "
                "ready or paused operation can start."
            )
        op.status = OperationStatus.RUNNING
        op.started_at = op.started_at or at
        if work_centre is not None:
            op.work_centre = work_centre
        if self.status is WorkOrderStatus.OPEN:
            self.status = WorkOrderStatus.IN_PROGRESS
        self._changed("operation_started", actor, at, [op], note=note)

    def pause(self, seq: int, *, actor: str, at: dt.datetime, note: str = "") -> None:
        self._check_open("pause")
        op = self.operation(seq)
        note = _note(note)
        if op.status is not OperationStatus.RUNNING:
            raise IllegalTransition(
                f"Operation {seq} ({op.name}) of {self.number} is {op.status.value}; only a "
                "running operation can pause."
            )
        op.status = OperationStatus.PAUSED
        self._changed("operation_paused", actor, at, [op], note=note)

    def complete(
        self,
        seq: int,
        *,
        good: int,
        scrap: int,
        actor: str,
        at: dt.datetime,
        note: str = "",
        scrap_cause: str = "",
    ) -> None:
        """Finish a running operation with the good and scrapped quantities; the
        operations waiting only for it become ready, and the order is done with the last.
        The scrap's cause code (checked against quality's catalogue by the use case) goes
        into the event as `scrap_cause`, where the scrap Pareto groups by it."""
        self._check_open("complete")
        op = self.operation(seq)
        note = _note(note)
        for name, value in (("good", good), ("scrap", scrap)):
            if not 0 <= value <= MAX_REPORTED_QUANTITY:
                raise InvalidInput(
                    f"{name} must be a whole number from 0 to "
                    f"{MAX_REPORTED_QUANTITY}, not {value}.",
                    field=name,
                )
        if good + scrap == 0:
            raise InvalidInput("Report at least one unit, good or scrap.", field="good")
        if good > self.quantity:
            raise InvalidInput(
                f"{good} good is more than the {self.quantity} the work order {self.number} makes.",
                field="good",
            )
        if op.status is not OperationStatus.RUNNING:
            raise IllegalTransition(
                f"Operation {seq} ({op.name}) of {self.number} is {op.status.value}; only a "
                "running operation can be completed (start it first)."
            )
        op.status = OperationStatus.DONE
        op.good_quantity += good
        op.scrap_quantity += scrap
        op.finished_at = at
        changed = [op]
        for successor in self.operations:
            if successor.status is OperationStatus.WAITING and all(
                self.operation(p).status is OperationStatus.DONE for p in successor.predecessors
            ):
                successor.status = OperationStatus.READY
                changed.append(successor)
        if all(o.status is OperationStatus.DONE for o in self.operations):
            self.status = WorkOrderStatus.DONE
        cause = {"scrap_cause": scrap_cause} if scrap and scrap_cause else {}
        self._changed(
            "operation_completed", actor, at, changed, note=note, good=good, scrap=scrap, **cause
        )

    def add_operations(
        self, after: int, steps: list[AddedStep], *, actor: str, at: dt.datetime, reason: str
    ) -> list[Operation]:
        """Put `steps` after operation `after` (rework or a re-make that a nonconformance
        asks for). A step waits for the steps its `after` names, or for operation `after`
        when it names none; the operations that waited for `after` wait for the added
        steps nothing else waits for, and a done work order is open again. The steps take
        the free numbers between `after` and the next operation (numbers step by ten for
        this) when they fit there, else numbers after the last operation."""
        if self.status in (WorkOrderStatus.SUPERSEDED, WorkOrderStatus.CANCELLED):
            raise IllegalTransition(
                f"Work order {self.number} is {self.status.value}; no operation is added to it."
            )
        op = self.operation(after)
        if not 1 <= len(steps) <= MAX_ADDED_STEPS:
            raise InvalidInput(
                f"Add 1 to {MAX_ADDED_STEPS} operations, not {len(steps)}.", field="steps"
            )
        successors = [o for o in self.operations if after in o.predecessors]
        started = [o for o in successors if o.status not in _NOT_STARTED]
        if started:
            raise IllegalTransition(
                f"Operation {started[0].seq} ({started[0].name}) of {self.number} has started "
                f"already: work cannot be put before it."
            )
        later = [o.seq for o in self.operations if o.seq > after]
        free = list(range(after + 1, min(later, default=after + SEQ_STEP)))
        if len(free) < len(steps):
            last = max(o.seq for o in self.operations)
            free = [last + SEQ_STEP * (i + 1) for i in range(len(steps))]
        keys = {o.routing_key for o in self.operations}
        seq_of: dict[str, int] = {}
        added: list[Operation] = []
        for seq, step in zip(free, steps, strict=False):
            key = f"{op.routing_key}/{step.key}"
            unknown = [k for k in step.after if k not in seq_of]
            if key in keys or len(key) > 120 or unknown:
                raise InvalidInput(
                    f"Operation {key!r} is taken, too long or waits for a step not before it.",
                    field="steps",
                )
            keys.add(key)
            seq_of[step.key] = seq
            predecessors = sorted(seq_of[k] for k in step.after) or [after]
            ready = not step.after and op.status is OperationStatus.DONE
            added.append(
                Operation(
                    seq=seq,
                    routing_key=key,
                    name=step.name,
                    work_centres=list(step.work_centres),
                    setup_minutes=step.minutes,
                    run_minutes_per_unit=Decimal(0),
                    predecessors=predecessors,
                    setup_class=None,
                    status=OperationStatus.READY if ready else OperationStatus.WAITING,
                )
            )
        waited_for = {p for o in added for p in o.predecessors}
        ends = {o.seq for o in added if o.seq not in waited_for}
        for successor in successors:
            successor.predecessors = sorted(
                {p for p in successor.predecessors if p != after} | ends
            )
            successor.status = OperationStatus.WAITING
        self.operations = sorted([*self.operations, *added], key=lambda o: o.seq)
        if self.status is WorkOrderStatus.DONE:
            self.status = WorkOrderStatus.IN_PROGRESS
        self._changed("operations_added", actor, at, [*added, *successors], reason=reason)
        return added

    def note_problem(self, seq: int, *, actor: str, at: dt.datetime, note: str) -> None:
        """Record a problem the floor saw at an operation (a jammed saw, a wrong part),
        so the planner and quality learn of it; the operation's status stays as it is."""
        self._check_open("note a problem")
        op = self.operation(seq)
        note = _note(note)
        if not note:
            raise InvalidInput("Say what the problem is.", field="note")
        self._changed("operation_problem_noted", actor, at, [], seq=op.seq, note=note)

    # -- lifecycle -----------------------------------------------------------

    def supersede(self, by: str, *, actor: str, at: dt.datetime) -> None:
        """Replaced by a newer revision (kept for the audit, no longer planned)."""
        if not self.is_current:
            raise IllegalTransition(f"Work order {self.number} is {self.status.value} already.")
        self.status = WorkOrderStatus.SUPERSEDED
        self._changed("work_order_superseded", actor, at, [], superseded_by=by)

    def cancel(self, *, actor: str, at: dt.datetime, reason: str) -> None:
        if self.status in CLOSED_STATUSES:
            raise IllegalTransition(
                f"Work order {self.number} is {self.status.value}; it cannot be cancelled."
            )
        self.status = WorkOrderStatus.CANCELLED
        self._changed("work_order_cancelled", actor, at, [], reason=reason)

    # -- internals -----------------------------------------------------------

    def _check_open(self, verb: str) -> None:
        if self.status in CLOSED_STATUSES:
            raise IllegalTransition(
                f"Work order {self.number} is {self.status.value.replace('_', ' ')}; "
                f"its operations take no more reports (cannot {verb})."
            )

    def _changed(
        self, kind: str, actor: str, at: dt.datetime, ops: list[Operation], **data: Any
    ) -> None:
        self.updated_at = at
        self._record(
            kind,
            actor,
            at,
            status=self.status.value,
            changes=[o.snapshot() for o in ops],
            **data,
        )

    def _record(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate=AGGREGATE,
                aggregate_key=self.number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data=data,
            )
        )


#: Work order states whose operations may still be worked on the floor.
ON_THE_FLOOR = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS)


@dataclass(frozen=True)
class OpenOperation:
    """An unfinished operation as a work centre's queue lists it, with the little of its
    work order the row shows. The floor builds a queue at every report; reading these as
    rows instead of whole work orders (every operation, decoded and tracked by the
    session) is what keeps a report's round trip short."""

    work_order: str
    order_number: str
    line_no: int
    product_family: str
    catalogue_version: int
    spec: dict[str, str]
    quantity: int
    seq: int
    routing_key: str
    name: str
    status: OperationStatus
    #: where it runs, as the start report said (None: where the plan puts it)
    work_centre: str | None
    #: eligible work centres, preferred first
    work_centres: tuple[str, ...]
    #: the first operation before it that is not done yet (seq, name), if any
    waiting_for: tuple[int, str] | None = None
    #: of a prototype work order (made before release to prove a design)
    prototype: bool = False

    @property
    def key(self) -> str:
        """The plan's key for this operation: "<order>/<line>/<routing key>". A prototype
        is not in the plan (the key of its line belongs to the line's production work),
        so its key matches no planned piece."""
        if self.prototype:
            return f"{self.work_order}/{self.routing_key}"
        return f"{self.order_number}/{self.line_no}/{self.routing_key}"


@dataclass(frozen=True)
class WorkOrderHeader:
    """A work order as a list of hundreds shows it (a lot's trace): whose it is, its
    state and its operations' names, without loading the operations themselves."""

    number: str
    order_number: str
    line_no: int
    status: WorkOrderStatus
    operation_names: dict[int, str]

    @classmethod
    def of(cls, work_order: WorkOrder) -> WorkOrderHeader:
        return cls(
            number=work_order.number,
            order_number=work_order.order_number,
            line_no=work_order.line_no,
            status=work_order.status,
            operation_names={op.seq: op.name for op in work_order.operations},
        )


def open_operations(work_order: WorkOrder, work_centre: str) -> list[OpenOperation]:
    """The work order's operations not done that may run on `work_centre`: the rule the
    database query of the repository follows, kept here for the fakes and the tests."""
    if work_order.status not in ON_THE_FLOOR:
        return []
    return [
        open_operation(work_order, op)
        for op in work_order.operations
        if op.status is not OperationStatus.DONE and work_centre in op.work_centres
    ]


def open_operation(work_order: WorkOrder, op: Operation) -> OpenOperation:
    """One operation of a loaded work order, as the queue's rows are read."""
    before = (work_order.operation(p) for p in op.predecessors)
    first = next((p for p in before if p.status is not OperationStatus.DONE), None)
    return OpenOperation(
        work_order=work_order.number,
        order_number=work_order.order_number,
        line_no=work_order.line_no,
        product_family=work_order.product_family,
        catalogue_version=work_order.catalogue_version,
        spec=dict(work_order.spec),
        quantity=work_order.quantity,
        seq=op.seq,
        routing_key=op.routing_key,
        name=op.name,
        status=op.status,
        work_centre=op.work_centre,
        work_centres=tuple(op.work_centres),
        waiting_for=(first.seq, first.name) if first is not None else None,
        prototype=work_order.is_prototype,
    )


def _note(note: str) -> str:
    note = check_text(note, "note").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"note must be at most {MAX_NOTE_LENGTH} characters.", field="note")
    return note


_NOT_STARTED = frozenset({OperationStatus.WAITING, OperationStatus.READY})


def duration_words(minutes: Decimal) -> str:
    """Work time as people on the floor read it at a glance: "51 h 25 min", "40 min"
    (whole minutes, rounded up: a started minute is work)."""
    whole = math.ceil(minutes)
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def unchanged_steps(
    old: WorkOrder, steps: list[PlannedStep], materials: list[MaterialNeed], quantity: int
) -> set[str]:
    """Routing keys of the steps whose work stays the same when `old` is replaced by a
    work order of `steps` and `materials` for `quantity` units.

    A step is the same when its definition is (name, work centres, minutes, setup class,
    the steps before it), its inputs are (the first steps take the line's materials, so
    a step without predecessors changes when the materials per unit change), nothing
    before it changed (work done on a different part is different work), and the old
    work made enough good units. Deliberately cautious: what it keeps is never redone,
    so it must be work that stands under the new spec."""
    old_ops = {o.routing_key: o for o in old.operations}
    old_keys = {o.seq: o.routing_key for o in old.operations}

    def per_unit(needs: list[tuple[str, Decimal]], units: int) -> list[tuple[str, Decimal]]:
        return sorted((code, (qty / units).normalize()) for code, qty in needs)

    old_inputs = per_unit([(m.item_code, m.quantity) for m in old.materials], old.quantity)
    new_inputs = per_unit([(m.item_code, m.quantity) for m in materials], quantity)
    same: set[str] = set()
    for step in steps:  # routing order: predecessors come first
        was = old_ops.get(step.routing_key)
        if was is None:
            continue
        definition = (
            was.name == step.name
            and tuple(was.work_centres) == tuple(step.work_centres)
            and was.setup_minutes == step.setup_minutes
            and was.run_minutes_per_unit == step.run_minutes_per_unit
            and was.setup_class == step.setup_class
            and sorted(old_keys[p] for p in was.predecessors) == sorted(step.predecessors)
        )
        inputs = bool(step.predecessors) or old_inputs == new_inputs
        before = all(p in same for p in step.predecessors)
        enough = was.status is not OperationStatus.DONE or was.good_quantity >= quantity
        if definition and inputs and before and enough:
            same.add(step.routing_key)
    return same


def replay(events: list[DomainEvent]) -> dict[str, Any]:
    """The work order's snapshot rebuilt from its events alone (the audit's check)."""
    if not events or events[0].kind != "work_order_created":
        raise ValueError("a work order's history starts with its creation")
    state: dict[str, Any] = dict(events[0].data["snapshot"])
    ops = {o["seq"]: dict(o) for o in state["operations"]}
    for event in events[1:]:
        state["status"] = event.data["status"]
        for changed in event.data["changes"]:
            ops[changed["seq"]] = dict(changed)
    state["operations"] = [ops[seq] for seq in sorted(ops)]
    return state


@dataclass(frozen=True)
class Report:
    """What the floor said about one operation, kept as a fact and never changed.

    `key` is the client's idempotency key (None when the client sent none); a repeat
    with the same key returns `outcome`, the answer the first one got."""

    work_order: str
    seq: int
    kind: ReportKind
    actor: str
    reported_at: dt.datetime
    fingerprint: str
    outcome: dict[str, Any]
    key: str | None = None
    good: int = 0
    scrap: int = 0
    note: str = ""
    work_centre: str | None = None
    id: int | None = None


#: A serial number: the family code, the year it was made, a number (COUCH-2026-00001).
SERIAL_DIGITS = 5


def serial_number(family: str, year: int, n: int) -> str:
    """The readable serial of a finished unit; the number counts per family and year, so
    the family and year in it make it unique across the plant."""
    if n < 1:
        raise InvalidInput("Serial numbers count from 1.", field="serial")
    return f"{family.upper()}-{year:04d}-{n:0{SERIAL_DIGITS}d}"


@dataclass(frozen=True)
class UnitSerial:
    """One finished unit: its serial, the work order that made it and the order line it
    is for. `unit_no` is its place in the work order (1..n), the number the inspection
    records of that work order use for it."""

    serial: str
    work_order: str
    order_number: str
    line_no: int
    product_family: str
    unit_no: int
    made_at: dt.datetime
    id: int | None = None


def serials_for(work_order: WorkOrder, numbers: list[int], at: dt.datetime) -> list[UnitSerial]:
    """One serial per good unit of a done work order, with the family's next `numbers`
    (one per finished unit)."""
    if work_order.status is not WorkOrderStatus.DONE:
        raise IllegalTransition(
            f"Work order {work_order.number} is {work_order.status.value.replace('_', ' ')}: "
            "serial numbers are given when its last operation is done."
        )
    if len(numbers) != work_order.finished_units():
        raise InvalidInput(
            f"Work order {work_order.number} made {work_order.finished_units()} good units; "
            f"{len(numbers)} serial numbers do not fit.",
            field="serial",
        )
    return [
        UnitSerial(
            serial=serial_number(work_order.product_family, at.year, n),
            work_order=work_order.number,
            order_number=work_order.order_number,
            line_no=work_order.line_no,
            product_family=work_order.product_family,
            unit_no=i + 1,
            made_at=at,
        )
        for i, n in enumerate(numbers)
    ]


@dataclass(frozen=True)
class IssuedLot:
    """A lot issued to an operation, as production sees it (materials keeps the stock
    movement; production asks through the LOT_ISSUES port)."""

    lot_number: str
    item_code: str
    quantity: Decimal
    work_order: str
    seq: int
    actor: str
    consumed_at: dt.datetime
    fingerprint: str = ""

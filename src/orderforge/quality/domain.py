"""Inspections at the operations that need them (pure domain).

An inspection plan says, for one operation of a product family (its routing key), what
is measured or checked: characteristics with a nominal value, lower and upper limits and
a unit (the nominal may be one of the spec's parameters: a top is measured against the
length the customer ordered), pass/fail checks, and how many units are inspected
(every unit, the first article, or n per lot). Results are facts: kept as recorded,
never changed. An out-of-tolerance result or a failed check fails the inspection, and
the operations after it may not start until the inspection passes on a re-inspection
(after rework) or quality releases the work *as is* with an electronic signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent, notify
from orderforge.domain.text import check_text

AGGREGATE = "inspection"
MAX_CHARACTERISTICS = 50
MAX_NOTE = 2000


class Sampling(StrEnum):
    EVERY_UNIT = "every_unit"
    FIRST_ARTICLE = "first_article"
    PER_LOT = "per_lot"


class InspectionStatus(StrEnum):
    #: not every required result is recorded yet
    OPEN = "open"
    PASSED = "passed"
    #: a result is out of tolerance (or a check failed): what follows waits
    FAILED = "failed"
    #: failed, and quality released the work as it is (signed)
    ACCEPTED_AS_IS = "accepted_as_is"

    @property
    def label(self) -> str:
        return {
            InspectionStatus.OPEN: "Open",
            InspectionStatus.PASSED: "Passed",
            InspectionStatus.FAILED: "Failed: what follows waits for a decision",
            InspectionStatus.ACCEPTED_AS_IS: "Accepted as is (signed)",
        }[self]

    @property
    def blocks(self) -> bool:
        return self is InspectionStatus.FAILED


@dataclass(frozen=True)
class Characteristic:
    """What is measured (`unit` set) or checked (pass/fail, `unit` empty)."""

    code: str
    name: str
    unit: str = ""
    #: a number, or the name of a spec parameter whose value is the nominal
    nominal: str = ""
    lower: Decimal | None = None
    upper: Decimal | None = None

    @property
    def measured(self) -> bool:
        return bool(self.unit)

    def limits(self, spec: dict[str, str]) -> tuple[Decimal, Decimal, Decimal]:
        """(nominal, lowest, highest) for a work order of `spec`; `lower`/`upper` are
        deviations from the nominal (−0.5 and +0.5 for ±0.5)."""
        nominal = _number(spec.get(self.nominal, self.nominal) or "0", self.code)
        return (
            nominal,
            nominal + (self.lower if self.lower is not None else Decimal(0)),
            nominal + (self.upper if self.upper is not None else Decimal(0)),
        )


def _number(text: str, field_name: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a number.", field=field_name) from None
    if not value.is_finite() or abs(value) > Decimal("1e9"):
        raise InvalidInput(f"{text!r} is not a number a gauge shows.", field=field_name)
    return value


@dataclass(frozen=True)
class InspectionPlan:
    family: str
    operation: str
    name: str
    characteristics: tuple[Characteristic, ...]
    sampling: Sampling = Sampling.FIRST_ARTICLE
    #: units per lot inspected when sampling per lot
    sample_size: int = 1

    def required_units(self, quantity: int) -> int:
        if self.sampling is Sampling.EVERY_UNIT:
            return quantity
        if self.sampling is Sampling.PER_LOT:
            return min(self.sample_size, quantity)
        return 1

    def characteristic(self, code: str) -> Characteristic:
        found = next((c for c in self.characteristics if c.code == code), None)
        if found is None:
            known = ", ".join(c.code for c in self.characteristics)
            raise InvalidInput(
                f"The inspection of {self.name} has no characteristic {code!r}; it has {known}.",
                field=f"results.{code}",
            )
        return found


def plan_from(data: dict[str, Any], where: str) -> InspectionPlan:
    """A plan as written in a plan file (see docs/quality.md), checked field by field."""

    def text(key: str, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str | int | float) or (required and not str(value).strip()):
            raise InvalidInput(f"{where}: {key} is required.", field=f"{where}.{key}")
        return check_text(str(value), f"{where}.{key}").strip()

    raw = data.get("characteristics")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CHARACTERISTICS:
        raise InvalidInput(
            f"{where}: list 1 to {MAX_CHARACTERISTICS} characteristics.",
            field=f"{where}.characteristics",
        )
    characteristics = []
    for i, item in enumerate(raw):
        at = f"{where}.characteristics[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{at}: a characteristic is a mapping.", field=at)
        code = str(item.get("code", "")).strip()
        if not code or len(code) > 40:
            raise InvalidInput(f"{at}: code is 1-40 characters.", field=f"{at}.code")
        unit = str(item.get("unit", "") or "").strip()
        lower = item.get("lower")
        upper = item.get("upper")
        c = Characteristic(
            code=code,
            name=check_text(str(item.get("name") or code), f"{at}.name").strip(),
            unit=unit,
            nominal=str(item.get("nominal", "") or "").strip(),
            lower=_number(str(lower), f"{at}.lower") if lower is not None else None,
            upper=_number(str(upper), f"{at}.upper") if upper is not None else None,
        )
        if c.measured and (c.lower is None or c.upper is None or c.lower > c.upper):
            raise InvalidInput(
                f"{at}: a measured characteristic needs lower <= upper (deviations from the "
                "nominal).",
                field=f"{at}.lower",
            )
        characteristics.append(c)
    codes = [c.code for c in characteristics]
    if len(set(codes)) != len(codes):
        raise InvalidInput(
            f"{where}: characteristic codes repeat.", field=f"{where}.characteristics"
        )
    try:
        sampling = Sampling(str(data.get("sampling", Sampling.FIRST_ARTICLE.value)))
    except ValueError:
        raise InvalidInput(
            f"{where}: sampling is one of {', '.join(s.value for s in Sampling)}.",
            field=f"{where}.sampling",
        ) from None
    size = data.get("sample_size", 1)
    if not isinstance(size, int) or not 1 <= size <= 10_000:
        raise InvalidInput(f"{where}: sample_size is 1-10000.", field=f"{where}.sample_size")
    return InspectionPlan(
        family=text("family").upper(),
        operation=text("operation"),
        name=text("name", required=False) or text("operation"),
        characteristics=tuple(characteristics),
        sampling=sampling,
        sample_size=size,
    )


@dataclass(frozen=True)
class Result:
    """One recorded value or verdict for one unit: a fact, never changed."""

    characteristic: str
    unit_serial: int
    passed: bool
    inspector: str
    recorded_at: dt.datetime
    value: Decimal | None = None
    unit: str = ""
    note: str = ""


@dataclass(eq=False)
class Inspection:
    """The inspection of one operation of one work order (aggregate)."""

    work_order: str
    seq: int
    plan: InspectionPlan
    quantity: int
    spec: dict[str, str]
    results: list[Result] = field(default_factory=list)
    status: InspectionStatus = InspectionStatus.OPEN
    accepted_by: str | None = None
    accepted_at: dt.datetime | None = None
    acceptance_reason: str = ""
    signature: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def key(self) -> str:
        return f"{self.work_order}/{self.seq}"

    def record(
        self,
        unit_serial: int,
        values: dict[str, tuple[str, str]],
        checks: dict[str, bool],
        *,
        inspector: str,
        at: dt.datetime,
        note: str = "",
    ) -> list[Result]:
        """Record one unit's results: `values` code -> (number, unit) for measured
        characteristics, `checks` code -> passed. Every result is checked before any is
        kept: a wrong unit or an unknown characteristic records nothing."""
        if self.status is InspectionStatus.ACCEPTED_AS_IS:
            raise IllegalTransition(
                f"The inspection of {self.key} was closed by accepting the work as is."
            )
        if not 1 <= unit_serial <= self.quantity:
            raise InvalidInput(
                f"Unit {unit_serial} is not one of the {self.quantity} this work order makes.",
                field="unit",
            )
        note = check_text(note, "note").strip()[:MAX_NOTE]
        if not values and not checks:
            raise InvalidInput("Record at least one result.", field="results")
        new: list[Result] = []
        for code, (raw, unit) in values.items():
            c = self.plan.characteristic(code)
            if not c.measured:
                raise InvalidInput(f"{c.name} is a pass/fail check, not a measurement.", field=code)
            if unit.strip() != c.unit:
                raise InvalidInput(
                    f"{c.name} is measured in {c.unit}, not {unit.strip() or 'no unit'}.",
                    field=f"results.{code}",
                )
            value = _number(raw, f"results.{code}")
            _, low, high = c.limits(self.spec)
            new.append(
                Result(code, unit_serial, low <= value <= high, inspector, at, value, c.unit, note)
            )
        for code, passed in checks.items():
            c = self.plan.characteristic(code)
            if c.measured:
                raise InvalidInput(f"{c.name} is measured in {c.unit}: give the value.", field=code)
            new.append(Result(code, unit_serial, passed, inspector, at, note=note))
        self.results += new
        before = self.status
        self.status = self._verdict()
        self.version += 1
        self._record(
            "inspection_results_recorded",
            inspector,
            at,
            unit=unit_serial,
            results=[
                {
                    "characteristic": r.characteristic,
                    "value": str(r.value) if r.value is not None else None,
                    "unit": r.unit,
                    "passed": r.passed,
                }
                for r in new
            ],
            status=self.status.value,
            **(
                {"notify": notify(roles=["quality", "planner"], exclude=inspector)}
                if self.status is InspectionStatus.FAILED and before is not InspectionStatus.FAILED
                else {}
            ),
        )
        return new

    def latest(self) -> dict[tuple[str, int], Result]:
        """The newest result of each characteristic on each unit (a re-inspection after
        rework replaces an earlier verdict; the earlier stays in the record)."""
        found: dict[tuple[str, int], Result] = {}
        for r in self.results:
            found[(r.characteristic, r.unit_serial)] = r
        return found

    def _verdict(self) -> InspectionStatus:
        latest = self.latest()
        if any(not r.passed for r in latest.values()):
            return InspectionStatus.FAILED
        units = self.plan.required_units(self.quantity)
        complete = all(
            (c.code, u) in latest for c in self.plan.characteristics for u in range(1, units + 1)
        )
        return InspectionStatus.PASSED if complete else InspectionStatus.OPEN

    def accept_as_is(
        self, *, by: str, at: dt.datetime, reason: str, signature: dict[str, Any]
    ) -> None:
        """Quality releases failed work as it is (a signed decision, with the reason)."""
        if self.status is not InspectionStatus.FAILED:
            raise IllegalTransition(
                f"The inspection of {self.key} is {self.status.label.lower()}: only a failed "
                "inspection is accepted as is."
            )
        reason = check_text(reason, "reason").strip()
        if not reason:
            raise InvalidInput(
                "Say why the work may be used as it is: the record needs it.", field="reason"
            )
        self.status = InspectionStatus.ACCEPTED_AS_IS
        self.accepted_by, self.accepted_at, self.acceptance_reason = by, at, reason[:MAX_NOTE]
        self.signature = signature
        self.version += 1
        self._record("inspection_accepted_as_is", by, at, reason=self.acceptance_reason)

    def _record(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate=AGGREGATE,
                aggregate_key=self.key,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data={"work_order": self.work_order, "seq": self.seq, **data},
            )
        )

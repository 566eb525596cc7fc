"""Nonconformance reports (pure domain).

An NCR records work that is not as it should be: which work order and operation, how
many units, what is wrong (the defect), why (a cause from quality's catalogue) and where
it was found (a failed inspection, the floor, an incoming material lot, elsewhere). While
it is open it holds the operations after the affected one; quality then decides once
what happens to the units (the disposition: rework, scrap and re-make, use as is with a
signature, or return to the supplier), and a second person verifies that it was carried
out and closes it. Nothing is rewritten: a disposition is kept as decided, a cancelled
NCR keeps its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent, notify
from orderforge.domain.text import check_text

AGGREGATE = "ncr"
MAX_TEXT = 2000
MAX_LOT = 60
MAX_STEPS = 9
MAX_STEP_MINUTES = 10_000
MAX_CAUSES = 100
_CAUSE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")


class Origin(StrEnum):
    INSPECTION = "inspection"
    FLOOR = "floor"
    MATERIAL = "material"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Origin.INSPECTION: "Failed inspection",
            Origin.FLOOR: "Problem on the floor",
            Origin.MATERIAL: "Incoming material lot",
            Origin.OTHER: "Other",
        }[self]


class NcrStatus(StrEnum):
    OPEN = "open"
    DISPOSITIONED = "dispositioned"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            NcrStatus.OPEN: "Open: waits for quality's decision",
            NcrStatus.DISPOSITIONED: "Decided: waits for verification",
            NcrStatus.CLOSED: "Closed (verified)",
            NcrStatus.CANCELLED: "Cancelled",
        }[self]


class DispositionKind(StrEnum):
    REWORK = "rework"
    SCRAP = "scrap"
    USE_AS_IS = "use_as_is"
    RETURN_TO_SUPPLIER = "return_to_supplier"

    @property
    def label(self) -> str:
        return {
            DispositionKind.REWORK: "Rework",
            DispositionKind.SCRAP: "Scrap and re-make",
            DispositionKind.USE_AS_IS: "Use as is (signed)",
            DispositionKind.RETURN_TO_SUPPLIER: "Return to supplier",
        }[self]


@dataclass(frozen=True)
class DefectCause:
    """A cause code quality keeps (MATERIAL, MACHINE...) with the words people read."""

    code: str
    label: str
    active: bool = True


def cause_from(data: Any, where: str) -> DefectCause:
    """One catalogue entry as written in a cause file, checked field by field."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: a cause is a mapping with code and label.", field=where)
    unknown = sorted(str(k) for k in data if k not in ("code", "label", "active"))
    if unknown:
        raise InvalidInput(
            f"{where}: a cause has code, label and active, not {', '.join(unknown)[:80]}.",
            field=where,
        )
    code = str(data.get("code", "")).strip().upper()
    if not _CAUSE_CODE.match(code):
        raise InvalidInput(
            f"{where}: code is 1-20 letters, digits or _ starting with a letter, not {code!r}.",
            field=f"{where}.code",
        )
    label = check_text(str(data.get("label", "") or ""), f"{where}.label").strip()
    if not 1 <= len(label) <= 80:
        raise InvalidInput(f"{where}: label is 1-80 characters.", field=f"{where}.label")
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise InvalidInput(f"{where}: active is true or false.", field=f"{where}.active")
    return DefectCause(code, label, active)


def _text(value: str, name: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = check_text(value, name).strip()
    if required and not value:
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} is required.", field=name)
    if len(value) > limit:
        raise InvalidInput(f"{name} is at most {limit} characters.", field=name)
    return value


@dataclass(frozen=True)
class ReworkStep:
    """One rework operation quality asks for: where, how long, what to do."""

    work_centre: str
    minutes: int
    instruction: str

    def checked(self, i: int) -> ReworkStep:
        at = f"rework[{i}]"
        centre = self.work_centre.strip().upper()
        if not 1 <= len(centre) <= 40:
            raise InvalidInput(f"{at}: name the work centre.", field=f"{at}.work_centre")
        if not 1 <= self.minutes <= MAX_STEP_MINUTES:
            raise InvalidInput(
                f"{at}: minutes are 1 to {MAX_STEP_MINUTES}, not {self.minutes}.",
                field=f"{at}.minutes",
            )
        text = _text(self.instruction, f"{at}.instruction", required=True, limit=200)
        return ReworkStep(centre, self.minutes, text)


@dataclass(frozen=True)
class ReturnToSupplier:
    lot: str
    quantity: int
    supplier: str
    debit_note: str


@dataclass(frozen=True)
class Disposition:
    """Quality's one decision on an NCR, kept as decided (a row never changed)."""

    kind: DispositionKind
    decided_by: str
    decided_at: dt.datetime
    note: str
    rework: tuple[ReworkStep, ...] = ()
    #: operation numbers production added to the work order for it (rework, re-make)
    operations: tuple[int, ...] = ()
    returned: ReturnToSupplier | None = None
    signature: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "note": self.note,
            "rework": [
                {"work_centre": s.work_centre, "minutes": s.minutes, "instruction": s.instruction}
                for s in self.rework
            ],
            "operations": list(self.operations),
            "returned": (
                {
                    "lot": self.returned.lot,
                    "quantity": self.returned.quantity,
                    "supplier": self.returned.supplier,
                    "debit_note": self.returned.debit_note,
                }
                if self.returned is not None
                else None
            ),
        }


@dataclass(frozen=True)
class Raise:
    """What whoever found the nonconformance says about it."""

    work_order: str
    seq: int
    quantity: int
    description: str
    cause: str
    origin: Origin
    lot: str = ""


@dataclass(eq=False)
class Nonconformance:
    """NCR-yyyy-nnnn (aggregate): from raised to closed, one disposition in between."""

    number: str
    work_order: str
    seq: int
    quantity: int
    description: str
    cause: str
    origin: Origin
    raised_by: str
    raised_at: dt.datetime
    lot: str = ""
    status: NcrStatus = NcrStatus.OPEN
    disposition: Disposition | None = None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    closure_note: str = ""
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def raise_(
        cls, number: str, what: Raise, *, most: int, by: str, at: dt.datetime
    ) -> Nonconformance:
        """A new open NCR; `most` is how many units the work order makes."""
        if not 1 <= what.quantity <= most:
            raise InvalidInput(
                f"The quantity affected is 1 to {most} (what {what.work_order} makes), "
                f"not {what.quantity}.",
                field="quantity",
            )
        lot = _text(what.lot, "lot", required=what.origin is Origin.MATERIAL, limit=MAX_LOT)
        ncr = cls(
            number=number,
            work_order=what.work_order,
            seq=what.seq,
            quantity=what.quantity,
            description=_text(what.description, "description", required=True),
            cause=what.cause,
            origin=what.origin,
            raised_by=by,
            raised_at=at,
            lot=lot,
        )
        ncr._record(
            "ncr_raised",
            by,
            at,
            quantity=ncr.quantity,
            cause=ncr.cause,
            origin=ncr.origin.value,
            description=ncr.description,
            notify=notify(roles=["quality", "planner"], exclude=by),
        )
        return ncr

    @property
    def holds(self) -> bool:
        """An open NCR holds the operations after the affected one."""
        return self.status is NcrStatus.OPEN

    def content(self) -> dict[str, Any]:
        """What a signature on the NCR is bound to: what was found and where."""
        return {
            "record": self.number,
            "work_order": self.work_order,
            "seq": self.seq,
            "quantity": self.quantity,
            "description": self.description,
            "cause": self.cause,
            "origin": self.origin.value,
            "lot": self.lot,
        }

    def check_can_dispose(self, kind: DispositionKind, by: str) -> None:
        """Refuse before anything is done elsewhere (operations added, a signature)."""
        if self.status is not NcrStatus.OPEN:
            raise IllegalTransition(
                f"{self.number} is {self.status.value}: its disposition is decided once."
            )
        if kind is DispositionKind.USE_AS_IS and by == self.raised_by:
            raise IllegalTransition(
                f"{by} raised {self.number}: someone else signs that it may be used as is."
            )
        if kind is DispositionKind.RETURN_TO_SUPPLIER and not self.lot:
            raise IllegalTransition(
                f"{self.number} names no material lot: only a lot goes back to its supplier."
            )

    def dispose(self, disposition: Disposition) -> None:
        self.check_can_dispose(disposition.kind, disposition.decided_by)
        if disposition.kind is DispositionKind.REWORK and not 1 <= len(disposition.rework) <= (
            MAX_STEPS
        ):
            raise InvalidInput(f"Rework names 1 to {MAX_STEPS} steps.", field="rework")
        if disposition.kind is DispositionKind.USE_AS_IS and not disposition.signature:
            raise InvalidInput("Use as is needs quality's signature.", field="password")
        if disposition.kind is DispositionKind.RETURN_TO_SUPPLIER and disposition.returned is None:
            raise InvalidInput("Say the supplier and the debit note.", field="supplier")
        self.disposition = disposition
        self.status = NcrStatus.DISPOSITIONED
        self.version += 1
        data = disposition.data()
        data["disposition"] = data.pop("kind")
        self._record(
            "ncr_dispositioned",
            disposition.decided_by,
            disposition.decided_at,
            **data,
            notify=notify(roles=["quality", "planner"], exclude=disposition.decided_by),
        )

    def close(self, *, by: str, at: dt.datetime, note: str, outstanding: list[str]) -> None:
        """Verified and closed by a second person; refused with what is still to do."""
        if self.status is not NcrStatus.DISPOSITIONED or self.disposition is None:
            raise IllegalTransition(
                f"{self.number} is {self.status.value}: only a decided NCR is verified and closed."
            )
        if by == self.disposition.decided_by:
            raise IllegalTransition(
                f"{by} decided the disposition of {self.number}: a second person verifies it."
            )
        if outstanding:
            raise IllegalTransition(
                f"{self.number} cannot close yet: " + "; ".join(outstanding) + "."
            )
        self.closure_note = _text(note, "note", required=True)
        self.status, self.closed_by, self.closed_at = NcrStatus.CLOSED, by, at
        self.version += 1
        self._record("ncr_closed", by, at, note=self.closure_note)

    def cancel(self, *, by: str, at: dt.datetime, reason: str) -> None:
        """Raised in error: kept, with the reason (only before a disposition)."""
        if self.status is not NcrStatus.OPEN:
            raise IllegalTransition(
                f"{self.number} is {self.status.value}: only an open NCR is cancelled."
            )
        self.closure_note = _text(reason, "reason", required=True)
        self.status, self.closed_by, self.closed_at = NcrStatus.CANCELLED, by, at
        self.version += 1
        self._record("ncr_cancelled", by, at, reason=self.closure_note)

    def _record(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate=AGGREGATE,
                aggregate_key=self.number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                # staff only: a customer never hears of an NCR
                data={"work_order": self.work_order, "seq": self.seq, "internal": True, **data},
            )
        )

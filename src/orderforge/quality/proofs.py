"""When a prototype has proved a design (pure rules).

A family that asks for a prototype (catalogue `design.prototype`) is released only when a
prototype of the line's current design has passed its inspection: the family's
inspection plan at the last inspected operation of the prototype's routing (the couch's
function and safety test). It passes when that inspection passed for its unit, or when
quality accepted the unit as is with a signature.

A new design revision needs a new prototype only when the spec changed: a prototype
proves the product as specified (options and dimensions), while a revision that changes
only notes or drawings leaves the product the prototype proved as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orderforge.domain.prototypes import PrototypeState
from orderforge.production.domain import WorkOrder, WorkOrderStatus
from orderforge.quality.domain import Inspection, InspectionStatus


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    #: made or in the works, its inspection not passed yet
    OPEN = "open"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Proof:
    """A prototype work order as the release rule sees it."""

    work_order: str
    design_revision: str
    #: the spec of the revision it was made for (options, as the revision recorded them)
    spec: dict[str, Any]
    verdict: Verdict
    words: str


def final_seq(work_order: WorkOrder, planned: Collection[tuple[str, str]]) -> int | None:
    """The last operation of the work order that the family's inspection plans cover
    (`planned`: (family, operation code) pairs in force); None when none does."""
    seqs = [
        op.seq for op in work_order.operations if (work_order.product_family, op.code) in planned
    ]
    return max(seqs, default=None)


def judge_prototype(
    work_order: WorkOrder,
    planned: Collection[tuple[str, str]],
    inspection_at: Callable[[int], Inspection | None],
) -> tuple[Verdict, str]:
    """The prototype's verdict and the words for it, from its final inspection."""
    name = f"the prototype {work_order.number} of revision {work_order.design_revision}"
    if work_order.status in (WorkOrderStatus.CANCELLED, WorkOrderStatus.SUPERSEDED):
        return Verdict.CANCELLED, f"{name} was cancelled"
    seq = final_seq(work_order, planned)
    if seq is None:
        return Verdict.OPEN, (
            f"{name} cannot pass: no inspection plan covers its operations (quality puts "
            "one in force for the family's final test)"
        )
    op = work_order.operation(seq)
    found = inspection_at(seq)
    status = found.status if found is not None else InspectionStatus.OPEN
    if status is InspectionStatus.PASSED:
        return Verdict.PASSED, f"{name} passed its inspection at {op.name}"
    if status is InspectionStatus.ACCEPTED_AS_IS and found is not None:
        who = found.signature.get("printed_name") or found.accepted_by or "quality"
        return Verdict.PASSED, f"{name} was accepted as is by {who} (signed) at {op.name}"
    if status is InspectionStatus.FAILED:
        return Verdict.FAILED, (
            f"{name} failed its inspection at {op.name}; it waits for a re-inspection after "
            "rework, for quality to accept it as is, or for a new prototype"
        )
    return Verdict.OPEN, f"{name} has not passed its inspection at {op.name} yet"


def _same_product(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("family") == b.get("family") and dict(a.get("options", {})) == dict(
        b.get("options", {})
    )


@dataclass(frozen=True)
class LineDesign:
    """What the rule needs of one order line."""

    line_no: int
    #: the family's name as the catalogue calls it
    name: str
    required: bool
    #: the letter and spec of the line's current design revision, if there is one
    revision: tuple[str, dict[str, Any]] | None


def line_state(line: LineDesign, proofs: list[Proof]) -> PrototypeState:
    """Where the line's prototype stands, oldest proof first in `proofs` (the line's
    prototypes of any revision)."""
    # "line 1, Medical examination couch (made to measure)": a family's name may hold
    # parentheses of its own
    label = f"line {line.line_no}, {line.name}"
    if not line.required:
        return PrototypeState(line.line_no, False, None, None, True, "not needed", None, False)
    if line.revision is None:
        words = "no prototype made yet: propose a design revision first"
        return PrototypeState(
            line.line_no, True, None, None, False, words, f"{label}: {words}.", False
        )
    letter, spec = line.revision
    proving = [
        p for p in proofs if p.verdict is not Verdict.CANCELLED and _same_product(p.spec, spec)
    ]
    passed = next((p for p in proving if p.verdict is Verdict.PASSED), None)
    if passed is not None:
        words = passed.words + (
            f" (revision {letter} has the same spec)" if passed.design_revision != letter else ""
        )
        return PrototypeState(
            line.line_no, True, passed.work_order, passed.design_revision, True, words, None, False
        )
    if proving:
        latest = proving[-1]
        return PrototypeState(
            line.line_no,
            True,
            latest.work_order,
            latest.design_revision,
            False,
            latest.words,
            f"{label}: {latest.words}.",
            latest.verdict is Verdict.FAILED,
        )
    other_spec = any(p.verdict is not Verdict.CANCELLED for p in proofs)
    words = "no prototype made yet" + (
        f" of revision {letter} (the spec changed since the last prototype)" if other_spec else ""
    )
    return PrototypeState(line.line_no, True, None, None, False, words, f"{label}: {words}.", True)

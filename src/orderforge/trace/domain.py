"""What a device history record must hold, and what is missing from one (pure).

A device history record (DHR) is the as-built record of one unit of a regulated product
(ISO 13485 7.5.1 and 7.5.9; the former 21 CFR 820.184): when it was made, how many were
made and released, the acceptance records (inspections and their results, the final
acceptance), the labels and the unit and control numbers (serial, work order, lots), the
component lots, and the signatures. This module says, in words a person acts on, what
keeps one unit's record from being complete; the trace use cases gather the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def is_regulated(design_approvals: tuple[str, ...]) -> bool:
    """A family is regulated when its catalogue has quality sign its designs (the medical
    couch: customer, engineering and quality); its units need a device history record."""
    return "quality" in design_approvals


class Acceptance(StrEnum):
    """Where an operation's inspection stands, as the record needs it."""

    #: no inspection plan covers the operation: nothing to accept
    NONE = "none"
    #: a plan covers it and no result is recorded yet
    NOT_INSPECTED = "not_inspected"
    #: some results, not every one the plan asks for
    INCOMPLETE = "incomplete"
    PASSED = "passed"
    #: failed, and quality has not decided yet
    FAILED = "failed"
    #: failed, and quality released it as it is with a signature
    ACCEPTED_AS_IS = "accepted_as_is"

    @property
    def accepted(self) -> bool:
        return self in (Acceptance.NONE, Acceptance.PASSED, Acceptance.ACCEPTED_AS_IS)


@dataclass(frozen=True)
class OperationRecord:
    """One operation of the unit's work order, as far as its record goes."""

    seq: int
    name: str
    done: bool
    #: item codes the bill of materials issues at this operation
    items_needed: tuple[str, ...]
    #: item codes of the lots recorded as used at this operation
    items_issued: tuple[str, ...]
    acceptance: Acceptance


@dataclass(frozen=True)
class RecordFacts:
    """What the record of one unit rests on."""

    serial: str
    operations: tuple[OperationRecord, ...]
    #: the order line's design revision in force is approved with every signature asked
    design_approved: bool
    design_words: str = ""
    #: NCRs of the work order still open (number and what they are about)
    open_ncrs: tuple[str, ...] = ()


def missing(facts: RecordFacts) -> list[str]:
    """What keeps the unit's record from being complete, one sentence each; empty when it
    is complete. Ordered by operation, then design and NCRs."""
    out: list[str] = []
    for op in sorted(facts.operations, key=lambda o: o.seq):
        where = f"operation {op.seq} ({op.name})"
        if not op.done:
            out.append(f"Operation {op.seq} ({op.name}) is not done.")
        for item in sorted(set(op.items_needed) - set(op.items_issued)):
            out.append(f"No lot recorded for item {item} at {where}.")
        if op.acceptance is Acceptance.NOT_INSPECTED:
            out.append(f"No inspection result for {where}.")
        elif op.acceptance is Acceptance.INCOMPLETE:
            out.append(f"The inspection at {where} is not complete.")
        elif op.acceptance is Acceptance.FAILED:
            out.append(f"The inspection at {where} failed and waits for quality's decision.")
    if not facts.design_approved:
        out.append(facts.design_words or "No approved design revision with its signatures.")
    out.extend(f"{ncr} is still open." for ncr in facts.open_ncrs)
    return out

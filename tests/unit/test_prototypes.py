"""The prototype rule: which prototype proves a line's current design (the same spec,
whatever the revision letter), when it has passed (its final inspection passed, or quality
accepted it as is), and what release is told otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from orderforge.production.domain import (
    PlannedStep,
    WorkOrder,
    WorkOrderKind,
    WorkOrderSource,
    WorkOrderStatus,
)
from orderforge.quality.domain import Characteristic, Inspection, InspectionPlan
from orderforge.quality.proofs import LineDesign, Proof, Verdict, judge_prototype, line_state

T0 = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
SPEC_A: dict[str, Any] = {"family": "COUCH", "options": {"lift": "fixed"}}
SPEC_C: dict[str, Any] = {"family": "COUCH", "options": {"lift": "electric"}}
COUCH = "Examination couch"


def line(letter: str | None = "B", spec: dict[str, Any] = SPEC_A) -> LineDesign:
    return LineDesign(1, COUCH, True, (letter, spec) if letter is not None else None)


def proof(number: str, letter: str, verdict: Verdict, spec: dict[str, Any] = SPEC_A) -> Proof:
    return Proof(number, letter, spec, verdict, f"the prototype {number} of revision {letter} x")


def test_a_family_without_the_requirement_waits_for_nothing() -> None:
    state = line_state(LineDesign(1, "Table", False, ("A", SPEC_A)), [])
    assert (state.required, state.missing, state.can_make) == (False, None, False)


def test_no_prototype_yet_is_named_with_the_line() -> None:
    state = line_state(line(), [])
    assert state.missing == f"line 1, {COUCH}: no prototype made yet."
    assert state.can_make is True


def test_an_open_or_failed_prototype_keeps_release_waiting() -> None:
    open_ = line_state(line(), [proof("WO-2026-0123", "B", Verdict.OPEN)])
    assert open_.missing == f"line 1, {COUCH}: the prototype WO-2026-0123 of revision B x."
    assert (open_.passed, open_.can_make) == (False, False)  # one in the works
    failed = line_state(line(), [proof("WO-2026-0123", "B", Verdict.FAILED)])
    assert failed.missing is not None and failed.can_make is True  # a new one may be made


def test_a_passed_prototype_of_the_same_spec_proves_a_later_revision() -> None:
    """Revision B changed notes or drawings only: the prototype of A still proves it."""
    state = line_state(line("B"), [proof("WO-2026-0100", "A", Verdict.PASSED)])
    assert state.passed is True and state.missing is None
    assert state.work_order == "WO-2026-0100"
    assert "(revision B has the same spec)" in state.words


def test_a_spec_change_needs_a_new_prototype() -> None:
    state = line_state(line("C", SPEC_C), [proof("WO-2026-0100", "A", Verdict.PASSED)])
    assert state.passed is False
    assert state.missing == (
        f"line 1, {COUCH}: no prototype made yet of revision C (the spec changed since the "
        "last prototype)."
    )


def test_a_cancelled_prototype_proves_nothing_and_a_later_pass_counts() -> None:
    proofs = [
        proof("WO-2026-0100", "B", Verdict.CANCELLED),
        proof("WO-2026-0101", "B", Verdict.FAILED),
        proof("WO-2026-0102", "B", Verdict.PASSED),
    ]
    assert line_state(line(), proofs[:1]).missing == f"line 1, {COUCH}: no prototype made yet."
    assert line_state(line(), proofs).work_order == "WO-2026-0102"


def test_without_a_revision_there_is_nothing_to_prove() -> None:
    state = line_state(line(None), [])
    assert state.can_make is False
    assert state.missing is not None and "propose a design revision first" in state.missing


# -- the verdict, from the prototype's final inspection -------------------------------

PLAN = InspectionPlan(
    "COUCH",
    "TEST",
    "Function test",
    (Characteristic("lift", "Lift runs its full travel"),),
)


def prototype() -> WorkOrder:
    steps = [
        PlannedStep(key, key.title(), ("BENCH",), Decimal(5), Decimal(10), before)
        for key, before in (("ASSY", ()), ("TEST", ("ASSY",)), ("PACK", ("TEST",)))
    ]
    wo = WorkOrder.create(
        number="WO-2026-0123",
        source=WorkOrderSource("SO-2026-0001", 1, 1, "COUCH", 1, {"lift": "fixed"}),
        revision=2,
        steps=steps,
        materials=[],
        actor="engineer",
        at=T0,
        design_revision="B",
    )
    assert wo.kind is WorkOrderKind.PROTOTYPE and wo.snapshot()["design_revision"] == "B"
    return wo


def inspection(passed: bool) -> Inspection:
    found = Inspection("WO-2026-0123", 20, PLAN, 1, {})
    found.record(1, {}, {"lift": passed}, inspector="quality", at=T0)
    return found


PLANNED = {("COUCH", "TEST")}


@pytest.mark.parametrize(
    ("found", "verdict", "words"),
    [
        (None, Verdict.OPEN, "has not passed its inspection at Test yet"),
        (inspection(True), Verdict.PASSED, "passed its inspection at Test"),
        (inspection(False), Verdict.FAILED, "failed its inspection at Test"),
    ],
)
def test_the_verdict_is_the_inspection_at_the_last_inspected_operation(
    found: Inspection | None, verdict: Verdict, words: str
) -> None:
    asked: list[int] = []

    def at(seq: int) -> Inspection | None:
        asked.append(seq)
        return found

    got, said = judge_prototype(prototype(), PLANNED, at)
    assert (got, asked) == (verdict, [20])
    assert said.startswith("the prototype WO-2026-0123 of revision B") and words in said


def test_accepted_as_is_with_a_signature_passes() -> None:
    failed = inspection(False)
    failed.accept_as_is(
        by="quality",
        at=T0,
        reason="Travel 2 mm short, within the user's need.",
        signature={"printed_name": "Heike Thomsen"},
    )
    verdict, words = judge_prototype(prototype(), PLANNED, lambda _seq: failed)
    assert verdict is Verdict.PASSED
    assert "accepted as is by Heike Thomsen (signed)" in words


def test_no_inspection_plan_means_it_cannot_pass_and_cancelled_counts_for_nothing() -> None:
    verdict, words = judge_prototype(prototype(), set(), lambda _seq: None)
    assert verdict is Verdict.OPEN and "no inspection plan covers its operations" in words
    cancelled = prototype()
    cancelled.status = WorkOrderStatus.CANCELLED
    assert judge_prototype(cancelled, PLANNED, lambda _seq: None)[0] is Verdict.CANCELLED

"""Inspection rules, pure: limits from the work order's spec, verdicts by sampling, a wrong
unit or an unknown characteristic recording nothing, re-inspection after rework, and a
signed acceptance only of failed work; random result sequences never let a failed
inspection pass without a newer passing result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.quality.domain import Inspection, InspectionStatus, Sampling, plan_from

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PLAN = plan_from(
    {
        "family": "table",
        "operation": "QC",
        "name": "Final inspection of a table",
        "sampling": "every_unit",
        "characteristics": [
            {"code": "flatness", "unit": "mm", "nominal": 0, "lower": 0, "upper": 0.5},
            {"code": "length", "unit": "mm", "nominal": "length", "lower": -2, "upper": 2},
            {"code": "colour", "name": "Colour matches the sample"},
        ],
    },
    "plans[0]",
)


def status(i: Inspection) -> InspectionStatus:
    """Read afresh (a plain attribute read after an assert is narrowed by mypy)."""
    return i.status


def inspection(quantity: int = 2) -> Inspection:
    return Inspection("WO-2026-0001", 130, PLAN, quantity, {"length": "2000"})


def test_a_plan_is_read_with_its_limits_from_the_spec() -> None:
    assert PLAN.family == "TABLE" and PLAN.sampling is Sampling.EVERY_UNIT
    length = PLAN.characteristic("length")
    assert length.limits({"length": "2000"}) == (Decimal(2000), Decimal(1998), Decimal(2002))
    assert not PLAN.characteristic("colour").measured


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"characteristics": []}, "plans[0].characteristics"),
        ({"sampling": "sometimes"}, "plans[0].sampling"),
        ({"family": ""}, "plans[0].family"),
    ],
)
def test_a_bad_plan_names_the_field(change: dict[str, object], field: str) -> None:
    data = {
        "family": "TABLE",
        "operation": "QC",
        "characteristics": [{"code": "x", "unit": "mm", "nominal": 0, "lower": 1, "upper": 2}],
        **change,
    }
    with pytest.raises(InvalidInput) as refused:
        plan_from(data, "plans[0]")
    assert refused.value.field == field
    with pytest.raises(InvalidInput, match="lower <= upper"):
        plan_from(
            {
                "family": "T",
                "operation": "QC",
                "characteristics": [{"code": "x", "unit": "mm", "lower": 1, "upper": -1}],
            },
            "plans[0]",
        )


def test_every_unit_must_pass_every_characteristic_before_it_passes() -> None:
    i = inspection()
    i.record(
        1,
        {"flatness": ("0.2", "mm"), "length": ("2001", "mm")},
        {"colour": True},
        inspector="qa",
        at=T0,
    )
    assert i.status is InspectionStatus.OPEN  # unit 2 is still to inspect
    i.record(
        2,
        {"flatness": ("0.4", "mm"), "length": ("1999.5", "mm")},
        {"colour": True},
        inspector="qa",
        at=T0,
    )
    assert status(i) is InspectionStatus.PASSED
    assert i.pending_events[-1].data["status"] == "passed"


def test_out_of_tolerance_fails_and_a_passing_re_inspection_clears_it() -> None:
    i = inspection(quantity=1)
    i.record(1, {"flatness": ("0.9", "mm")}, {}, inspector="qa", at=T0)
    assert i.status is InspectionStatus.FAILED and i.status.blocks
    assert i.pending_events[-1].data["notify"]["roles"] == ["quality", "planner"]
    i.record(
        1,
        {"flatness": ("0.3", "mm"), "length": ("2000", "mm")},
        {"colour": True},
        inspector="qa",
        at=T0,
    )
    assert status(i) is InspectionStatus.PASSED
    assert len(i.results) == 4  # the failed result stays in the record


def test_a_wrong_unit_or_unknown_characteristic_records_nothing() -> None:
    i = inspection()
    with pytest.raises(InvalidInput, match="measured in mm, not cm") as refused:
        i.record(1, {"flatness": ("0.1", "mm"), "length": ("200", "cm")}, {}, inspector="qa", at=T0)
    assert refused.value.field == "results.length"
    with pytest.raises(InvalidInput, match="no characteristic 'gloss'"):
        i.record(1, {}, {"gloss": True}, inspector="qa", at=T0)
    with pytest.raises(InvalidInput, match="not one of the 2"):
        i.record(3, {}, {"colour": True}, inspector="qa", at=T0)
    with pytest.raises(InvalidInput, match="pass/fail check"):
        i.record(1, {"colour": ("1", "mm")}, {}, inspector="qa", at=T0)
    assert i.results == [] and i.status is InspectionStatus.OPEN and not i.pending_events


def test_only_failed_work_is_accepted_as_is_with_a_reason() -> None:
    i = inspection(quantity=1)
    with pytest.raises(IllegalTransition):
        i.accept_as_is(by="quality", at=T0, reason="fine", signature={})
    i.record(1, {"flatness": ("0.7", "mm")}, {}, inspector="qa", at=T0)
    with pytest.raises(InvalidInput, match="Say why"):
        i.accept_as_is(by="quality", at=T0, reason=" ", signature={})
    i.accept_as_is(
        by="quality", at=T0, reason="Within the customer's own tolerance.", signature={"seal": "s"}
    )
    assert i.status is InspectionStatus.ACCEPTED_AS_IS and not i.status.blocks
    with pytest.raises(IllegalTransition):
        i.record(1, {"flatness": ("0.1", "mm")}, {}, inspector="qa", at=T0)


results = st.lists(
    st.tuples(
        st.integers(1, 2),
        st.sampled_from(["flatness", "length", "colour"]),
        st.booleans(),
    ),
    max_size=20,
)


@settings(max_examples=80, deadline=None)
@given(results)
def test_the_verdict_is_the_latest_result_of_each_characteristic_and_unit(
    recorded: list[tuple[int, str, bool]],
) -> None:
    i = inspection()
    for unit, code, good in recorded:
        if code == "colour":
            i.record(unit, {}, {"colour": good}, inspector="qa", at=T0)
        else:
            value = (
                ("0.1" if good else "0.9") if code == "flatness" else ("2000" if good else "2010")
            )
            i.record(unit, {code: (value, "mm")}, {}, inspector="qa", at=T0)
    latest = i.latest()
    if any(not r.passed for r in latest.values()):
        assert i.status is InspectionStatus.FAILED
    elif len(latest) == 6:
        assert status(i) is InspectionStatus.PASSED
    elif recorded:
        assert i.status is InspectionStatus.OPEN

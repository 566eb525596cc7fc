"""First-pass yield and the scrap Pareto from the floor's completions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderforge.quality.domain import Characteristic, Inspection, InspectionPlan
from orderforge.quality.yields import (
    CAUSE_NOT_GIVEN,
    Completion,
    failed_first_units,
    first_pass_yield,
    scrap_pareto,
)

AT = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)


def done(wo: str, seq: int, centre: str, good: int, scrap: int = 0, cause: str | None = None):  # type: ignore[no-untyped-def]
    return Completion(wo, seq, centre, good, scrap, AT, cause)


def test_first_pass_yield_counts_scrap_and_rework_against_the_centre() -> None:
    rows = first_pass_yield(
        [done("WO-1", 1, "SAW", 10, 2), done("WO-2", 1, "SAW", 8), done("WO-1", 2, "QC", 10)],
        {("WO-1", 2): 3},
    )
    by = {r.work_centre: r for r in rows}
    assert (by["SAW"].entered, by["SAW"].first_pass, by["SAW"].scrapped) == (20, 18, 2)
    assert by["SAW"].fpy == 0.9
    assert (by["QC"].entered, by["QC"].first_pass, by["QC"].reworked) == (10, 7, 3)


def test_pareto_sorts_causes_and_names_the_missing_one() -> None:
    bars = scrap_pareto(
        [
            done("WO-1", 1, "SAW", 1, 1),
            done("WO-2", 1, "SAW", 1, 5, "chipped-edge"),
            done("WO-3", 1, "SAW", 1, 2, "wrong-colour"),
            done("WO-4", 1, "SAW", 1, 2, " "),
            done("WO-5", 1, "SAW", 1, 0, "unused"),
        ]
    )
    assert [(b.cause, b.quantity) for b in bars] == [
        ("chipped-edge", 5),
        (CAUSE_NOT_GIVEN, 3),
        ("wrong-colour", 2),
    ]
    assert [round(b.cumulative_percent, 1) for b in bars] == [50.0, 80.0, 100.0]


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from(["a", "b", None])),
        max_size=30,
    )
)
def test_pareto_is_descending_and_ends_at_all_scrap(
    rows: list[tuple[int, int, str | None]],
) -> None:
    bars = scrap_pareto([done(f"WO-{i}", 1, "X", g, s, c) for i, (g, s, c) in enumerate(rows)])
    quantities = [b.quantity for b in bars]
    assert quantities == sorted(quantities, reverse=True)
    assert sum(quantities) == sum(s for _, s, _ in rows)
    if bars:
        assert abs(bars[-1].cumulative_percent - 100) < 1e-9


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 25)), max_size=20))
def test_yield_is_a_share(rows: list[tuple[int, int, int]]) -> None:
    completions = [done(f"WO-{i}", 1, "X", g, s) for i, (g, s, _) in enumerate(rows)]
    failed = {(f"WO-{i}", 1): f for i, (_, _, f) in enumerate(rows)}
    for row in first_pass_yield(completions, failed):
        assert 0 <= row.first_pass <= row.entered
        assert row.fpy is None or 0 <= row.fpy <= 1


def test_a_unit_failed_first_counts_once_even_after_a_passing_reinspection() -> None:
    plan = InspectionPlan(
        "TABLE",
        "QC",
        "Final",
        (Characteristic("flat", "Flatness", "mm", "0", Decimal(0), Decimal("0.5")),),
    )
    inspection = Inspection("WO-1", 5, plan, 3, {})
    for unit, value in ((1, "0.2"), (2, "0.9"), (2, "0.3"), (3, "0.1")):
        inspection.record(unit, {"flat": (value, "mm")}, {}, inspector="q", at=AT)
    assert failed_first_units(inspection) == 1

"""Control-chart statistics and capability: properties over random data (limits hold the
centre, Cpk never exceeds Cp, the figures do not depend on units or offset), the
standard constants, and textbook cases worked by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.quality.spc import (
    CONSTANTS,
    MIN_CAPABILITY_RESULTS,
    RUN_LENGTH,
    capability,
    chart_for,
    individuals_chart,
    xbar_r_chart,
)

values = st.lists(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False),
    min_size=2,
    max_size=80,
)


@given(values)
def test_individuals_limits_contain_the_centre(xs: list[float]) -> None:
    chart = individuals_chart(xs)
    assert chart.limits.lower <= chart.limits.centre <= chart.limits.upper
    assert chart.range_limits.lower <= chart.range_limits.centre <= chart.range_limits.upper
    assert len(chart.ranges) == len(xs) - 1
    assert all(0 <= i < len(xs) for i in chart.beyond_limits + chart.runs)


@given(st.integers(2, 10), st.lists(st.floats(-100, 100), min_size=20, max_size=200))
def test_xbar_r_limits_contain_the_centre(n: int, xs: list[float]) -> None:
    groups = [xs[i : i + n] for i in range(0, len(xs) - len(xs) % n, n)]
    if len(groups) < 2:
        return
    chart = xbar_r_chart(groups)
    assert chart.subgroup_size == n
    assert chart.limits.lower <= chart.limits.centre <= chart.limits.upper
    assert chart.range_limits.lower <= chart.range_limits.centre <= chart.range_limits.upper


@settings(max_examples=200)
@given(
    st.lists(st.floats(-10, 10), min_size=MIN_CAPABILITY_RESULTS, max_size=60),
    st.floats(-20, 0),
    st.floats(0.01, 20),
)
def test_cpk_never_exceeds_cp(xs: list[float], lower: float, width: float) -> None:
    chart = individuals_chart(xs)
    cap = capability(xs, lower, lower + width, chart.sigma_within)
    if cap.cp is None:
        assert cap.reason == "the results do not vary"
        return
    assert cap.cpk is not None
    assert cap.cpk <= cap.cp + 1e-9


@settings(max_examples=200)
@given(
    st.lists(st.floats(-10, 10), min_size=MIN_CAPABILITY_RESULTS, max_size=60),
    st.floats(0.1, 100),
    st.floats(-1000, 1000),
)
def test_capability_ignores_units_and_offset(xs: list[float], scale: float, shift: float) -> None:
    """Measuring in other units (scale) or from another zero (shift) changes no index."""
    lower, upper = -12.0, 12.0
    base_chart = individuals_chart(xs)
    base = capability(xs, lower, upper, base_chart.sigma_within)
    moved = [x * scale + shift for x in xs]
    chart = individuals_chart(moved)
    cap = capability(moved, lower * scale + shift, upper * scale + shift, chart.sigma_within)
    if base.cp is None or base_chart.sigma_within is None or base_chart.sigma_within < 1e-6:
        return
    assert cap.cp is not None and cap.cpk is not None and base.cpk is not None
    assert cap.cp == pytest.approx(base.cp, rel=1e-6)
    assert cap.cpk == pytest.approx(base.cpk, rel=1e-6, abs=1e-6)
    assert chart.limits.centre == pytest.approx(base_chart.limits.centre * scale + shift, abs=1e-6)


def test_constants_match_the_standard_table() -> None:
    """A2, D3, D4, d2 for n = 2..10 (ASTM STP 15D); and A2 = 3 / (d2 sqrt(n))."""
    table = {
        2: (1.880, 0, 3.267, 1.128),
        5: (0.577, 0, 2.114, 2.326),
        7: (0.419, 0.076, 1.924, 2.704),
        10: (0.308, 0.223, 1.777, 3.078),
    }
    for n, expected in table.items():
        assert CONSTANTS[n] == expected
    assert sorted(CONSTANTS) == list(range(2, 11))
    for n, (a2, d3, d4, d2) in CONSTANTS.items():
        assert a2 == pytest.approx(3 / (d2 * math.sqrt(n)), abs=0.002)
        assert d3 + d4 == pytest.approx(2, abs=0.001) or d3 == 0


def test_individuals_chart_by_hand() -> None:
    """x = 10, 12, 11, 13: mean 11.5, moving ranges 2, 1, 2 -> MR-bar 5/3."""
    chart = individuals_chart([10, 12, 11, 13])
    mr = 5 / 3
    assert chart.limits.centre == pytest.approx(11.5)
    assert chart.limits.upper == pytest.approx(11.5 + 2.66 * mr)
    assert chart.limits.lower == pytest.approx(11.5 - 2.66 * mr)
    assert chart.range_limits.upper == pytest.approx(3.267 * mr)
    assert chart.sigma_within == pytest.approx(mr / 1.128)


def test_points_outside_and_runs_are_flagged() -> None:
    steady = [10.0, 10.2, 9.8, 10.1, 9.9] * 4
    chart = individuals_chart([*steady, 14.0])
    assert chart.beyond_limits == (len(steady),)
    shifted = [10.0, 9.0] * 5 + [9.7] * RUN_LENGTH
    runs = individuals_chart(shifted).runs
    assert runs and runs[0] == len(shifted) - 1


def test_xbar_r_by_hand() -> None:
    chart = xbar_r_chart([[1, 3], [2, 2], [4, 2]])
    assert chart.points == (2.0, 2.0, 3.0)
    assert chart.ranges == (2.0, 0.0, 2.0)
    r_bar = 4 / 3
    assert chart.limits.upper == pytest.approx(7 / 3 + 1.880 * r_bar)
    assert chart.range_limits.upper == pytest.approx(3.267 * r_bar)
    assert chart.sigma_within == pytest.approx(r_bar / 1.128)


def test_capability_needs_enough_results_and_one_sided_has_only_cpk() -> None:
    few = [1.0, 1.2, 0.9]
    cap = capability(few, 0, 2, 0.1)
    assert (cap.cp, cap.cpk) == (None, None)
    assert cap.reason == f"not enough data (3 of {MIN_CAPABILITY_RESULTS})"
    xs = [1.0, 1.1, 0.9, 1.0] * 5
    upper_only = capability(xs, None, 1.6, 0.1)
    assert upper_only.cp is None
    assert upper_only.cpk == pytest.approx((1.6 - 1.0) / 0.3)
    both = capability(xs, 0.7, 1.6, 0.1)
    assert both.cp == pytest.approx(0.9 / 0.6)
    assert both.cpk == pytest.approx(1.0)
    assert capability([1.0] * 20, 0, 2, 0.0).reason == "the results do not vary"


def test_chart_for_chooses_by_subgroups() -> None:
    assert chart_for([1.0], [1]) is None
    individuals = chart_for([1.0, 2.0, 3.0], [1, 1, 1])
    assert individuals is not None and individuals.kind == "individuals"
    grouped = chart_for([1.0, 2.0, 3.0, 4.0], [2, 2])
    assert grouped is not None and grouped.kind == "xbar_r"

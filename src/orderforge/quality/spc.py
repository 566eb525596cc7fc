"""Statistical process control for measured characteristics (pure: numbers in, numbers out).

A control chart answers "is the process doing what it usually does?" from the process's
own spread, not from the drawing's tolerance: its limits sit three sigma either side of
the centre line, sigma estimated from the ranges between neighbouring results (within
variation), so a drift shows before parts go out of tolerance. Capability (Cp, Cpk)
then compares that spread with the tolerance, and is only worth reading with enough
results (MIN_CAPABILITY_RESULTS): a handful of values gives a figure that means nothing.

The constants are the standard table for ranges of subgroups of n (ASTM STP 15D, as in
Montgomery, *Introduction to Statistical Quality Control*, appendix VI).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: results needed before Cp/Cpk are shown
MIN_CAPABILITY_RESULTS = 20
#: points in a row on one side of the centre line that signal a shift (Western Electric)
RUN_LENGTH = 8

#: subgroup size n -> (A2, D3, D4, d2)
CONSTANTS: dict[int, tuple[float, float, float, float]] = {
    2: (1.880, 0.0, 3.267, 1.128),
    3: (1.023, 0.0, 2.574, 1.693),
    4: (0.729, 0.0, 2.282, 2.059),
    5: (0.577, 0.0, 2.114, 2.326),
    6: (0.483, 0.0, 2.004, 2.534),
    7: (0.419, 0.076, 1.924, 2.704),
    8: (0.373, 0.136, 1.864, 2.847),
    9: (0.337, 0.184, 1.816, 2.970),
    10: (0.308, 0.223, 1.777, 3.078),
}
#: individuals chart: 3 / d2(2) and the moving range's D4(2)
E2 = 2.66
MR_D4 = 3.267
SIGMA_WITHIN_IMR = "within, from the average moving range (MR̄ / 1.128)"


@dataclass(frozen=True)
class Limits:
    centre: float
    upper: float
    lower: float


@dataclass(frozen=True)
class ControlChart:
    """One chart's figures: the plotted points (individual values or subgroup means),
    their limits, the range chart below it, and which points signal."""

    kind: str  # "individuals" or "xbar_r"
    subgroup_size: int
    points: tuple[float, ...]
    limits: Limits
    ranges: tuple[float, ...]
    range_limits: Limits
    #: indices of points outside the control limits
    beyond_limits: tuple[int, ...]
    #: indices of points that end a run of RUN_LENGTH or more on one side of the centre
    runs: tuple[int, ...]
    #: sigma of single values estimated from the ranges (None: no range yet)
    sigma_within: float | None
    sigma_method: str


def _flags(points: Sequence[float], limits: Limits) -> tuple[tuple[int, ...], tuple[int, ...]]:
    beyond = tuple(i for i, p in enumerate(points) if p > limits.upper or p < limits.lower)
    runs: list[int] = []
    side, length = 0, 0
    for i, p in enumerate(points):
        now = 1 if p > limits.centre else -1 if p < limits.centre else 0
        length = length + 1 if now != 0 and now == side else (1 if now != 0 else 0)
        side = now
        if length >= RUN_LENGTH:
            runs.append(i)
    return beyond, tuple(runs)


def individuals_chart(values: Sequence[float]) -> ControlChart:
    """Individuals and moving range (I-MR): for results that come one at a time.
    Needs at least two values (one moving range)."""
    if len(values) < 2:
        raise ValueError("an individuals chart needs at least two values")
    x = np.asarray(values, dtype=float)
    moving = np.abs(np.diff(x))
    mr_bar = float(moving.mean())
    centre = float(x.mean())
    limits = Limits(centre, centre + E2 * mr_bar, centre - E2 * mr_bar)
    range_limits = Limits(mr_bar, MR_D4 * mr_bar, 0.0)
    beyond, runs = _flags(list(map(float, x)), limits)
    return ControlChart(
        kind="individuals",
        subgroup_size=1,
        points=tuple(float(v) for v in x),
        limits=limits,
        ranges=tuple(float(r) for r in moving),
        range_limits=range_limits,
        beyond_limits=beyond,
        runs=runs,
        sigma_within=mr_bar / CONSTANTS[2][3],
        sigma_method=SIGMA_WITHIN_IMR,
    )


def xbar_r_chart(subgroups: Sequence[Sequence[float]]) -> ControlChart:
    """Subgroup means and ranges (X̄-R): for results taken n at a time (2 <= n <= 10),
    every subgroup of the same size. Needs at least two subgroups."""
    sizes = {len(g) for g in subgroups}
    if len(subgroups) < 2 or len(sizes) != 1:
        raise ValueError("an X-bar/R chart needs two or more subgroups of one size")
    n = sizes.pop()
    if n not in CONSTANTS:
        raise ValueError("subgroups hold 2 to 10 results")
    a2, d3, d4, d2 = CONSTANTS[n]
    data = np.asarray(subgroups, dtype=float)
    means = data.mean(axis=1)
    ranges = data.max(axis=1) - data.min(axis=1)
    x_bar, r_bar = float(means.mean()), float(ranges.mean())
    limits = Limits(x_bar, x_bar + a2 * r_bar, x_bar - a2 * r_bar)
    beyond, runs = _flags(list(map(float, means)), limits)
    return ControlChart(
        kind="xbar_r",
        subgroup_size=n,
        points=tuple(float(m) for m in means),
        limits=limits,
        ranges=tuple(float(r) for r in ranges),
        range_limits=Limits(r_bar, d4 * r_bar, d3 * r_bar),
        beyond_limits=beyond,
        runs=runs,
        sigma_within=r_bar / d2,
        sigma_method=f"within, from the average subgroup range (R̄ / {d2})",
    )


@dataclass(frozen=True)
class Capability:
    """Cp and Cpk against the tolerance, or why there are none (`reason`)."""

    n: int
    cp: float | None
    cpk: float | None
    sigma: float | None
    sigma_method: str
    reason: str = ""

    @property
    def shown(self) -> bool:
        return self.cpk is not None


def capability(
    values: Sequence[float],
    lower: float | None,
    upper: float | None,
    sigma: float | None,
    sigma_method: str = SIGMA_WITHIN_IMR,
    minimum: int = MIN_CAPABILITY_RESULTS,
) -> Capability:
    """Cp = (USL − LSL) / 6σ and Cpk = min(USL − μ, μ − LSL) / 3σ, σ the within sigma of
    the chart. With one limit only Cpk exists (the one-sided index, Cpu or Cpl): Cp needs
    a width. None with a reason when results are too few or do not vary."""
    n = len(values)
    if n < minimum:
        return Capability(n, None, None, sigma, sigma_method, f"not enough data ({n} of {minimum})")
    if lower is None and upper is None:
        return Capability(n, None, None, sigma, sigma_method, "no tolerance to compare with")
    if sigma is None or sigma <= 0 or not np.isfinite(sigma):
        return Capability(n, None, None, sigma, sigma_method, "the results do not vary")
    mean = float(np.mean(np.asarray(values, dtype=float)))
    sides = []
    if upper is not None:
        sides.append((upper - mean) / (3 * sigma))
    if lower is not None:
        sides.append((mean - lower) / (3 * sigma))
    cp = (upper - lower) / (6 * sigma) if upper is not None and lower is not None else None
    return Capability(n, cp, min(sides), sigma, sigma_method)


def chart_for(values: Sequence[float], subgroup_sizes: Sequence[int]) -> ControlChart | None:
    """X̄-R when the results came in subgroups of one size from 2 to 10 (`subgroup_sizes`
    gives each subgroup's length, in order), else I-MR; None with fewer than two points."""
    sizes = set(subgroup_sizes)
    if len(subgroup_sizes) >= 2 and len(sizes) == 1 and next(iter(sizes)) in CONSTANTS:
        n = next(iter(sizes))
        return xbar_r_chart([values[i : i + n] for i in range(0, len(values), n)])
    if len(values) < 2:
        return None
    return individuals_chart(values)

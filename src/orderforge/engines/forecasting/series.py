"""Weekly demand series and their Syntetos–Boylan demand pattern.

Weeks start on Monday so that every series of the plant shares one calendar: a family's
demand and the long-lead material it consumes line up week by week. The pattern decides
which models are even tried, because smoothing methods that assume demand every week are
badly biased on series that are mostly zero (and Croston-type methods waste the signal of
a series that is never zero).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from orderforge.engines.forecasting.errors import ForecastInputError

__all__ = [
    "ADI_CUTOFF",
    "CV2_CUTOFF",
    "DemandPattern",
    "PatternMeasures",
    "WeeklySeries",
    "classify",
    "measure",
    "weekly",
]

# Syntetos, Boylan & Croston (2005): the cut-offs where Croston-type methods start to beat
# simple exponential smoothing in mean squared error.
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

_WEEK = dt.timedelta(days=7)


class DemandPattern(StrEnum):
    """The Syntetos–Boylan quadrant, plus a name for a series that never had demand."""

    SMOOTH = "smooth"
    ERRATIC = "erratic"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"
    NO_DEMAND = "no_demand"

    @property
    def sporadic(self) -> bool:
        """Demand comes in few weeks: Croston-family models are the candidates."""
        return self in (DemandPattern.INTERMITTENT, DemandPattern.LUMPY)


@dataclass(frozen=True, slots=True)
class WeeklySeries:
    """Demand of one thing (`key`) of one `kind` (family, option, material) per week.

    `values[i]` is the quantity of the week starting `start + 7*i` days; `start` is a
    Monday so that series of different things can be put side by side.
    """

    key: str
    kind: str
    start: dt.date
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.key:
            raise ForecastInputError("key", "a series needs a non-empty key")
        if self.start.weekday() != 0:
            raise ForecastInputError(
                "start", f"series {self.key!r} starts on {self.start:%A %Y-%m-%d}, not a Monday"
            )
        for index, value in enumerate(self.values):
            if not math.isfinite(value) or value < 0:
                raise ForecastInputError(
                    "values",
                    f"series {self.key!r} has {value} in week {index} "
                    f"({self.week(index)}); demand must be a finite number >= 0",
                )

    def week(self, index: int) -> dt.date:
        """The Monday of week `index` (counted from `start`; may lie past the history)."""
        return self.start + index * _WEEK


def weekly(
    key: str,
    kind: str,
    events: Iterable[tuple[dt.date, float]],
    start: dt.date,
    end: dt.date,
) -> WeeklySeries:
    """Bucket dated quantities into the weeks from `start` (a Monday) to the week of `end`.

    Weeks without an event are zero — that is information (no demand), not a gap. An event
    outside the range is refused rather than dropped, so a caller's wrong date filter
    cannot silently shrink the demand.
    """
    if start.weekday() != 0:
        raise ForecastInputError("start", f"{start:%A %Y-%m-%d} is not a Monday")
    if end < start:
        raise ForecastInputError("end", f"{end} is before the start {start}")
    weeks = (end - start).days // 7 + 1
    totals = [0.0] * weeks
    for when, quantity in events:
        if not start <= when <= end:
            raise ForecastInputError(
                "events", f"{key!r}: an event on {when} lies outside {start}..{end}"
            )
        if not math.isfinite(quantity) or quantity < 0:
            raise ForecastInputError(
                "events", f"{key!r}: quantity {quantity} on {when} is not a demand (>= 0)"
            )
        totals[(when - start).days // 7] += quantity
    return WeeklySeries(key, kind, start, tuple(totals))


@dataclass(frozen=True, slots=True)
class PatternMeasures:
    """ADI: weeks per week with demand. CV²: squared variation of the non-zero sizes."""

    adi: float
    cv2: float
    pattern: DemandPattern


def measure(values: Iterable[float]) -> PatternMeasures:
    """ADI and CV² over the whole window given, and the quadrant they put the series in.

    ADI is taken as weeks / weeks-with-demand (the usual estimate of the mean interval);
    CV² uses the population variance of the non-zero quantities, so a series of equal
    sizes has CV² = 0 whatever its scale.
    """
    data = list(values)
    sizes = [value for value in data if value > 0]
    if not sizes:
        return PatternMeasures(math.inf, 0.0, DemandPattern.NO_DEMAND)
    adi = len(data) / len(sizes)
    mean = sum(sizes) / len(sizes)
    variance = sum((size - mean) ** 2 for size in sizes) / len(sizes)
    cv2 = variance / mean**2
    few_weeks = adi >= ADI_CUTOFF
    varied = cv2 >= CV2_CUTOFF
    if few_weeks:
        pattern = DemandPattern.LUMPY if varied else DemandPattern.INTERMITTENT
    else:
        pattern = DemandPattern.ERRATIC if varied else DemandPattern.SMOOTH
    return PatternMeasures(adi, cv2, pattern)


def classify(series: WeeklySeries) -> DemandPattern:
    """The series' Syntetos–Boylan pattern (see `measure`)."""
    return measure(series.values).pattern

"""First-pass yield per work centre and scrap by cause (pure: facts in, figures out).

The facts are the floor's completions (production's `operation_completed` events: good
and scrapped units, the work centre, and from the cause catalogue on a `scrap_cause`)
and the inspections at those operations (a unit whose first inspection failed was
reworked or accepted as is: it did not pass the first time).

First-pass yield (FPY) of a work centre over a period =
    units that passed at the first attempt / units that entered,
where, for each operation completed at that work centre in the period,
    entered = good + scrapped units reported at its completion, and
    passed at the first attempt = good units − units whose first inspection result at
    that operation failed (reworked, re-inspected, or accepted as is).
Scrapped units and reworked units therefore both count against the yield; an operation
without an inspection plan loses only its scrap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from orderforge.quality.domain import Inspection

CAUSE_NOT_GIVEN = "Cause not given"


@dataclass(frozen=True)
class Completion:
    """One operation's completion as the floor reported it."""

    work_order: str
    seq: int
    work_centre: str
    good: int
    scrap: int
    at: dt.datetime
    #: the cause code the report gave (None before causes were asked for)
    scrap_cause: str | None = None


@dataclass(frozen=True)
class CentreYield:
    work_centre: str
    entered: int
    first_pass: int
    scrapped: int
    reworked: int

    @property
    def fpy(self) -> float | None:
        return self.first_pass / self.entered if self.entered else None


def first_pass_yield(
    completions: Iterable[Completion], failed_first: Mapping[tuple[str, int], int]
) -> list[CentreYield]:
    """FPY per work centre (see the module's definition), by work centre code;
    `failed_first` gives, per (work order, seq), the units whose first inspection failed."""
    totals: dict[str, list[int]] = {}
    for c in completions:
        reworked = min(failed_first.get((c.work_order, c.seq), 0), c.good)
        row = totals.setdefault(c.work_centre, [0, 0, 0, 0])
        row[0] += c.good + c.scrap
        row[1] += c.good - reworked
        row[2] += c.scrap
        row[3] += reworked
    return [CentreYield(centre, *row) for centre, row in sorted(totals.items())]


@dataclass(frozen=True)
class ParetoBar:
    cause: str
    quantity: int
    #: share of all scrap up to and including this cause, in percent
    cumulative_percent: float


def scrap_pareto(completions: Iterable[Completion]) -> list[ParetoBar]:
    """Scrapped units by cause, largest first (ties by cause name), with the cumulative
    share: the few causes that make most of the scrap come first."""
    by_cause: dict[str, int] = {}
    for c in completions:
        if c.scrap > 0:
            cause = (c.scrap_cause or "").strip() or CAUSE_NOT_GIVEN
            by_cause[cause] = by_cause.get(cause, 0) + c.scrap
    total = sum(by_cause.values())
    bars, running = [], 0
    for cause, quantity in sorted(by_cause.items(), key=lambda kv: (-kv[1], kv[0])):
        running += quantity
        bars.append(ParetoBar(cause, quantity, 100.0 * running / total))
    return bars


def failed_first_units(inspection: Inspection) -> int:
    """Units of the inspection whose first result of some characteristic failed: they
    were reworked and re-inspected, or accepted as they were, not passed the first time."""
    first: dict[tuple[str, int], bool] = {}
    for r in inspection.results:
        first.setdefault((r.characteristic, r.unit_serial), r.passed)
    return len({unit for (_, unit), passed in first.items() if not passed})

"""How long the floor really took against the plan: what every simulation learns from.

The plant-wide confidence study (simulation/study.py) and the confidence beside a quote
(promising) replay operation times that stray as the floor's own history says. Both must
learn the same spread from the same history, so it is learned here, once, below both.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from orderforge.plant import services as plant_data
from orderforge.plant.domain import Calendar, WorkCentre
from orderforge.production.domain import Operation as FloorOperation
from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.planning import DAY, working_intervals
from orderforge.services.ports import UnitOfWork

#: A work centre needs this many finished operations before its own history is trusted
#: over the stated default spread (a handful of ratios says little about the tails).
MIN_ACTUALS = 5
#: How many recent work orders the floor's history is read from.
HISTORY_WORK_ORDERS = 500
#: The spread (coefficient of variation) of operation times at a work centre with too
#: little history of its own.
DEFAULT_CV = 0.15


@dataclass(frozen=True)
class CentreSpread:
    """How one work centre's operation times were drawn in a study."""

    work_centre: str
    #: coefficient of variation of the ratios drawn (actual / planned minutes)
    cv: float
    #: the mean actual / planned ratio (1.0: the plan's times are right on average)
    mean_ratio: float
    actuals: int
    #: "learned" from the floor's history, or the stated "default"
    source: str


def learned_spreads(
    uow: UnitOfWork, centres: set[str], default_cv: float, learn: bool
) -> tuple[list[CentreSpread], dict[str, tuple[float, ...]]]:
    """Each work centre's spread, and the ratios to draw from where the centre has
    enough history of its own (the others use `default_cv`)."""
    pairs = actuals_by_centre(uow) if learn else {}
    learned: dict[str, tuple[float, ...]] = {}
    spreads = []
    for centre in sorted(centres):
        mine = pairs.get(centre, [])
        if len(mine) >= MIN_ACTUALS:
            ratios = tuple(actual / planned for planned, actual in mine)
            mean = statistics.fmean(ratios)
            cv = statistics.pstdev(ratios) / mean if mean > 0 else 0.0
            learned[centre] = ratios
            spreads.append(CentreSpread(centre, round(cv, 4), round(mean, 4), len(mine), "learned"))
        else:
            spreads.append(CentreSpread(centre, default_cv, 1.0, len(mine), "default"))
    return spreads, learned


def actuals_by_centre(uow: UnitOfWork) -> dict[str, list[tuple[int, int]]]:
    """(planned, actual) working minutes of the finished operations of recent work
    orders, by the work centre they ran on. Actual minutes count only the centre's
    working time between start and finish: a job started on Friday and finished on
    Monday did not take the weekend."""
    centres = {w.code: w for w in plant_data.active_work_centres(uow)}
    calendars = plant_data.calendars_by_code(uow)
    found: dict[str, list[tuple[int, int]]] = {}
    for work_order in uow.repository(WORK_ORDERS).recent(HISTORY_WORK_ORDERS):
        for op in work_order.operations:
            pair = _actual(work_order, op, centres, calendars)
            if pair is not None:
                found.setdefault(pair[0], []).append(pair[1])
    return found


def _actual(
    work_order: WorkOrder,
    op: FloorOperation,
    centres: dict[str, WorkCentre],
    calendars: dict[str, Calendar],
) -> tuple[str, tuple[int, int]] | None:
    if op.status is not OperationStatus.DONE or op.started_at is None or op.finished_at is None:
        return None
    centre = op.work_centre or (op.work_centres[0] if len(op.work_centres) == 1 else None)
    if centre is None or centre not in centres:
        return None
    planned = math.ceil(op.minutes(work_order.quantity))
    clock = (op.finished_at - op.started_at).total_seconds() / 60
    if planned <= 0 or clock <= 0:
        return None
    calendar = calendars.get(centres[centre].calendar_code)
    if calendar is None:
        return centre, (planned, max(1, round(clock)))
    span = math.ceil(clock)
    worked = sum(
        max(0, min(b, span) - a)
        for a, b in working_intervals(calendar, op.started_at, math.ceil(clock / DAY) + 1)
    )
    if worked <= 0:  # reported wholly outside working time: says nothing about the work
        return None
    return centre, (planned, worked)

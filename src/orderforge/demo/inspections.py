"""The demo's inspection results: every finished inspected operation of the demo orders
gets the measurements an inspector would have written down, so the quality charts show a
real process on a fresh demo.

Values scatter normally around the middle of the tolerance (sigma an eighth of its width:
a capable process, Cp about 1.3) with a slow drift over the year, and now and then a unit
measures outside the limits: it is reworked and re-inspected two hours later, within
limits, as the floor would. Pass/fail checks pass but for a rare failure, reworked the
same way. Deterministic: one `random.Random(seed)` and the work orders in number order.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.quality.domain import Characteristic, Inspection, InspectionPlan, InspectionStatus
from orderforge.quality.ports import QUALITY
from orderforge.services.ports import UnitOfWork

#: chance that a unit's measurement is out of tolerance on its first inspection
OUT_OF_LIMITS = 0.03
#: the drift over the demo's work orders, as a share of the tolerance's width
DRIFT = 0.2
REWORK_HOURS = 2


def load_inspections(uow: UnitOfWork, inspector: str, seed: int) -> int:
    """Record the demo's results; returns how many inspections were made."""
    rng = random.Random(seed)  # noqa: S311 -- demo data, not security
    orders = sorted(uow.repository(WORK_ORDERS).recent(100_000), key=lambda w: w.number)
    last = max(len(orders) - 1, 1)
    return inspect_work_orders(uow, [(w, i / last) for i, w in enumerate(orders)], inspector, rng)


def inspect_work_orders(
    uow: UnitOfWork,
    work_orders: list[tuple[WorkOrder, float]],
    inspector: str,
    rng: random.Random,
) -> int:
    """Inspect the finished operations of these work orders, each at its place in the
    drift (0 first, 1 last); the demo's history records its weeks' work this way too."""
    plans = {(p.family, p.operation): p for p in uow.repository(QUALITY).plans()}
    repo = uow.repository(QUALITY)
    made = 0
    for work_order, progress in work_orders:
        for op in work_order.operations:
            plan = plans.get((work_order.product_family, op.code))
            if plan is None or op.status is not OperationStatus.DONE or op.finished_at is None:
                continue
            inspection = _inspect(
                rng, work_order, op.seq, plan, op.finished_at, progress, inspector
            )
            repo.add(inspection)
            made += 1
    return made


def _inspect(
    rng: random.Random,
    work_order: WorkOrder,
    seq: int,
    plan: InspectionPlan,
    at: dt.datetime,
    progress: float,
    inspector: str,
) -> Inspection:
    inspection = Inspection(
        work_order=work_order.number,
        seq=seq,
        plan=plan,
        quantity=work_order.quantity,
        spec=dict(work_order.spec),
    )
    for unit in range(1, plan.required_units(work_order.quantity) + 1):
        values: dict[str, tuple[str, str]] = {}
        checks: dict[str, bool] = {}
        for c in plan.characteristics:
            if c.measured:
                values[c.code] = (_measure(rng, c, work_order.spec, progress, bad=True), c.unit)
            else:
                checks[c.code] = rng.random() > 0.01
        inspection.record(unit, values, checks, inspector=inspector, at=at)
        if inspection.status is InspectionStatus.FAILED:  # reworked, then re-inspected
            failed = {r.characteristic for r in inspection.latest().values() if not r.passed}
            inspection.record(
                unit,
                {
                    c.code: (_measure(rng, c, work_order.spec, progress, bad=False), c.unit)
                    for c in plan.characteristics
                    if c.code in failed and c.measured
                },
                {c.code: True for c in plan.characteristics if c.code in failed and not c.measured},
                inspector=inspector,
                at=at + dt.timedelta(hours=REWORK_HOURS),
                note="Re-inspected after rework.",
            )
    return inspection


def _measure(
    rng: random.Random, c: Characteristic, spec: dict[str, str], progress: float, bad: bool
) -> str:
    """A measurement: normal around mid-tolerance plus the drift; `bad` allows the rare
    out-of-tolerance unit, and a re-inspection after rework is always within limits."""
    nominal, low, high = c.limits(spec)
    width = float(high - low)
    middle = float(low + high) / 2 + DRIFT * width * (progress - 0.5)
    value = rng.gauss(middle, width / 8)
    if bad and rng.random() < OUT_OF_LIMITS:
        value = float(high) + width * rng.uniform(0.05, 0.3)
    elif not bad or not float(low) <= value <= float(high):
        value = min(max(value, float(low)), float(high))
    if float(low) >= 0 and float(nominal) >= 0:
        value = max(value, 0.0)
    return str(Decimal(f"{value:.2f}"))

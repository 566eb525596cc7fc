"""Capable-to-promise: the date, what binds it, the alternatives, and that a promise
made by insertion is kept when the whole plan is solved again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    SolverSettings,
    solve,
    validate,
)
from orderforge.engines.scheduling.insertion import NewOperation, Unit, insert
from orderforge.plant.domain import WorkCentre, WorkCentreKind
from orderforge.production.domain import MaterialNeed, PlannedStep
from orderforge.promising.domain import AlternativeKind, ConstraintKind, MaterialAnswer
from orderforge.promising.services import Capacity, LineWork, Supply, promise_work
from orderforge.services.ports import UnitOfWork

MONDAY = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
DAY = 1440
WEEKDAYS = [(d * DAY + 480, d * DAY + 960) for d in range(60) if d % 7 < 5]


def _centre(code: str, rate: str = "60") -> WorkCentre:
    return WorkCentre(
        code=code,
        name=f"{code.title()} centre",
        kind=WorkCentreKind.MACHINE,
        calendar_code="DAY",
        interruptible=False,
        hourly_rate=Decimal(rate),
    )


def _capacity(busy: dict[str, list[tuple[int, int, str]]] | None = None) -> Capacity:
    centres = {c: _centre(c) for c in ("SAW", "PAINT")}
    cap = Capacity(
        start=MONDAY,
        horizon=60 * DAY,
        zone=ZoneInfo("UTC"),
        centres=centres,
        centre_of={c: c for c in centres},
        calendars={c: list(WEEKDAYS) for c in centres},
        busy=busy or {},
        plan_version=3,
    )
    cap.index()
    return cap


def _work(minutes: int = 240, paint: int = 60, item: str = "OAK") -> list[LineWork]:
    steps = (
        PlannedStep("cut", "Cut", ("SAW",), Decimal(0), Decimal(minutes), ()),
        PlannedStep("paint", "Paint", ("PAINT",), Decimal(0), Decimal(paint), ("cut",)),
    )
    return [LineWork(1, 1, steps, (MaterialNeed(item, "Oak", Decimal(2), "m2"),))]


def _supply(days: float, express_days: float | None = None, extra: str = "80") -> Supply:
    def supply(
        uow: UnitOfWork, needs: list[tuple[str, Decimal]], now: dt.datetime
    ) -> list[MaterialAnswer]:
        return [
            MaterialAnswer(
                code,
                quantity,
                now + dt.timedelta(days=days),
                f"{code} arrives with PO-1",
                express_at=None if express_days is None else now + dt.timedelta(days=express_days),
                express_extra_cost=None if express_days is None else Decimal(extra),
                express_source=None if express_days is None else f"{code} by courier",
            )
            for code, quantity in needs
        ]

    return supply


UOW = cast(UnitOfWork, None)


def test_a_promise_bound_by_a_material_says_which_and_offers_the_express_supplier() -> None:
    now = MONDAY + dt.timedelta(hours=8)
    promise = promise_work(UOW, _capacity(), now, _work(), None, _supply(9, express_days=2))
    # Material on Wed 16 Dec 08:00 (9 days later), cut 4 h, paint 1 h: done that day.
    assert promise.date == dt.date(2026, 12, 16)
    assert promise.binding[0].kind is ConstraintKind.MATERIAL
    assert promise.binding[0].subject == "OAK"
    assert "PO-1" in promise.binding[0].detail
    [express] = [a for a in promise.alternatives if a.kind is AlternativeKind.EXPRESS_SUPPLIER]
    assert express.date == dt.date(2026, 12, 9)
    assert express.extra_cost == Decimal(80)
    assert [s.name for s in promise.steps] == ["Cut", "Paint"]


def test_a_promise_bound_by_a_work_centre_names_it_and_the_orders_in_the_way() -> None:
    # The saw is booked all week by two other orders; material is there now.
    busy = {"SAW": [(d * DAY + 480, d * DAY + 960, "SO-1" if d < 2 else "SO-2") for d in range(5)]}
    now = MONDAY + dt.timedelta(hours=8)
    requested = dt.date(2026, 12, 9)
    promise = promise_work(UOW, _capacity(busy), now, _work(100, 20), requested, _supply(0))
    assert promise.date == dt.date(2026, 12, 14)  # next Monday
    assert promise.binding[0].kind is ConstraintKind.WORK_CENTRE
    assert promise.binding[0].subject == "SAW"
    assert promise.requested_met is False and promise.days_late == 5
    kinds = {a.kind: a for a in promise.alternatives}
    assert kinds[AlternativeKind.PUSH_BACK].date == dt.date(2026, 12, 7)
    assert kinds[AlternativeKind.PUSH_BACK].orders == ("SO-1",)
    # Two hours of overtime after Monday's shift take the 100 minutes of cutting and the
    # 20 of painting: 120 minutes at 60 an hour times 1.5.
    overtime = kinds[AlternativeKind.OVERTIME]
    assert overtime.date == dt.date(2026, 12, 7)
    assert overtime.extra_cost == Decimal("180.00")


def test_the_requested_date_is_promised_when_it_can_be_kept() -> None:
    now = MONDAY + dt.timedelta(hours=8)
    promise = promise_work(UOW, _capacity(), now, _work(), dt.date(2026, 12, 20), _supply(0))
    assert promise.date == dt.date(2026, 12, 7)
    assert promise.requested_met is True
    assert promise.commit_date == dt.date(2026, 12, 20)
    assert promise.binding[0].kind is ConstraintKind.ROUTING


def test_a_material_that_cannot_be_sourced_is_a_reason_not_a_crash() -> None:
    def nothing(
        uow: UnitOfWork, needs: list[tuple[str, Decimal]], now: dt.datetime
    ) -> list[MaterialAnswer]:
        return [
            MaterialAnswer(c, q, None, "", f"no stock, no purchase order and no supplier for {c}")
            for c, q in needs
        ]

    promise = promise_work(UOW, _capacity(), MONDAY, _work(), None, nothing)
    assert promise.date is None
    assert promise.cannot is not None and "no supplier for OAK" in promise.cannot
    assert promise.summary().startswith("Cannot be promised")


def test_a_step_no_work_centre_can_do_cannot_be_promised() -> None:
    steps = (PlannedStep("weld", "Weld", ("WELD",), Decimal(0), Decimal(10), ()),)
    work = [LineWork(1, 1, steps, ())]
    promise = promise_work(UOW, _capacity(), MONDAY, work, None, _supply(0))
    assert promise.date is None and promise.cannot is not None and "Weld" in promise.cannot


# -- a committed promise is kept by the next full plan -----------------------------------


@st.composite
def _shops(draw: st.DrawFn) -> dict[str, Any]:
    resources = [f"M{i}" for i in range(draw(st.integers(1, 3)))]
    jobs = []
    for _j in range(draw(st.integers(1, 4))):
        ops = [
            (
                draw(st.lists(st.sampled_from(resources), min_size=1, max_size=2, unique=True)),
                draw(st.integers(10, 180)),
            )
            for _ in range(draw(st.integers(1, 3)))
        ]
        jobs.append(ops)
    new = [
        (
            draw(st.lists(st.sampled_from(resources), min_size=1, max_size=2, unique=True)),
            draw(st.integers(10, 180)),
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    return {"resources": resources, "jobs": jobs, "new": new, "release": draw(st.integers(0, 600))}


def _operations(job: str, spec: list[tuple[list[str], int]]) -> list[Operation]:
    return [
        Operation(
            f"{job}/{i}",
            job,
            [Mode(r, d) for r in units],
            predecessors=(f"{job}/{i - 1}",) if i else (),
        )
        for i, (units, d) in enumerate(spec)
    ]


@settings(max_examples=12, deadline=None)
@given(_shops())
def test_a_committed_promise_replayed_through_the_engine_is_met(shop: dict[str, Any]) -> None:
    """Plan the existing orders, promise a new one by insertion, then solve everything
    again with the promise as the new order's due date: the engine keeps it (the
    insertion is a plan that meets it, so the optimum cannot be late)."""
    horizon = 14 * DAY
    calendar = [(d * DAY + 480, d * DAY + 960) for d in range(14) if d % 7 < 5]
    resources = [Resource(r, calendar) for r in shop["resources"]]
    existing_ops = [op for j, spec in enumerate(shop["jobs"]) for op in _operations(f"J{j}", spec)]
    existing_jobs = [Job(f"J{j}") for j in range(len(shop["jobs"]))]
    quick = SolverSettings(time_limit=5, num_workers=1, random_seed=1)
    first = solve(ProblemData(existing_jobs, existing_ops, resources, horizon), quick)
    busy: dict[str, list[tuple[int, int]]] = {}
    for s in first.schedule.values():
        busy.setdefault(s.resource, []).append((s.start, s.end))
    units = {r: Unit(r, calendar, busy.get(r, []), False) for r in shop["resources"]}
    new_ops = _operations("NEW", shop["new"])
    inserted = insert(
        units,
        [
            NewOperation(o.key, o.modes, o.predecessors, shop["release"] if i == 0 else 0)
            for i, o in enumerate(new_ops)
        ],
        horizon,
    )
    if inserted.end is None:
        return  # nothing promised
    promised = inserted.end
    # Everyone keeps what the first plan gave them; the new order gets its promise.
    dues = {
        j.key: max(first.schedule[o.key].end for o in existing_ops if o.job == j.key)
        for j in existing_jobs
    }
    jobs = [Job(j.key, due=dues[j.key]) for j in existing_jobs]
    jobs.append(Job("NEW", release=shop["release"], due=promised))
    reference = list(first.schedule.values()) + [
        ScheduledOperation(p.operation, p.resource, p.start, p.end)
        for p in inserted.placements.values()
    ]
    problem = ProblemData(jobs, existing_ops + new_ops, resources, horizon, reference=reference)
    result = solve(problem, quick)
    assert not validate(problem, list(result.schedule.values()))
    assert result.jobs["NEW"].tardiness == 0
    assert all(outcome.tardiness == 0 for outcome in result.jobs.values())

"""Quoting policies: the fixed ERP lead time, and capable-to-promise with a margin learned
from the run's own history of slips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import Mode, WorkingTime
from orderforge.engines.scheduling.insertion import NewOperation, Unit
from orderforge.engines.simulation.quoting import (
    CapableToPromise,
    FixedLeadTime,
    Quote,
    Quoter,
    QuoteRequest,
    ScenarioInputError,
    day_of_end,
)
from orderforge.engines.simulation.scenario import (
    Family,
    PoissonArrivals,
    Scenario,
    Step,
    Variability,
    WorkCentre,
    run_scenario,
)

DAY = 1440
HORIZON = 28 * DAY
#: Monday to Friday 06:00-14:00 for four weeks
SHIFT = [(d * DAY + 360, d * DAY + 840) for d in range(28) if d % 7 < 5]


def _request(
    arrival: int,
    busy: list[tuple[int, int]],
    minutes: int = 120,
    order: str = "O1",
    kind: str = "",
) -> QuoteRequest:
    units = {"saw": Unit("saw", SHIFT, busy, interruptible=True)}
    ops = [NewOperation(f"{order}:0", [Mode("saw", minutes)])]
    return QuoteRequest(order, arrival, ops, lambda: units, HORIZON, kind)


def test_a_fixed_lead_time_ignores_the_plant() -> None:
    quoter = FixedLeadTime(5).quoter()
    idle, swamped = _request(DAY + 100, []), _request(DAY + 100, [(0, HORIZON)])
    assert quoter.quote(idle) == quoter.quote(swamped) == Quote(6)
    assert Quote(6).due == 7 * DAY


def test_capable_to_promise_quotes_the_day_the_plan_finishes() -> None:
    quoter = CapableToPromise(0.9).quoter()
    # Monday 07:00, saw free: 07:00-09:00 the same day
    quote = quoter.quote(_request(420, []))
    assert (quote.due_day, quote.planned_finish, dict(quote.planned_starts)) == (
        0,
        540,
        {"O1:0": 420},
    )
    # busy until Tuesday 13:00: one hour on Tuesday, one on Wednesday
    late = quoter.quote(_request(420, [(360, DAY + 780)]))
    assert (late.due_day, late.planned_finish) == (2, 2 * DAY + 420)


def test_an_order_that_cannot_fit_is_promised_the_horizon() -> None:
    quote = CapableToPromise().quoter().quote(_request(420, [(0, HORIZON)]))
    assert quote.planned_finish is None
    assert quote.due_day == day_of_end(HORIZON)


def _slip(quoter: Quoter, order: str, minutes: int, kind: str = "") -> None:
    """Quote `order` on Monday 07:00 (planned 07:00-09:00) and finish it `minutes` of
    working time late (negative: early)."""
    planned = quoter.quote(_request(420, [], order=order, kind=kind)).planned_finish
    assert planned == 540
    finish = WorkingTime(SHIFT, HORIZON).stretch(540, minutes) if minutes >= 0 else 540 + minutes
    assert finish is not None
    quoter.observe(order, finish)


def test_the_margin_follows_the_slips_it_has_seen_in_working_time() -> None:
    quoter = CapableToPromise(confidence=0.9, window=40, min_history=10).quoter()
    monday_13, friday_13 = 780, 4 * DAY + 780
    # planned to end with Monday's shift at 14:00: with no slip seen, promised Monday
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 0
    # a cold start takes the worst slip seen so far: 30 minutes more runs into Tuesday
    _slip(quoter, "A", 30)
    _slip(quoter, "B", -20)
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 1
    # on a Friday those 30 working minutes are Monday's: no weekend in the margin
    assert quoter.quote(_request(friday_13, [], minutes=60)).due_day == 7
    # enough history: seven slips of 30 minutes among 38 put the 90 % quantile at 30
    for n in range(30):
        _slip(quoter, f"C{n}", 0)
    for n in range(6):
        _slip(quoter, f"D{n}", 30)
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 1
    # the window forgets: forty on-plan orders push the slips out
    for n in range(40):
        _slip(quoter, f"E{n}", 0)
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 0
    # early finishes do not pull promises before the plan's own finish
    for n in range(40):
        _slip(quoter, f"F{n}", -60)
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 0
    # orders it never quoted from a plan teach nothing
    quoter.observe("unknown", 10 * DAY)
    assert quoter.quote(_request(monday_13, [], minutes=60)).due_day == 0


def test_each_kind_of_order_learns_its_own_margin_once_it_has_history() -> None:
    quoter = CapableToPromise(confidence=0.9, min_history=5).quoter()
    monday_13 = 780
    for n in range(10):
        _slip(quoter, f"B{n}", 300, kind="dining set")
    # chairs have no history of their own yet: the pooled one (large slips) stands in
    chair = _request(monday_13, [], minutes=60, kind="chair")
    assert quoter.quote(chair).due_day == 1
    for n in range(5):
        _slip(quoter, f"C{n}", 0, kind="chair")
    assert quoter.quote(chair).due_day == 0
    # sets keep their own margin: 300 working minutes after Monday 14:00 is Tuesday 11:00
    assert quoter.quote(_request(monday_13, [], minutes=60, kind="dining set")).due_day == 1


@settings(max_examples=40, deadline=None)
@given(
    errors=st.lists(st.integers(-180, 3000), min_size=5, max_size=60),
    confidence=st.floats(0.5, 0.99),
)
def test_the_promise_covers_at_least_the_confidence_share_of_past_slips(
    errors: list[int], confidence: float
) -> None:
    """Whatever the history, the promise would have been kept by at least `confidence`
    of the slips it learned from, and it is never before the order day."""
    quoter = CapableToPromise(confidence=confidence, min_history=5).quoter()
    for n, error in enumerate(errors):
        _slip(quoter, f"O{n}", error)
    quote = quoter.quote(_request(420, []))
    slack = WorkingTime(SHIFT, HORIZON).working_minutes(540, quote.due)
    assert np.mean([e <= slack for e in errors]) >= confidence
    assert quote.due_day >= 0


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: FixedLeadTime(-1), "quoting.days"),
        (lambda: CapableToPromise(0.0), "quoting.confidence"),
        (lambda: CapableToPromise(1.0), "quoting.confidence"),
        (lambda: CapableToPromise(0.9, window=0), "quoting.window"),
        (lambda: CapableToPromise(0.9, min_history=0), "quoting.min_history"),
    ],
)
def test_bad_settings_name_the_field(build: object, field: str) -> None:
    with pytest.raises(ScenarioInputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field


def test_capable_to_promise_at_95_keeps_its_promises_on_a_busy_plant() -> None:
    """About 75 % load on the welder, operation times with cv 0.5 and breakdowns; over
    some 300 counted orders (two seeds) at least 90 % are finished by their promise, and
    the promise is shorter than the fixed lead time that would keep as many."""
    families = [
        Family("chair", [Step("cut", 45), Step("weld", 120), Step("paint", 40)]),
        Family("table", [Step("cut", 60), Step("weld", 90), Step("paint", 60), Step("cut", 20)]),
    ]
    scenario = Scenario(
        name="busy",
        weeks=10,
        arrivals=PoissonArrivals({"chair": 16.0, "table": 16.0}),
        families=families,
        resources=[
            WorkCentre("cut", machines=1, shifts_per_day=2),
            WorkCentre("weld", machines=1, shifts_per_day=2),
            WorkCentre("paint", machines=1, shifts_per_day=2),
        ],
        quoting=CapableToPromise(0.95),
        variability=Variability(cv=0.5, mtbf_hours=40, mttr_hours=2),
        warmup_weeks=3,
    )
    results = [run_scenario(scenario, seed) for seed in (1, 2)]
    orders = [o for r in results for o in r.orders if o.arrival >= 3 * 7 * DAY]
    assert len(orders) >= 250
    assert min(r.kpis.utilisation["weld"] for r in results) >= 0.65
    on_time = sum(o.on_time for o in orders) / len(orders)
    assert on_time >= 0.90
    # the shortest fixed lead time keeping as many orders on time, on the same orders
    lead = sorted(o.finish // DAY - o.arrival // DAY for o in orders if o.finish is not None)
    fixed = lead[int(np.ceil(on_time * len(lead))) - 1]
    quoted = np.mean([o.quoted_lead_days for o in orders])
    assert quoted < fixed

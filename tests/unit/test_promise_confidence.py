"""The confidence beside a promise: the date at a confidence is met at least that often,
dates rise with the confidence, the replay of a quote gives the insertion back when
nothing varies and lets overrunning work ahead delay it, and a confidence outside what
sales may quote at is refused with the field named."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.domain.errors import InvalidInput, PermissionDenied
from orderforge.domain.user import Role
from orderforge.engines.scheduling.insertion import NewOperation, Unit, insert
from orderforge.engines.scheduling.problem import Mode
from orderforge.engines.simulation import SimulationInputError, Variability
from orderforge.engines.simulation.quote import QUOTE, quote_finishes, quote_model
from orderforge.promising.domain import (
    CentreBasis,
    Promise,
    PromiseConfidence,
    chance_by,
    date_at,
    level_key,
)
from orderforge.promising.services import _check_confidence, promise_view
from orderforge.services.ports import Principal

DAY = 1440
#: Monday to Friday 08:00-16:00 for six weeks, in minutes from a Monday 00:00.
WEEKDAYS = [(d * DAY + 480, d * DAY + 960) for d in range(42) if d % 7 < 5]
HORIZON = 42 * DAY
MONDAY = dt.date(2026, 12, 7)

days = st.lists(
    st.integers(min_value=0, max_value=60).map(lambda n: MONDAY + dt.timedelta(days=n)),
    min_size=1,
    max_size=300,
)
levels = st.floats(min_value=0.5, max_value=0.99)


# -- the quantile and the chance --------------------------------------------------------


@given(days, levels, st.integers(min_value=0, max_value=60))
def test_the_date_at_a_confidence_is_met_at_least_that_often(
    finished: list[dt.date], level: float, offset: int
) -> None:
    earliest = MONDAY + dt.timedelta(days=offset)
    day = date_at(finished, level, earliest)
    assert chance_by(finished, day) >= level
    assert day >= earliest
    # and it is the first such date unless the plan's own date holds it back
    if day > earliest:
        assert chance_by(finished, day - dt.timedelta(days=1)) < level


@given(days, st.lists(levels, min_size=2, max_size=5))
def test_dates_rise_with_the_confidence(finished: list[dt.date], asked: list[float]) -> None:
    found = [date_at(finished, level, MONDAY) for level in sorted(asked)]
    assert found == sorted(found)


def test_a_date_needs_replays_and_a_confidence_in_range() -> None:
    with pytest.raises(ValueError):
        date_at([], 0.8, MONDAY)
    with pytest.raises(ValueError):
        date_at([MONDAY], 0, MONDAY)
    with pytest.raises(ValueError):
        chance_by([], MONDAY)


def _promise(
    date: dt.date, requested: dt.date | None, asked: float | None, at: dict[float, dt.date]
) -> Promise:
    sure = PromiseConfidence(asked, at, 0.9, 200, 1, (CentreBasis("SAW", 40, "learned"),))
    return Promise(
        date=date,
        finish=None,
        requested=requested,
        confidence=sure,
    )


def test_quoting_at_a_confidence_promises_its_date_never_the_plans_earlier_one() -> None:
    at = {0.5: MONDAY, 0.8: MONDAY + dt.timedelta(days=2), 0.9: MONDAY + dt.timedelta(days=4)}
    plain = _promise(MONDAY, None, None, at)
    assert plain.commit_date == MONDAY  # not asked: the plan's own date, as before
    sure = _promise(MONDAY, None, 0.9, at)
    assert sure.commit_date == MONDAY + dt.timedelta(days=4)
    assert "90% confidence" in sure.summary()
    # the requested date is promised when the date at the confidence keeps it ...
    kept = _promise(MONDAY, MONDAY + dt.timedelta(days=6), 0.9, at)
    assert kept.commit_date == MONDAY + dt.timedelta(days=6) and kept.requested_met
    # ... and not when only the plan's own date would
    missed = _promise(MONDAY, MONDAY + dt.timedelta(days=1), 0.9, at)
    assert missed.commit_date == MONDAY + dt.timedelta(days=4)
    assert missed.requested_met is False and missed.days_late == 3
    # a date at the confidence before the plan's own (a floor that runs fast) is not used
    early = _promise(MONDAY + dt.timedelta(days=5), None, 0.9, at)
    assert early.commit_date == MONDAY + dt.timedelta(days=5)


def test_the_basis_says_when_the_spread_was_assumed() -> None:
    learned = CentreBasis("SAW", 40, "learned")
    assumed = CentreBasis("CNC", 2, "default")
    sure = PromiseConfidence(None, {0.5: MONDAY}, 1.0, 200, 1, (learned, assumed))
    assert sure.basis == "partly default spread" and sure.actuals == 40
    assert PromiseConfidence(None, {}, 1.0, 1, 1, (assumed,)).basis == "default spread"
    assert PromiseConfidence(None, {}, 1.0, 1, 1, (learned,)).basis == "learned"


def test_level_keys_never_collide() -> None:
    assert [level_key(x) for x in (0.5, 0.8, 0.95, 0.99)] == ["p50", "p80", "p95", "p99"]
    assert level_key(0.801) != level_key(0.8)


# -- who may ask, and what ---------------------------------------------------------------

STAFF = Principal(1, "sales", Role.SALES, "Sales")
CUSTOMER = Principal(2, "alpina", Role.CUSTOMER, "Alpina", customer_id=7)


@pytest.mark.parametrize("bad", [0.3, 0.995, 1.0, 1.5, -1.0, float("nan"), float("inf"), True])
def test_a_confidence_sales_cannot_quote_at_is_refused_naming_the_field(bad: float) -> None:
    with pytest.raises(InvalidInput) as refused:
        _check_confidence(STAFF, bad, assess=False)
    assert refused.value.field == "confidence"


def test_staff_get_the_confidence_and_customers_neither_get_nor_ask_for_it() -> None:
    assert _check_confidence(STAFF, None, assess=True) is True
    assert _check_confidence(STAFF, None, assess=False) is False  # the quick answer
    for level in (0.5, 0.99):  # a confidence asked for is assessed
        assert _check_confidence(STAFF, level, assess=False) is True
    assert _check_confidence(CUSTOMER, None, assess=True) is False
    with pytest.raises(PermissionDenied):
        _check_confidence(CUSTOMER, 0.9, assess=True)


def test_the_customers_view_carries_the_date_but_not_the_confidence() -> None:
    at = {0.5: MONDAY, 0.8: MONDAY, 0.9: MONDAY + dt.timedelta(days=1), 0.95: MONDAY}
    promise = _promise(MONDAY, None, 0.9, at)
    staff = promise_view(promise, STAFF)
    assert staff["confidence"] is not None
    shown = staff["confidence"]
    assert isinstance(shown, dict) and shown["dates"]["p90"] == MONDAY + dt.timedelta(days=1)
    assert shown["basis"] == "learned" and shown["actuals"] == 40
    customer = promise_view(promise, CUSTOMER)
    assert customer["confidence"] is None and customer["plan_version"] is None
    assert customer["promise_date"] == MONDAY + dt.timedelta(days=1)


# -- the replay of one quote ---------------------------------------------------------------


def _units(busy: dict[str, list[tuple[int, int]]], interruptible: bool) -> dict[str, Unit]:
    return {k: Unit(k, WEEKDAYS, busy.get(k, []), interruptible) for k in ("SAW", "PAINT")}


def _ops(cut: int, paint: int) -> list[NewOperation]:
    return [
        NewOperation("cut", [Mode("SAW", cut)]),
        NewOperation("paint", [Mode("PAINT", paint)], ("cut",)),
    ]


busy_lists = st.lists(
    st.tuples(st.integers(0, 10 * DAY), st.integers(10, 600)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    busy_lists,
    busy_lists,
    st.integers(10, 900),
    st.integers(10, 900),
    st.booleans(),
    st.integers(0, 3 * DAY),
)
def test_with_nothing_varying_the_replay_gives_the_insertion_back(
    saw: list[tuple[int, int]],
    paint: list[tuple[int, int]],
    cut_minutes: int,
    paint_minutes: int,
    interruptible: bool,
    now: int,
) -> None:
    units = _units({"SAW": saw, "PAINT": paint}, interruptible)
    ops = _ops(cut_minutes, paint_minutes)
    placed = insert(units, ops, HORIZON, now)
    if placed.end is None:
        return
    model = quote_model(units, ops, placed, HORIZON, {}, now=now)
    assert quote_finishes(model, [1, 2]) == [placed.end, placed.end]


def test_work_ahead_that_overruns_delays_the_quote_and_the_same_seeds_repeat() -> None:
    # the saw is busy all Monday morning; the quote's cut follows at once
    units = _units({"SAW": [(480, 720)]}, interruptible=False)
    ops = _ops(120, 60)
    placed = insert(units, ops, HORIZON, 480)
    assert placed.placements["cut"].start == 720
    slow = {"SAW": Variability(ratios=(2.0,))}  # everything on the saw takes twice as long
    finishes = quote_finishes(quote_model(units, ops, placed, HORIZON, slow, now=480), [1])
    assert finishes[0] > placed.end  # type: ignore[operator]
    spread = {"SAW": Variability(cv=0.4), "PAINT": Variability(cv=0.4)}
    model = quote_model(units, ops, placed, HORIZON, spread, now=480)
    assert quote_finishes(model, range(1, 40)) == quote_finishes(model, range(1, 40))
    assert len(set(quote_finishes(model, range(1, 40)))) > 1
    assert QUOTE in model.jobs


def test_only_the_queue_just_ahead_is_replayed() -> None:
    # ten pieces of work on the saw on Monday before the quote's cut; 3 are replayed
    busy = [(480 + 40 * i, 480 + 40 * i + 30) for i in range(10)]
    units = _units({"SAW": busy}, interruptible=False)
    ops = _ops(60, 60)
    placed = insert(units, ops, HORIZON, 480)
    spread = {"SAW": Variability(cv=0.5)}  # one in twenty runs 1.8 times as long or more
    model = quote_model(units, ops, placed, HORIZON, spread, now=480, queue=3)
    ahead = [k for k in model.jobs if k != QUOTE]
    assert len(ahead) == 3
    # and work before `now` is the floor's, not the queue's
    later = quote_model(units, ops, placed, HORIZON, spread, now=480 + 40 * 9, queue=3)
    assert len([k for k in later.jobs if k != QUOTE]) == 1
    # work that never runs long reaches only what follows it at once
    exact = quote_model(units, ops, placed, HORIZON, {}, now=480, queue=3)
    assert [s.planned_start for k, s in exact.steps.items() if k.startswith("ahead/")] == [840]


def test_a_quote_with_a_step_left_unplaced_is_not_replayed() -> None:
    units = _units({}, interruptible=False)
    ops = [NewOperation("cut", [Mode("LATHE", 60)])]
    placed = insert(units, ops, HORIZON, 0)
    with pytest.raises(SimulationInputError):
        quote_model(units, ops, placed, HORIZON, {})


def test_work_too_far_ahead_to_reach_the_quote_is_not_replayed() -> None:
    # 08:00-08:30 and 14:00-15:00 on the saw; the quote's cut starts at 15:00. The first
    # piece would have to take 11 times as long to reach it; the second is right ahead.
    units = _units({"SAW": [(480, 510), (840, 900)]}, interruptible=False)
    ops = _ops(60, 60)
    placed = insert(units, ops, HORIZON, 900)
    assert placed.placements["cut"].start == 900
    spread = {"SAW": Variability(ratios=(0.9, 1.0, 1.1, 2.0))}
    model = quote_model(units, ops, placed, HORIZON, spread, now=0)
    assert sorted(s.planned_start for k, s in model.steps.items() if k.startswith("ahead/")) == [
        840
    ]

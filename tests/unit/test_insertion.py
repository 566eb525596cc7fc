"""Inserting one job into a plan's free time (the capable-to-promise engine)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import Mode, WorkingTime
from orderforge.engines.scheduling.insertion import Bound, NewOperation, Unit, insert

DAY = 1440
#: Mon-Fri 08:00-16:00 for two weeks, minute 0 = Monday 00:00
WEEKDAYS = [(d * DAY + 480, d * DAY + 960) for d in range(14) if d % 7 < 5]


def test_an_empty_plant_places_a_chain_back_to_back() -> None:
    units = {"SAW": Unit("SAW", WEEKDAYS), "PAINT": Unit("PAINT", WEEKDAYS)}
    ops = [
        NewOperation("cut", [Mode("SAW", 120)]),
        NewOperation("paint", [Mode("PAINT", 60)], predecessors=["cut"]),
    ]
    result = insert(units, ops, horizon=14 * DAY)
    cut, paint = result.placements["cut"], result.placements["paint"]
    assert (cut.start, cut.end, cut.bound) == (480, 600, Bound.CALENDAR)
    assert (paint.start, paint.end, paint.bound, paint.after) == (
        600,
        660,
        Bound.PREDECESSOR,
        "cut",
    )
    assert result.end == 660
    assert [p.operation for p in result.chain()] == ["paint", "cut"]


def test_busy_time_delays_and_is_named_capacity() -> None:
    units = {"SAW": Unit("SAW", WEEKDAYS, busy=[(480, 900)])}
    result = insert(units, [NewOperation("cut", [Mode("SAW", 120)])], horizon=14 * DAY)
    cut = result.placements["cut"]
    # 900-960 is too short for 120 minutes on a non-interruptible unit: next day.
    assert (cut.start, cut.end) == (DAY + 480, DAY + 600)
    assert cut.bound is Bound.CAPACITY
    assert cut.queued == DAY + 480 - 480


def test_interruptible_work_spans_the_night_but_not_other_work() -> None:
    units = {"DRY": Unit("DRY", WEEKDAYS, busy=[(DAY + 480, DAY + 540)], interruptible=True)}
    result = insert(
        units, [NewOperation("dry", [Mode("DRY", 120)])], horizon=14 * DAY, earliest=900
    )
    dry = result.placements["dry"]
    # 900-960 (60 min) then the next morning would hit the busy hour: start after it.
    assert (dry.start, dry.end) == (DAY + 540, DAY + 660)
    assert dry.bound is Bound.CAPACITY


def test_the_release_binds_when_material_comes_last() -> None:
    units = {"SAW": Unit("SAW", WEEKDAYS)}
    ops = [NewOperation("cut", [Mode("SAW", 60)], release=2 * DAY + 600)]
    cut = insert(units, ops, horizon=14 * DAY).placements["cut"]
    assert (cut.start, cut.bound) == (2 * DAY + 600, Bound.RELEASE)


def test_the_unit_that_finishes_first_wins() -> None:
    units = {
        "CNC#1": Unit("CNC#1", WEEKDAYS, busy=[(480, 960)]),
        "CNC#2": Unit("CNC#2", WEEKDAYS),
    }
    ops = [NewOperation("mill", [Mode("CNC#1", 30), Mode("CNC#2", 200)])]
    mill = insert(units, ops, horizon=14 * DAY).placements["mill"]
    assert (mill.resource, mill.start, mill.end) == ("CNC#2", 480, 680)


def test_an_operation_that_never_fits_is_unplaced_with_its_successors() -> None:
    units = {"SAW": Unit("SAW", WEEKDAYS)}
    ops = [
        NewOperation("cut", [Mode("SAW", 600)]),  # longer than any shift
        NewOperation("pack", [Mode("SAW", 10)], predecessors=["cut"]),
    ]
    result = insert(units, ops, horizon=14 * DAY)
    assert result.unplaced == ("cut", "pack")
    assert result.end is None


def test_a_cycle_is_refused() -> None:
    ops = [
        NewOperation("a", [Mode("SAW", 1)], predecessors=["b"]),
        NewOperation("b", [Mode("SAW", 1)], predecessors=["a"]),
    ]
    with pytest.raises(ValueError, match="cycle"):
        insert({"SAW": Unit("SAW", None)}, ops, horizon=100)


@st.composite
def _instances(draw: st.DrawFn) -> tuple[dict[str, Unit], list[NewOperation], int]:
    horizon = 3 * DAY
    units: dict[str, Unit] = {}
    for i in range(draw(st.integers(1, 3))):
        key = f"R{i}"
        starts = sorted(draw(st.lists(st.integers(0, horizon - 60), min_size=1, max_size=6)))
        calendar = [(s, s + draw(st.integers(30, 600))) for s in starts]
        busy_starts = draw(st.lists(st.integers(0, horizon), max_size=8))
        busy = [(s, s + draw(st.integers(1, 300))) for s in busy_starts]
        units[key] = Unit(key, calendar, busy, draw(st.booleans()))
    ops: list[NewOperation] = []
    for j in range(draw(st.integers(1, 5))):
        resources = draw(st.lists(st.sampled_from(sorted(units)), min_size=1, unique=True))
        modes = [Mode(r, draw(st.integers(1, 240))) for r in resources]
        preds = [f"o{p}" for p in range(j) if draw(st.booleans())]
        ops.append(NewOperation(f"o{j}", modes, preds, draw(st.integers(0, DAY))))
    return units, ops, horizon


@settings(max_examples=150, deadline=None)
@given(_instances())
def test_every_placement_respects_calendar_busy_time_precedence_and_release(
    instance: tuple[dict[str, Unit], list[NewOperation], int],
) -> None:
    units, ops, horizon = instance
    result = insert(units, ops, horizon)
    assert set(result.placements) | set(result.unplaced) == {o.key for o in ops}
    mine: dict[str, list[tuple[int, int]]] = {}
    for op in ops:
        placed = result.placements.get(op.key)
        if placed is None:
            continue
        unit = units[placed.resource]
        duration = next(m.duration for m in op.modes if m.resource == placed.resource)
        time = WorkingTime(unit.calendar, horizon)
        assert placed.start >= op.release
        if unit.interruptible:
            assert time.interval_index(placed.start) is not None
            assert time.working_minutes(placed.start, placed.end) == duration
        else:
            assert placed.end - placed.start == duration
            k = time.interval_index(placed.start)
            assert k is not None and placed.end <= time.ends[k]
        for a, b in list(unit.busy) + mine.get(placed.resource, []):
            assert b <= placed.start or a >= placed.end or b <= a
        for p in op.predecessors:
            assert p in result.placements and result.placements[p].end <= placed.start
        mine.setdefault(placed.resource, []).append((placed.start, placed.end))


@settings(max_examples=100, deadline=None)
@given(_instances())
def test_a_single_operation_gets_the_earliest_feasible_finish(
    instance: tuple[dict[str, Unit], list[NewOperation], int],
) -> None:
    """Brute force over every start minute agrees with the insertion for one operation."""
    units, ops, horizon = instance
    op = NewOperation(ops[0].key, ops[0].modes, (), ops[0].release)
    placed = insert(units, [op], horizon).placements.get(op.key)
    best: int | None = None
    for mode in op.modes:
        unit = units[mode.resource]
        time = WorkingTime(unit.calendar, horizon)
        for start in range(op.release, horizon, 5):
            fit = time.earliest(start, mode.duration, unit.interruptible)
            if fit is None:
                break
            if all(b <= fit[0] or a >= fit[1] or b <= a for a, b in unit.busy):
                best = fit[1] if best is None else min(best, fit[1])
                break
    if best is None:
        assert placed is None
    else:
        assert placed is not None and placed.end <= best

"""Open-plant scenarios: hand-checkable runs, bad input, and the directions the what-ifs
must move the KPIs in."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.simulation.quoting import (
    CapableToPromise,
    FixedLeadTime,
    QuotingPolicy,
)
from orderforge.engines.simulation.scenario import (
    Dispatch,
    Family,
    ForecastArrivals,
    PoissonArrivals,
    Scenario,
    ScenarioInputError,
    Step,
    Supply,
    Variability,
    WorkCentre,
    compare,
    format_table,
    run_scenario,
    with_demand,
    with_machine,
    with_quoting,
    with_shift,
)

DAY = 1440
WEEK = 7 * DAY


def _one_saw(counts: list[int], minutes: float, centre: WorkCentre) -> Scenario:
    return Scenario(
        name="saw",
        weeks=len(counts),
        arrivals=ForecastArrivals({"box": counts}, even=True),
        families=[Family("box", [Step("saw", minutes)])],
        resources=[centre],
        quoting=FixedLeadTime(2),
    )


def test_a_plant_open_around_the_clock_makes_each_order_in_its_own_hour() -> None:
    """Seven orders a week spaced evenly arrive every day at 12:00; the saw runs 24/7
    from Monday 06:00, so each order takes exactly its 60 minutes and nobody waits."""
    scenario = _one_saw(
        [7, 7], 60, WorkCentre("saw", machines=1, shifts_per_day=3, days_per_week=7)
    )
    result = run_scenario(scenario, seed=0)
    assert [o.arrival for o in result.orders] == [d * DAY + 720 for d in range(14)]
    assert all(o.finish == o.arrival + 60 for o in result.orders)
    # a fixed lead time of 2 days: due at the end of the day two days later
    assert all(o.due == (o.arrival // DAY + 3) * DAY for o in result.orders)
    kpis = result.kpis
    assert (kpis.orders, kpis.unfinished) == (14, 0)
    assert kpis.on_time_pct == 100.0
    assert kpis.mean_quoted_lead_days == kpis.p90_quoted_lead_days == 2.0
    assert kpis.mean_actual_lead_days == pytest.approx(60 / DAY)
    # 14 hours of work; the saw is closed only on Monday of week 0 before 06:00
    assert kpis.utilisation["saw"] == pytest.approx(14 * 60 / (2 * WEEK - 360))
    assert kpis.mean_wip == pytest.approx(14 * 60 / (2 * WEEK))
    assert kpis.bottleneck == "saw"


def test_an_operation_waits_for_its_shift_and_pauses_over_night_and_weekend() -> None:
    """Three orders a week spaced evenly arrive Tuesday 04:00, Thursday 12:00 and Saturday
    20:00; one shift 06:00-14:00 Monday to Friday; 400 minutes each. The first waits for
    06:00 and ends 12:40; the second runs 12:00-14:00 and 06:00-10:40 on Friday; the third
    waits for Monday and ends 12:40."""
    shift = WorkCentre("saw", machines=1, shifts_per_day=1, days_per_week=5)
    scenario = replace(_one_saw([3], 400, shift), quoting=CapableToPromise(0.9))
    orders = run_scenario(scenario, seed=3).orders
    assert [(o.arrival, o.finish) for o in orders] == [
        (1 * DAY + 240, 1 * DAY + 760),
        (3 * DAY + 720, 4 * DAY + 640),
        (5 * DAY + 1200, 7 * DAY + 760),
    ]
    # nothing varies: the plan's finish is the real one, and the promise is its day
    assert [o.planned_finish for o in orders] == [o.finish for o in orders]
    assert [o.quoted_lead_days for o in orders] == [0, 1, 2]
    assert all(o.on_time for o in orders)


def _plant(load_weeks: int = 8, rate: float = 14.0) -> Scenario:
    families = [
        Family("chair", [Step("cut", 60), Step("weld", 120), Step("paint", 45)]),
        Family(
            "table",
            [Step("cut", 90), Step("weld", 150), Step("paint", 60), Step("cut", 30)],
        ),
        Family(  # two sub-assemblies welded in parallel, then painted
            "frame",
            [Step("cut", 40), Step("weld", 60), Step("weld", 60), Step("paint", 30)],
            precedence=[(0, 1), (0, 2), (1, 3), (2, 3)],
        ),
    ]
    return Scenario(
        name="plant",
        weeks=load_weeks,
        arrivals=PoissonArrivals({"chair": rate, "table": rate / 2, "frame": rate / 2}),
        families=families,
        resources=[
            WorkCentre("cut", machines=1, shifts_per_day=2),
            WorkCentre("weld", machines=2, shifts_per_day=1),
            WorkCentre("paint", machines=1, shifts_per_day=1),
        ],
        quoting=FixedLeadTime(10),
        variability=Variability(cv=0.4, mtbf_hours=30, mttr_hours=1),
        warmup_weeks=2,
    )


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    scenario = _plant()
    first, again = run_scenario(scenario, 7), run_scenario(scenario, 7)
    assert first == again
    assert run_scenario(scenario, 8).orders != first.orders


def test_more_demand_loads_the_plant_and_an_extra_shift_relieves_it() -> None:
    base = _plant()
    busier = with_demand(base, 1.3)
    relieved = with_shift(base, "weld")
    rows = compare([base, busier, relieved], seeds=[1, 2])
    by = {r.scenario: r for r in rows}
    assert [r.scenario for r in rows] == [base.name, busier.name, relieved.name]
    b, more, less = by[base.name], by[busier.name], by[relieved.name]
    assert b.bottleneck == "weld"
    assert more.utilisation["weld"] > b.utilisation["weld"]
    assert more.mean_actual_lead_days > b.mean_actual_lead_days
    assert more.mean_wip > b.mean_wip
    assert less.utilisation["weld"] < b.utilisation["weld"]
    assert less.mean_actual_lead_days < b.mean_actual_lead_days
    table = format_table(rows)
    assert table.count("\n") == 4
    assert "demand x1.3" in table


def test_a_machine_added_at_the_bottleneck_shares_its_load() -> None:
    base = _plant(load_weeks=5)
    wider = with_machine(base, "weld")
    one, two = run_scenario(base, 4).kpis, run_scenario(wider, 4).kpis
    # same orders, nearly the same times (breakdowns follow each unit): the same work
    # spread over three welders instead of two
    assert two.utilisation["weld"] == pytest.approx(one.utilisation["weld"] * 2 / 3, rel=0.05)
    assert two.mean_actual_lead_days <= one.mean_actual_lead_days


def test_common_random_numbers_give_two_policies_the_same_orders() -> None:
    base = _plant(load_weeks=5)
    fixed = run_scenario(base, 11)
    promised = run_scenario(with_quoting(base, CapableToPromise(0.9)), 11)
    assert [(o.key, o.family, o.arrival) for o in fixed.orders] == [
        (o.key, o.family, o.arrival) for o in promised.orders
    ]
    assert fixed.kpis.mean_quoted_lead_days == 10.0
    assert promised.kpis.mean_quoted_lead_days < 10.0


def test_planned_start_dispatch_makes_every_order() -> None:
    scenario = replace(
        _plant(load_weeks=5), dispatch=Dispatch.PLANNED_START, quoting=CapableToPromise(0.9)
    )
    result = run_scenario(scenario, 5)
    assert all(o.finish is not None for o in result.orders)
    assert 0.0 < result.kpis.utilisation["weld"] < 1.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: replace(s, weeks=0), "weeks"),
        (lambda s: replace(s, weeks=-3), "weeks"),
        (lambda s: replace(s, warmup_weeks=8), "warmup_weeks"),
        (
            lambda s: replace(s, arrivals=PoissonArrivals({"chair": -1.0})),
            "arrivals.rate_per_week[chair]",
        ),
        (
            lambda s: replace(s, arrivals=PoissonArrivals({"sofa": 1.0})),
            "arrivals.rate_per_week[sofa]",
        ),
        (
            lambda s: replace(s, arrivals=ForecastArrivals({"chair": [3, 3]})),
            "arrivals.weekly_counts[chair]",
        ),
        (lambda s: _zero(s, "machines"), "resources[weld].machines"),
        (
            lambda s: _zero(s, "shifts_per_day"),
            "resources[weld].shifts_per_day",
        ),
        (lambda s: _zero(s, "days_per_week"), "resources[weld].days_per_week"),
        (lambda s: replace(s, families=[]), "families"),
        (
            lambda s: replace(s, families=[Family("chair", [Step("drill", 5)])]),
            "families[chair].steps[0].resource",
        ),
        (
            lambda s: replace(s, families=[Family("chair", [Step("cut", 0)])]),
            "families[chair].steps[0].minutes",
        ),
        (
            lambda s: replace(
                s,
                families=[Family("chair", [Step("cut", 5), Step("cut", 5)], [(0, 1), (1, 0)])],
            ),
            "families[chair].precedence",
        ),
        (lambda s: replace(s, variability=Variability(cv=-0.1)), "variability.cv"),
        (lambda s: replace(s, variability=Variability(mtbf_hours=0)), "variability.mtbf_hours"),
        (lambda s: replace(s, variability=Variability(bias=0)), "variability.bias"),
        (
            lambda s: replace(
                s, families=[Family("chair", [Step("cut", 5)], supply=Supply(days=-1))]
            ),
            "families[chair].supply.days",
        ),
        (
            lambda s: replace(
                s, families=[Family("chair", [Step("cut", 5)], supply=Supply(3, share=1.5))]
            ),
            "families[chair].supply.share",
        ),
        (
            lambda s: replace(s, centre_variability={"drill": Variability()}),
            "centre_variability[drill]",
        ),
        (
            lambda s: replace(s, centre_variability={"weld": Variability(cv=-1)}),
            "centre_variability[weld].cv",
        ),
    ],
)
def test_bad_input_names_the_field(change: object, field: str) -> None:
    base = replace(_plant(), arrivals=PoissonArrivals({"chair": 1.0}))
    with pytest.raises(ScenarioInputError) as caught:
        run_scenario(change(base), 0)  # type: ignore[operator]
    assert caught.value.field == field
    assert field in str(caught.value)


def _zero(scenario: Scenario, what: str) -> Scenario:
    """The scenario with the welding centre (every family needs it) at zero `what`."""
    fields = ("machines", "shifts_per_day", "days_per_week")
    centres = [
        WorkCentre(wc.key, *(0 if f == what else getattr(wc, f) for f in fields))
        if wc.key == "weld"
        else wc
        for wc in scenario.resources
    ]
    return replace(scenario, resources=centres)


def test_a_plant_that_cannot_keep_up_leaves_orders_open_and_late() -> None:
    """Twice the welding the plant has, for three weeks: the backlog outlives the horizon
    (nine weeks), and what is still open counts as late."""
    base = replace(_plant(load_weeks=3), warmup_weeks=0)
    flooded = with_demand(base, 12.0)
    kpis = run_scenario(flooded, 0).kpis
    assert kpis.unfinished > 0
    assert kpis.on_time_pct < 100.0 * (kpis.orders - kpis.unfinished) / kpis.orders + 1e-9
    assert kpis.utilisation["weld"] > 0.95


def test_a_work_centre_nobody_needs_may_stand_idle() -> None:
    """Zero capacity is only an error where a routing needs it."""
    base = _plant(load_weeks=3)
    spare = replace(base, resources=[*base.resources, WorkCentre("spare", machines=0)])
    assert run_scenario(spare, 0).kpis.utilisation["spare"] == 0.0


@settings(max_examples=15, deadline=None)
@given(
    minutes=st.lists(st.integers(10, 400), min_size=1, max_size=4),
    counts=st.lists(st.integers(0, 12), min_size=2, max_size=3),
    shifts=st.integers(1, 3),
    machines=st.integers(1, 2),
)
def test_without_variability_no_order_beats_its_routing(
    minutes: list[int], counts: list[int], shifts: int, machines: int
) -> None:
    """Any plant, nothing varying: every order is made, no sooner than its chain of
    operations in working time allows, and the KPIs stay in their ranges."""
    centre = WorkCentre("m", machines=machines, shifts_per_day=shifts, days_per_week=5)
    scenario = Scenario(
        name="chain",
        weeks=len(counts),
        arrivals=ForecastArrivals({"f": counts}),
        families=[Family("f", [Step("m", m) for m in minutes])],
        resources=[centre],
        quoting=CapableToPromise(0.9),
    )
    result = run_scenario(scenario, seed=sum(counts))
    assert len(result.orders) == sum(counts)
    for order in result.orders:
        assert order.finish is not None
        assert order.finish - order.arrival >= sum(minutes)
        assert order.quoted_lead_days >= 0
    assert 0.0 <= result.kpis.utilisation["m"] <= 1.0
    assert 0.0 <= result.kpis.on_time_pct <= 100.0


def test_a_centre_of_its_own_strays_and_breaks_down_and_the_others_do_not() -> None:
    """Per-centre variability (what the plant's records teach, centre by centre): a saw
    that runs a quarter slower than its routing says, on average, makes every order late
    by exactly that; the same plant with the bias
    on another centre is untouched; breakdowns on the saw alone cost it repair time."""
    around_the_clock = WorkCentre("saw", machines=1, shifts_per_day=3, days_per_week=7)
    base = _one_saw([7, 7], 60, around_the_clock)
    slow = replace(base, centre_variability={"saw": Variability(bias=1.25)})
    orders = run_scenario(slow, seed=0).orders
    assert all(o.finish == o.arrival + 75 for o in orders)  # 60 minutes run as 75
    assert run_scenario(replace(base, variability=Variability(bias=1.25)), 0).orders == orders
    elsewhere = replace(
        base,
        resources=[around_the_clock, WorkCentre("paint")],
        centre_variability={"paint": Variability(bias=2.0, mtbf_hours=1, mttr_hours=1)},
    )
    assert all(o.finish == o.arrival + 60 for o in run_scenario(elsewhere, 0).orders)
    failing = replace(base, centre_variability={"saw": Variability(mtbf_hours=2, mttr_hours=1)})
    result = run_scenario(failing, seed=0)
    assert result.kpis.utilisation["saw"] > run_scenario(base, 0).kpis.utilisation["saw"]


def _waiting_saw(supply: Supply, quoting: QuotingPolicy | None = None) -> Scenario:
    around_the_clock = WorkCentre("saw", machines=1, shifts_per_day=3, days_per_week=7)
    base = _one_saw([7, 7], 60, around_the_clock)
    family = Family("box", [Step("saw", 60)], supply=supply)
    return replace(base, families=[family], quoting=quoting or CapableToPromise(0.9))


def test_orders_wait_for_their_bought_material_and_the_quote_plans_for_it() -> None:
    """A supplier promising 2 days and keeping it: each order starts when its material
    comes and the quote (capable-to-promise) plans with the promised days."""
    orders = run_scenario(_waiting_saw(Supply(days=2)), seed=0).orders
    assert all(o.finish == o.arrival + 2 * DAY + 60 for o in orders)
    assert all(o.planned_finish == o.arrival + 2 * DAY + 60 for o in orders)
    assert all(o.on_time for o in orders)


def test_a_late_supplier_makes_late_orders_and_a_share_in_stock_waits_for_nothing() -> None:
    late = run_scenario(_waiting_saw(Supply(days=2, bias=1.5)), seed=0).orders
    assert all(o.finish == o.arrival + 3 * DAY + 60 for o in late)  # a day late each
    assert all(o.planned_finish == o.arrival + 2 * DAY + 60 for o in late)  # planned on 2
    in_stock = run_scenario(_waiting_saw(Supply(days=2, share=0)), seed=0).orders
    assert all(o.finish == o.arrival + 60 for o in in_stock)
    half = run_scenario(_waiting_saw(Supply(days=2, share=0.5, cv=0.5)), seed=4).orders
    waited = [(o.finish or 0) - o.arrival > 60 for o in half]
    assert any(waited) and not all(waited)


def test_the_same_deliveries_for_every_scenario_on_a_seed() -> None:
    """Common random numbers: the deliveries do not depend on how the plant quotes."""
    supply = Supply(days=2, share=0.6, cv=0.4)
    ctp = run_scenario(_waiting_saw(supply), seed=7).orders
    fixed = run_scenario(_waiting_saw(supply, FixedLeadTime(5)), seed=7).orders
    assert [o.finish for o in ctp] == [o.finish for o in fixed]

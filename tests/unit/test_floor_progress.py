"""The floor's progress against the plan: on time it is the plan; an overrun or a late
start pushes what follows (less the slack the plan left); finished work keeps its real
times; rework added since the plan lasts its standard time. A property over random
report sequences: nothing is projected before now that has not happened, nothing starts
before what it waits for ends, and nothing ends before it starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.domain.planning import PlannedOperation
from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.progress import GRACE, Behind, OperationProgress, plan_key, project
from orderforge.production.services.progress import behind_words, late_reason
from tests.unit.test_work_order_domain import T0, new_work_order

MIN = dt.timedelta(minutes=1)


def plan_of(wo: WorkOrder, gap: dt.timedelta = dt.timedelta(0)) -> list[PlannedOperation]:
    """CUT 8:00-9:00, then (after `gap`) EDGE and DRILL side by side for an hour, ASSY
    after them."""
    start = {10: T0, 20: T0 + 60 * MIN + gap, 30: T0 + 60 * MIN + gap, 40: T0 + 120 * MIN + gap}
    return [
        PlannedOperation(
            key=plan_key(wo, op),
            order_number=wo.order_number,
            line_no=wo.line_no,
            name=op.name,
            work_centre="BENCH",
            resource="BENCH#1",
            start=start[op.seq],
            end=start[op.seq] + 60 * MIN,
        )
        for op in wo.operations
    ]


def ends(progress_ops: Iterable[OperationProgress]) -> dict[int, dt.datetime]:
    return {o.seq: o.projected_end for o in progress_ops}


def test_on_time_work_projects_the_plan() -> None:
    wo = new_work_order()
    plan = plan_of(wo)
    found = project(wo.order_number, [wo], plan, T0 - 10 * MIN)
    assert found.projected_finish == found.planned_finish == T0 + 180 * MIN
    assert found.delay_minutes == 0 and found.behind == []
    assert ends(found.operations) == {
        op.seq: p.end for op, p in zip(wo.operations, plan, strict=True)
    }


def test_an_overrun_pushes_what_follows_and_is_named() -> None:
    wo = new_work_order()
    wo.start(10, actor="op", at=T0)
    now = T0 + 100 * MIN  # planned to end at 9:00, still running at 9:40
    found = project(wo.order_number, [wo], plan_of(wo), now)
    [cut] = found.behind
    assert (cut.seq, cut.behind, cut.behind_minutes) == (10, Behind.OVERRUNNING, 40)
    assert ends(found.operations)[10] == now
    assert ends(found.operations)[20] == now + 60 * MIN  # starts when CUT ends, lasts as planned
    assert found.projected_finish == now + 120 * MIN
    assert found.delay_minutes == 40
    text = behind_words(cut, dt.UTC)
    assert text == "still running 40 min after its planned end (2026-01-05 09:00)"
    assert late_reason(found, dt.UTC).startswith("running late on the floor: Cut (WO-2026-0001")


def test_within_the_grace_nothing_is_behind_yet() -> None:
    wo = new_work_order()
    wo.start(10, actor="op", at=T0)
    found = project(wo.order_number, [wo], plan_of(wo), T0 + 60 * MIN + GRACE)
    assert found.behind == []


def test_slack_in_the_plan_absorbs_a_delay() -> None:
    wo = new_work_order()
    wo.start(10, actor="op", at=T0)
    # two hours between CUT and what follows: a 30 min overrun costs the order nothing
    found = project(wo.order_number, [wo], plan_of(wo, gap=120 * MIN), T0 + 90 * MIN)
    assert found.behind[0].seq == 10
    assert found.delay_minutes == 0


def test_a_late_start_is_behind_but_waiting_work_is_only_pushed() -> None:
    wo = new_work_order()
    now = T0 + 45 * MIN
    found = project(wo.order_number, [wo], plan_of(wo), now)
    [cut] = found.behind
    assert (cut.seq, cut.behind, cut.behind_minutes) == (10, Behind.LATE_START, 45)
    assert "not started 45 min after its planned start" in (behind_words(cut, dt.UTC) or "")
    assert ends(found.operations)[10] == now + 60 * MIN
    assert found.projected_finish == now + 180 * MIN


def test_finished_work_keeps_its_real_times_and_a_late_finish_pushes_the_rest() -> None:
    wo = new_work_order()
    wo.start(10, actor="op", at=T0 + 30 * MIN)
    wo.complete(10, good=3, scrap=0, actor="op", at=T0 + 90 * MIN)
    now = T0 + 91 * MIN
    found = project(wo.order_number, [wo], plan_of(wo), now)
    assert ends(found.operations)[10] == T0 + 90 * MIN
    assert found.delay_minutes == 31  # EDGE and DRILL start now, not at 9:00
    # EDGE and DRILL are ready and 31 min behind their start: named as late starts
    assert {o.seq for o in found.behind} == {20, 30}


def test_rework_added_since_the_plan_lasts_its_standard_time() -> None:
    wo = new_work_order()
    plan = plan_of(wo)
    for seq in (10, 20, 30):
        wo.start(seq, actor="op", at=T0 + seq * MIN)
        wo.complete(seq, good=3, scrap=0, actor="op", at=T0 + (seq + 5) * MIN)
    added = len(wo.operations)
    wo.operations.append(
        type(wo.operations[0])(
            seq=35,
            routing_key="REWORK-1",
            name="Rework edge",
            work_centres=["BENCH"],
            setup_minutes=wo.operations[0].setup_minutes,
            run_minutes_per_unit=wo.operations[0].run_minutes_per_unit,
            predecessors=[20],
            setup_class=None,
            status=OperationStatus.READY,
        )
    )
    assert len(wo.operations) == added + 1
    now = T0 + 50 * MIN
    found = project(wo.order_number, [wo], plan, now)
    rework = next(o for o in found.operations if o.seq == 35)
    assert rework.planned_end is None and rework.behind is None
    assert rework.projected_end == now + dt.timedelta(minutes=15 + 7.5 * 3)


def test_an_order_the_plan_does_not_hold_has_no_projection() -> None:
    wo = new_work_order()
    found = project(wo.order_number, [wo], [], T0)
    assert found.projected_finish is None and found.delay_minutes == 0


@settings(max_examples=60, deadline=None)
@given(
    reports=st.lists(
        st.tuples(st.sampled_from((10, 20, 30, 40)), st.booleans(), st.integers(1, 90)),
        max_size=10,
    ),
    later=st.integers(0, 600),
)
def test_projections_never_break_time_or_precedence(
    reports: list[tuple[int, bool, int]], later: int
) -> None:
    wo = new_work_order()
    plan = plan_of(wo)
    at = T0
    for seq, complete, minutes in reports:
        at += minutes * MIN
        op = wo.operation(seq)
        try:
            if op.status is OperationStatus.READY:
                wo.start(seq, actor="op", at=at)
            elif op.status is OperationStatus.RUNNING and complete:
                wo.complete(seq, good=3, scrap=0, actor="op", at=at)
        except Exception:
            continue
    now = at + later * MIN
    found = project(wo.order_number, [wo], plan, now)
    by_seq = {o.seq: o for o in found.operations}
    for o in found.operations:
        assert o.projected_end >= o.projected_start
        if o.status is not OperationStatus.DONE:
            assert o.projected_end >= now, "what has not ended cannot end in the past"
        if o.status in (OperationStatus.READY, OperationStatus.WAITING):
            assert o.projected_start >= now
            assert o.planned_start is not None and o.projected_start >= o.planned_start
            for p in wo.operation(o.seq).predecessors:
                assert o.projected_start >= by_seq[p].projected_end
    assert found.projected_finish == max(o.projected_end for o in found.operations)


def test_rework_added_since_the_plan_is_named_as_the_cause() -> None:
    wo = new_work_order()
    plan = plan_of(wo)
    template = wo.operations[-1]
    wo.operations.append(
        type(template)(
            seq=50,
            routing_key="REWORK-2",
            name="Rework top",
            work_centres=["BENCH"],
            setup_minutes=template.setup_minutes,
            run_minutes_per_unit=template.run_minutes_per_unit,
            predecessors=[40],
            setup_class=None,
            status=OperationStatus.WAITING,
        )
    )
    found = project(wo.order_number, [wo], plan, T0 - 10 * MIN)
    assert found.delay_minutes > 0 and found.behind == []
    assert late_reason(found, dt.UTC) == (
        "work added since the plan (rework): Rework top (WO-2026-0001, operation 50)"
    )

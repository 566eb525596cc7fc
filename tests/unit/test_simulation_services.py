"""Confidence studies against in-memory ports: parameters checked field by field, no
study without a plan, customers kept out, the plan moved out of the past without
breaking it, and a whole study of the 12-order demo (the deterministic replay agreeing
with the plan minute for minute)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.adapters.security import HmacSealer
from orderforge.demo import load_demo
from orderforge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from orderforge.domain.runs import RecordedRun
from orderforge.domain.user import Role
from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)
from orderforge.production.services import HANDLERS
from orderforge.services import plan_runs, runs
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.simulation import services
from orderforge.simulation.ports import SIMULATION_RUNS
from orderforge.simulation.study import _not_in_the_past
from tests.conftest import FixedClock
from tests.unit import fakes
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

PLANNER = Principal(4, "planner", Role.PLANNER, "Planner")
BUYER = Principal(7, "purchasing", Role.PURCHASING, "Buyer")
CUSTOMER = Principal(9, "alpina", Role.CUSTOMER, "Alpina", customer_id=1)


class FakeRuns:
    """Recorded runs in a list; ids count from 1 like a table."""

    def __init__(self) -> None:
        self.rows: list[RecordedRun] = []

    def add(self, run: RecordedRun) -> None:
        run.id = len(self.rows) + 1
        self.rows.append(run)

    def get(self, run_id: int, lock: bool = False) -> RecordedRun | None:
        return next((r for r in self.rows if r.id == run_id), None)

    def save(self, run: RecordedRun) -> None:
        return None

    def latest(self, limit: int = 20, kind: str | None = None) -> list[RecordedRun]:
        mine = [r for r in self.rows if kind is None or r.kind == kind]
        return list(reversed(mine))[:limit]

    def set_progress(self, run_id: int, progress: float) -> None:
        found = self.get(run_id)
        assert found is not None
        found.progress = progress


@pytest.fixture
def uow(monkeypatch: pytest.MonkeyPatch) -> FakeUnitOfWork:
    monkeypatch.setitem(fakes.FAKE_REPOSITORIES, SIMULATION_RUNS.name, FakeRuns)
    return FakeUnitOfWork()


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    return ServiceContext(
        uow=uow,
        clock=FixedClock(),
        hasher=PlainHasher(),
        sealer=HmacSealer(lambda: "unit-tests"),
        handlers=HANDLERS,
    )


@pytest.fixture
def planned(ctx: ServiceContext) -> ServiceContext:
    load_demo(ctx, "orderforge-demo", count=12)
    run = plan_runs.request_run(ctx, PLANNER, 1.0)
    done = plan_runs.execute_run(ctx, run["id"])
    assert done["status"] == "done", done
    return ctx


# -- parameters -------------------------------------------------------------------


@given(st.integers(1, services.MAX_REPLICATIONS), st.integers(0, 2**63 - 1))
def test_whole_numbers_in_range_are_accepted(replications: int, seed: int) -> None:
    got = services.StudyParams.of({"replications": replications, "seed": seed})
    assert (got.replications, got.seed) == (replications, seed)
    assert got.as_dict()["hold_to_plan"] is True


NOT_A_COUNT = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=2**63),
    st.text(max_size=3),
    st.booleans(),
    st.floats(),
    st.none().map(lambda _: [1]),
)
NOT_A_SPREAD = st.one_of(
    st.floats(max_value=-1e-9),
    st.floats(min_value=services.MAX_CV + 1e-6),
    st.sampled_from([float("nan"), float("inf"), "0.1", True]),
)


@settings(max_examples=60)
@given(st.sampled_from(["replications", "seed"]), NOT_A_COUNT)
def test_a_count_that_is_not_a_whole_number_in_range_is_refused(name: str, value: Any) -> None:
    if name == "seed" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = -value - 1  # any whole seed below 2**63 is a seed
    with pytest.raises(InvalidInput) as refused:
        services.StudyParams.of({name: value})
    assert refused.value.field == name


@settings(max_examples=40)
@given(NOT_A_SPREAD)
def test_a_spread_out_of_range_is_refused(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.StudyParams.of({"default_cv": value})
    assert refused.value.field == "default_cv"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"replications": 0}, "replications"),
        ({"replications": 10**9}, "replications"),
        ({"seed": -1}, "seed"),
        ({"hold_to_plan": "yes"}, "hold_to_plan"),
        ({"learn": 1}, "learn"),
        ({"default_cv": 3.5}, "default_cv"),
        ({"levels": [0.9]}, "levels"),
    ],
)
def test_the_obvious_mistakes_name_their_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.StudyParams.of(params)
    assert refused.value.field == field and field in str(refused.value)


def test_no_study_before_the_first_plan(ctx: ServiceContext) -> None:
    with pytest.raises(IllegalTransition, match="There is no plan yet: run a plan first"):
        services.request_study(ctx, PLANNER, {})
    assert services.list_runs(ctx, PLANNER) == []


def test_customers_and_buyers_may_not_ask_for_a_study(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDenied):
        services.request_study(ctx, BUYER, {})
    with pytest.raises(PermissionDenied):
        services.list_runs(ctx, CUSTOMER)
    assert services.list_runs(ctx, BUYER) == []
    assert services.latest_result(ctx, BUYER) is None


# -- the plan moved out of the past -------------------------------------------------


def _chain(planned_starts: list[int], lengths: list[int], frozen_end: int) -> ProblemData:
    ops = [
        Operation(f"J/{i}", "J", [Mode("R", lengths[i])], predecessors=(f"J/{i - 1}",) if i else ())
        for i in range(len(lengths))
    ]
    first = Operation("K/0", "K", [Mode("R", frozen_end)])
    return ProblemData(
        (Job("J"), Job("K")),
        (first, *ops),
        (Resource("R", [(0, 100_000)]),),
        100_000,
        frozen=(FrozenOperation("K/0", "R", 0, frozen_end),),
    )


@given(
    st.lists(st.tuples(st.integers(-2000, 2000), st.integers(1, 300)), min_size=1, max_size=8),
    st.integers(1, 500),
)
def test_work_in_the_past_moves_to_now_behind_running_work_and_predecessors(
    slots: list[tuple[int, int]], frozen_end: int
) -> None:
    problem = _chain([s for s, _ in slots], [n for _, n in slots], frozen_end)
    entries = {"K/0": ScheduledOperation("K/0", "R", 0, frozen_end)}
    for i, (start, length) in enumerate(slots):
        entries[f"J/{i}"] = ScheduledOperation(f"J/{i}", "R", start, start + length)
    placed = {e.operation: e for e in _not_in_the_past(problem, entries)}
    assert placed["K/0"] == entries["K/0"]  # running work is a fact
    for i, (start, length) in enumerate(slots):
        mine = placed[f"J/{i}"]
        assert mine.end - mine.start == length
        assert mine.start >= frozen_end  # behind the unit's running work
        if i:
            assert mine.start >= placed[f"J/{i - 1}"].end
        earliest = max(frozen_end, placed[f"J/{i - 1}"].end if i else 0)
        assert mine.start == max(start, earliest)  # moved only as far as needed


# -- a whole study -------------------------------------------------------------------


def test_a_study_of_the_demo_plan(planned: ServiceContext) -> None:
    ticks: list[float] = []
    run = services.run_study(planned, PLANNER, {"replications": 8, "seed": 5}, ticks.append)
    assert run["status"] == "done", run["error"]
    assert ticks == sorted(ticks) and ticks[-1] < 1.0 == run["progress"]  # 1 once kept
    result = run["result"]
    assert result["replications"] == 8 and result["seed"] == 5 and result["left_out"] == []
    with planned.uow() as uow:
        version = uow.plans.latest_version_number()
        assert version is not None
        open_orders = {o.order_number for o in uow.plans.operations(version) if not o.frozen}
    assert open_orders <= {o["order"] for o in result["orders"]}
    for entry in result["orders"]:
        assert entry["finish_at"]["p50"] <= entry["finish_at"]["p80"] <= entry["finish_at"]["p95"]
    sources = {v["source"] for v in result["variability"]}
    assert sources <= {"learned", "default"}
    found = services.order_confidence(planned, BUYER, result["orders"][0]["order"])
    assert found is not None and found["run_id"] == run["id"]


def test_without_spread_a_study_replays_the_plan(planned: ServiceContext) -> None:
    params = {"replications": 2, "learn": False, "default_cv": 0.0}
    result = services.run_study(planned, PLANNER, params)["result"]
    assert result["defaulted"] == [v["work_centre"] for v in result["variability"]]
    for entry in result["orders"]:
        assert entry["finish_at"]["p50"] == entry["finish_at"]["p95"] == entry["planned_finish"]
        if entry["due"] is not None:
            late = dt.datetime.fromisoformat(entry["planned_finish"]) > dt.datetime.fromisoformat(
                entry["due"]
            )
            assert entry["on_time"] == (0.0 if late else 1.0)


# -- fan-out ---------------------------------------------------------------------------


class RecordingQueue:
    """A job queue whose workers never come: the study must run its batches itself."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, int]] = []

    def submit(self, kind: str, record_id: int) -> None:
        self.submitted.append((kind, record_id))


def test_a_fanned_out_study_finds_what_one_process_finds(
    planned: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "FANOUT_BATCH", 3)
    monkeypatch.setattr(services, "POLL_SECONDS", 0.0)
    params = {"replications": 8, "seed": 11}
    alone = services.run_study(planned, PLANNER, params)
    queue = RecordingQueue()
    shared = services.run_study(dataclasses.replace(planned, jobs=queue), PLANNER, params)
    assert shared["status"] == "done", shared["error"]
    assert [k for k, _ in queue.submitted] == ["simulation_batch"] * 3  # 3 + 3 + 2 seeds
    for key in ("orders", "kpis", "replications", "variability"):
        assert shared["result"][key] == alone["result"][key]
    batches = [runs.get(services.BATCH_BOOK, planned, i) for _, i in queue.submitted]
    assert [b.params["first_seed"] for b in batches] == [11, 14, 17]
    assert all(b.status.value == "done" and b.params["parent"] == shared["id"] for b in batches)
    assert [r["id"] for r in services.list_runs(planned, PLANNER)] == [shared["id"], alone["id"]]


def test_a_batch_of_another_plant_fails_and_says_why(planned: ServiceContext) -> None:
    with planned.uow() as uow:
        version = uow.plans.latest_version_number()
        batch = RecordedRun(
            services.PLAN_CONFIDENCE_BATCH,
            {
                "replications": 2,
                "first_seed": 1,
                "parent": 1,
                "start": planned.clock.now().isoformat(),
                "plan_version": version,
                "fingerprint": "not this plant",
            },
            "planner",
            planned.clock.now(),
        )
        uow.repository(SIMULATION_RUNS).add(batch)
        uow.commit()
    assert batch.id is not None
    failed = runs.execute(services.BATCH_BOOK, planned, batch.id)
    assert failed.status.value == "failed"
    assert failed.error is not None and "changed while the study ran" in failed.error

"""Cancel and retry of recorded runs (plan runs, MRP runs) over the API, on both
databases: a queued run is cancelled and never runs; a running or ended one is refused
with a sentence and left as it was; a failed one is retried as a new queued run with its
inputs, naming it, that the job queue then carries out."""

from __future__ import annotations

import dataclasses
from typing import Any

from orderforge.bootstrap import Application
from orderforge.domain.planning import RunOptions
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import mrp
from orderforge.services import plan_runs
from orderforge.services.ports import Principal
from tests.api.support import API, ApiSession, drain_jobs
from tests.api.test_permissions import assert_problem

M = f"{API}/materials"


def _unsubmitted(application: Application) -> Any:
    """The services without a queue: a run asked for here stays queued (no worker races
    the test for it)."""
    return dataclasses.replace(application.ctx, jobs=None)


def _actor(api: ApiSession, username: str) -> Principal:
    from orderforge.services import users
    from tests.conftest import DEMO_PASSWORD

    return users.authenticate(api.application.ctx, username, DEMO_PASSWORD)


def _fail_plan_run(application: Application, run_id: int) -> None:
    with application.ctx.uow() as uow:
        run = uow.plans.run(run_id)
        assert run is not None
        run.start(application.ctx.clock.now())
        run.fail("The worker's machine lost power.", [], application.ctx.clock.now())
        uow.commit()


def test_a_queued_plan_run_is_cancelled_and_never_runs(api: ApiSession) -> None:
    planner = api.auth("planner")
    ctx = _unsubmitted(api.application)
    queued = plan_runs.request_run(ctx, _actor(api, "planner"), 1.0)
    cancelled = api.client.post(f"{API}/plans/runs/{queued['id']}/cancel", headers=planner)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert "Cancelled by planner" in cancelled.json()["error"]["title"]
    # a job delivered after the cancel finds the run taken and leaves it
    assert plan_runs.execute_run(ctx, queued["id"])["status"] == "cancelled"
    again = api.client.post(f"{API}/plans/runs/{queued['id']}/cancel", headers=planner)
    body = assert_problem(again, 409)
    assert "already ended (cancelled)" in body["detail"]
    retried = api.client.post(f"{API}/plans/runs/{queued['id']}/retry", headers=planner)
    assert "only a failed run can be retried" in assert_problem(retried, 409)["detail"]
    missing = api.client.post(f"{API}/plans/runs/999999/cancel", headers=planner)
    assert_problem(missing, 404)
    for who in ("sales", "alpina"):  # neither may run plans, so neither may cancel them
        refused = api.client.post(f"{API}/plans/runs/{queued['id']}/cancel", headers=api.auth(who))
        assert_problem(refused, 403)


def test_a_running_plan_run_cannot_be_cancelled(api: ApiSession) -> None:
    planner = api.auth("planner")
    queued = plan_runs.request_run(_unsubmitted(api.application), _actor(api, "planner"), 1.0)
    with api.application.ctx.uow() as uow:
        run = uow.plans.run(queued["id"])
        assert run is not None
        run.start(api.application.ctx.clock.now())
        uow.commit()
    refused = api.client.post(f"{API}/plans/runs/{queued['id']}/cancel", headers=planner)
    assert "already running and cannot be cancelled" in assert_problem(refused, 409)["detail"]
    still = api.client.get(f"{API}/plans/runs/{queued['id']}", headers=planner).json()
    assert still["status"] == "running"


def test_a_failed_plan_run_is_retried_with_its_inputs_and_runs(api: ApiSession) -> None:
    planner = api.auth("planner")
    options = {"displace": True, "min_gain_minutes": 45}
    asked = plan_runs.request_run(
        _unsubmitted(api.application),
        _actor(api, "planner"),
        1.0,
        options=RunOptions(displace=True, min_gain_minutes=45),
    )
    _fail_plan_run(api.application, asked["id"])
    retried = api.client.post(f"{API}/plans/runs/{asked['id']}/retry", headers=planner)
    assert retried.status_code == 202, retried.text
    run = retried.json()
    assert run["status"] == "queued" and run["retry_of"] == asked["id"]
    assert run["options"] == options and run["time_limit"] == 1.0
    assert retried.headers["Location"] == f"/api/v1/plans/runs/{run['id']}"
    drain_jobs(api.application)
    done = api.client.get(f"{API}/plans/runs/{run['id']}", headers=planner).json()
    assert done["status"] == "done" and done["plan_version"] is not None, done
    failed = api.client.get(f"{API}/plans/runs/{asked['id']}", headers=planner).json()
    assert failed["status"] == "failed"  # the failed run stays as it was


def test_mrp_runs_are_cancelled_and_retried(api: ApiSession) -> None:
    buyer = api.auth("purchasing")
    ctx = _unsubmitted(api.application)
    queued = mrp.request_run(ctx, _actor(api, "purchasing"))
    cancelled = api.client.post(f"{M}/mrp-runs/{queued['id']}/cancel", headers=buyer)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert mrp.execute_run(ctx, queued["id"])["status"] == "cancelled"
    again = api.client.post(f"{M}/mrp-runs/{queued['id']}/cancel", headers=buyer)
    assert "only a queued run can be cancelled" in assert_problem(again, 409)["detail"]
    broken = mrp.request_run(ctx, _actor(api, "purchasing"))
    with api.application.ctx.uow() as uow:
        run = uow.repository(MATERIALS).run(broken["id"])
        assert run is not None
        run.start(api.application.ctx.clock.now())
        run.fail("OperationalError: the database went away", api.application.ctx.clock.now())
        uow.commit()
    retried = api.client.post(f"{M}/mrp-runs/{broken['id']}/retry", headers=buyer)
    assert retried.status_code == 202, retried.text
    assert retried.json()["retry_of"] == broken["id"]
    drain_jobs(api.application)
    done = api.client.get(f"{M}/mrp-runs/{retried.json()['id']}", headers=buyer).json()
    assert done["status"] == "done" and done["counts"], done
    sales = api.client.post(f"{M}/mrp-runs/{broken['id']}/retry", headers=api.auth("sales"))
    assert_problem(sales, 403)

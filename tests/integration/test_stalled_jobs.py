"""A worker that dies mid-run (killed, its machine gone) leaves its procrastinate job
`doing` and its run `running`; the next worker to start fails both, so the run can be
retried, and leaves every other job alone (PostgreSQL). On SQLite `serve` does the same
at start for every kind of job and hands the queued ones to its thread."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.adapters.jobs.procrastinate_queue import TASK, fail_stalled, run_worker
from orderforge.bootstrap import Application
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import mrp
from orderforge.services import plan_runs, users
from tests.conftest import DEMO_PASSWORD


def test_the_next_worker_fails_the_runs_of_a_dead_one(application: Application) -> None:
    if application.settings.job_backend != "procrastinate":
        pytest.skip("procrastinate's heartbeats exist on PostgreSQL only")
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=5)
    ctx = application.ctx
    buyer = users.authenticate(ctx, "purchasing", DEMO_PASSWORD)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    died = mrp.queue_run(ctx, buyer)  # deferred to procrastinate
    waiting = plan_runs.request_run(ctx, planner, 0.5)  # deferred too, never taken
    with ctx.uow() as uow:  # the dead worker had claimed its run
        run = uow.repository(MATERIALS).run(died["id"])
        assert run is not None
        run.start(ctx.clock.now())
        uow.commit()
    with application.engine.begin() as conn:  # ...and procrastinate's job, then went quiet
        worker = conn.execute(
            sa.text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '10 minutes') RETURNING id"
            )
        ).scalar_one()
        taken = conn.execute(
            sa.text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :worker "
                "WHERE task_name = :task AND args->>'kind' = 'mrp_run' "
                "AND (args->>'record_id')::int = :id RETURNING id"
            ),
            {"worker": worker, "task": TASK, "id": died["id"]},
        ).all()
    assert len(taken) == 1

    url = application.settings.database_url
    assert fail_stalled(url, application.interrupt_job) == [("mrp_run", died["id"])]
    failed = mrp.get_run(ctx, buyer, died["id"])
    assert failed["status"] == "failed"
    assert failed["error"] == "Interrupted: the worker running this MRP run stopped."
    with application.engine.connect() as conn:
        status = conn.execute(
            sa.text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": taken[0][0]}
        ).scalar_one()
    assert status == "failed"
    assert fail_stalled(url, application.interrupt_job) == []  # once is enough

    # the waiting plan run was never touched; a worker runs it, and the retry
    assert plan_runs.get_run(ctx, planner, waiting["id"])["status"] == "queued"
    again = mrp.retry_run(ctx, buyer, died["id"])
    run_worker(url, application.run_job, application.interrupt_job, wait=False)
    assert plan_runs.get_run(ctx, planner, waiting["id"])["status"] == "done"
    assert mrp.get_run(ctx, buyer, again["id"])["status"] == "done"


def test_serve_on_sqlite_fails_interrupted_runs_and_resumes_queued_ones_of_every_kind(
    application: Application,
) -> None:
    if application.settings.job_backend != "inprocess":
        pytest.skip("the in-process queue is SQLite's")
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=5)
    ctx = dataclasses.replace(application.ctx, jobs=None)  # as left by a stopped process
    buyer = users.authenticate(ctx, "purchasing", DEMO_PASSWORD)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    stuck = mrp.request_run(ctx, buyer)
    with ctx.uow() as uow:
        run = uow.repository(MATERIALS).run(stuck["id"])
        assert run is not None
        run.start(ctx.clock.now())
        uow.commit()
    plan = plan_runs.request_run(ctx, planner, 0.5)
    waiting = mrp.request_run(ctx, buyer)
    resumed = application.start_inprocess_worker()
    assert resumed == [("plan_run", plan["id"]), ("mrp_run", waiting["id"])]
    failed = mrp.get_run(ctx, buyer, stuck["id"])
    assert failed["status"] == "failed" and failed["error"].startswith("Interrupted")
    application.ctx.jobs.wait(timeout=120)  # type: ignore[union-attr]
    assert plan_runs.get_run(ctx, planner, plan["id"])["status"] == "done"
    assert mrp.get_run(ctx, buyer, waiting["id"])["status"] == "done"

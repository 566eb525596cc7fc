"""`orderforge plan cancel|retry` and `orderforge mrp cancel|retry`: a queued run is
withdrawn, a failed one run again in the foreground; refusals are a sentence and exit 1."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from orderforge.bootstrap import Application, build
from orderforge.config import load_settings
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import mrp
from orderforge.services import plan_runs, users
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_cli import cli, run

__all__ = ["cli"]


@pytest.fixture
def loaded(cli: CliRunner) -> Iterator[Application]:
    """The CLI's own database (var/ of the folder) with the demo, and the services on it
    without a job queue, so runs asked for here stay queued."""
    run(cli, "demo", "load", "--history-weeks", "0")
    application = build(load_settings())
    try:
        yield application
    finally:
        application.close()


def test_plan_runs_are_cancelled_and_retried_on_the_command_line(
    cli: CliRunner, loaded: Application
) -> None:
    ctx = dataclasses.replace(loaded.ctx, jobs=None)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    queued = plan_runs.request_run(ctx, planner, 1.0)
    assert f"Plan run {queued['id']} cancelled" in run(cli, "plan", "cancel", str(queued["id"]))
    refused = run(cli, "plan", "cancel", str(queued["id"]), code=1)
    assert "already ended (cancelled)" in " ".join(refused.split())
    assert "no plan run 999" in run(cli, "plan", "cancel", "999", code=1)
    failed = plan_runs.request_run(ctx, planner, 1.0)
    with ctx.uow() as uow:
        record = uow.plans.run(failed["id"])
        assert record is not None
        record.start(ctx.clock.now())
        record.fail("The worker stopped.", [], ctx.clock.now())
        uow.commit()
    done = json.loads(run(cli, "plan", "retry", str(failed["id"]), "--json"))
    assert done["status"] == "done" and done["retry_of"] == failed["id"]
    assert done["plan_version"] is not None
    again = run(cli, "plan", "retry", str(done["id"]), code=1)
    assert "only a failed run can be retried" in " ".join(again.split())
    assert "may not" in run(cli, "plan", "cancel", str(queued["id"]), "--as", "sales", code=1)


def test_mrp_runs_are_cancelled_and_retried_on_the_command_line(
    cli: CliRunner, loaded: Application
) -> None:
    ctx = dataclasses.replace(loaded.ctx, jobs=None)
    buyer = users.authenticate(ctx, "purchasing", DEMO_PASSWORD)
    queued = mrp.request_run(ctx, buyer)
    assert f"MRP run {queued['id']} cancelled" in run(cli, "mrp", "cancel", str(queued["id"]))
    failed = mrp.request_run(ctx, buyer)
    with ctx.uow() as uow:
        record = uow.repository(MATERIALS).run(failed["id"])
        assert record is not None
        record.start(ctx.clock.now())
        record.fail("RuntimeError: the worker stopped", ctx.clock.now())
        uow.commit()
    done = json.loads(run(cli, "mrp", "retry", str(failed["id"]), "--json"))
    assert done["status"] == "done" and done["retry_of"] == failed["id"]
    refused = run(cli, "mrp", "retry", str(done["id"]), code=1)
    assert "only a failed run can be retried" in " ".join(refused.split())
    refused = run(cli, "mrp", "cancel", str(done["id"]), code=1)
    assert "only a queued run can be cancelled" in " ".join(refused.split())

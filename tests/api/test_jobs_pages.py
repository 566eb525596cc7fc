"""The pages' cancel and retry buttons: the schedule board's run panel (plan runs) and
the Materials page's MRP card. Each button shows only where it can work; a refused press
says why and changes nothing; roles without the right see no button."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import mrp
from orderforge.services import plan_runs, users
from tests.api.support import ApiSession, drain_jobs
from tests.api.test_schedule_pages import OpenAs, browser, flashes
from tests.conftest import DEMO_PASSWORD

__all__ = ["browser"]


def _queued_plan_run(api: ApiSession) -> dict[str, Any]:
    ctx = dataclasses.replace(api.application.ctx, jobs=None)  # stays queued
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    return plan_runs.request_run(ctx, planner, 0.5)


def _form(page: str, action: str) -> str | None:
    """The opening tag of the form posting to `action`, or None."""
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>', page)
    return None if match is None else match.group(0)


def test_the_run_panel_cancels_a_queued_plan_run_and_retries_a_failed_one(
    api: ApiSession, browser: OpenAs
) -> None:
    planner = browser("planner")
    run = _queued_plan_run(api)
    page = planner.get(f"/schedule?run={run['id']}").text
    cancel = _form(page, f"/schedule/runs/{run['id']}/cancel")
    retry = _form(page, f"/schedule/runs/{run['id']}/retry")
    assert cancel is not None and "hidden" not in cancel
    assert retry is not None and "hidden" in retry  # only a failed run can be retried
    done = planner.post(f"/schedule/runs/{run['id']}/cancel", back=f"/schedule?run={run['id']}")
    assert f"Plan run {run['id']} cancelled; it will not run." in flashes(done)
    assert 'id="run-status">cancelled<' in done.text
    again = planner.post(f"/schedule/runs/{run['id']}/cancel")
    assert any("only a queued run can be cancelled" in m for m in flashes(again)), flashes(again)

    failed = _queued_plan_run(api)
    with api.application.ctx.uow() as uow:
        record = uow.plans.run(failed["id"])
        assert record is not None
        record.start(api.application.ctx.clock.now())
        record.fail("The worker stopped.", [], api.application.ctx.clock.now())
        uow.commit()
    page = planner.get(f"/schedule?run={failed['id']}").text
    retry = _form(page, f"/schedule/runs/{failed['id']}/retry")
    assert retry is not None and "hidden" not in retry
    asked = planner.post_json(f"/schedule/runs/{failed['id']}/retry")
    assert asked.status_code == 201, asked.text
    new = asked.json()["run"]
    assert new["retry_of"] == failed["id"] and new["status"] in ("queued", "running", "done")
    drain_jobs(api.application)
    page = planner.get(f"/schedule?run={new['id']}").text
    assert f"Retries plan run {failed['id']}." in page and "Done: plan version" in page

    sales = browser("sales")
    waiting = _queued_plan_run(api)
    seen = sales.get(f"/schedule?run={waiting['id']}").text
    assert f'data-run="{waiting["id"]}"' in seen  # the panel is shown, without buttons
    assert re.search(r'action="/schedule/runs/\d+/(cancel|retry)"', seen) is None
    refused = sales.post(f"/schedule/runs/{waiting['id']}/cancel")
    assert "Your role (sales) may not run schedules." in flashes(refused)
    assert (
        plan_runs.get_run(
            api.application.ctx,
            users.authenticate(api.application.ctx, "planner", DEMO_PASSWORD),
            waiting["id"],
        )["status"]
        == "queued"
    )


def test_the_mrp_card_cancels_and_retries_the_latest_run(api: ApiSession, browser: OpenAs) -> None:
    buyer = browser("purchasing")
    ctx = dataclasses.replace(api.application.ctx, jobs=None)
    queued = mrp.request_run(ctx, users.authenticate(ctx, "purchasing", DEMO_PASSWORD))
    page = buyer.get("/materials").text
    assert "Waiting for a worker" in page
    assert _form(page, f"/materials/mrp-runs/{queued['id']}/cancel") is not None
    done = buyer.post(f"/materials/mrp-runs/{queued['id']}/cancel")
    assert f"MRP run {queued['id']} cancelled; it will not run." in flashes(done)
    assert "<b>cancelled</b>" in done.text
    again = buyer.post(f"/materials/mrp-runs/{queued['id']}/cancel")
    assert any("only a queued run can be cancelled" in m for m in flashes(again)), flashes(again)
    failed = mrp.request_run(ctx, users.authenticate(ctx, "purchasing", DEMO_PASSWORD))
    with ctx.uow() as uow:
        record = uow.repository(MATERIALS).run(failed["id"])
        assert record is not None
        record.start(ctx.clock.now())
        record.fail("RuntimeError: the worker stopped", ctx.clock.now())
        uow.commit()
    page = buyer.get("/materials").text
    assert "RuntimeError: the worker stopped" in page
    assert _form(page, f"/materials/mrp-runs/{failed['id']}/retry") is not None
    asked = buyer.post(f"/materials/mrp-runs/{failed['id']}/retry")
    assert any("queued" in m or "done" in m for m in flashes(asked)), flashes(asked)
    drain_jobs(api.application)
    page = buyer.get("/materials").text
    assert "<b>done</b>" in page and f"retries run {failed['id']}" in page
    assert browser("sales").post(f"/materials/mrp-runs/{failed['id']}/retry").status_code == 403

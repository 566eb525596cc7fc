"""The schedule board's web routes over HTTP: who may do what, and what refusals say.

The browser tests (tests/e2e/test_schedule.py) walk the happy paths; these check the
error paths without a browser: pins to units that cannot run the operation, forged
forms, roles without the right, bad times, unknown versions and runs, markup in text.
A web client signs in through the sign-in form like a browser and posts the page's
CSRF token, as the page's forms and script do.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from orderforge.bootstrap import build
from orderforge.demo import load_demo
from orderforge.entrypoints.api.app import create_app
from orderforge.services import plan_runs, schedule, users
from tests.api.support import ApiSession, TestClient
from tests.conftest import DEMO_PASSWORD, FixedClock, fast_hasher, make_settings

JSON = {"Accept": "application/json"}


class Browser:
    """A TestClient signed in through the form, carrying the session's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def sign_in(self, username: str) -> Browser:
        page = self.client.get("/login")
        self.csrf = _csrf_of(page)
        response = self.client.post(
            "/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf": self.csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        self.csrf = _csrf_of(self.client.get("/schedule"))
        return self

    def post(self, url: str, **fields: str | Sequence[str]) -> httpx.Response:
        """Submit a form as a browser does (a list is a repeated field)."""
        return self._submit(url, fields, {})

    def post_json(self, url: str, **fields: str | Sequence[str]) -> httpx.Response:
        """Submit a form asking for JSON back, as the page's script does.

        Two methods rather than a `json` flag: a flag among the form's fields would let a
        `**fields` mapping reach it, which mypy rightly refuses."""
        return self._submit(url, fields, JSON)

    def _submit(
        self, url: str, fields: dict[str, str | Sequence[str]], headers: dict[str, str]
    ) -> httpx.Response:
        data = {"csrf": self.csrf, **fields}
        response: httpx.Response = self.client.post(url, data=data, headers=headers)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(url, **kwargs)
        return response


def _csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def flashes(page: httpx.Response) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', page.text)
    ]


OpenAs = Callable[[str], Browser]


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    """`browser("planner")` -> a web client signed in as the planner."""
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


@pytest.fixture(scope="module")
def planned(api: ApiSession) -> dict[str, Any]:
    """The board of a plan made in the foreground (a short solve), as the planner sees it."""
    ctx = replace(api.application.ctx, jobs=None)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    run = plan_runs.request_run(ctx, planner, time_limit=0.5)
    done = plan_runs.execute_run(ctx, run["id"])
    assert done["status"] == "done", done
    return schedule.board(ctx, planner)


def finish(api: ApiSession, run_id: int) -> None:
    """Let a requested run end: the in-process worker (SQLite) is waited for; on
    PostgreSQL, where `orderforge worker` processes would take it, it runs here."""
    jobs = api.application.ctx.jobs
    wait = getattr(jobs, "wait", None)
    if wait is not None:
        wait(timeout=120)
    else:
        plan_runs.execute_run(api.application.ctx, run_id)


def pins(api: ApiSession) -> list[dict[str, Any]]:
    planner = users.authenticate(api.application.ctx, "planner", DEMO_PASSWORD)
    return schedule.list_pins(api.application.ctx, planner)


def packing_operation(board: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in board["operations"] if o["key"].endswith("/PACK") and not o["frozen"])


# -- who sees the board ----------------------------------------------------------


def test_staff_see_the_schedule_in_the_menu_and_customers_are_refused(
    browser: OpenAs, planned: dict[str, Any]
) -> None:
    sales = browser("sales")
    assert 'href="/schedule"' in sales.get("/orders").text
    page = sales.get("/schedule")
    assert page.status_code == 200
    assert f"version {planned['version']['number']}" in page.text

    customer = browser("alpina")
    assert 'href="/schedule"' not in customer.get("/orders").text
    refused = customer.get("/schedule")
    assert refused.status_code == 403
    assert "Not for your role" in refused.text
    run = planned["runs"][0]["id"]
    poll = customer.get(f"/schedule/runs/{run}.json")
    assert poll.status_code == 403
    assert poll.json()["error"].startswith("Your role (customer) may not view")
    units = customer.get("/schedule/units.json", params={"operation": "SO-2026-0001/1/PACK"})
    assert units.status_code == 403


def test_customer_cannot_pin_or_replan(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    customer = browser("alpina")
    op = packing_operation(planned)
    before = (len(pins(api)), len(planned_runs(api)))
    pin = customer.post_json("/schedule/pins", operation=op["key"], resource=op["resource"])
    assert pin.status_code == 403
    run = customer.post_json("/schedule/runs", time_limit="1")
    assert run.status_code == 403
    assert (len(pins(api)), len(planned_runs(api))) == before


def planned_runs(api: ApiSession) -> list[dict[str, Any]]:
    planner = users.authenticate(api.application.ctx, "planner", DEMO_PASSWORD)
    return plan_runs.list_runs(api.application.ctx, planner, 1000)


def test_sales_sees_no_controls_and_may_not_replan(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    sales = browser("sales")
    page = sales.get("/schedule").text
    for control in ('id="replan-form"', 'id="pin-form"', 'id="down-form"', "Remove pin of"):
        assert control not in page
    before = len(planned_runs(api))
    response = sales.post("/schedule/runs", time_limit="1")
    assert response.status_code == 200  # redirected back to the board, which says why
    assert "Your role (sales) may not run schedules." in flashes(response)
    assert len(planned_runs(api)) == before


# -- pins ---------------------------------------------------------------------------


def test_pin_to_a_unit_that_cannot_run_the_operation_says_why(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    planner = browser("planner")
    op = packing_operation(planned)
    before = pins(api)
    page = planner.post("/schedule/pins", operation=op["key"], resource="PAINT-BOOTH")
    assert page.status_code == 200
    assert str(page.url).endswith("/schedule")
    expected = f"{op['key']} cannot run on 'PAINT-BOOTH'; it can run on PACKING#1, PACKING#2."
    assert expected in flashes(page)
    answer = planner.post_json("/schedule/pins", operation=op["key"], resource="PAINT-BOOTH")
    assert answer.status_code == 422
    assert answer.json() == {"error": expected, "field": "resource"}
    assert pins(api) == before


def test_pin_listed_then_removed(api: ApiSession, browser: OpenAs, planned: dict[str, Any]) -> None:
    planner = browser("planner")
    op = packing_operation(planned)
    other = "PACKING#2" if op["resource"] == "PACKING#1" else "PACKING#1"
    page = planner.post(
        "/schedule/pins",
        operation=op["key"],
        resource=other,
        not_before="2026-12-01T08:00",
        note="<b>crate</b> first",
        back="/schedule?view=order&colour=lateness",
    )
    assert str(page.url).endswith("/schedule?view=order&colour=lateness")
    # Without a zone, the form's time is plant time (Europe/Berlin, UTC+1 in December).
    assert (
        f"Pinned {op['key']} to {other} not before Tue 01 Dec 08:00; the next plan keeps it."
        in (flashes(page))
    )
    stored = next(p for p in pins(api) if p["operation"] == op["key"])
    assert stored["not_before"] == "2026-12-01T07:00:00+00:00"
    assert f'data-operation="{op["key"]}"' in page.text
    assert "&lt;b&gt;crate&lt;/b&gt; first" in page.text

    removed = planner.post(f"/schedule/pins/{stored['id']}/remove")
    assert "Pin removed; the next plan may move that operation." in flashes(removed)
    assert all(p["operation"] != op["key"] for p in pins(api))
    again = planner.post_json(f"/schedule/pins/{stored['id']}/remove")
    assert again.status_code == 404
    assert again.json()["error"] == f"There is no active pin {stored['id']}."


def test_forged_form_changes_nothing(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    planner = browser("planner")
    planner.csrf = "forged"
    op = packing_operation(planned)
    before = (pins(api), len(planned_runs(api)))
    pin = planner.post_json("/schedule/pins", operation=op["key"], resource=op["resource"])
    assert pin.status_code == 422
    assert pin.json()["field"] == "csrf"
    page = planner.post("/schedule/runs", time_limit="1")
    assert "The form expired; reload the page and try again." in flashes(page)
    assert (pins(api), len(planned_runs(api))) == before


def test_eligible_units_for_the_pin_form(browser: OpenAs, planned: dict[str, Any]) -> None:
    planner = browser("planner")
    op = packing_operation(planned)
    answer = planner.get("/schedule/units.json", params={"operation": op["key"]})
    assert answer.json() == {"operation": op["key"], "units": ["PACKING#1", "PACKING#2"]}
    unknown = planner.get("/schedule/units.json", params={"operation": "SO-1/1/NOPE"})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "There is no operation 'SO-1/1/NOPE' to plan."


# -- runs and breakdowns -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"where": "CNC-5AX", "start": "2026-11-25T12:00", "end": "2026-11-25T10:00"},
            "end",
            "A downtime must end after it starts.",
        ),
        (
            {"where": "LASER", "start": "2026-11-25T10:00", "end": "2026-11-25T12:00"},
            "work_centre",
            "There is no work centre 'LASER'",
        ),
        (
            {
                "where": "ASSEMBLY|ASSEMBLY#9",
                "start": "2026-11-25T10:00",
                "end": "2026-11-25T12:00",
            },
            "resource",
            "ASSEMBLY has no unit 'ASSEMBLY#9'",
        ),
        (
            {"where": "CNC-5AX", "start": "tomorrow", "end": "2026-11-25T12:00"},
            "start",
            "start must be a date and time like 2026-11-26T06:00 (plant time)",
        ),
        (
            {"where": "CNC-5AX", "start": "2026-11-25T10:00", "end": ""},
            "end",
            "A breakdown needs a start and an end.",
        ),
        (
            {
                "where": "CNC-5AX",
                "start": "2026-11-25T10:00",
                "end": "2026-11-25T12:00",
                "reason": " ",
            },
            "reason",
            "Say what happened: a replan needs a reason.",
        ),
        (
            {
                "where": "CNC-5AX",
                "start": "2026-11-25T10:00",
                "end": "2026-11-25T12:00",
                "time_limit": "0",
            },
            "time_limit",
            "time_limit must be between 0.5 and 600",
        ),
    ],
)
def test_machine_down_refusals_name_the_field(
    api: ApiSession,
    browser: OpenAs,
    planned: dict[str, Any],
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    operator = browser("operator")
    before = len(planned_runs(api))
    answer = operator.post_json("/schedule/downtimes", **{"reason": "Broken", **fields})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["error"].startswith(message)
    assert len(planned_runs(api)) == before


def test_a_requested_run_is_followed_to_its_new_version(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    planner = browser("planner")
    latest = planned_runs(api)[0]["plan_version"] or 0
    answer = planner.post_json("/schedule/runs", time_limit="0.5")
    assert answer.status_code == 201, answer.text
    run = answer.json()["run"]
    assert run["status"] in ("queued", "running")
    finish(api, run["id"])
    polled = planner.get(f"/schedule/runs/{run['id']}.json").json()
    assert polled["status"] == "done", polled
    assert polled["plan_version"] > latest
    page = planner.get(f"/schedule?run={run['id']}")
    assert f"Done: plan version {polled['plan_version']} stored." in page.text
    assert f"version {polled['plan_version']}" in page.text
    # the summary says how much of the previous version moved, against what could have
    moved = re.search(r'id="plan-moved">moved (\d+) of (\d+) operations since version', page.text)
    assert moved is not None and int(moved[1]) <= int(moved[2])
    assert 'id="waiting-orders"' in page.text and "waits for design approval" in page.text
    assert polled["options"] == {"displace": False, "min_gain_minutes": 120}
    answer = planner.post_json("/schedule/runs", time_limit="0.5", displace="1")
    assert answer.json()["run"]["options"]["displace"] is True
    finish(api, answer.json()["run"]["id"])
    missing = planner.get("/schedule/runs/999999.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "There is no plan run 999999."}


def test_machine_down_by_form_is_listed_escaped(
    api: ApiSession, browser: OpenAs, planned: dict[str, Any]
) -> None:
    operator = browser("operator")
    reason = "<script>alert('down')</script> Fräse"
    page = operator.post(
        "/schedule/downtimes",
        where="ASSEMBLY|ASSEMBLY#2",
        start="2026-11-25T11:00",
        end="2026-11-25T15:00",
        reason=reason,
        time_limit="0.5",
    )
    recorded = re.search(r"Breakdown recorded; replanning \(run (\d+)\)\.", " ".join(flashes(page)))
    assert recorded is not None
    finish(api, int(recorded.group(1)))
    page = operator.get("/schedule")
    assert "<script>alert('down')" not in page.text
    assert "&lt;script&gt;alert(" in page.text  # the downtimes table
    assert "\\u003cscript\\u003ealert(" in page.text  # the chart's data
    assert "Replan: ASSEMBLY#2 down 2026-11-25T11:00 to 2026-11-25T15:00" in html.unescape(
        page.text
    )


def test_unknown_versions_are_explained(browser: OpenAs, planned: dict[str, Any]) -> None:
    sales = browser("sales")
    for version, message in (
        ("999", "There is no plan version 999."),
        ("abc", "There is no plan version 'abc'."),
    ):
        page = sales.get(f"/schedule?version={version}")
        assert str(page.url).endswith("/schedule")
        assert message in flashes(page)


# -- before the first plan ------------------------------------------------------------


def test_before_the_first_plan_the_page_says_how_to_make_one(tmp_path: Path) -> None:
    app = build(
        make_settings(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path),
        clock=FixedClock(),
        hasher=fast_hasher(),
    )
    try:
        app.upgrade_schema()
        load_demo(app.ctx, DEMO_PASSWORD)
        with TestClient(create_app(app.ctx, secret_key="test")) as client:
            planner = Browser(client).sign_in("planner")
            page = planner.get("/schedule").text
            assert "No plan yet" in page
            assert "Plan now" in page
            assert "orderforge plan run --time-limit 5" in page
            sales = Browser(TestClient(client.app)).sign_in("sales")
            page = sales.get("/schedule").text
            assert "No plan yet" in page
            assert "Plan now" not in page
    finally:
        app.close()


def test_work_running_late_on_the_floor_shows_on_the_board(
    browser: OpenAs, planned: dict[str, Any], clock: FixedClock
) -> None:
    """A day after the plan, what the demo's floor is running has overrun: the board lists
    the orders behind with what holds them, and marks the operations in its table."""
    running = [o for o in planned["operations"] if o["floor"]["status"] == "running"]
    assert running, "the demo's floor has work running"
    clock.advance(days=1)
    page = browser("planner").get("/schedule?view=order")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Behind on the floor" in text
    assert re.search(r"still running \d+ (d|h)\b.* after its planned end", text), text[:2000]
    assert 'class="badge mark-behind"' in page.text
    # The order page says the same to sales, in words.
    card = text.split('id="behind-orders"', 1)[1].split("</section>", 1)[0]
    behind = re.search(r'data-order="(SO-[0-9-]+)"', card)
    assert behind, card
    order = browser("sales").get(f"/orders/{behind.group(1)}")
    shown = html.unescape(order.text)
    assert 'id="floor-progress"' in order.text
    floor = re.search(r'id="floor-progress"[^>]*>([^<]*)<', shown)
    assert floor and "behind the plan: running late" in floor.group(1), floor

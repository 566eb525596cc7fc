"""The operator screen (/floor) over HTTP: the queue follows the current plan with the
next operation on top, reports go through the page's forms (start, complete, a problem),
a form sent twice records once, refusals store nothing and say the domain's sentence,
roles that may not report are refused, and the scan box opens what a code names.
The browser test (tests/e2e/test_floor.py) walks one operation in Chromium at 1024x768."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from orderforge.production.pages import QUEUE_SHOWN
from orderforge.production.services import floor, work_orders
from orderforge.services import plan_runs, users
from orderforge.services.ports import Principal
from tests.api.support import ApiSession, TestClient
from tests.api.test_schedule_pages import Browser, flashes
from tests.conftest import DEMO_PASSWORD

OpenAs = Callable[[str], Browser]
#: Work orders a test has reported on: the next test picks others, so none depends on
#: another's reports.
_TAKEN: set[tuple[str, str]] = set()


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


def _user(api: ApiSession, username: str) -> Principal:
    return users.authenticate(api.application.ctx, username, DEMO_PASSWORD)


@pytest.fixture(scope="module")
def plan(api: ApiSession) -> Iterator[int]:
    """A current plan, made in the foreground by the planner (a short solve)."""
    ctx = replace(api.application.ctx, jobs=None)
    run = plan_runs.request_run(ctx, _user(api, "planner"), time_limit=0.5)
    done = plan_runs.execute_run(ctx, run["id"])
    assert done["status"] == "done", done
    yield int(done["plan_version"])


def _queue(api: ApiSession, centre: str) -> dict[str, Any]:
    return floor.queue(api.application.ctx, _user(api, "operator"), centre)


def _work_order(api: ApiSession, number: str) -> dict[str, Any]:
    return work_orders.get_work_order(api.application.ctx, _user(api, "admin"), number)


def _pick(api: ApiSession, status: str) -> tuple[str, dict[str, Any]]:
    """A centre and one of its queued operations in `status` that may be worked on (its
    order released), of a work order no other test reported on (marked taken)."""
    for centre in floor.work_centres(api.application.ctx, _user(api, "operator")):
        for row in _queue(api, centre["code"])["operations"]:
            released = "not open for work" not in row["status_words"]
            mine = row["status"] == status and released
            # each database has its own demo: a work order taken on one is free on the other
            taken = (str(api.application.engine.dialect.name), row["work_order"])
            if mine and taken not in _TAKEN:
                _TAKEN.add(taken)
                return centre["code"], row
    raise AssertionError(f"no {status} operation left in the demo")


def _op_url(centre: str, row: dict[str, Any]) -> str:
    return f"/floor/{centre}/ops/{row['work_order']}/{row['seq']}"


def _key_of(page: httpx.Response, action: str) -> str:
    """The idempotency key the page drew into the form posting to `action`."""
    form = re.search(
        rf'<form method="post" action="[^"]*/{action}"[^>]*>(.*?)</form>', page.text, re.S
    )
    assert form, f"no {action} form on the page"
    key = re.search(r'name="key" value="([^"]+)"', form.group(1))
    assert key
    return key.group(1)


def _queue_codes(page: httpx.Response) -> list[str]:
    return [f"{wo}/{seq}" for wo, seq in re.findall(r'id="op-(WO-\d{4}-\d+)-(\d+)"', page.text)]


def test_the_queue_follows_the_plan_with_the_next_operation_on_top(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    ctx = api.application.ctx
    with ctx.uow() as uow:
        planned = {p.key: p.start for p in uow.plans.operations(plan)}
    operator = browser("operator")
    centre = "ASSEMBLY"
    page = operator.get(f"/floor/{centre}")
    assert page.status_code == 200
    codes = _queue_codes(page)
    view = _queue(api, centre)
    everything = [o["code"] for o in view["operations"]]
    # the page describes the top of the queue and counts the rest
    assert codes == everything[:QUEUE_SHOWN] and len(codes) > 3
    if len(everything) > QUEUE_SHOWN:
        more = len(everything) - QUEUE_SHOWN
        assert f"{more} more operation{'s' if more != 1 else ''} wait here" in page.text
    else:
        assert 'id="floor-more"' not in page.text
    shorter = floor.queue(ctx, _user(api, "operator"), centre, limit=2)
    assert [o["code"] for o in shorter["operations"]] == everything[:2]
    assert shorter["more"] == len(everything) - 2 and shorter["next"] == view["next"]
    rows = view["operations"]
    top = rows[0]
    assert top["status"] in ("running", "paused", "ready")
    assert re.search(rf'class="floor-item floor-next[^"]*" id="op-{top["work_order"]}-', page.text)
    assert page.text.count("floor-next ") == 1
    # After the top one: those running (on other units), then the rest by planned start,
    # the unplanned after them.
    running = [r["status"] == "running" for r in rows[1:]]
    assert running == sorted(running, reverse=True)
    starts: list[dt.datetime | None] = []
    for row in [r for r in rows[1:] if r["status"] != "running"]:
        wo = _work_order(api, row["work_order"])
        op = next(o for o in wo["operations"] if o["seq"] == row["seq"])
        starts.append(planned.get(f"{wo['order_number']}/{wo['line_no']}/{op['routing_key']}"))
    known = [s for s in starts if s is not None]
    assert known == sorted(known) and len(known) > 2
    assert starts == known + [None] * (len(starts) - len(known))
    # Customer-free words: no customer name or code on the floor.
    assert "C-" not in re.sub(r"<[^>]+>", " ", page.text).replace("CNC-", "")
    assert "Dining" in page.text or "Cabinet" in page.text or "couch" in page.text


def test_start_then_complete_through_the_forms_moves_the_queue_on(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    centre, row = _pick(api, "ready")
    operator = browser("operator")
    page = operator.get(_op_url(centre, row))
    assert page.status_code == 200 and row["name"] in page.text
    assert "Work instruction" in page.text and "mockup.svg" in page.text
    assert "<script" not in page.text  # no JavaScript at all on the floor
    progress = re.search(r'id="wo-progress">Work order: (\d+) of (\d+) operations done', page.text)
    assert progress, page.text
    assert "the plan finishes order" in page.text
    started = operator.post(f"{_op_url(centre, row)}/start", key=_key_of(page, "start"))
    assert started.status_code == 200  # followed to the queue
    assert str(started.url).endswith(f"/floor/{centre}")
    said = flashes(started)
    assert any(f"{row['work_order']} op {row['seq']}" in m and "started" in m for m in said)
    assert any("Next:" in m for m in said)
    page = operator.get(_op_url(centre, row))
    good = re.search(r'name="good" id="good"[^>]*value="(\d+)"', page.text)
    assert good and int(good.group(1)) == row["quantity"]
    done = operator.post(
        f"{_op_url(centre, row)}/complete",
        key=_key_of(page, "complete"),
        good=good.group(1),
        scrap="0",
    )
    assert any("completed" in m and f"{row['quantity']} good" in m for m in flashes(done))
    assert row["code"] not in _queue_codes(done)
    wo = _work_order(api, row["work_order"])
    op = next(o for o in wo["operations"] if o["seq"] == row["seq"])
    assert op["status"] == "done" and op["good_quantity"] == row["quantity"]
    assert op["work_centre"] == centre  # the start said where it ran
    after = operator.get(_op_url(centre, row))
    done_now = re.search(r'id="wo-progress">Work order: (\d+) of', after.text)
    assert done_now and int(done_now.group(1)) == int(progress.group(1)) + 1
    assert [r["kind"] for r in wo["reports"] if r["seq"] == row["seq"]] == ["start", "complete"]
    assert {r["actor"] for r in wo["reports"]} == {"operator"}


def test_a_form_sent_twice_records_once(api: ApiSession, browser: OpenAs, plan: int) -> None:
    centre, row = _pick(api, "ready")
    operator = browser("operator")
    page = operator.get(_op_url(centre, row))
    key = _key_of(page, "start")
    first = operator.post(f"{_op_url(centre, row)}/start", key=key)
    again = operator.post(f"{_op_url(centre, row)}/start", key=key)
    assert any("started" in m for m in flashes(first))
    assert any("already sent; recorded once" in m for m in flashes(again))
    page = operator.get(_op_url(centre, row))
    problem_key = _key_of(page, "problem")
    for _ in range(2):
        operator.post(f"{_op_url(centre, row)}/problem", key=problem_key, note="Saw blade <dull>")
    wo = _work_order(api, row["work_order"])
    kinds = [r["kind"] for r in wo["reports"] if r["seq"] == row["seq"]]
    assert kinds == ["start", "problem"]
    assert wo["reports"][-1]["note"] == "Saw blade <dull>"
    op = next(o for o in wo["operations"] if o["seq"] == row["seq"])
    assert op["status"] == "running"


@pytest.mark.parametrize(
    ("status", "action", "fields", "sentence"),
    [
        ("ready", "complete", {"good": "1"}, "only a running operation can be completed"),
        ("running", "complete", {"good": "100000"}, "more than the"),
        ("running", "complete", {"good": "two"}, "good must be a whole number"),
        ("waiting", "start", {}, "cannot start: operation"),
        ("ready", "pause", {}, "only a running operation can pause"),
        ("ready", "problem", {"note": "  "}, "Say what the problem is."),
    ],
)
def test_refusals_flash_the_reason_and_store_nothing(
    api: ApiSession,
    browser: OpenAs,
    plan: int,
    status: str,
    action: str,
    fields: dict[str, str],
    sentence: str,
) -> None:
    centre, row = _pick(api, status)
    before = _work_order(api, row["work_order"])
    operator = browser("operator")
    page = operator.get(_op_url(centre, row))
    key = f"refused-{row['code']}-{action}"
    answer = operator.post(f"{_op_url(centre, row)}/{action}", key=key, **fields)
    assert str(answer.url).endswith(_op_url(centre, row))
    assert any(sentence in m for m in flashes(answer)), flashes(answer)
    assert _work_order(api, row["work_order"]) == before
    assert page.status_code == 200


def test_a_forged_form_is_refused_and_stores_nothing(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    centre, row = _pick(api, "ready")
    before = _work_order(api, row["work_order"])
    operator = browser("operator")
    forged = operator.client.post(
        f"{_op_url(centre, row)}/start", data={"csrf": "not-the-token", "key": "forged"}
    )
    assert any("The form expired" in m for m in flashes(forged))
    unknown = operator.post(f"{_op_url(centre, row)}/explode", key="k-explode")
    assert any("Unknown report 'explode'" in m for m in flashes(unknown))
    assert _work_order(api, row["work_order"]) == before


@pytest.mark.parametrize("username", ["sales", "engineer", "quality", "alpina"])
def test_roles_that_may_not_report_are_refused(
    api: ApiSession, browser: OpenAs, plan: int, username: str
) -> None:
    centre, row = next(
        ("ASSEMBLY", r) for r in _queue(api, "ASSEMBLY")["operations"] if r["status"] == "ready"
    )
    before = _work_order(api, row["work_order"])
    someone = browser(username)
    for url in ("/floor", f"/floor/{centre}", _op_url(centre, row), f"/floor/{centre}/scan"):
        assert someone.get(url).status_code == 403, url
    refused = someone.post(f"{_op_url(centre, row)}/start", key=f"k-{username}")
    assert refused.status_code == 403
    assert _work_order(api, row["work_order"]) == before
    nav = someone.get("/orders").text
    assert 'href="/floor"' not in nav
    assert 'href="/floor"' in browser("operator").get("/orders").text


def test_the_scan_box_opens_the_operation_or_says_why_not(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    operator = browser("operator")
    centre = "ASSEMBLY"
    rows = _queue(api, centre)["operations"]
    row = rows[1]
    opened = operator.get(f"/floor/{centre}/scan", params={"code": f" {row['code'].lower()} "})
    assert str(opened.url).endswith(_op_url(centre, row)) and row["name"] in opened.text
    alone = operator.get(f"/floor/{centre}/scan", params={"code": row["work_order"]})
    here = next(r for r in rows if r["work_order"] == row["work_order"])
    assert str(alone.url).endswith(_op_url(centre, here))
    for code, says in [
        ("WO-2026-9999/10", "There is no work order WO-2026-9999"),
        (f"{row['work_order']}/5", "has no operation 5"),
        ("<b>hello</b>", "is not a work order code"),
        ("", "is not a work order code"),
    ]:
        back = operator.get(f"/floor/{centre}/scan", params={"code": code})
        assert str(back.url).endswith(f"/floor/{centre}"), code
        assert any(says in m for m in flashes(back)), (code, flashes(back))
    markup = operator.get(f"/floor/{centre}/scan", params={"code": "<b>hello</b>"})
    assert "&lt;b&gt;hello" in markup.text and "<b>hello" not in markup.text


def test_a_travelers_code_opens_its_operation_from_a_phone_or_the_scan_box(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    """The traveler's QR code is a link: a phone opens it as is (at the operator's own
    centre when the operation runs there), and a wedge scanner types it into the box."""
    from orderforge.production.services.travelers import scan_url

    operator = browser("operator")
    centre = "ASSEMBLY"
    row = _queue(api, centre)["operations"][0]
    link = scan_url("https://plant.example.com", row["work_order"], row["seq"])
    operator.get(f"/floor/{centre}")  # the operator works at assembly
    phone = operator.get(link.replace("https://plant.example.com", ""))
    assert str(phone.url).endswith(_op_url(centre, row)), phone.url
    boxed = operator.get(f"/floor/{centre}/scan", params={"code": link})
    assert str(boxed.url).endswith(_op_url(centre, row))
    elsewhere = browser("operator")  # no centre remembered: the operation's own
    opened = elsewhere.get(link.replace("https://plant.example.com", ""))
    assert f"/ops/{row['work_order']}/{row['seq']}" in str(opened.url)
    unknown = elsewhere.get("/floor/scan", params={"code": "nonsense"})
    assert any("not a work order code" in m for m in flashes(unknown))


def test_the_centre_is_remembered_and_unknown_ones_are_not_found(
    api: ApiSession, browser: OpenAs, plan: int
) -> None:
    operator = browser("operator")
    picker = operator.get("/floor")
    assert picker.status_code == 200 and 'id="centre-ASSEMBLY"' in picker.text
    operator.get("/floor/PAINT-BOOTH")
    back = operator.get("/floor")
    assert str(back.url).endswith("/floor/PAINT-BOOTH")
    assert 'class="floor-centre current"' in operator.get("/floor", params={"pick": "1"}).text
    assert operator.get("/floor/NO-SUCH").status_code == 404
    assert operator.get("/floor/ASSEMBLY/ops/WO-2026-0001/abc").status_code == 404

"""The planner's schedule board: the stored plan as a Gantt chart, pins and replans.

`/schedule` works without JavaScript: the plan is a table, and pins, replans and
breakdowns are forms that post back here (post-redirect-get, a watched run refreshes
the page until it ends). `static/schedule.js` draws the same plan with vis-timeline
(fetched at install time into static/vendor/ by scripts/fetch_assets.py), pins by
dragging, and follows a requested run through `/schedule/runs/{id}.json`. The same
POST routes answer JSON when the request accepts it, so both paths share one handler.

Times are shown in the plant's time zone (its calendars'), and form times without a
zone are read in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from orderforge.domain.errors import DomainError, InvalidInput, NotFound
from orderforge.domain.order import OrderState
from orderforge.domain.permissions import PIN, REPORT, RUN, Resource, is_allowed
from orderforge.domain.planning import DisruptionKind, RunOptions
from orderforge.entrypoints.api.errors import status_of
from orderforge.entrypoints.web.common import (
    Ctx,
    User,
    check_csrf,
    flash,
    redirect,
    render,
    templates,
)
from orderforge.promising import services as promising
from orderforge.services import plan_runs, plant_time, schedule
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(include_in_schema=False)

VIEWS = ("centre", "order")
COLOURS = ("state", "lateness")
#: Seconds the solver may take when the form does not say (the field's default).
DEFAULT_TIME_LIMIT = 5.0
#: What the page keeps of its address when a form sends the planner back to it.
KEPT = ("view", "colour")
ACTIVE = ("queued", "running")
FormText = Annotated[str, Form()]


# -- reading forms ----------------------------------------------------------------


def parse_moment(text: str, zone: ZoneInfo, field: str) -> dt.datetime | None:
    """A form's date and time; without an offset it is plant time (a time the spring
    change skips is refused, as everywhere). Empty -> None."""
    if not text.strip():
        return None
    return plant_time.in_zone(plant_time.parse_moment(text, field), zone, field)


def parse_seconds(text: str) -> float:
    try:
        return float(text) if text.strip() else DEFAULT_TIME_LIMIT
    except ValueError:
        raise InvalidInput(
            "The time limit must be a number of seconds.", field="time_limit"
        ) from None


# -- answering: JSON for the script, redirect + flash for forms --------------------


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def back_to(back: str, **extra: object) -> str:
    """/schedule with the view and colour the form came from, plus `extra`."""
    _, _, query = back.partition("?")
    kept = {k: v for k, v in parse_qsl(query) if k in KEPT}
    kept.update({k: str(v) for k, v in extra.items() if v is not None})
    return "/schedule" + (f"?{urlencode(kept)}" if kept else "")


def refused(request: Request, exc: DomainError, back: str) -> Response:
    if wants_json(request):
        body = {"error": exc.message, "field": exc.field}
        return JSONResponse(body, status_code=status_of(exc))
    flash(request, exc.message, "error")
    return redirect(back_to(back))


def done(
    request: Request, message: str, back: str, body: dict[str, Any], **extra: object
) -> Response:
    if wants_json(request):
        return JSONResponse({"message": message, **body}, status_code=201)
    flash(request, message, "success")
    return redirect(back_to(back, **extra))


# -- the page -----------------------------------------------------------------------


def when(value: str | None, zone: ZoneInfo, with_year: bool = False) -> str:
    """'Wed 25 Nov 14:40' in plant time, from an ISO string."""
    if not value:
        return "—"
    moment = dt.datetime.fromisoformat(value).astimezone(zone)
    return moment.strftime("%a %d %b %Y %H:%M" if with_year else "%a %d %b %H:%M")


templates.env.filters["when"] = when


def watched_run(
    ctx: ServiceContext, me: Principal, board: dict[str, Any], run_id: str
) -> dict[str, Any] | None:
    """The run the page follows: the one asked for, else the newest if unfinished or failed."""
    if run_id.isdigit():
        try:
            return plan_runs.get_run(ctx, me, int(run_id))
        except NotFound:
            return None
    newest = board["runs"][0] if board["runs"] else None
    return newest if newest and newest["status"] in (*ACTIVE, "failed") else None


def table_rows(board: dict[str, Any], view: str) -> list[dict[str, Any]]:
    """The plan as rows: by unit then time (work-centre view) or by order then time."""
    units = [u for w in board["work_centres"] for u in w["units"]]
    rank = {u: i for i, u in enumerate(units)}
    orders = {o["order"]: o for o in board["orders"]}
    pinned = {p["operation"] for p in board["pins"]}
    rows = [
        {**op, "order": orders.get(op["order_number"], {}), "pin": op["key"] in pinned}
        for op in board["operations"]
    ]
    if view == "order":
        return sorted(rows, key=lambda r: (r["order_number"], r["start"]))
    return sorted(rows, key=lambda r: (rank.get(r["resource"], len(rank)), r["start"]))


def page_context(
    ctx: ServiceContext, me: Principal, board: dict[str, Any], query: dict[str, str]
) -> dict[str, Any]:
    view = query.get("view", "") if query.get("view") in VIEWS else VIEWS[0]
    colour = query.get("colour", "") if query.get("colour") in COLOURS else COLOURS[0]
    zone = plant_time.zone_of(ctx)
    now = dt.datetime.fromisoformat(board["now"]).astimezone(zone).replace(tzinfo=None)
    can_pin = is_allowed(me.role, Resource.SCHEDULE, PIN)
    late = sorted((o for o in board["orders"] if o["late"]), key=lambda o: -o["tardiness_minutes"])
    waiting = sorted((o for o in board["orders"] if o["waits"]), key=lambda o: o["planned_start"])
    behind = sorted(
        (o for o in board["orders"] if o.get("floor_reason")),
        key=lambda o: (not o["promise_at_risk"], -o["floor_delay_minutes"]),
    )
    client = {
        **{k: board[k] for k in ("now", "current", "work_centres", "orders", "operations")},
        **{k: board[k] for k in ("pins", "downtimes")},
        "version": board["version"]["number"] if board["version"] else None,
        "timezone": zone.key,
        "view": view,
        "colour": colour,
        "editable": can_pin and board["current"],
        "states": {s.value: s.label for s in OrderState},
    }
    return {
        "board": board,
        "version": board["version"],
        "versions": schedule.list_versions(ctx, me),
        "run": watched_run(ctx, me, board, query.get("run", "")),
        "rows": table_rows(board, view),
        "late": late,
        "waiting": waiting,
        "behind": behind,
        "held": promising.held(ctx, me) if board["current"] else [],
        "view": view,
        "colour": colour,
        "zone": zone,
        "back": "/schedule?" + urlencode({"view": view, "colour": colour}),
        # Links that switch rows or colours keep an older version in view.
        "keep": {} if board["current"] else {"version": client["version"]},
        "default_start": now.strftime("%Y-%m-%dT%H:%M"),
        "default_end": (now + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit": DEFAULT_TIME_LIMIT,
        "can_pin": can_pin,
        "can_run": is_allowed(me.role, Resource.SCHEDULE, RUN),
        "can_report": is_allowed(me.role, Resource.SCHEDULE, REPORT),
        "client": client,
    }


@router.get("/schedule")
def schedule_page(request: Request, ctx: Ctx, me: User, version: str = "") -> Response:
    try:
        number = int(version) if version.strip() else None
        board = schedule.board(ctx, me, number)
    except ValueError:
        flash(request, f"There is no plan version {version[:20]!r}.", "error")
        return redirect("/schedule")
    except NotFound as exc:
        if number is None:
            raise
        flash(request, exc.message, "error")
        return redirect("/schedule")
    query = dict(request.query_params)
    return render(request, "schedule.html", me=me, **page_context(ctx, me, board, query))


# -- pins ---------------------------------------------------------------------------


@router.post("/schedule/pins")
def add_pin(
    request: Request,
    ctx: Ctx,
    me: User,
    operation: FormText = "",
    resource: FormText = "",
    not_before: FormText = "",
    note: FormText = "",
    csrf: FormText = "",
    back: FormText = "",
) -> Response:
    zone = plant_time.zone_of(ctx)
    try:
        check_csrf(request, csrf)
        moment = parse_moment(not_before, zone, "not_before")
        pin = schedule.add_pin(ctx, me, operation.strip(), resource.strip(), moment, note)
    except DomainError as exc:
        return refused(request, exc, back)
    after = f" not before {when(pin['not_before'], zone)}" if moment else ""
    message = f"Pinned {pin['operation']} to {pin['resource']}{after}; the next plan keeps it."
    return done(request, message, back, {"pin": pin})


@router.post("/schedule/pins/{pin_id}/remove")
def remove_pin(
    request: Request, ctx: Ctx, me: User, pin_id: int, csrf: FormText = "", back: FormText = ""
) -> Response:
    try:
        check_csrf(request, csrf)
        schedule.remove_pin(ctx, me, pin_id)
    except DomainError as exc:
        return refused(request, exc, back)
    return done(request, "Pin removed; the next plan may move that operation.", back, {})


@router.post("/schedule/downtimes/{downtime_id}/withdraw")
def withdraw_downtime(
    request: Request,
    ctx: Ctx,
    me: User,
    downtime_id: int,
    csrf: FormText = "",
    back: FormText = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        schedule.withdraw_downtime(ctx, me, downtime_id)
    except DomainError as exc:
        return refused(request, exc, back)
    return done(request, "Downtime withdrawn; the next plan may use that time.", back, {})


@router.get("/schedule/units.json")
def eligible_units(ctx: Ctx, me: User, operation: str = "") -> JSONResponse:
    """The units that may run an operation, for the pin form's unit list."""
    try:
        units = schedule.units_for(ctx, me, operation)
    except DomainError as exc:
        return JSONResponse({"error": exc.message}, status_code=status_of(exc))
    return JSONResponse({"operation": operation, "units": units})


# -- runs ---------------------------------------------------------------------------


@router.post("/schedule/runs")
def request_run(
    request: Request,
    ctx: Ctx,
    me: User,
    time_limit: FormText = "",
    displace: FormText = "",
    csrf: FormText = "",
    back: FormText = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        options = RunOptions(displace=bool(displace))
        run = plan_runs.request_run(ctx, me, parse_seconds(time_limit), options=options)
    except DomainError as exc:
        return refused(request, exc, back)
    message = f"Plan run {run['id']} requested."
    return done(request, message, back, {"run": run}, run=run["id"])


@router.post("/schedule/runs/{run_id}/cancel")
def cancel_run(
    request: Request, ctx: Ctx, me: User, run_id: int, csrf: FormText = "", back: FormText = ""
) -> Response:
    try:
        check_csrf(request, csrf)
        run = plan_runs.cancel_run(ctx, me, run_id)
    except DomainError as exc:
        return refused(request, exc, back)
    message = f"Plan run {run['id']} cancelled; it will not run."
    return done(request, message, back, {"run": run}, run=run["id"])


@router.post("/schedule/runs/{run_id}/retry")
def retry_run(
    request: Request, ctx: Ctx, me: User, run_id: int, csrf: FormText = "", back: FormText = ""
) -> Response:
    try:
        check_csrf(request, csrf)
        run = plan_runs.retry_run(ctx, me, run_id)
    except DomainError as exc:
        return refused(request, exc, back)
    message = f"Plan run {run['id']} requested (retrying run {run_id})."
    return done(request, message, back, {"run": run}, run=run["id"])


class MachineDownForm(BaseModel):
    """The breakdown form: `where` is a work centre code or "CODE|UNIT"; plant times."""

    where: str = ""
    start: str = ""
    end: str = ""
    reason: str = ""
    time_limit: str = ""
    displace: str = ""
    csrf: str = ""
    back: str = ""

    def disruption(self, zone: ZoneInfo) -> plan_runs.Disruption:
        centre, _, unit = self.where.partition("|")
        return plan_runs.Disruption(
            kind=DisruptionKind.MACHINE_DOWN,
            reason=self.reason,
            work_centre=centre,
            resource=unit or None,
            start=parse_moment(self.start, zone, "start"),
            end=parse_moment(self.end, zone, "end"),
        )


@router.post("/schedule/downtimes")
def report_machine_down(
    request: Request, ctx: Ctx, me: User, form: Annotated[MachineDownForm, Form()]
) -> Response:
    try:
        check_csrf(request, form.csrf)
        disruption = form.disruption(plant_time.zone_of(ctx))
        options = RunOptions(displace=bool(form.displace))
        run = plan_runs.request_run(ctx, me, parse_seconds(form.time_limit), disruption, options)
    except DomainError as exc:
        return refused(request, exc, form.back)
    message = f"Breakdown recorded; replanning (run {run['id']})."
    return done(request, message, form.back, {"run": run}, run=run["id"])


@router.get("/schedule/runs/{run_id}.json")
def run_status(ctx: Ctx, me: User, run_id: int) -> JSONResponse:
    """A run's status and progress, polled by the page while it runs."""
    try:
        return JSONResponse(plan_runs.get_run(ctx, me, run_id))
    except DomainError as exc:
        return JSONResponse({"error": exc.message}, status_code=status_of(exc))

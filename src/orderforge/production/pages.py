"""The operator screen (/floor): pick a work centre, see its queue in plan order with the
next operation on top, open an operation for its work instruction, and report start,
pause, completion (good and scrap) or a problem with large buttons.

Tablet-first and without JavaScript: plain links and forms, a scan box that is a GET
form (a keyboard-wedge scanner types the code and Enter). Every report form carries an
idempotency key made when the page was drawn, so a double tap or a resent form records
once through the same use case the API uses. A refusal comes back as a flash with the
domain's sentence and nothing stored; a role that may not report gets 403.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from orderforge.domain.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
)
from orderforge.production.domain import MAX_REPORTED_QUANTITY, ReportKind
from orderforge.production.services import floor, reports, units

router = APIRouter(include_in_schema=False)
#: The session remembers the operator's work centre under this name.
CENTRE = "floor_centre"
#: What the report just recorded, said on the queue page it redirects to with what is next.
RECORDED = "floor_recorded"
MAX_SEQ_DIGITS = 6
#: operations the queue page describes: a tablet shows about ten; the rest are counted
QUEUE_SHOWN = 40
#: What a report is called in the flash, after "WO-2026-0012 op 20 (Cut)".
DONE_WORDS = {
    ReportKind.START: "started",
    ReportKind.PAUSE: "paused",
    ReportKind.COMPLETE: "completed",
    ReportKind.PROBLEM: "has a problem noted",
}


def _queue_url(centre: str) -> str:
    return f"/floor/{quote(centre, safe='')}"


def _op_url(centre: str, number: str, seq: int) -> str:
    return f"{_queue_url(centre)}/ops/{quote(number, safe='')}/{seq}"


def _seq(text: str) -> int:
    if not text.isdigit() or len(text) > MAX_SEQ_DIGITS:
        raise NotFound(f"There is no operation {text[:10]!r}.")
    return int(text)


def _key() -> str:
    """A fresh idempotency key for one drawn form: a repeat of that form counts once."""
    return "floor-" + secrets.token_urlsafe(18)


@router.get("/floor")
def floor_page(request: Request, ctx: Ctx, me: User, pick: str | None = None) -> Response:
    remembered = request.session.get(CENTRE)
    # back to the operator's own centre without counting every centre's queue first
    if pick is None and isinstance(remembered, str) and floor.is_work_centre(ctx, me, remembered):
        return redirect(_queue_url(remembered))
    centres = floor.work_centres(ctx, me)
    return render(request, "floor/centres.html", me=me, centres=centres, remembered=remembered)


@router.get("/floor/scan")
def scan_anywhere(request: Request, ctx: Ctx, me: User, code: str = "") -> Response:
    """A traveler's code opened from outside a queue (a phone's camera): the operation at
    the operator's own centre when it runs there, else at its own."""
    remembered = request.session.get(CENTRE)
    try:
        centre = floor.scan_centre(
            ctx, me, code, remembered if isinstance(remembered, str) else None
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect("/floor")
    return scan(request, ctx, me, centre, code)


@router.get("/floor/{centre}")
def queue_page(request: Request, ctx: Ctx, me: User, centre: str) -> HTMLResponse:
    view = floor.queue(ctx, me, centre, limit=QUEUE_SHOWN)
    request.session[CENTRE] = view["code"]
    recorded = request.session.pop(RECORDED, None)
    if isinstance(recorded, str):  # a report just made: what it did, and what comes next
        flash(request, f"{recorded} {_next_words(view)}", "success")
    return render(request, "floor/queue.html", me=me, view=view)


@router.get("/floor/{centre}/scan")
def scan(request: Request, ctx: Ctx, me: User, centre: str, code: str = "") -> Response:
    """The scan box: open the operation the code names, or say why not (nothing changes)."""
    try:
        target = floor.resolve_scan(ctx, me, centre, code)
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(_queue_url(centre))
    return redirect(_op_url(centre, target.work_order, target.seq))


@router.get("/floor/{centre}/ops/{number}/{seq}")
def operation_page(
    request: Request, ctx: Ctx, me: User, centre: str, number: str, seq: str
) -> HTMLResponse:
    view = floor.operation(ctx, me, centre, number, _seq(seq))
    return render(
        request,
        "floor/operation.html",
        me=me,
        op=view,
        keys={kind.value: _key() for kind in ReportKind} | {"consume": _key()},
        max_quantity=MAX_REPORTED_QUANTITY,
    )


def _whole(form: FormData, name: str, default: int = 0) -> int:
    text = form_text(form, name)
    if not text:
        return default
    if not text.isdigit() or len(text) > len(str(MAX_REPORTED_QUANTITY)):
        raise InvalidInput(
            f"{name} must be a whole number from 0 to {MAX_REPORTED_QUANTITY}, not {text[:12]!r}.",
            field=name,
        )
    return int(text)


def _command(
    form: FormData, centre: str, number: str, seq: int, kind: ReportKind
) -> reports.ReportOperation:
    """The report the form says; a start names the centre whose screen it came from."""
    note = form_text(form, "note")
    if kind is ReportKind.COMPLETE:
        good, scrap = _whole(form, "good"), _whole(form, "scrap")
        cause = form_text(form, "scrap_cause")[:20]
        return reports.ReportOperation(
            number, seq, kind, good=good, scrap=scrap, note=note, scrap_cause=cause
        )
    if kind is ReportKind.START:
        here = centre.strip().upper()
        return reports.ReportOperation(number, seq, kind, note=note, work_centre=here)
    return reports.ReportOperation(number, seq, kind, note=note)


def _next_words(view: dict[str, Any]) -> str:
    nxt = view["next"]
    if nxt is None:
        return "Nothing is ready here now."
    return f"Next: {nxt['code']} {nxt['name']} ({nxt['status_words']})."


@router.post("/floor/{centre}/ops/{number}/{seq}/consume")
def consume(
    request: Request, form: Posted, ctx: Ctx, me: User, centre: str, number: str, seq: str
) -> Response:
    """Issue a lot to the operation from the "Consume material" form (a wedge scanner
    types the lot and Enter); back to the operation with what it did."""
    n = _seq(seq)
    try:
        form = posted_form(request, form)
        key = form_text(form, "key") or None
        cmd = units.ConsumeLot(
            number, n, form_text(form, "lot"), units.parse_quantity(form_text(form, "quantity"))
        )
        outcome = units.consume_lot(ctx, me, cmd, key)
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(_op_url(centre, number, n))
    v = outcome.view
    said = f"Recorded: {v['quantity']} of lot {v['lot']} ({v['item_code']}) used at op {n}."
    if outcome.replayed:
        said += " (This form was already sent; taken once.)"
    flash(request, said, "success")
    return redirect(_op_url(centre, number, n))


@router.post("/floor/{centre}/ops/{number}/{seq}/{action}")
def report(
    request: Request,
    form: Posted,
    ctx: Ctx,
    me: User,
    centre: str,
    number: str,
    seq: str,
    action: str,
) -> Response:
    """Record one report from the operation page; back to the queue with what it did."""
    n = _seq(seq)
    try:
        kind = reports.parse_kind(action)
        form = posted_form(request, form)
        key = form_text(form, "key") or None
        outcome = reports.report_operation(ctx, me, _command(form, centre, number, n, kind), key)
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(_op_url(centre, number, n))
    op: dict[str, Any] = next(o for o in outcome.view["operations"] if o["seq"] == n)
    said = f"{outcome.view['number']} op {n} ({op['name']}) {DONE_WORDS[kind]}"
    if kind is ReportKind.COMPLETE:
        said += f": {op['good_quantity']} good, {op['scrap_quantity']} scrap"
    if outcome.replayed:
        said += " (this form was already sent; recorded once)"
    # The queue page it leads to says this with what comes next, from the queue it builds
    # anyway (building it here too doubled the work of every report).
    request.session[RECORDED] = f"Recorded: {said}."
    return redirect(_queue_url(centre))

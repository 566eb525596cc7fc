"""The Materials page: shortages, the MRP's proposals (accept, edit, merge), purchase
orders with a receive form per open line, and the latest MRP run. Staff only; a form
refused by a use case comes back with the reason in a flash (nothing is stored). Works
without JavaScript."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from orderforge.domain.errors import DomainError, IllegalTransition, InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, require
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
from orderforge.materials.services import mrp, purchasing, views
from orderforge.services import plant_time
from orderforge.services.money import money
from orderforge.services.ports import Principal

router = APIRouter(prefix="/materials", include_in_schema=False)
SHOWN = 60


def _quantity(form: FormData, key: str = "quantity") -> Decimal:
    try:
        return Decimal(form_text(form, key))
    except InvalidOperation:
        raise InvalidInput(f"{key} must be a number.", field=key) from None


def _date(form: FormData, key: str) -> dt.date | None:
    text = form_text(form, key)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{key} must be a date (YYYY-MM-DD).", field=key) from None


def _context(ctx: Ctx, me: Principal) -> dict[str, Any]:
    zone = plant_time.zone_of(ctx)

    def day(iso: str | None) -> str:
        if not iso:
            return "-"
        moment = dt.datetime.fromisoformat(iso)
        if len(iso) == 10:
            return dt.date.fromisoformat(iso).strftime("%a %d %b %Y")
        return moment.astimezone(zone).strftime("%a %d %b %Y")

    suppliers = views.suppliers(ctx, me)
    offered: dict[str, list[dict[str, str]]] = {}
    for s in suppliers:
        for o in s["offers"]:
            if not o["express"]:
                offered.setdefault(o["item_code"], []).append(
                    {"code": s["code"], "name": s["name"]}
                )
    shortages = views.shortages(ctx, me)
    proposals = views.proposals(ctx, me)
    orders = views.purchase_orders(ctx, me, None, 100)
    runs = mrp.list_runs(ctx, me, 1)
    return {
        "day": day,
        "money": lambda amount, currency: money(Decimal(amount), currency),
        "shortages": shortages[:SHOWN],
        "shortage_count": len(shortages),
        "proposals": proposals[:SHOWN],
        "proposal_count": len(proposals),
        "offered": offered,
        "open_orders": [
            o for o in orders if o["status"] in ("draft", "ordered", "partially_received")
        ],
        "closed_orders": [o for o in orders if o["status"] in ("received", "cancelled")][:20],
        "run": runs[0] if runs else None,
        "today": ctx.clock.now().date().isoformat(),
    }


@router.get("")
def materials_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    require(me.role, Resource.MATERIALS, VIEW)
    return render(request, "materials/index.html", me=me, **_context(ctx, me))


def _done(request: Request, message: str, anchor: str = "") -> Response:
    flash(request, message, "success")
    return redirect(f"/materials{anchor}")


def _failed(request: Request, exc: DomainError, anchor: str = "") -> Response:
    where = f"{exc.field}: " if exc.field else ""
    flash(request, f"Nothing was changed. {where}{exc.message}", "error")
    return redirect(f"/materials{anchor}")


@router.post("/mrp-runs", response_model=None)
def run_mrp(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    posted_form(request, form)
    return _asked(request, mrp.queue_run(ctx, me))


def _asked(request: Request, run: dict[str, Any]) -> Response:
    """The flash for a run just asked for: queued (a worker takes it), or its result when
    it ran at once."""
    if run["status"] == "queued":
        message = f"MRP run {run['id']} queued: a worker runs it; reload to see the result."
        return _done(request, message, "#mrp")
    c = run["counts"]
    return _done(
        request,
        f"MRP run {run['id']} done: {c['requirements']} requirements of {c['orders']} orders, "
        f"{c['proposals']} purchase proposals ({c['late_proposals']} late), "
        f"{c['missing']} cannot be sourced.",
        "#mrp",
    )


@router.post("/mrp-runs/{run_id}/cancel", response_model=None)
def cancel_mrp_run(request: Request, form: Posted, ctx: Ctx, me: User, run_id: int) -> Response:
    posted_form(request, form)
    try:
        run = mrp.cancel_run(ctx, me, run_id)
    except (IllegalTransition, NotFound) as exc:
        return _failed(request, exc, "#mrp")
    return _done(request, f"MRP run {run['id']} cancelled; it will not run.", "#mrp")


@router.post("/mrp-runs/{run_id}/retry", response_model=None)
def retry_mrp_run(request: Request, form: Posted, ctx: Ctx, me: User, run_id: int) -> Response:
    posted_form(request, form)
    try:
        run = mrp.retry_run(ctx, me, run_id)
    except (IllegalTransition, NotFound) as exc:
        return _failed(request, exc, "#mrp")
    return _asked(request, run)


@router.post("/proposals/{proposal_id}/accept", response_model=None)
def accept(request: Request, form: Posted, ctx: Ctx, me: User, proposal_id: int) -> Response:
    posted_form(request, form)
    try:
        po = purchasing.accept_proposals(ctx, me, [proposal_id])
    except InvalidInput as exc:
        return _failed(request, exc, "#proposals")
    return _done(
        request, f"Proposal accepted: {po['number']} ordered from {po['supplier']}.", "#orders"
    )


@router.post("/proposals/{proposal_id}", response_model=None)
def edit(request: Request, form: Posted, ctx: Ctx, me: User, proposal_id: int) -> Response:
    form = posted_form(request, form)
    try:
        cmd = purchasing.ProposalEdit(
            quantity=_quantity(form),
            supplier=form_text(form, "supplier") or None,
            order_by=_date(form, "order_by"),
        )
        purchasing.edit_proposal(ctx, me, proposal_id, cmd)
    except InvalidInput as exc:
        return _failed(request, exc, "#proposals")
    return _done(request, "Proposal changed.", "#proposals")


@router.post("/proposals-merge", response_model=None)
def merge(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = posted_form(request, form)
    try:
        ids = [int(v) for v in form.getlist("proposal") if isinstance(v, str) and v.isdigit()]
        po = purchasing.accept_proposals(ctx, me, ids)
    except InvalidInput as exc:
        return _failed(request, exc, "#proposals")
    return _done(request, f"{len(po['lines'])} proposals merged into {po['number']}.", "#orders")


@router.post("/purchase-orders/{number}/lines/{line_no}/receive", response_model=None)
def receive(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int
) -> Response:
    form = posted_form(request, form)
    try:
        cmd = purchasing.Receipt(
            number,
            line_no,
            _quantity(form),
            form_text(form, "lot") or None,
            form_text(form, "location") or None,
        )
        lot = purchasing.receive(ctx, me, cmd)
    except InvalidInput as exc:
        return _failed(request, exc, "#orders")
    return _done(
        request,
        f"Received {lot['quantity']} {lot['item_code']} on {number} line {line_no} as lot "
        f"{lot['lot_number']} ({lot['location']}).",
        "#orders",
    )


@router.post("/purchase-orders/{number}/lines/{line_no}/reschedule", response_model=None)
def reschedule(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int
) -> Response:
    form = posted_form(request, form)
    try:
        when = _date(form, "expected_on")
        if when is None:
            raise InvalidInput("Give the supplier's new arrival date.", field="expected_on")
        purchasing.reschedule(ctx, me, purchasing.Reschedule(number, line_no, when))
    except DomainError as exc:
        return _failed(request, exc, "#orders")
    return _done(
        request,
        f"{number} line {line_no} now arrives on {when:%a %d %b %Y}; the orders waiting for it "
        "wait until then in the next plan.",
        "#orders",
    )

"""The trace page (/trace): one search box for a unit serial or a lot number (a scanner
types it and Enter), then the unit traced back or the lot traced forward, with a link to
a regulated unit's device history record (PDF). Staff only; a refusal comes back as a
flash with the reason."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, PermissionDenied
from orderforge.entrypoints.web.common import Ctx, User, flash, redirect, render
from orderforge.trace import services

router = APIRouter(include_in_schema=False)


@router.get("/trace")
def trace_page(request: Request, ctx: Ctx, me: User, q: str = "") -> Response:
    if not q.strip():
        services.may_trace(me)
        return render(request, "trace/trace.html", me=me, q="", unit=None, lot=None, record=None)
    try:
        kind, code = services.find(ctx, me, q[:80])
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return render(
            request, "trace/trace.html", me=me, q=q[:80], unit=None, lot=None, record=None
        )
    return redirect(f"/trace/{kind}s/{quote(code, safe='')}")


@router.get("/trace/units/{serial}")
def unit_page(request: Request, ctx: Ctx, me: User, serial: str) -> HTMLResponse:
    unit = services.trace_unit(ctx, me, serial)
    record = services.device_history_record(ctx, me, serial) if unit["regulated"] else None
    return render(
        request, "trace/trace.html", me=me, q=unit["serial"], unit=unit, lot=None, record=record
    )


@router.get("/trace/lots/{lot}")
def lot_page(request: Request, ctx: Ctx, me: User, lot: str) -> HTMLResponse:
    view = services.trace_lot(ctx, me, lot)
    return render(
        request, "trace/trace.html", me=me, q=view["lot"], unit=None, lot=view, record=None
    )


@router.get("/trace/units/{serial}/dhr.pdf")
def dhr_pdf(ctx: Ctx, me: User, serial: str) -> Response:
    name, content = services.device_history_pdf(ctx, me, serial)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )

"""The inspection page of an operation: the plan with this work order's limits, what was
found, a form to record one unit (measured values in the characteristic's unit, pass/fail
checks) and, for quality, accepting failed work as is with a signature. Opened from the
operator screen; a refused form comes back with the reason and nothing stored.

And an order's final inspection page: the facts the records answer, the family's
checklist to tick (a failed item with what is wrong), and every earlier attempt."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.entrypoints.api.deps import client_address
from orderforge.entrypoints.web.common import (
    Ctx,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
)
from orderforge.quality import finals, services

router = APIRouter(include_in_schema=False)


def _back(number: str, seq: int, centre: str) -> Response:
    query = f"?{urlencode({'centre': centre})}" if centre else ""
    return redirect(f"/quality/{quote(number, safe='')}/{seq}{query}")


@router.get("/quality/{number}/{seq}")
def inspection_page(
    request: Request, ctx: Ctx, me: User, number: str, seq: int, centre: str = ""
) -> HTMLResponse:
    view = services.get_inspection(ctx, me, number, seq)
    return render(request, "quality/inspection.html", me=me, view=view, centre=centre[:40])


@router.post("/quality/{number}/{seq}/results")
async def record(request: Request, ctx: Ctx, me: User, number: str, seq: int) -> Response:
    centre = ""
    try:
        form = await posted_form(request)
        centre = form_text(form, "centre")[:40]
        unit_text = form_text(form, "unit") or "1"
        if not unit_text.isdigit() or len(unit_text) > 6:
            raise InvalidInput("The unit is a whole number (1 for the first).", field="unit")
        view = services.get_inspection(ctx, me, number, seq)
        units = {c["code"]: c["unit"] for c in view["plan"]["characteristics"]}
        values = {
            code: (form_text(form, f"value-{code}"), unit)
            for code, unit in units.items()
            if unit and form_text(form, f"value-{code}")
        }
        checks = {
            code: form_text(form, f"check-{code}") == "pass"
            for code, unit in units.items()
            if not unit and form_text(form, f"check-{code}") in ("pass", "fail")
        }
        cmd = services.RecordResults(
            number, seq, int(unit_text), values, checks, form_text(form, "note")
        )
        done = services.record_results(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number, seq, centre)
    level = "error" if done["status"] == "failed" else "success"
    flash(request, f"Recorded: the inspection is {done['status_label'].lower()}.", level)
    return _back(number, seq, centre)


@router.post("/quality/{number}/{seq}/accept")
async def accept(request: Request, ctx: Ctx, me: User, number: str, seq: int) -> Response:
    centre = ""
    try:
        form = await posted_form(request)
        centre = form_text(form, "centre")[:40]
        cmd = services.AcceptAsIs(
            number,
            seq,
            form_text(form, "reason"),
            form_text(form, "username"),
            form_text(form, "password", strip=False),
            client_address(request),
        )
        services.accept_as_is(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number, seq, centre)
    flash(request, "Accepted as is, signed: the operations after it may start.", "success")
    return _back(number, seq, centre)


def _final(number: str) -> Response:
    return redirect(f"/orders/{quote(number, safe='')}/final-inspection")


@router.get("/orders/{number}/final-inspection")
def final_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    view = finals.final_inspection(ctx, me, number)
    return render(request, "quality/final.html", me=me, view=view)


@router.post("/orders/{number}/final-inspection")
async def final_record(request: Request, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = await posted_form(request)
        view = finals.final_inspection(ctx, me, number)
        answers: dict[str, tuple[bool, str]] = {}
        for item in view["items"]:
            said = form_text(form, f"item-{item['code']}")
            if said in ("pass", "fail"):
                answers[item["code"]] = (said == "pass", form_text(form, f"note-{item['code']}"))
        done = finals.record_final(
            ctx, me, finals.RecordFinal(number, answers, form_text(form, "note"))
        )
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _final(number)
    if done["attempts"][-1]["passed"]:
        flash(request, "Final inspection passed: the order is ready to ship.", "success")
    else:
        flash(request, "Final inspection failed: the order is back in production.", "error")
    return _final(number)


@router.post("/orders/{number}/final-inspection/present-again")
async def final_present_again(request: Request, ctx: Ctx, me: User, number: str) -> Response:
    try:
        await posted_form(request)
        finals.present_again(ctx, me, number)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _final(number)
    flash(request, "Presented again: the order waits for final inspection.", "success")
    return _final(number)

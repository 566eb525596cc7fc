"""The inspection page of an operation: the plan with this work order's limits, what was
found, a form to record one unit (measured values in the characteristic's unit, pass/fail
checks) and, for quality, accepting failed work as is with a signature. Opened from the
operator screen; a refused form comes back with the reason and nothing stored.

An order's final inspection page: the facts the records answer, the family's checklist
to tick (a failed item with what is wrong), and every earlier attempt.

The NCR pages: the list (open first), raising one (from a failed inspection or the
floor's problem report), and an NCR with quality's disposition and closure forms."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.entrypoints.api.deps import client_address
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
from orderforge.quality import finals, ncr_services, services
from orderforge.quality.ncr_domain import DispositionKind, Origin, ReworkStep

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
def record(request: Request, form: Posted, ctx: Ctx, me: User, number: str, seq: int) -> Response:
    centre = ""
    try:
        form = posted_form(request, form)
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
def accept(request: Request, form: Posted, ctx: Ctx, me: User, number: str, seq: int) -> Response:
    centre = ""
    try:
        form = posted_form(request, form)
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
def final_record(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
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
def final_present_again(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str
) -> Response:
    try:
        posted_form(request, form)
        finals.present_again(ctx, me, number)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _final(number)
    flash(request, "Presented again: the order waits for final inspection.", "success")
    return _final(number)


# -- nonconformance reports ------------------------------------------------------------


def _ncr_back(number: str) -> Response:
    return redirect(f"/ncrs/{quote(number, safe='')}")


@router.get("/ncrs")
def ncr_list_page(
    request: Request, ctx: Ctx, me: User, status: str = "", work_order: str = ""
) -> HTMLResponse:
    ncrs = ncr_services.list_ncrs(
        ctx, me, status=status[:20] or None, work_order=work_order[:30] or None
    )
    return render(
        request,
        "quality/ncrs.html",
        me=me,
        ncrs=ncrs,
        shown=status[:20],
        work_order=work_order[:30],
    )


@router.get("/ncrs/new")
def ncr_new_page(
    request: Request, ctx: Ctx, me: User, work_order: str = "", seq: int = 0, origin: str = ""
) -> HTMLResponse:
    causes = [c for c in ncr_services.list_causes(ctx, me) if c["active"]]
    return render(
        request,
        "quality/ncr_new.html",
        me=me,
        causes=causes,
        origins=[(o.value, o.label) for o in Origin],
        work_order=work_order[:30],
        seq=seq if 0 < seq <= 100_000 else "",
        origin=origin[:20],
    )


@router.post("/ncrs")
def ncr_raise(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    back = "/ncrs/new"
    try:
        form = posted_form(request, form)
        back += "?" + urlencode(
            {k: form_text(form, k)[:30] for k in ("work_order", "seq", "origin")}
        )
        seq, quantity = form_text(form, "seq"), form_text(form, "quantity")
        for name, text in (("seq", seq), ("quantity", quantity)):
            if not text.isdigit() or len(text) > 6:
                raise InvalidInput(f"{name} is a whole number.", field=name)
        cmd = ncr_services.RaiseNcr(
            form_text(form, "work_order")[:30],
            int(seq),
            int(quantity),
            form_text(form, "description"),
            form_text(form, "cause")[:20],
            form_text(form, "origin")[:20],
            form_text(form, "lot")[:60],
        )
        raised = ncr_services.raise_ncr(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(back)
    flash(
        request, f"{raised['number']} raised: the operations after it wait for quality.", "success"
    )
    return _ncr_back(raised["number"])


@router.get("/ncrs/{number}")
def ncr_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    view = ncr_services.get_ncr(ctx, me, number[:20])
    return render(
        request,
        "quality/ncr.html",
        me=me,
        ncr=view,
        kinds=[(k.value, k.label) for k in DispositionKind],
        rows=range(1, 4),
    )


@router.post("/ncrs/{number}/disposition")
def ncr_dispose(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
        steps = []
        for i in range(1, 4):
            centre, minutes = form_text(form, f"centre-{i}"), form_text(form, f"minutes-{i}")
            text = form_text(form, f"instruction-{i}")
            if not (centre or minutes or text):
                continue
            if not minutes.isdigit() or len(minutes) > 5:
                raise InvalidInput(f"Rework step {i}: minutes are a whole number.", field="minutes")
            steps.append(ReworkStep(centre[:40], int(minutes), text[:200]))
        cmd = ncr_services.Dispose(
            number[:20],
            form_text(form, "kind")[:30],
            form_text(form, "note"),
            steps,
            form_text(form, "supplier")[:120],
            form_text(form, "debit_note")[:40],
            form_text(form, "username")[:40],
            form_text(form, "password", strip=False)[:200],
            client_address(request),
        )
        done = ncr_services.dispose(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _ncr_back(number[:20])
    said = f"Decided: {done['disposition']['label'].lower()}."
    if done["disposition"]["operations"]:
        said += " Operations added to the work order; a replan is queued."
    flash(request, said, "success")
    return _ncr_back(number[:20])


@router.post("/ncrs/{number}/close")
def ncr_close(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
        ncr_services.close_ncr(ctx, me, number[:20], form_text(form, "note"))
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _ncr_back(number[:20])
    flash(request, "Verified and closed.", "success")
    return _ncr_back(number[:20])


@router.post("/ncrs/{number}/cancel")
def ncr_cancel(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
        ncr_services.cancel_ncr(ctx, me, number[:20], form_text(form, "note"))
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _ncr_back(number[:20])
    flash(request, "Cancelled; the NCR is kept with the reason.", "success")
    return _ncr_back(number[:20])

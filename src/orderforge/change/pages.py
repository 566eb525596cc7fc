"""Engineering change pages: an order's changes with their impact and the forms to ask,
decide (signature), withdraw and answer; the queue of open changes; and the orders a
catalogue change reaches. A refused form comes back with the reason in a flash and
nothing stored. Works without JavaScript."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from orderforge.change import services
from orderforge.design.domain import MAX_FILES
from orderforge.design.uploads import upload_limit
from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.domain.signatures import Meaning
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

router = APIRouter(include_in_schema=False)


def _back(number: str, anchor: str = "") -> Response:
    return redirect(f"/orders/{quote(number)}/changes" + (f"#{anchor}" if anchor else ""))


@router.get("/orders/{number}/changes")
def order_changes_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    view = services.order_changes(ctx, me, number)
    return render(
        request,
        "change/order.html",
        me=me,
        view=view,
        meanings=[(m.value, m.label) for m in Meaning],
    )


@router.post("/orders/{number}/changes")
def request_change(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
        raw = form_text(form, "line_no", strip=False)
        if not raw.isdigit():
            raise InvalidInput("Choose the line to change.", field="line_no")
        line_no = int(raw)
        prefix = f"line-{line_no}-"
        spec = {
            key[len(prefix) :]: value.strip()
            for key, value in form.multi_items()
            if key.startswith(prefix) and isinstance(value, str) and value.strip()
        }
        quantity_text = form_text(form, f"quantity-{line_no}", strip=False).strip()
        if quantity_text and not quantity_text.isdigit():
            raise InvalidInput("The quantity is a whole number.", field="quantity")
        quantity = int(quantity_text) if quantity_text else None
        limit = upload_limit(ctx)
        documents = [
            # one byte over the limit is enough for the check to refuse the file
            (upload.filename or "", upload.file.read(limit + 1))
            for upload in form.getlist(f"documents-{line_no}")
            if isinstance(upload, UploadFile) and upload.filename
        ]
        if len(documents) > MAX_FILES:
            raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
        notes = form_text(form, f"design-notes-{line_no}", strip=False)
        cmd = services.RequestChange(
            number,
            form_text(form, "reason", strip=False),
            (
                services.LineRequest(
                    line_no,
                    spec,
                    quantity,
                    design_notes=notes,
                    documents=tuple(documents),
                ),
            ),
        )
        view = services.request_change(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number, "ask")
    flash(
        request,
        f"{view['number']} asked for: the impact is below; engineering decides next.",
        "success",
    )
    return _back(view["order_number"], view["number"])


def _act(
    request: Request, form: FormData, ctx: Ctx, me: User, number: str, action: str, done: str
) -> Response:
    order = ""
    try:
        form = posted_form(request, form)
        order = form_text(form, "order", strip=False)
        comment = form_text(form, "comment", strip=False)
        if action == "approve":
            view = services.decide_change(
                ctx,
                me,
                services.Decision(
                    number,
                    approve=True,
                    comment=comment,
                    meaning=form_text(form, "meaning", strip=False) or "approval",
                    username=form_text(form, "username", strip=False),
                    password=form_text(form, "password", strip=False),
                    client=client_address(request),
                    seen_hash=form_text(form, "seen_hash", strip=False) or None,
                ),
            )
        elif action == "reject":
            view = services.decide_change(
                ctx, me, services.Decision(number, approve=False, comment=comment)
            )
        elif action == "withdraw":
            view = services.withdraw_change(ctx, me, number, comment)
        elif action == "impact":
            view = services.refresh_impact(ctx, me, number)
        else:
            view = services.customer_decision(ctx, me, number, action == "accept", comment)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(order, number) if order else redirect("/changes")
    flash(request, f"{view['number']} {done}.", "success")
    return _back(view["order_number"], view["number"])


@router.post("/changes/{number}/approve")
def approve(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "approve", "approved and applied")


@router.post("/changes/{number}/reject")
def reject(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "reject", "rejected")


@router.post("/changes/{number}/withdraw")
def withdraw(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "withdraw", "withdrawn")


@router.post("/changes/{number}/impact")
def refresh(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "impact", "analysed again")


@router.post("/changes/{number}/accept")
def accept(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "accept", "accepted: the new date and price stand")


@router.post("/changes/{number}/decline")
def decline(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    return _act(request, form, ctx, me, number, "decline", "declined: the order is on hold")


@router.get("/changes")
def changes_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(request, "change/queue.html", me=me, changes=services.open_changes(ctx, me))


@router.get("/changes/affected")
def affected_page(
    request: Request,
    ctx: Ctx,
    me: User,
    family: Annotated[str, Query(max_length=40)] = "",
    module: Annotated[str, Query(max_length=60)] = "",
    option: Annotated[str, Query(max_length=60)] = "",
    value: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    found = None
    error = None
    if family:
        try:
            found = services.affected_orders(
                ctx, me, family, module or None, option or None, value or None
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "change/affected.html",
        me=me,
        found=found,
        error=error,
        query={"family": family, "module": module, "option": option, "value": value},
    )

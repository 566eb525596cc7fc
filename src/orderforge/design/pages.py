"""The design page of an order: each line's revisions with their mock-up, documents and
signatures, and its prototype when the family asks for one; forms to propose a revision
or make a prototype (engineers), sign it (with user id and password
again) or reject it with a comment. A refused form comes back with the reason in a flash
and nothing stored. Works without JavaScript."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from orderforge.design import services
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

router = APIRouter(prefix="/orders", include_in_schema=False)


def _back(number: str) -> Response:
    return redirect(f"/orders/{quote(number)}/design")


@router.get("/{number}/design")
def design_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    view = services.order_design(ctx, me, number)
    return render(
        request,
        "design/design.html",
        me=me,
        design=view,
        meanings=[(m.value, m.label) for m in Meaning],
        max_files=MAX_FILES,
    )


@router.post("/{number}/lines/{line_no}/revisions")
def propose(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int
) -> Response:
    try:
        form = posted_form(request, form)
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if len(uploads) > MAX_FILES:
            raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
        limit = upload_limit(ctx)
        files = tuple([(u.filename or "", u.file.read(limit + 1)) for u in uploads])
        view = services.propose_revision(
            ctx,
            me,
            services.ProposeRevision(number, line_no, form_text(form, "notes", strip=False), files),
        )
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number)
    line = next(li for li in view.lines if li.line_no == line_no)
    flash(request, f"Revision {line.revisions[-1].letter} of line {line_no} proposed.", "success")
    return _back(view.number)


@router.post("/{number}/lines/{line_no}/revisions/{letter}/sign")
def sign(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int, letter: str
) -> Response:
    try:
        form = posted_form(request, form)
        cmd = services.SignRevision(
            number,
            line_no,
            letter,
            form_text(form, "meaning", strip=False),
            form_text(form, "username", strip=False),
            form_text(form, "password", strip=False),
            client_address(request),
        )
        view = services.sign_revision(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number)
    done = " The design of the order is approved." if view.design_approved else ""
    flash(request, f"Revision {letter.upper()} of line {line_no} signed.{done}", "success")
    return _back(view.number)


@router.post("/{number}/lines/{line_no}/revisions/{letter}/reject")
def reject(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int, letter: str
) -> Response:
    try:
        form = posted_form(request, form)
        cmd = services.RejectRevision(
            number, line_no, letter, form_text(form, "comment", strip=False)
        )
        view = services.reject_revision(ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number)
    flash(request, f"Revision {letter.upper()} of line {line_no} rejected.", "success")
    return _back(view.number)


@router.post("/{number}/lines/{line_no}/prototypes")
def make_prototype(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int
) -> Response:
    try:
        posted_form(request, form)
        view = services.make_prototype(ctx, me, number, line_no)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number)
    line = next(li for li in view.lines if li.line_no == line_no)
    made = line.prototype.work_order if line.prototype is not None else None
    flash(request, f"Prototype {made or ''} of line {line_no} made.".replace("  ", " "), "success")
    return _back(view.number)

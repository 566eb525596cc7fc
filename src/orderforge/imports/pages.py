"""The import pages: upload a file (kind, file), see its preview row by row with errors
highlighted, and confirm it. Plain forms, no script; a refused upload or confirm comes
back as a flash and nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from orderforge.domain.errors import DomainError, NotFound
from orderforge.entrypoints.web.common import Ctx, User, check_csrf, flash, redirect, render
from orderforge.imports import services
from orderforge.imports.domain import COLUMNS, MAX_ROWS, SPEC_PREFIX

router = APIRouter(include_in_schema=False)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    kinds = services.kinds_for(me)
    batches = services.recent_batches(ctx, me)
    columns = {
        k.value: {
            "required": COLUMNS[k].required,
            "optional": COLUMNS[k].optional,
            "prefix": COLUMNS[k].prefix,
        }
        for k in kinds
    }
    return render(
        request,
        "imports/index.html",
        me=me,
        kinds=[k.value for k in kinds],
        columns=columns,
        spec_prefix=SPEC_PREFIX,
        max_rows=MAX_ROWS,
        max_mb=ctx.max_upload_bytes // (1024 * 1024),
        batches=[services.batch_view(b, rows=False) for b in batches],
    )


@router.post("/imports", response_model=None)
async def upload(request: Request, ctx: Ctx, me: User) -> Response:
    async with request.form(max_files=2, max_fields=10) as form:
        token, kind, item = form.get("csrf"), form.get("kind"), form.get("file")
        name, data = "", b""
        if isinstance(item, UploadFile):
            name = item.filename or ""
            data = await item.read(ctx.max_upload_bytes + 1)
    try:
        check_csrf(request, token if isinstance(token, str) else "")
        cmd = services.Upload(kind if isinstance(kind, str) else "", name, data)
        batch = await run_in_threadpool(services.upload, ctx, me, cmd)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect("/imports")
    return redirect(f"/imports/{batch.id}")


@router.get("/imports/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, ctx: Ctx, me: User, batch_id: str) -> HTMLResponse:
    batch = services.get_batch(ctx, me, _id(batch_id))
    return render(request, "imports/batch.html", me=me, batch=services.batch_view(batch))


@router.post("/imports/{batch_id}/confirm", response_model=None)
async def confirm(request: Request, ctx: Ctx, me: User, batch_id: str) -> Response:
    number = _id(batch_id)
    async with request.form(max_files=0, max_fields=5) as form:
        token = form.get("csrf")
    try:
        check_csrf(request, token if isinstance(token, str) else "")
        batch = await run_in_threadpool(services.confirm, ctx, me, number)
    except NotFound:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(f"/imports/{number}")
    counts = batch.counts()
    flash(
        request,
        f"Import {batch.id} applied: {counts['create']} created, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged.",
        "success",
    )
    return redirect(f"/imports/{number}")


def _id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2_147_483_647:
        raise NotFound(f"There is no import {text[:20]}.")
    return int(text)

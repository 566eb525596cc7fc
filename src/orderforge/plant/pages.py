"""Plant admin pages: settings, work centres, calendars, items and pricing as forms.

The pages are a face over the same use cases as the API: a form becomes the plant
file's entry, the use case checks it as a whole, and a refusal re-renders the form
with what was typed and each problem next to the field it names (nothing is stored).
Everyone who may view the plant reads the lists; only PLANT/EDIT sees the controls,
and a POST without it is refused by the use case (403). Works without JavaScript.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_data
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import EDIT, Resource, require
from orderforge.entrypoints.web.common import Ctx, Posted, User, check_csrf, flash, redirect, render
from orderforge.plant import forms
from orderforge.plant import services as plant
from orderforge.plant.document import read_plant
from orderforge.plant.domain import ROUNDINGS, UNITS, ComponentStatus, WorkCentreKind, logo_type
from orderforge.services.money import money, percent
from orderforge.services.ports import Principal

router = APIRouter(prefix="/plant", include_in_schema=False)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PREVIEW_DAYS = 30
#: Countries whose public holidays the `holidays` library knows, with subdivisions.
COUNTRIES: dict[str, list[str]] = {
    code: list(subs) for code, subs in sorted(holiday_data.list_supported_countries().items())
}


# -- answering ----------------------------------------------------------------------


def _refused(request: Request, exc: InvalidInput, template: str, **context: Any) -> HTMLResponse:
    """The form again, as typed, with each problem at its field and a flash on top."""
    errors = forms.problems(exc)
    said = "; ".join(f"{k}: {v}" if k else v for k, v in errors.items())
    flash(request, f"Nothing was saved. {said}", "error")
    return render(request, template, status=422, errors=errors, **context)


def _posted(request: Request, form: FormData, me: Principal) -> FormData:
    """The form, after its CSRF token and the right to edit the plant are checked."""
    token = form.get("csrf")
    check_csrf(request, token if isinstance(token, str) else "")
    require(me.role, Resource.PLANT, EDIT)
    return form


def _formatters(ctx: Ctx, me: Principal) -> dict[str, Any]:
    settings = plant.get_settings(ctx, me)
    currency = settings["currency"] if settings else None

    def as_money(amount: str) -> str:
        return money(Decimal(amount), currency) if currency else amount

    def as_percent(rate: str) -> str:
        return percent(Decimal(rate))

    return {"money": as_money, "percent": as_percent, "currency": currency}


# -- settings -----------------------------------------------------------------------


def _settings_fields(form: FormData, values: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": values["name"],
        "address": forms.lines(values["address"]),
        "country": values["country"],
        "timezone": values["timezone"],
        "currency": values["currency"],
        "tax_rate": forms.fraction(values["tax_rate"], "tax_rate"),
        "quote_validity_days": forms.whole(values["quote_validity_days"]),
        "design_approval_days": forms.whole(values["design_approval_days"]),
        "payment_terms": values["payment_terms"],
        "delivery_terms": values["delivery_terms"],
    }
    upload = form.get("logo")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read()
        if data:
            logo_type(data)
            fields["logo"] = base64.b64encode(data).decode("ascii")
    elif "remove_logo" in form:
        fields["logo"] = None
    return fields


@router.get("/settings")
def settings_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    values = forms.settings_values(plant.get_settings(ctx, me))
    return render(request, "plant/settings.html", me=me, values=values, errors={})


@router.post("/settings", response_model=None)
def settings_save(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = _posted(request, form, me)
    keys = (
        "name",
        "address",
        "country",
        "timezone",
        "currency",
        "tax_rate",
        "quote_validity_days",
        "design_approval_days",
        "payment_terms",
        "delivery_terms",
    )
    stored = plant.get_settings(ctx, me)
    values = {**forms.settings_values(stored), **{k: forms.text(form, k) for k in keys}}
    try:
        plant.save_settings(ctx, me, _settings_fields(form, values))
    except InvalidInput as exc:
        return _refused(request, exc, "plant/settings.html", me=me, values=values)
    flash(request, "Plant settings saved.", "success")
    return redirect("/plant/settings")


@router.get("/settings/logo")
def settings_logo(ctx: Ctx, me: User) -> Response:
    found = plant.get_settings(ctx, me)
    if not found or not found.get("logo"):
        raise NotFound("The plant has no logo.")
    data = base64.b64decode(found["logo"])
    return Response(data, media_type=logo_type(data), headers={"Cache-Control": "no-store"})


# -- work centres -------------------------------------------------------------------


def _centres_context(ctx: Ctx, me: Principal) -> dict[str, Any]:
    centres = plant.list_entries(ctx, me, "work_centres")
    return {
        "active": [w for w in centres if w["status"] != "retired"],
        "retired": [w for w in centres if w["status"] == "retired"],
        "calendars": [c["code"] for c in plant.list_entries(ctx, me, "calendars")],
        "kinds": [k.value for k in WorkCentreKind],
        **_formatters(ctx, me),
    }


@router.get("/work-centres")
def centres_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "plant/work_centres.html",
        me=me,
        values=forms.BLANK_CENTRE,
        errors={},
        **_centres_context(ctx, me),
    )


@router.post("/work-centres", response_model=None)
def centre_create(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    values = forms.centre_form(_posted(request, form, me))
    try:
        plant.create_entry(ctx, me, "work_centres", forms.centre_entry(values))
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/work_centres.html",
            me=me,
            values=values,
            **_centres_context(ctx, me),
        )
    flash(request, f"Work centre {values['code']} added.", "success")
    return redirect(f"/plant/work-centres/{values['code']}")


@router.get("/work-centres/{code}")
def centre_page(request: Request, ctx: Ctx, me: User, code: str) -> HTMLResponse:
    entry = plant.get_entry(ctx, me, "work_centres", code)
    return render(
        request,
        "plant/work_centre.html",
        me=me,
        entry=entry,
        errors={},
        values=forms.centre_values(entry),
        **_centres_context(ctx, me),
    )


@router.post("/work-centres/{code}", response_model=None)
def centre_edit(request: Request, form: Posted, ctx: Ctx, me: User, code: str) -> Response:
    form = _posted(request, form, me)
    entry = plant.get_entry(ctx, me, "work_centres", code)
    values = {**forms.centre_form(form), "code": code}
    try:
        plant.edit_entry(ctx, me, "work_centres", code, forms.centre_entry(values))
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/work_centre.html",
            me=me,
            entry=entry,
            values=values,
            **_centres_context(ctx, me),
        )
    flash(request, f"Work centre {code} saved.", "success")
    return redirect(f"/plant/work-centres/{code}")


def _retire(
    request: Request, form: FormData, ctx: Ctx, me: Principal, section: str, code: str
) -> str:
    """Retire after the person confirmed with a reason; the message for the flash."""
    form = _posted(request, form, me)
    reason = forms.text(form, "reason")
    if not reason:
        raise InvalidInput("Say why before retiring.", field="reason")
    plant.retire_entry(ctx, me, section, code, reason=reason)
    return f"{code} retired: {reason}"


@router.post("/work-centres/{code}/retire", response_model=None)
def centre_retire(request: Request, form: Posted, ctx: Ctx, me: User, code: str) -> Response:
    try:
        flash(request, _retire(request, form, ctx, me, "work_centres", code), "success")
    except InvalidInput as exc:
        if exc.field == "csrf":
            raise
        flash(request, f"{code} was not retired. {exc.message}", "error")
    return redirect(f"/plant/work-centres/{code}")


# -- calendars ----------------------------------------------------------------------


def _calendars_context(ctx: Ctx, me: Principal) -> dict[str, Any]:
    entries = plant.list_entries(ctx, me, "calendars")
    hours = {
        c.code: c.working_minutes_per_week() / 60
        for c in read_plant({"calendars": entries}).calendars
    }
    return {"calendars": entries, "hours": hours, "countries": COUNTRIES, "weekdays": WEEKDAYS}


def _closed_preview(ctx: Ctx, entry: dict[str, Any]) -> list[tuple[dt.date, str]]:
    """The calendar's closed days in the next 30 days (in its time zone), with reasons."""
    calendar = read_plant({"calendars": [entry]}).calendars[0]
    today = ctx.clock.now().astimezone(ZoneInfo(calendar.timezone)).date()
    last = today + dt.timedelta(days=PREVIEW_DAYS - 1)
    return list(calendar.closed_days_between(today, last).items())


@router.get("/calendars")
def calendars_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "plant/calendars.html",
        me=me,
        values=forms.BLANK_CALENDAR,
        errors={},
        **_calendars_context(ctx, me),
    )


@router.post("/calendars", response_model=None)
def calendar_create(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    values = forms.calendar_form(_posted(request, form, me))
    try:
        plant.create_entry(ctx, me, "calendars", forms.calendar_entry(values))
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/calendars.html",
            me=me,
            values=values,
            **_calendars_context(ctx, me),
        )
    flash(request, f"Calendar {values['code']} added.", "success")
    return redirect(f"/plant/calendars/{values['code']}")


@router.get("/calendars/{code}")
def calendar_page(request: Request, ctx: Ctx, me: User, code: str) -> HTMLResponse:
    entry = plant.get_entry(ctx, me, "calendars", code)
    return render(
        request,
        "plant/calendar.html",
        me=me,
        entry=entry,
        errors={},
        values=forms.calendar_values(entry),
        preview=_closed_preview(ctx, entry),
        **_calendars_context(ctx, me),
    )


@router.post("/calendars/{code}", response_model=None)
def calendar_edit(request: Request, form: Posted, ctx: Ctx, me: User, code: str) -> Response:
    form = _posted(request, form, me)
    entry = plant.get_entry(ctx, me, "calendars", code)
    values = {**forms.calendar_form(form), "code": code}
    try:
        plant.edit_entry(ctx, me, "calendars", code, forms.calendar_entry(values))
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/calendar.html",
            me=me,
            entry=entry,
            values=values,
            preview=_closed_preview(ctx, entry),
            **_calendars_context(ctx, me),
        )
    flash(request, f"Calendar {code} saved.", "success")
    return redirect(f"/plant/calendars/{code}")


# -- items --------------------------------------------------------------------------


def _items_context(ctx: Ctx, me: Principal, status: str = "", q: str = "") -> dict[str, Any]:
    found = plant.list_entries(ctx, me, "items")
    wanted = q.strip().casefold()
    shown = [
        i
        for i in found
        if (not status or i["status"] == status)
        and (not wanted or wanted in i["code"].casefold() or wanted in i["name"].casefold())
    ]
    return {
        "shown": shown,
        "total": len(found),
        "wanted_status": status,
        "q": q,
        "units": sorted(UNITS),
        "statuses": [s.value for s in ComponentStatus],
        **_formatters(ctx, me),
    }


@router.get("/items")
def items_page(request: Request, ctx: Ctx, me: User, status: str = "", q: str = "") -> HTMLResponse:
    return render(
        request,
        "plant/items.html",
        me=me,
        values=forms.BLANK_ITEM,
        errors={},
        **_items_context(ctx, me, status, q),
    )


@router.post("/items", response_model=None)
def item_create(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = _posted(request, form, me)
    values = {k: forms.text(form, k) for k in forms.ITEM_KEYS}
    try:
        plant.create_entry(ctx, me, "items", forms.item_entry(values))
    except InvalidInput as exc:
        return _refused(
            request, exc, "plant/items.html", me=me, values=values, **_items_context(ctx, me)
        )
    flash(request, f"Item {values['code']} added.", "success")
    return redirect(f"/plant/items/{values['code']}")


@router.get("/items/{code}")
def item_page(request: Request, ctx: Ctx, me: User, code: str) -> HTMLResponse:
    entry = plant.get_entry(ctx, me, "items", code)
    values = {k: str(v) for k, v in entry.items()}
    return render(
        request,
        "plant/item.html",
        me=me,
        entry=entry,
        values=values,
        errors={},
        **_items_context(ctx, me),
    )


@router.post("/items/{code}", response_model=None)
def item_edit(request: Request, form: Posted, ctx: Ctx, me: User, code: str) -> Response:
    form = _posted(request, form, me)
    entry = plant.get_entry(ctx, me, "items", code)
    values = {**{k: forms.text(form, k) for k in forms.ITEM_KEYS}, "code": code}
    try:
        plant.edit_entry(ctx, me, "items", code, forms.item_entry(values))
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/item.html",
            me=me,
            entry=entry,
            values=values,
            **_items_context(ctx, me),
        )
    flash(request, f"Item {code} saved.", "success")
    return redirect(f"/plant/items/{code}")


@router.post("/items/{code}/retire", response_model=None)
def item_retire(request: Request, form: Posted, ctx: Ctx, me: User, code: str) -> Response:
    try:
        flash(request, _retire(request, form, ctx, me, "items", code), "success")
    except InvalidInput as exc:
        if exc.field == "csrf":
            raise
        flash(request, f"{code} was not retired. {exc.message}", "error")
    return redirect(f"/plant/items/{code}")


# -- pricing ------------------------------------------------------------------------


@router.get("/pricing")
def pricing_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    rules = [forms.rule_values(r) for r in plant.get_pricing(ctx, me)]
    return render(
        request,
        "plant/pricing.html",
        me=me,
        rules=rules,
        errors={},
        roundings=ROUNDINGS,
        **_formatters(ctx, me),
    )


@router.post("/pricing", response_model=None)
def pricing_save(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    rows = forms.rows(_posted(request, form, me), "rule", forms.RULE_KEYS, 3)
    try:
        plant.save_pricing(ctx, me, [forms.rule_entry(i, r) for i, r in enumerate(rows)])
    except InvalidInput as exc:
        return _refused(
            request,
            exc,
            "plant/pricing.html",
            me=me,
            rules=rows,
            roundings=ROUNDINGS,
            **_formatters(ctx, me),
        )
    flash(request, "Pricing policy saved.", "success")
    return redirect("/plant/pricing")

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
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_data
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import EDIT, Resource, require
from orderforge.entrypoints.web.common import Ctx, User, check_csrf, flash, redirect, render
from orderforge.plant import services as plant
from orderforge.plant.document import PlantFileInvalid, read_plant
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


# -- reading forms: typed text -> the plant file's entry ------------------------------


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _whole(text: str) -> int | str:
    """A whole number, or the text as typed so the use case names what is wrong."""
    try:
        return int(text)
    except ValueError:
        return text


def _fraction(text: str, field: str) -> str:
    """'19' or '19 %' (a percentage as people type it) -> '0.19'."""
    try:
        number = Decimal(text.removesuffix("%").strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"Give a percentage such as 19, not {text!r}.", field=field) from None
    if not number.is_finite():
        raise InvalidInput("Give a finite percentage.", field=field)
    return str((number / 100).normalize())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _limits(text: str) -> dict[str, int | str]:
    """'length / 3100 mm' per line -> {"length": "3100 mm"}."""
    found: dict[str, int | str] = {}
    for n, line in enumerate(_lines(text), 1):
        name, slash, value = line.partition("/")
        if not slash or not name.strip() or not value.strip():
            raise InvalidInput(
                f"Line {n}: write 'name / value mm', e.g. 'length / 3100 mm'.", field="limits"
            )
        found[name.strip()] = _whole(value.strip())
    return found


def _changeover(text: str) -> dict[str, dict[str, int | str]]:
    """'white -> black: 45' per line -> {"white": {"black": 45}}."""
    found: dict[str, dict[str, int | str]] = {}
    for n, line in enumerate(_lines(text), 1):
        pair, colon, minutes = line.rpartition(":")
        a, arrow, b = pair.partition("->")
        if not colon or not arrow or not a.strip() or not b.strip():
            raise InvalidInput(
                f"Line {n}: write 'from -> to: minutes', e.g. 'white -> black: 45'.",
                field="changeover",
            )
        found.setdefault(a.strip(), {})[b.strip()] = _whole(minutes.strip())
    return found


def _rows(form: FormData, prefix: str, keys: tuple[str, ...], fill: int) -> list[dict[str, Any]]:
    """Numbered form rows (`shift-0-name`, ...), without removed ones and blank ones (the
    first `fill` keys empty: a new row left as it came)."""
    rows: list[dict[str, Any]] = []
    i = 0
    while f"{prefix}-{i}-{keys[0]}" in form:
        row: dict[str, Any] = {k: _text(form, f"{prefix}-{i}-{k}") for k in keys}
        row["weekdays"] = [str(d) for d in form.getlist(f"{prefix}-{i}-weekdays")]
        i += 1
        if f"{prefix}-{i - 1}-remove" in form or not any(row[k] for k in keys[:fill]):
            continue
        rows.append(row)
    return rows


def _breaks(text: str, field: str) -> list[list[str]]:
    found = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        start, dash, end = part.partition("-")
        if not dash:
            raise InvalidInput("Write breaks as 10:00-10:15, 12:00-12:30.", field=field)
        found.append([start.strip(), end.strip()])
    return found


# -- answering ----------------------------------------------------------------------


def _problems(exc: InvalidInput) -> dict[str, str]:
    """Field -> message, from a use case's refusal (every problem, or the one field)."""
    if isinstance(exc, PlantFileInvalid):
        found: dict[str, str] = {}
        for problem in exc.problems:
            where, _, why = problem.partition(": ")
            found.setdefault(where.strip(), why.strip())
        return found
    return {exc.field or "": exc.message}


def _refused(request: Request, exc: InvalidInput, template: str, **context: Any) -> HTMLResponse:
    """The form again, as typed, with each problem at its field and a flash on top."""
    errors = _problems(exc)
    said = "; ".join(f"{k}: {v}" if k else v for k, v in errors.items())
    flash(request, f"Nothing was saved. {said}", "error")
    return render(request, template, status=422, errors=errors, **context)


async def _posted(request: Request, me: Principal) -> FormData:
    """The form, after its CSRF token and the right to edit the plant are checked."""
    form = await request.form()
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


def _settings_values(found: dict[str, Any] | None) -> dict[str, Any]:
    if found is None:
        return {
            "name": "",
            "address": "",
            "country": "",
            "timezone": "UTC",
            "currency": "",
            "tax_rate": "0",
            "quote_validity_days": "30",
            "payment_terms": "",
            "delivery_terms": "",
            "logo": False,
        }
    return {
        **found,
        "address": "\n".join(found["address"]),
        "tax_rate": format(Decimal(found["tax_rate"]) * 100, "f").rstrip("0").rstrip(".") or "0",
        "logo": bool(found.get("logo")),
    }


async def _settings_fields(form: FormData, values: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": values["name"],
        "address": _lines(values["address"]),
        "country": values["country"],
        "timezone": values["timezone"],
        "currency": values["currency"],
        "tax_rate": _fraction(values["tax_rate"], "tax_rate"),
        "quote_validity_days": _whole(values["quote_validity_days"]),
        "payment_terms": values["payment_terms"],
        "delivery_terms": values["delivery_terms"],
    }
    upload = form.get("logo")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        if data:
            logo_type(data)
            fields["logo"] = base64.b64encode(data).decode("ascii")
    elif "remove_logo" in form:
        fields["logo"] = None
    return fields


@router.get("/settings")
def settings_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    values = _settings_values(plant.get_settings(ctx, me))
    return render(request, "plant/settings.html", me=me, values=values, errors={})


@router.post("/settings", response_model=None)
async def settings_save(request: Request, ctx: Ctx, me: User) -> Response:
    form = await _posted(request, me)
    keys = (
        "name",
        "address",
        "country",
        "timezone",
        "currency",
        "tax_rate",
        "quote_validity_days",
        "payment_terms",
        "delivery_terms",
    )
    stored = plant.get_settings(ctx, me)
    values = {**_settings_values(stored), **{k: _text(form, k) for k in keys}}
    try:
        plant.save_settings(ctx, me, await _settings_fields(form, values))
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

_CENTRE_KEYS = (
    "code",
    "name",
    "kind",
    "calendar",
    "units",
    "batch_capacity",
    "hourly_rate",
    "default_setup_minutes",
    "setup_attribute",
    "limits",
    "changeover",
)


def _centre_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: str(v) if v is not None else "" for k, v in entry.items()},
        "interruptible": entry["interruptible"],
        "limits": "\n".join(f"{k} / {v}" for k, v in entry["limits"].items()),
        "changeover": "\n".join(
            f"{a} -> {b}: {m}" for a, row in entry["changeover"].items() for b, m in row.items()
        ),
    }


def _centre_form(form: FormData) -> dict[str, Any]:
    return {**{k: _text(form, k) for k in _CENTRE_KEYS}, "interruptible": "interruptible" in form}


def _centre_entry(values: dict[str, Any]) -> dict[str, Any]:
    entry = {k: values[k] for k in ("code", "name", "kind", "calendar", "hourly_rate")}
    for key in ("units", "batch_capacity", "default_setup_minutes"):
        entry[key] = _whole(values[key])
    entry["interruptible"] = values["interruptible"]
    entry["setup_attribute"] = values["setup_attribute"] or None
    entry["limits"] = _limits(values["limits"])
    entry["changeover"] = _changeover(values["changeover"])
    return entry


def _centres_context(ctx: Ctx, me: Principal) -> dict[str, Any]:
    centres = plant.list_entries(ctx, me, "work_centres")
    return {
        "active": [w for w in centres if w["status"] != "retired"],
        "retired": [w for w in centres if w["status"] == "retired"],
        "calendars": [c["code"] for c in plant.list_entries(ctx, me, "calendars")],
        "kinds": [k.value for k in WorkCentreKind],
        **_formatters(ctx, me),
    }


_BLANK_CENTRE = {k: "" for k in _CENTRE_KEYS} | {
    "kind": "machine",
    "units": "1",
    "batch_capacity": "1",
    "hourly_rate": "0",
    "default_setup_minutes": "0",
    "interruptible": True,
}


@router.get("/work-centres")
def centres_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "plant/work_centres.html",
        me=me,
        values=_BLANK_CENTRE,
        errors={},
        **_centres_context(ctx, me),
    )


@router.post("/work-centres", response_model=None)
async def centre_create(request: Request, ctx: Ctx, me: User) -> Response:
    values = _centre_form(await _posted(request, me))
    try:
        plant.create_entry(ctx, me, "work_centres", _centre_entry(values))
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
        values=_centre_values(entry),
        **_centres_context(ctx, me),
    )


@router.post("/work-centres/{code}", response_model=None)
async def centre_edit(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    form = await _posted(request, me)
    entry = plant.get_entry(ctx, me, "work_centres", code)
    values = {**_centre_form(form), "code": code}
    try:
        plant.edit_entry(ctx, me, "work_centres", code, _centre_entry(values))
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


async def _retire(request: Request, ctx: Ctx, me: Principal, section: str, code: str) -> str:
    """Retire after the person confirmed with a reason; the message for the flash."""
    form = await _posted(request, me)
    reason = _text(form, "reason")
    if not reason:
        raise InvalidInput("Say why before retiring.", field="reason")
    plant.retire_entry(ctx, me, section, code, reason=reason)
    return f"{code} retired: {reason}"


@router.post("/work-centres/{code}/retire", response_model=None)
async def centre_retire(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    try:
        flash(request, await _retire(request, ctx, me, "work_centres", code), "success")
    except InvalidInput as exc:
        if exc.field == "csrf":
            raise
        flash(request, f"{code} was not retired. {exc.message}", "error")
    return redirect(f"/plant/work-centres/{code}")


# -- calendars ----------------------------------------------------------------------

_SHIFT_KEYS = ("name", "start", "end", "breaks")
_CLOSURE_KEYS = ("start", "end", "reason")


def _calendar_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: entry[k] or "" for k in ("code", "name", "timezone", "country", "subdivision")},
        "shifts": [
            {
                **s,
                "weekdays": [str(d) for d in s["weekdays"]],
                "breaks": ", ".join(f"{a}-{b}" for a, b in s["breaks"]),
            }
            for s in entry["shifts"]
        ],
        "closures": [dict(c) for c in entry["closures"]],
        "closed_days": "\n".join(entry["closed_days"]),
    }


def _calendar_form(form: FormData) -> dict[str, Any]:
    keys = ("code", "name", "timezone", "country", "subdivision", "closed_days")
    return {
        **{k: _text(form, k) for k in keys},
        "shifts": _rows(form, "shift", _SHIFT_KEYS, 4),
        "closures": _rows(form, "closure", _CLOSURE_KEYS, 3),
    }


def _calendar_entry(values: dict[str, Any]) -> dict[str, Any]:
    entry = {k: values[k] or None for k in ("code", "name", "timezone", "country", "subdivision")}
    entry["shifts"] = [
        {
            "name": s["name"],
            "weekdays": [_whole(d) for d in s["weekdays"]],
            "start": s["start"],
            "end": s["end"],
            "breaks": _breaks(s["breaks"], f"shifts[{i}].breaks"),
        }
        for i, s in enumerate(values["shifts"])
    ]
    entry["closures"] = [
        {"start": c["start"], "end": c["end"] or c["start"], "reason": c["reason"]}
        for c in values["closures"]
    ]
    entry["closed_days"] = _lines(values["closed_days"])
    return entry


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


_BLANK_CALENDAR = {
    "code": "",
    "name": "",
    "timezone": "UTC",
    "country": "",
    "subdivision": "",
    "shifts": [],
    "closures": [],
    "closed_days": "",
}


@router.get("/calendars")
def calendars_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "plant/calendars.html",
        me=me,
        values=_BLANK_CALENDAR,
        errors={},
        **_calendars_context(ctx, me),
    )


@router.post("/calendars", response_model=None)
async def calendar_create(request: Request, ctx: Ctx, me: User) -> Response:
    values = _calendar_form(await _posted(request, me))
    try:
        plant.create_entry(ctx, me, "calendars", _calendar_entry(values))
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
        values=_calendar_values(entry),
        preview=_closed_preview(ctx, entry),
        **_calendars_context(ctx, me),
    )


@router.post("/calendars/{code}", response_model=None)
async def calendar_edit(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    form = await _posted(request, me)
    entry = plant.get_entry(ctx, me, "calendars", code)
    values = {**_calendar_form(form), "code": code}
    try:
        plant.edit_entry(ctx, me, "calendars", code, _calendar_entry(values))
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

_ITEM_KEYS = ("code", "name", "unit", "status", "lead_time_days", "cost")
_BLANK_ITEM = {
    "code": "",
    "name": "",
    "unit": "pcs",
    "status": "approved",
    "lead_time_days": "0",
    "cost": "0",
}


def _item_entry(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "lead_time_days": _whole(values["lead_time_days"])}


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
        values=_BLANK_ITEM,
        errors={},
        **_items_context(ctx, me, status, q),
    )


@router.post("/items", response_model=None)
async def item_create(request: Request, ctx: Ctx, me: User) -> Response:
    form = await _posted(request, me)
    values = {k: _text(form, k) for k in _ITEM_KEYS}
    try:
        plant.create_entry(ctx, me, "items", _item_entry(values))
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
async def item_edit(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    form = await _posted(request, me)
    entry = plant.get_entry(ctx, me, "items", code)
    values = {**{k: _text(form, k) for k in _ITEM_KEYS}, "code": code}
    try:
        plant.edit_entry(ctx, me, "items", code, _item_entry(values))
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
async def item_retire(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    try:
        flash(request, await _retire(request, ctx, me, "items", code), "success")
    except InvalidInput as exc:
        if exc.field == "csrf":
            raise
        flash(request, f"{code} was not retired. {exc.message}", "error")
    return redirect(f"/plant/items/{code}")


# -- pricing ------------------------------------------------------------------------

_RULE_KEYS = ("family", "customer_group", "margin", "step", "rounding")


def _rule_values(rule: dict[str, Any]) -> dict[str, str]:
    margin = format(Decimal(rule["margin"]) * 100, "f").rstrip("0").rstrip(".") or "0"
    return {**{k: rule[k] or "" for k in _RULE_KEYS}, "margin": margin}


def _rule_entry(i: int, row: dict[str, str]) -> dict[str, Any]:
    return {
        "family": row["family"] or None,
        "customer_group": row["customer_group"] or None,
        "margin": _fraction(row["margin"], f"pricing[{i}].margin"),
        "step": row["step"] or "1",
        "rounding": row["rounding"] or "up",
    }


@router.get("/pricing")
def pricing_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    rules = [_rule_values(r) for r in plant.get_pricing(ctx, me)]
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
async def pricing_save(request: Request, ctx: Ctx, me: User) -> Response:
    rows = _rows(await _posted(request, me), "rule", _RULE_KEYS, 3)
    try:
        plant.save_pricing(ctx, me, [_rule_entry(i, r) for i, r in enumerate(rows)])
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

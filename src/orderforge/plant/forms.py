"""Reading the plant pages' forms: what people type -> the plant file's entries, and
back (an entry as the form shows it). Pure text handling, so the page routes stay short
and a refused form can be shown again exactly as typed; the use cases do the checking.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from orderforge.domain.errors import InvalidInput
from orderforge.plant.document import PlantFileInvalid


def text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def whole(text: str) -> int | str:
    """A whole number, or the text as typed so the use case names what is wrong."""
    try:
        return int(text)
    except ValueError:
        return text


def fraction(text: str, field: str) -> str:
    """'19' or '19 %' (a percentage as people type it) -> '0.19'."""
    try:
        number = Decimal(text.removesuffix("%").strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"Give a percentage such as 19, not {text!r}.", field=field) from None
    if not number.is_finite():
        raise InvalidInput("Give a finite percentage.", field=field)
    return str((number / 100).normalize())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def limits(text: str) -> dict[str, int | str]:
    """'length / 3100 mm' per line -> {"length": "3100 mm"}."""
    found: dict[str, int | str] = {}
    for n, line in enumerate(lines(text), 1):
        name, slash, value = line.partition("/")
        if not slash or not name.strip() or not value.strip():
            raise InvalidInput(
                f"Line {n}: write 'name / value mm', e.g. 'length / 3100 mm'.", field="limits"
            )
        found[name.strip()] = whole(value.strip())
    return found


def changeover(text: str) -> dict[str, dict[str, int | str]]:
    """'white -> black: 45' per line -> {"white": {"black": 45}}."""
    found: dict[str, dict[str, int | str]] = {}
    for n, line in enumerate(lines(text), 1):
        pair, colon, minutes = line.rpartition(":")
        a, arrow, b = pair.partition("->")
        if not colon or not arrow or not a.strip() or not b.strip():
            raise InvalidInput(
                f"Line {n}: write 'from -> to: minutes', e.g. 'white -> black: 45'.",
                field="changeover",
            )
        found.setdefault(a.strip(), {})[b.strip()] = whole(minutes.strip())
    return found


def rows(form: FormData, prefix: str, keys: tuple[str, ...], fill: int) -> list[dict[str, Any]]:
    """Numbered form rows (`shift-0-name`, ...), without removed ones and blank ones (the
    first `fill` keys empty: a new row left as it came)."""
    rows: list[dict[str, Any]] = []
    i = 0
    while f"{prefix}-{i}-{keys[0]}" in form:
        row: dict[str, Any] = {k: text(form, f"{prefix}-{i}-{k}") for k in keys}
        row["weekdays"] = [str(d) for d in form.getlist(f"{prefix}-{i}-weekdays")]
        i += 1
        if f"{prefix}-{i - 1}-remove" in form or not any(row[k] for k in keys[:fill]):
            continue
        rows.append(row)
    return rows


def breaks(text: str, field: str) -> list[list[str]]:
    found = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        start, dash, end = part.partition("-")
        if not dash:
            raise InvalidInput("Write breaks as 10:00-10:15, 12:00-12:30.", field=field)
        found.append([start.strip(), end.strip()])
    return found


def problems(exc: InvalidInput) -> dict[str, str]:
    """Field -> message, from a use case's refusal (every problem, or the one field)."""
    if isinstance(exc, PlantFileInvalid):
        found: dict[str, str] = {}
        for problem in exc.problems:
            where, _, why = problem.partition(": ")
            found.setdefault(where.strip(), why.strip())
        return found
    return {exc.field or "": exc.message}


def settings_values(found: dict[str, Any] | None) -> dict[str, Any]:
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
            "design_approval_days": "5",
            "logo": False,
        }
    return {
        **found,
        "address": "\n".join(found["address"]),
        "tax_rate": format(Decimal(found["tax_rate"]) * 100, "f").rstrip("0").rstrip(".") or "0",
        "logo": bool(found.get("logo")),
    }


CENTRE_KEYS = (
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


def centre_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: str(v) if v is not None else "" for k, v in entry.items()},
        "interruptible": entry["interruptible"],
        "limits": "\n".join(f"{k} / {v}" for k, v in entry["limits"].items()),
        "changeover": "\n".join(
            f"{a} -> {b}: {m}" for a, row in entry["changeover"].items() for b, m in row.items()
        ),
    }


def centre_form(form: FormData) -> dict[str, Any]:
    return {**{k: text(form, k) for k in CENTRE_KEYS}, "interruptible": "interruptible" in form}


def centre_entry(values: dict[str, Any]) -> dict[str, Any]:
    entry = {k: values[k] for k in ("code", "name", "kind", "calendar", "hourly_rate")}
    for key in ("units", "batch_capacity", "default_setup_minutes"):
        entry[key] = whole(values[key])
    entry["interruptible"] = values["interruptible"]
    entry["setup_attribute"] = values["setup_attribute"] or None
    entry["limits"] = limits(values["limits"])
    entry["changeover"] = changeover(values["changeover"])
    return entry


BLANK_CENTRE = {k: "" for k in CENTRE_KEYS} | {
    "kind": "machine",
    "units": "1",
    "batch_capacity": "1",
    "hourly_rate": "0",
    "default_setup_minutes": "0",
    "interruptible": True,
}


SHIFT_KEYS = ("name", "start", "end", "breaks")
CLOSURE_KEYS = ("start", "end", "reason")


def calendar_values(entry: dict[str, Any]) -> dict[str, Any]:
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


def calendar_form(form: FormData) -> dict[str, Any]:
    keys = ("code", "name", "timezone", "country", "subdivision", "closed_days")
    return {
        **{k: text(form, k) for k in keys},
        "shifts": rows(form, "shift", SHIFT_KEYS, 4),
        "closures": rows(form, "closure", CLOSURE_KEYS, 3),
    }


def calendar_entry(values: dict[str, Any]) -> dict[str, Any]:
    entry = {k: values[k] or None for k in ("code", "name", "timezone", "country", "subdivision")}
    entry["shifts"] = [
        {
            "name": s["name"],
            "weekdays": [whole(d) for d in s["weekdays"]],
            "start": s["start"],
            "end": s["end"],
            "breaks": breaks(s["breaks"], f"shifts[{i}].breaks"),
        }
        for i, s in enumerate(values["shifts"])
    ]
    entry["closures"] = [
        {"start": c["start"], "end": c["end"] or c["start"], "reason": c["reason"]}
        for c in values["closures"]
    ]
    entry["closed_days"] = lines(values["closed_days"])
    return entry


BLANK_CALENDAR = {
    "code": "",
    "name": "",
    "timezone": "UTC",
    "country": "",
    "subdivision": "",
    "shifts": [],
    "closures": [],
    "closed_days": "",
}


ITEM_KEYS = ("code", "name", "unit", "status", "lead_time_days", "cost")
BLANK_ITEM = {
    "code": "",
    "name": "",
    "unit": "pcs",
    "status": "approved",
    "lead_time_days": "0",
    "cost": "0",
}


def item_entry(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "lead_time_days": whole(values["lead_time_days"])}


RULE_KEYS = ("family", "customer_group", "margin", "step", "rounding")


def rule_values(rule: dict[str, Any]) -> dict[str, str]:
    margin = format(Decimal(rule["margin"]) * 100, "f").rstrip("0").rstrip(".") or "0"
    return {**{k: rule[k] or "" for k in RULE_KEYS}, "margin": margin}


def rule_entry(i: int, row: dict[str, str]) -> dict[str, Any]:
    return {
        "family": row["family"] or None,
        "customer_group": row["customer_group"] or None,
        "margin": fraction(row["margin"], f"pricing[{i}].margin"),
        "step": row["step"] or "1",
        "rounding": row["rounding"] or "up",
    }

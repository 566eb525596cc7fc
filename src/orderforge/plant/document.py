"""The plant file: all master data as one plain document (YAML on disk), both ways.

`read_plant` turns a parsed document into domain objects and names every problem by
its path (`work_centres[3].calendar: unknown calendar 'X'`), all at once, so a person
fixes the file in one go. `write_plant` is its inverse, sorted and stable, so two
exports diff cleanly and importing an export changes nothing. Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from orderforge.domain.errors import InvalidInput
from orderforge.plant.domain import (
    Calendar,
    Closure,
    Component,
    ComponentStatus,
    PlantSettings,
    PricingPolicy,
    PricingRule,
    Shift,
    Status,
    WorkCentre,
    WorkCentreKind,
)

T = TypeVar("T")
SECTIONS = ("settings", "calendars", "work_centres", "items", "pricing")
#: Length units a capability limit may be written in, as millimetres.
LENGTHS = {"mm": 1, "cm": 10, "m": 1000}


class PlantFileInvalid(InvalidInput):
    """A plant file with problems; `problems` lists each as 'path: reason'."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20] + (
            [f"... and {len(problems) - 20} more"] if len(problems) > 20 else []
        )
        super().__init__(
            "The plant file has problems: " + "; ".join(shown),
            field=problems[0].split(":", 1)[0] if problems else None,
        )
        self.problems = problems


@dataclass
class PlantData:
    """Everything the plant file holds, as domain objects."""

    settings: PlantSettings | None = None
    calendars: list[Calendar] = field(default_factory=list)
    work_centres: list[WorkCentre] = field(default_factory=list)
    items: list[Component] = field(default_factory=list)
    pricing: PricingPolicy = field(default_factory=PricingPolicy)


class _Reader:
    """Collects problems by path instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def mapping(self, value: object, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(path, "must be a mapping")
            return {}
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}", f"unknown key; known: {', '.join(allowed)}")
        return value

    def listing(self, value: object, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "must be a list")
            return []
        return value

    def take(
        self, data: dict[str, Any], key: str, path: str, parse: Callable[[Any], T]
    ) -> T | None:
        if key not in data:
            self.add(f"{path}.{key}", "is missing")
            return None
        return self.parse(data[key], f"{path}.{key}", parse)

    def optional(
        self, data: dict[str, Any], key: str, path: str, parse: Callable[[Any], T], default: T
    ) -> T:
        if data.get(key) is None:
            return default
        found = self.parse(data[key], f"{path}.{key}", parse)
        return default if found is None else found

    def parse(self, value: Any, path: str, parse: Callable[[Any], T]) -> T | None:
        try:
            return parse(value)
        except (ValueError, TypeError, InvalidOperation, binascii.Error) as exc:
            self.add(path, str(exc) or "is not valid")
        except InvalidInput as exc:
            self.add(path, exc.message)
        return None

    def check(self, thing: Any, path: str, *args: Any) -> None:
        try:
            thing.check(*args)
        except InvalidInput as exc:
            where = exc.field or ""
            self.add(f"{path}.{where}" if where else path, exc.message)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000)")
    return value


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be a number")
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(text(value))


def clock(value: Any) -> dt.time:
    found = dt.time.fromisoformat(text(value))
    return found.replace(second=0, microsecond=0)


def _days(value: Any) -> list[dt.date]:
    return [day(x) for x in value]


def length_mm(value: Any) -> int:
    """'3100 mm', '3.1 m' or a bare number of millimetres, as whole millimetres."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number, _, unit = text(value).strip().partition(" ")
    if unit.strip() not in LENGTHS:
        raise ValueError(f"write a length with its unit ({', '.join(LENGTHS)}), e.g. '3100 mm'")
    mm = Decimal(number) * LENGTHS[unit.strip()]
    if mm != mm.to_integral():
        raise ValueError("give whole millimetres")
    return int(mm)


def read_plant(
    document: object, known_calendars: frozenset[str] | set[str] = frozenset()
) -> PlantData:
    """The plant file as domain objects, or PlantFileInvalid naming every problem.
    `known_calendars` are stored ones a work centre may name besides the file's."""
    r = _Reader()
    top = r.mapping(document, "plant", SECTIONS)
    data = PlantData()
    if top.get("settings") is not None:
        data.settings = _settings(r, top["settings"])
    for i, raw in enumerate(r.listing(top.get("calendars"), "calendars")):
        data.calendars.append(_calendar(r, raw, f"calendars[{i}]"))
    calendar_codes = {c.code for c in data.calendars} | set(known_calendars)
    for i, raw in enumerate(r.listing(top.get("work_centres"), "work_centres")):
        data.work_centres.append(_centre(r, raw, f"work_centres[{i}]", calendar_codes))
    for i, raw in enumerate(r.listing(top.get("items"), "items")):
        data.items.append(_item(r, raw, f"items[{i}]"))
    rules = [
        _rule(r, raw, f"pricing[{i}]")
        for i, raw in enumerate(r.listing(top.get("pricing"), "pricing"))
    ]
    data.pricing = PricingPolicy(tuple(rules))
    if not r.problems:
        r.check(data.pricing, "pricing")
        for section, things in (
            ("calendars", data.calendars),
            ("work_centres", data.work_centres),
            ("items", data.items),
        ):
            _no_duplicates(r, section, [t.code for t in things])
    if r.problems:
        raise PlantFileInvalid([p.replace("pricing.pricing", "pricing") for p in r.problems])
    return data


def _no_duplicates(r: _Reader, section: str, codes: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code in seen:
            r.add(
                f"{section}[{i}].code",
                f"duplicate code '{code}' (first at {section}[{seen[code]}])",
            )
        seen.setdefault(code, i)


_SETTINGS_KEYS = (
    "name", "address", "country", "timezone", "currency", "tax_rate", "quote_validity_days",
    "payment_terms", "delivery_terms", "logo", "design_approval_days",
)  # fmt: skip


def _settings(r: _Reader, raw: object) -> PlantSettings:
    d = r.mapping(raw, "settings", _SETTINGS_KEYS)
    p = "settings"
    no_lines: list[str] = []
    address = r.optional(d, "address", p, lambda v: [text(x) for x in v], no_lines)
    logo = r.optional(d, "logo", p, lambda v: base64.b64decode(text(v), validate=True), b"")
    settings = PlantSettings(
        name=r.take(d, "name", p, text) or "",
        address_lines=address,
        country=r.take(d, "country", p, text) or "",
        timezone=r.take(d, "timezone", p, text) or "UTC",
        currency=r.take(d, "currency", p, text) or "",
        tax_rate=r.optional(d, "tax_rate", p, money, Decimal(0)),
        quote_validity_days=r.optional(d, "quote_validity_days", p, integer, 30),
        payment_terms=r.optional(d, "payment_terms", p, text, ""),
        delivery_terms=r.optional(d, "delivery_terms", p, text, ""),
        logo=logo or None,
        design_approval_days=r.optional(d, "design_approval_days", p, integer, 5),
    )
    if not r.problems:
        r.check(settings, p)
    return settings


def _shift(r: _Reader, raw: object, p: str) -> Shift:
    d = r.mapping(raw, p, ("name", "weekdays", "start", "end", "breaks"))
    no_breaks: tuple[tuple[dt.time, dt.time], ...] = ()
    breaks = r.optional(
        d, "breaks", p, lambda v: tuple((clock(a), clock(b)) for a, b in v), no_breaks
    )
    return Shift(
        name=r.take(d, "name", p, text) or "",
        weekdays=r.take(d, "weekdays", p, lambda v: tuple(integer(x) for x in v)) or (),
        start=r.take(d, "start", p, clock) or dt.time(),
        end=r.take(d, "end", p, clock) or dt.time(),
        breaks=breaks,
    )


def _closure(r: _Reader, raw: object, p: str) -> Closure:
    d = r.mapping(raw, p, ("start", "end", "reason"))
    start = r.take(d, "start", p, day) or dt.date.min
    return Closure(start, r.optional(d, "end", p, day, start), r.take(d, "reason", p, text) or "")


_CALENDAR_KEYS = (
    "code", "name", "timezone", "country", "subdivision", "shifts", "closures", "closed_days",
)  # fmt: skip


def _calendar(r: _Reader, raw: object, p: str) -> Calendar:
    d = r.mapping(raw, p, _CALENDAR_KEYS)
    no_days: list[dt.date] = []
    before = len(r.problems)
    calendar = Calendar(
        code=r.take(d, "code", p, text) or "",
        name=r.take(d, "name", p, text) or "",
        timezone=r.take(d, "timezone", p, text) or "UTC",
        shifts=[
            _shift(r, s, f"{p}.shifts[{i}]")
            for i, s in enumerate(r.listing(d.get("shifts"), f"{p}.shifts"))
        ],
        country=r.optional(d, "country", p, text, None),
        subdivision=r.optional(d, "subdivision", p, lambda v: str(text(v)), None),
        closures=[
            _closure(r, c, f"{p}.closures[{i}]")
            for i, c in enumerate(r.listing(d.get("closures"), f"{p}.closures"))
        ],
        closed_days=sorted(r.optional(d, "closed_days", p, _days, no_days)),
    )
    if len(r.problems) == before:
        r.check(calendar, p)
    return calendar


_CENTRE_KEYS = (
    "code", "name", "kind", "calendar", "units", "batch_capacity", "interruptible",
    "hourly_rate", "default_setup_minutes", "setup_attribute", "changeover", "limits", "status",
)  # fmt: skip


def _matrix(value: Any) -> dict[str, dict[str, int]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("must map each setup class to {next class: minutes}")
    return {str(a): {str(b): integer(m) for b, m in row.items()} for a, row in value.items()}


def _centre(r: _Reader, raw: object, p: str, calendars: set[str]) -> WorkCentre:
    d = r.mapping(raw, p, _CENTRE_KEYS)
    before = len(r.problems)
    centre = WorkCentre(
        code=r.take(d, "code", p, text) or "",
        name=r.take(d, "name", p, text) or "",
        kind=r.take(d, "kind", p, lambda v: WorkCentreKind(text(v))) or WorkCentreKind.MACHINE,
        calendar_code=r.take(d, "calendar", p, text) or "",
        capacity=r.optional(d, "units", p, integer, 1),
        batch_capacity=r.optional(d, "batch_capacity", p, integer, 1),
        interruptible=r.optional(d, "interruptible", p, boolean, True),
        hourly_rate=r.take(d, "hourly_rate", p, money) or Decimal(0),
        default_setup_minutes=r.optional(d, "default_setup_minutes", p, integer, 0),
        setup_attribute=r.optional(d, "setup_attribute", p, text, None),
        changeover_minutes=r.optional(d, "changeover", p, _matrix, {}),
        limits=r.optional(
            d, "limits", p, lambda v: {str(k): length_mm(x) for k, x in dict(v).items()}, {}
        ),
        status=r.optional(d, "status", p, lambda v: Status(text(v)), Status.ACTIVE),
    )
    if len(r.problems) == before:
        r.check(centre, p, calendars)
    return centre


def _item(r: _Reader, raw: object, p: str) -> Component:
    d = r.mapping(raw, p, ("code", "name", "unit", "status", "lead_time_days", "cost"))
    before = len(r.problems)
    item = Component(
        code=r.take(d, "code", p, text) or "",
        name=r.take(d, "name", p, text) or "",
        unit=r.take(d, "unit", p, text) or "",
        status=r.optional(
            d, "status", p, lambda v: ComponentStatus(text(v)), ComponentStatus.APPROVED
        ),
        lead_time_days=r.optional(d, "lead_time_days", p, integer, 0),
        cost=r.optional(d, "cost", p, money, Decimal(0)),
    )
    if len(r.problems) == before:
        r.check(item, p)
    return item


def _rule(r: _Reader, raw: object, p: str) -> PricingRule:
    d = r.mapping(raw, p, ("family", "customer_group", "margin", "step", "rounding"))
    rule = PricingRule(
        margin=r.take(d, "margin", p, money) or Decimal(0),
        family=r.optional(d, "family", p, text, None),
        customer_group=r.optional(d, "customer_group", p, text, None),
        step=r.optional(d, "step", p, money, Decimal(1)),
        rounding=r.optional(d, "rounding", p, text, "up"),
    )
    r.check(rule, p)
    return rule


def _amount(value: Decimal) -> str:
    """One spelling per number (14.2, 14.20 and 14.2000 are all '14.20'), so a file and
    its export compare equal whatever the database's column scale."""
    number = value.normalize()
    if number.as_tuple().exponent > -2:  # type: ignore[operator]
        number = number.quantize(Decimal("0.01"))
    return format(number, "f")


def write_plant(data: PlantData) -> dict[str, Any]:
    """The plant file's document for `data`: sections in a fixed order, entries by code."""
    out: dict[str, Any] = {}
    if data.settings is not None:
        s = data.settings
        out["settings"] = {
            "name": s.name,
            "address": list(s.address_lines),
            "country": s.country,
            "timezone": s.timezone,
            "currency": s.currency,
            "tax_rate": _amount(s.tax_rate),
            "quote_validity_days": s.quote_validity_days,
            "payment_terms": s.payment_terms,
            "delivery_terms": s.delivery_terms,
            "logo": base64.b64encode(s.logo).decode("ascii") if s.logo else None,
            "design_approval_days": s.design_approval_days,
        }
    out["calendars"] = [_write_calendar(c) for c in sorted(data.calendars, key=lambda c: c.code)]
    out["work_centres"] = [
        _write_centre(w) for w in sorted(data.work_centres, key=lambda w: w.code)
    ]
    out["items"] = [
        {
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "status": i.status.value,
            "lead_time_days": i.lead_time_days,
            "cost": _amount(i.cost),
        }
        for i in sorted(data.items, key=lambda i: i.code)
    ]
    out["pricing"] = [
        {
            "family": rule.family,
            "customer_group": rule.customer_group,
            "margin": _amount(rule.margin),
            "step": _amount(rule.step),
            "rounding": rule.rounding,
        }
        for rule in sorted(
            data.pricing.rules, key=lambda r: (r.family or "", r.customer_group or "")
        )
    ]
    return out


def _hhmm(t: dt.time) -> str:
    return t.isoformat("minutes")


def _write_calendar(c: Calendar) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "timezone": c.timezone,
        "country": c.country,
        "subdivision": c.subdivision,
        "shifts": [
            {
                "name": s.name,
                "weekdays": list(s.weekdays),
                "start": _hhmm(s.start),
                "end": _hhmm(s.end),
                "breaks": [[_hhmm(a), _hhmm(b)] for a, b in s.breaks],
            }
            for s in c.shifts
        ],
        "closures": [
            {"start": x.start.isoformat(), "end": x.end.isoformat(), "reason": x.reason}
            for x in sorted(c.closures, key=lambda x: (x.start, x.end))
        ],
        "closed_days": [d.isoformat() for d in sorted(c.closed_days)],
    }


def _write_centre(w: WorkCentre) -> dict[str, Any]:
    return {
        "code": w.code,
        "name": w.name,
        "kind": w.kind.value,
        "calendar": w.calendar_code,
        "units": w.capacity,
        "batch_capacity": w.batch_capacity,
        "interruptible": w.interruptible,
        "hourly_rate": _amount(w.hourly_rate),
        "default_setup_minutes": w.default_setup_minutes,
        "setup_attribute": w.setup_attribute,
        "changeover": {
            a: dict(sorted(row.items())) for a, row in sorted(w.changeover_minutes.items())
        },
        "limits": {k: f"{v} mm" for k, v in sorted(w.limits.items())},
        "status": w.status.value,
    }

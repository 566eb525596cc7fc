"""Plant master data: settings, calendars, work centres, items (components), pricing.

Pure: plain dataclasses and their rules. Public holidays come from the `holidays`
library (a pure computation), so a calendar answers for any date range and rolls with
the planning horizon; nothing stores a list of years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_data

from orderforge.domain.errors import InvalidInput

#: Units of measure an item may be counted in.
UNITS: frozenset[str] = frozenset({"pcs", "m", "m2", "m3", "kg", "l", "set"})
#: PNG and JPEG only, small enough to sit in a row and on every quote.
LOGO_TYPES: dict[bytes, str] = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_LOGO_BYTES = 256_000


@dataclass(frozen=True)
class Shift:
    """A recurring working window on given ISO weekdays (1 = Monday)."""

    name: str
    weekdays: tuple[int, ...]
    start: dt.time
    end: dt.time
    #: Unpaid breaks inside the shift, as (start, end) pairs.
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()

    def minutes(self) -> int:
        """Working minutes of one occurrence; end <= start means it runs past midnight."""
        length = (_minutes(self.end) - _minutes(self.start)) % 1440 or 1440
        return length - sum((_minutes(b) - _minutes(a)) % 1440 for a, b in self.breaks)


@dataclass(frozen=True)
class Closure:
    """The plant (or one calendar) shut for a span of days, both ends included."""

    start: dt.date
    end: dt.date
    reason: str


@dataclass(eq=False)
class Calendar:
    """When a work centre can work: weekly shifts minus public holidays (of `country` /
    `subdivision`), plant closures and extra closed days.

    Maintenance windows and breakdowns are capacity events of the planning context."""

    code: str
    name: str
    timezone: str
    shifts: list[Shift]
    #: ISO 3166 country (and subdivision, e.g. "DE" / "SH") whose public holidays are
    #: closed days; None: no public holidays (e.g. an unattended curing room).
    country: str | None = None
    subdivision: str | None = None
    closures: list[Closure] = field(default_factory=list)
    closed_days: list[dt.date] = field(default_factory=list)
    id: int | None = None

    def working_minutes_per_week(self) -> int:
        return sum(s.minutes() * len(s.weekdays) for s in self.shifts)

    def check(self) -> None:
        """Refuse a calendar that could never schedule anything, or names unknown places."""
        _code(self.code, "code")
        _name(self.name, "name")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"Unknown time zone '{self.timezone}'.", field="timezone") from None
        for i, shift in enumerate(self.shifts):
            if not shift.weekdays or any(d not in range(1, 8) for d in shift.weekdays):
                raise InvalidInput(
                    "Weekdays are 1 (Monday) to 7 (Sunday), at least one.",
                    field=f"shifts[{i}].weekdays",
                )
            if shift.minutes() <= 0:
                raise InvalidInput("The breaks fill the whole shift.", field=f"shifts[{i}].breaks")
        if self.working_minutes_per_week() <= 0:
            raise InvalidInput(
                f"Calendar {self.code} has no working time: give it at least one shift.",
                field="shifts",
            )
        if self.country is not None:
            public_holidays(self.country, self.subdivision, 2000)
        for i, closure in enumerate(self.closures):
            if closure.end < closure.start:
                raise InvalidInput("A closure ends before it starts.", field=f"closures[{i}].end")
            if not closure.reason.strip():
                raise InvalidInput("Say why the plant is closed.", field=f"closures[{i}].reason")

    def closed_days_between(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Every closed day from `first` to `last` (both included), with its reason."""
        closed: dict[dt.date, str] = {}
        if self.country is not None:
            for year in range(first.year, last.year + 1):
                for day, name in public_holidays(self.country, self.subdivision, year).items():
                    if first <= day <= last:
                        closed[day] = name
        for closure in self.closures:
            day = max(closure.start, first)
            while day <= min(closure.end, last):
                closed.setdefault(day, closure.reason)
                day += dt.timedelta(days=1)
        for day in self.closed_days:
            if first <= day <= last:
                closed.setdefault(day, "closed")
        return dict(sorted(closed.items()))


@cache
def public_holidays(country: str, subdivision: str | None, year: int) -> dict[dt.date, str]:
    """The public holidays of a country (and subdivision) in one year, by date."""
    try:
        found = holiday_data.country_holidays(country, subdiv=subdivision, years=year)
    except (NotImplementedError, ValueError) as exc:
        if subdivision is not None and "subdivision" in str(exc):
            raise InvalidInput(
                f"Country '{country}' has no subdivision '{subdivision}'.", field="subdivision"
            ) from None
        raise InvalidInput(
            f"No public holidays are known for country '{country}'.", field="country"
        ) from None
    return {day: str(name) for day, name in sorted(found.items())}


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _code(value: str, where: str) -> None:
    if not value or len(value) > 40 or not all(c.isalnum() or c in "-_." for c in value):
        raise InvalidInput(
            f"'{value}' is not a code: use 1-40 letters, digits, '-', '_' or '.'.", field=where
        )


def _name(value: str, where: str) -> None:
    if not value.strip() or len(value) > 200:
        raise InvalidInput("Give a name of 1-200 characters.", field=where)


class WorkCentreKind(StrEnum):
    MACHINE = "machine"
    CELL = "cell"
    TEAM = "team"


class Status(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(eq=False)
class WorkCentre:
    """A machine, cell or team with a calendar and a number of parallel units."""

    code: str
    name: str
    kind: WorkCentreKind
    calendar_code: str
    #: Parallel units (machines or people), each a resource of its own for the planner.
    capacity: int = 1
    #: Whether an operation may pause over a break or night and continue (e.g. assembly),
    #: or must run in one go (e.g. a paint cure cycle).
    interruptible: bool = True
    #: Sequence-dependent setup in minutes between setup classes, e.g. paint colours:
    #: {"white": {"black": 45}} means white -> black costs 45 minutes.
    changeover_minutes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Setup minutes when no changeover matrix entry applies.
    default_setup_minutes: int = 0
    hourly_rate: Decimal = Decimal(0)
    #: What the machine can physically take, in millimetres, keyed by the dimension names
    #: families use: {"length": 3100}. A product above a limit cannot be made there.
    limits: dict[str, int] = field(default_factory=dict)
    #: The spec attribute whose value is an operation's setup class here (e.g. "colour"
    #: for a paint booth); None: no sequence-dependent setup.
    setup_attribute: str | None = None
    #: Units processed at once (a drying room's racks); 1 = not a batch resource.
    batch_capacity: int = 1
    status: Status = Status.ACTIVE
    id: int | None = None

    def check(self, calendars: set[str]) -> None:
        _code(self.code, "code")
        _name(self.name, "name")
        if self.calendar_code not in calendars:
            raise InvalidInput(f"unknown calendar '{self.calendar_code}'", field="calendar")
        for name, value in (
            ("units", self.capacity),
            ("batch_capacity", self.batch_capacity),
        ):
            if not 1 <= value <= 1000:
                raise InvalidInput(f"{name} must be 1 to 1000, not {value}.", field=name)
        if self.default_setup_minutes < 0:
            raise InvalidInput("Setup minutes cannot be negative.", field="default_setup_minutes")
        if not self.hourly_rate.is_finite() or self.hourly_rate < 0:
            raise InvalidInput("The hourly rate cannot be negative.", field="hourly_rate")
        for name, limit in self.limits.items():
            if limit <= 0:
                raise InvalidInput("A limit must be a positive length.", field=f"limits.{name}")
        for a, row in self.changeover_minutes.items():
            for b, minutes in row.items():
                if minutes < 0:
                    raise InvalidInput(
                        "Changeover minutes cannot be negative.", field=f"changeover.{a}.{b}"
                    )
        if self.changeover_minutes and not self.setup_attribute:
            raise InvalidInput(
                "A changeover matrix needs the spec attribute that is the setup class.",
                field="setup_attribute",
            )

    def setup_class(self, spec: dict[str, str]) -> str | None:
        """The setup class of a product with `spec` on this centre (None: no changeovers)."""
        if self.setup_attribute is None:
            return None
        return spec.get(self.setup_attribute)


class ComponentStatus(StrEnum):
    APPROVED = "approved"  # bought or made before; supplier and lead time known
    NEW = "new"  # never used: engineering must qualify a supplier first
    BLOCKED = "blocked"  # discontinued or banned: cannot be used at all


@dataclass(eq=False)
class Component:
    """An item the plant buys or makes: material or part, for feasibility and MRP."""

    code: str
    name: str
    #: Unit of measure, one of UNITS; cost is per one of it.
    unit: str
    status: ComponentStatus
    lead_time_days: int = 0
    cost: Decimal = Decimal(0)
    id: int | None = None

    def check(self) -> None:
        _code(self.code, "code")
        _name(self.name, "name")
        if self.unit not in UNITS:
            raise InvalidInput(
                f"Unknown unit of measure '{self.unit}'; use one of {', '.join(sorted(UNITS))}.",
                field="unit",
            )
        if not 0 <= self.lead_time_days <= 730:
            raise InvalidInput("Lead time must be 0 to 730 days.", field="lead_time_days")
        if not self.cost.is_finite() or self.cost < 0:
            raise InvalidInput("The cost cannot be negative.", field="cost")


#: Working days a customer usually takes to approve a design, until the plant says.
DESIGN_APPROVAL_DAYS = 5


@dataclass(eq=False)
class PlantSettings:
    """Who the plant is and how it quotes: one per installation.

    The logo is stored as bytes (PNG or JPEG, at most MAX_LOGO_BYTES) in the settings
    row, so a backup of the database is a backup of the quote's letterhead."""

    name: str
    address_lines: list[str] = field(default_factory=list)
    country: str = "DE"
    timezone: str = "UTC"
    #: ISO 4217 code of the currency every price is in.
    currency: str = "EUR"
    tax_rate: Decimal = Decimal(0)
    quote_validity_days: int = 30
    payment_terms: str = ""
    delivery_terms: str = ""
    logo: bytes | None = None
    id: int | None = None
    #: Working days (Monday to Friday) a customer usually takes to approve a design: an
    #: order awaiting design approval is not planned to start before then.
    design_approval_days: int = DESIGN_APPROVAL_DAYS

    def check(self) -> None:
        _name(self.name, "name")
        if len(self.address_lines) > 6 or any(len(a) > 200 for a in self.address_lines):
            raise InvalidInput("At most 6 address lines of 200 characters.", field="address")
        if len(self.country) != 2 or not self.country.isalpha() or not self.country.isupper():
            raise InvalidInput("The country is a two-letter ISO code, e.g. DE.", field="country")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"Unknown time zone '{self.timezone}'.", field="timezone") from None
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise InvalidInput("The currency is an ISO 4217 code, e.g. EUR.", field="currency")
        if not self.tax_rate.is_finite() or not 0 <= self.tax_rate < 1:
            raise InvalidInput(
                "The tax rate is a fraction from 0 to 1, e.g. 0.19.", field="tax_rate"
            )
        if not 1 <= self.quote_validity_days <= 365:
            raise InvalidInput("Quotes stay valid 1 to 365 days.", field="quote_validity_days")
        if not 0 <= self.design_approval_days <= 60:
            raise InvalidInput(
                "A design approval takes 0 to 60 working days.", field="design_approval_days"
            )
        if self.logo is not None:
            logo_type(self.logo)

    def letterhead(self) -> str:
        return ", ".join([self.name, *self.address_lines])


def logo_type(data: bytes) -> str:
    """The logo's media type; refuses anything but a small PNG or JPEG."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput(f"The logo may be at most {MAX_LOGO_BYTES} bytes.", field="logo")
    for magic, media_type in LOGO_TYPES.items():
        if data.startswith(magic):
            return media_type
    raise InvalidInput("The logo must be a PNG or JPEG image.", field="logo")


ROUNDINGS = ("up", "down", "nearest")


@dataclass(frozen=True)
class PricingRule:
    """A margin on cost for a product family and/or customer group (None: any).

    price = cost / (1 - margin), rounded to a multiple of `step`."""

    margin: Decimal
    family: str | None = None
    customer_group: str | None = None
    step: Decimal = Decimal(1)
    rounding: str = "up"

    @property
    def key(self) -> str:
        return f"{self.family or '*'}/{self.customer_group or '*'}"

    def check(self) -> None:
        if not self.margin.is_finite() or not 0 <= self.margin < 1:
            raise InvalidInput(
                "The margin is a fraction from 0 up to 1, e.g. 0.30.", field="margin"
            )
        if not self.step.is_finite() or self.step <= 0:
            raise InvalidInput("The price step must be positive, e.g. 1.", field="step")
        if self.rounding not in ROUNDINGS:
            raise InvalidInput(
                f"Rounding is one of {', '.join(ROUNDINGS)}, not '{self.rounding}'.",
                field="rounding",
            )


@dataclass(frozen=True)
class PricingPolicy:
    """The margin rules, most specific first: family and group, family, group, default."""

    rules: tuple[PricingRule, ...] = ()

    def check(self) -> None:
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            try:
                rule.check()
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field=f"pricing[{i}].{exc.field}") from None
            if rule.key in seen:
                raise InvalidInput(f"A second rule for {rule.key}.", field=f"pricing[{i}]")
            seen.add(rule.key)
        if self.rules and "*/*" not in seen:
            raise InvalidInput("Give a default rule (no family, no group).", field="pricing")

    def rule_for(self, family: str, customer_group: str | None = None) -> PricingRule | None:
        """The most specific rule that applies; None when the plant has no policy."""
        for wanted in (
            (family, customer_group),
            (family, None),
            (None, customer_group),
            (None, None),
        ):
            for rule in self.rules:
                if (rule.family, rule.customer_group) == wanted:
                    return rule
        return None

"""What a promise says, and the records that keep it: reservations and alerts.

Pure data and rules. The date comes from inserting the order's work into the free time
of the current plan (engines.scheduling.insertion), so every promise already made is
kept; what held each step back becomes the explanation a sales person can repeat to the
customer ("the CNC router is booked until Thursday", "leather arrives on the 14th").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class ConstraintKind(StrEnum):
    #: the work centre is booked with other orders' work
    WORK_CENTRE = "work_centre"
    #: a material is not there before a date
    MATERIAL = "material"
    #: closed time (nights, weekends, holidays, downtime) on the way
    CALENDAR = "calendar"
    #: only the order's own routing: it takes this long even in an empty plant
    ROUTING = "routing"


@dataclass(frozen=True)
class Constraint:
    kind: ConstraintKind
    #: work centre code or item code (empty for routing / calendar)
    subject: str
    #: in words, for sales and the planner
    detail: str


class AlternativeKind(StrEnum):
    OVERTIME = "overtime"
    EXPRESS_SUPPLIER = "express_supplier"
    PUSH_BACK = "push_back"


@dataclass(frozen=True)
class Alternative:
    """A faster way the plant could deliver, and what it costs."""

    kind: AlternativeKind
    date: dt.date
    detail: str
    extra_cost: Decimal | None = None
    #: orders that would be pushed back (PUSH_BACK)
    orders: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaterialAnswer:
    """One material of the configuration, as sourcing answers for it."""

    item_code: str
    quantity: Decimal
    available_at: dt.datetime | None
    source: str
    cannot_source: str | None = None
    express_at: dt.datetime | None = None
    express_extra_cost: Decimal | None = None
    express_source: str | None = None


@dataclass(frozen=True)
class PlacedStep:
    """Where the promise put one operation (kept as the order's reservation)."""

    key: str
    name: str
    work_centre: str
    resource: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Promise:
    """The earliest delivery the plant can keep, and why not earlier."""

    #: None when it cannot be promised at all (see `cannot`)
    date: dt.date | None
    finish: dt.datetime | None
    requested: dt.date | None
    binding: tuple[Constraint, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    materials: tuple[MaterialAnswer, ...] = ()
    steps: tuple[PlacedStep, ...] = ()
    #: why no date can be promised (a material that cannot be sourced, a step no work
    #: centre can do, work that does not fit in the horizon)
    cannot: str | None = None
    plan_version: int | None = None
    computed_at: dt.datetime | None = None

    @property
    def requested_met(self) -> bool | None:
        if self.requested is None or self.date is None:
            return None
        return self.date <= self.requested

    @property
    def days_late(self) -> int | None:
        if self.requested is None or self.date is None:
            return None
        return max(0, (self.date - self.requested).days)

    @property
    def commit_date(self) -> dt.date | None:
        """The date to promise: the requested date when it can be kept (a customer who
        asked for the 20th is promised the 20th), else the earliest."""
        if self.date is None:
            return None
        if self.requested is not None and self.requested >= self.date:
            return self.requested
        return self.date

    def summary(self) -> str:
        if self.date is None:
            return f"Cannot be promised: {self.cannot}"
        text = f"Earliest delivery {self.date:%a %d %b %Y}"
        if self.requested is not None:
            if self.requested_met:
                text += f"; the requested {self.requested:%a %d %b} can be kept"
            else:
                text += f"; {self.days_late} days after the requested {self.requested:%a %d %b}"
        if self.binding:
            text += f" (bound by {self.binding[0].detail})"
        return text + "."


@dataclass
class Reservation:
    """The capacity a committed promise holds until a plan run includes its order."""

    order_number: str
    promise_date: dt.date
    created_at: dt.datetime
    steps: list[PlacedStep] = field(default_factory=list)
    released_at: dt.datetime | None = None
    id: int | None = None


@dataclass
class PromiseAlert:
    """A committed promise that the current plan no longer keeps."""

    order_number: str
    promise_date: dt.date
    #: the plan's finish date for the order when the alert was raised
    planned_date: dt.date
    plan_version: int
    raised_at: dt.datetime
    reason: str
    resolved_at: dt.datetime | None = None
    id: int | None = None

    @property
    def days_late(self) -> int:
        return max(0, (self.planned_date - self.promise_date).days)

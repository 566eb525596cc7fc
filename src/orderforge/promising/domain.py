"""What a promise says, and the records that keep it: reservations and alerts.

Pure data and rules. The date comes from inserting the order's work into the free time
of the current plan (engines.scheduling.insertion), so every promise already made is
kept; what held each step back becomes the explanation a sales person can repeat to the
customer ("the CNC router is booked until Thursday", "leather arrives on the 14th").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

#: The confidence levels every answer reports a date for.
LEVELS = (0.5, 0.8, 0.95)


def level_key(level: float) -> str:
    """How a confidence is named in answers: "p80" for 0.8 (as plan studies name theirs),
    "p87.5" for 0.875, so a confidence asked for never takes the key of another."""
    return f"p{level * 100:.4g}"


#: The confidences sales may quote at: below one in two a date is a coin toss, and a
#: date kept every single time does not exist in a plant whose operations vary.
MIN_CONFIDENCE = 0.5
MAX_CONFIDENCE = 0.99


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
class CentreBasis:
    """What the spread of one work centre the quote uses was learned from."""

    work_centre: str
    #: finished operations of the floor's recent history on it
    actuals: int
    #: "learned" from those actuals, or the stated "default" spread (too few of them)
    source: str


@dataclass(frozen=True)
class PromiseConfidence:
    """How sure the plant can be of a promise: the quoted work replayed many times on a
    floor whose operation times stray as its own history says.

    `dates[level]` is the first date by which at least that share of the replays
    finished, never before the plan's own date (the plant does not commit to less than
    its plan, even where the floor has tended to run faster). `chance` is the share of
    replays finished by the promised date."""

    #: the confidence the caller asked to promise at (None: the plan's own date)
    asked: float | None
    dates: Mapping[float, dt.date]
    chance: float
    replications: int
    seed: int
    centres: tuple[CentreBasis, ...] = ()

    @property
    def actuals(self) -> int:
        """Finished operations the spreads were learned from (0: all assumed)."""
        return sum(c.actuals for c in self.centres if c.source == "learned")

    @property
    def basis(self) -> str:
        """In words: did the floor's history or an assumed spread decide the dates."""
        learned = sum(c.source == "learned" for c in self.centres)
        if learned == 0:
            return "default spread"
        if learned == len(self.centres):
            return "learned"
        return "partly default spread"


def date_at(finished: Sequence[dt.date], level: float, earliest: dt.date) -> dt.date:
    """The first date by which at least `level` of the replays had finished (the
    empirical quantile by the inverted distribution function, as the simulation engine
    takes it: a date that actually happened), and never before `earliest`."""
    if not finished:
        raise ValueError("no replay to take a date from")
    if not 0 < level <= 1:
        raise ValueError(f"a confidence lies in (0, 1], got {level}")
    ordered = sorted(finished)
    index = math.ceil(level * len(ordered) - 1e-9) - 1
    return max(ordered[max(0, index)], earliest)


def chance_by(finished: Sequence[dt.date], day: dt.date) -> float:
    """The share of replays finished by the end of `day`."""
    if not finished:
        raise ValueError("no replay to count")
    return sum(f <= day for f in finished) / len(finished)


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
    #: the chance and the dates at each confidence (None: not assessed)
    confidence: PromiseConfidence | None = None

    @property
    def earliest(self) -> dt.date | None:
        """The earliest date the plant commits to: the plan's own date, or the date at
        the confidence asked for (never earlier)."""
        if self.date is None:
            return None
        found = self.confidence
        if found is None or found.asked is None:
            return self.date
        return max(self.date, found.dates[found.asked])

    @property
    def requested_met(self) -> bool | None:
        earliest = self.earliest
        if self.requested is None or earliest is None:
            return None
        return earliest <= self.requested

    @property
    def days_late(self) -> int | None:
        earliest = self.earliest
        if self.requested is None or earliest is None:
            return None
        return max(0, (earliest - self.requested).days)

    @property
    def commit_date(self) -> dt.date | None:
        """The date to promise: the requested date when it can be kept (a customer who
        asked for the 20th is promised the 20th), else the earliest (at the confidence
        asked for, when one was)."""
        earliest = self.earliest
        if earliest is None:
            return None
        if self.requested is not None and self.requested >= earliest:
            return self.requested
        return earliest

    def summary(self) -> str:
        if self.date is None:
            return f"Cannot be promised: {self.cannot}"
        found = self.confidence
        text = f"Earliest delivery {self.date:%a %d %b %Y}"
        if found is not None and found.asked is not None and self.earliest is not None:
            text = (
                f"Delivery at {found.asked:.0%} confidence {self.earliest:%a %d %b %Y} "
                f"(the plan's own date {self.date:%a %d %b})"
            )
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

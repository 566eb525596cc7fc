"""Quoting policies: how a plant answers "when will it be ready?" the moment an order arrives.

The simulator compares policies on the same arrivals, so a policy is only a recipe
(`QuotingPolicy`); every run asks it for a fresh `Quoter`, which may learn from that run's
history. A run never sees another run's memory, which is what makes the same seed give the
same result and lets two policies share common random numbers.

A quote is a date, not a minute: customers are promised a day, and an order is on time when
it is finished by the end of that day. Both policies round the same way, so neither gains
from the granularity.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.insertion import NewOperation, Unit, insert

MINUTES_PER_DAY = 1440


class ScenarioInputError(ValueError):
    """A scenario or policy that cannot be simulated; `field` names what to fix.

    Defined here, the lowest module of the package, so that policies can reject bad
    settings when they are built; `scenario` re-exports it (it is unified with the
    package's errors module when the Monte Carlo work lands)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """What a quoter may look at when an order arrives.

    `load` is the plant's committed work forward-loaded from now onto every unit (busy
    intervals); it is a callable because building it costs a pass over all work in
    progress, and a policy that does not look at the plant (a fixed lead time) should not
    pay for it."""

    order: str
    arrival: int
    operations: Sequence[NewOperation]
    load: Callable[[], Mapping[str, Unit]]
    horizon: int
    #: what kind of order it is (its product family): plans of different routings slip
    #: differently, so a learning quoter may keep their histories apart
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Quote:
    """The promised day (day 0 starts at minute 0) and, when the policy planned the order,
    its deterministic finish and planned operation starts (used to dispatch by plan)."""

    due_day: int
    planned_finish: int | None = None
    planned_starts: Mapping[str, int] = field(default_factory=dict)

    @property
    def due(self) -> int:
        """The last minute the order may finish and still be on time (end of the due day)."""
        return (self.due_day + 1) * MINUTES_PER_DAY


class Quoter(Protocol):
    """One run's quoting memory."""

    def quote(self, request: QuoteRequest) -> Quote: ...

    def observe(self, order: str, finish: int) -> None:
        """Told when an order is finished, so the quoter can learn how plans slip."""


class QuotingPolicy(Protocol):
    """A recipe for quoters; frozen, comparable, printable."""

    @property
    def label(self) -> str: ...

    def quoter(self) -> Quoter: ...


def day_of_end(minute: int) -> int:
    """The day an activity ending at `minute` finishes on: ending exactly at midnight is
    still the day before."""
    return max(minute - 1, 0) // MINUTES_PER_DAY


@dataclass(frozen=True, slots=True)
class FixedLeadTime:
    """The ERP default: the promised day is the order day plus `days`, whatever the load.

    It ignores the plant, so it must be set long enough for a busy week; in a quiet week
    customers wait for nothing. That waste is what capable-to-promise removes."""

    days: int

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ScenarioInputError("quoting.days", f"is {self.days}; a lead time is >= 0 days")

    @property
    def label(self) -> str:
        return f"fixed {self.days} d"

    def quoter(self) -> Quoter:
        return _FixedQuoter(self.days)


class _FixedQuoter:
    def __init__(self, days: int) -> None:
        self.days = days

    def quote(self, request: QuoteRequest) -> Quote:
        return Quote(request.arrival // MINUTES_PER_DAY + self.days)

    def observe(self, order: str, finish: int) -> None:
        """A fixed lead time learns nothing: that is the point of the baseline."""


@dataclass(frozen=True, slots=True)
class CapableToPromise:
    """Promise the plan's own finish plus a margin learned from how plans have slipped.

    The deterministic finish comes from inserting the order into the work the plant has
    already committed (the promising engine's insertion, which moves no other order). It
    is right on average only if nothing varies; operation times, breakdowns and the floor
    re-sequencing by due date make real finishes scatter around it. Rather than guess that
    scatter, the quoter keeps the last `window` errors (actual finish - planned finish) of
    this run's finished orders and adds their `confidence` quantile, so that a fraction
    `confidence` of the orders finish by the promise. The window is finite so the margin
    follows the load as it changes; until `min_history` errors are known the largest error
    seen so far stands in (a cold start should be cautious, not optimistic).

    Errors are counted in working minutes of the unit that finishes the order, and the
    margin is added the same way. In clock minutes a ten-minute slip past Friday's last
    shift is a 58-hour error; its quantile would then pad every order's promise, even
    Tuesday morning's, with a weekend. A margin below zero (plans that run late more
    rarely than 1 - confidence) is not subtracted: the plan's own finish is the earliest
    the plant would commit to.

    Each kind of order (product family) keeps its own history once it has `min_history`
    errors; before that the pooled history of all orders stands in. A pooled margin holds
    the confidence only on average: large orders, which slip more, would be kept less
    often than promised and small ones padded for the large ones' sake.
    """

    confidence: float = 0.95
    window: int = 300
    min_history: int = 20

    def __post_init__(self) -> None:
        if not 0.0 < self.confidence < 1.0:
            raise ScenarioInputError(
                "quoting.confidence", f"is {self.confidence}; it must lie strictly between 0 and 1"
            )
        if self.window < 1:
            raise ScenarioInputError("quoting.window", f"is {self.window}; keep at least 1 error")
        if self.min_history < 1:
            raise ScenarioInputError(
                "quoting.min_history", f"is {self.min_history}; it must be at least 1"
            )

    @property
    def label(self) -> str:
        return f"CTP {self.confidence:.0%}"

    def quoter(self) -> Quoter:
        return _PromiseQuoter(self)


class _PromiseQuoter:
    def __init__(self, policy: CapableToPromise) -> None:
        self.policy = policy
        self.errors: deque[int] = deque(maxlen=policy.window)
        self.by_kind: dict[str, deque[int]] = {}
        #: per order quoted from a plan: its kind, planned finish and the finishing unit's time
        self.pending: dict[str, tuple[str, int, WorkingTime]] = {}

    def margin(self, kind: str) -> int:
        """Working minutes to add to a plan's finish for an order of `kind`."""
        own = self.by_kind.get(kind, ())
        errors = own if len(own) >= self.policy.min_history else self.errors
        if not errors:
            return 0
        if len(errors) < self.policy.min_history:
            return max(errors)
        values = np.fromiter(errors, dtype=np.int64)
        return int(np.quantile(values, self.policy.confidence, method="higher"))

    def quote(self, request: QuoteRequest) -> Quote:
        arrival_day = request.arrival // MINUTES_PER_DAY
        units = request.load()
        placed = insert(units, request.operations, request.horizon, request.arrival)
        finish = placed.end
        if finish is None:
            # the plant cannot fit it before the end of the simulated horizon: promise the
            # last day, the honest answer "not within anything we can see"
            return Quote(max(arrival_day, day_of_end(request.horizon)))
        unit = units[placed.chain()[0].resource]
        time = unit.working
        if time is None or time.horizon != request.horizon:
            time = WorkingTime(unit.calendar, request.horizon)
        self.pending[request.order] = (request.kind, finish, time)
        promised = finish
        margin = self.margin(request.kind)
        if margin > 0:
            fit = time.earliest(finish, margin, True)
            promised = fit[1] if fit is not None else request.horizon
        starts = {key: p.start for key, p in placed.placements.items()}
        return Quote(max(arrival_day, day_of_end(promised)), finish, starts)

    def observe(self, order: str, finish: int) -> None:
        known = self.pending.pop(order, None)
        if known is None:
            return
        kind, planned, time = known
        if finish >= planned:
            error = time.working_minutes(planned, finish)
        else:
            error = -time.working_minutes(finish, planned)
        self.errors.append(error)
        self.by_kind.setdefault(kind, deque(maxlen=self.policy.window)).append(error)

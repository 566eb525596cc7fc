"""The demand behind the demo's history: which quotes the workshop was asked for, week by
week, and how likely each was to be won. Pure (standard library only), so a reader can
check what a forecast chart should find without a database.

Per family, the weekly rate of quote requests is

    rate(week) = base x (1 + trend x years since the history began) x season(week)

drawn as a Poisson count each week:

- TABLE and SEATING peak twice a year, in mid April and mid October (hotels and
  restaurants refit before their seasons), +-40 % around their mean;
- CABINET peaks in January (kitchens planned over the holidays), +-25 %;
- WALL-PANEL has no season but the steepest growth (+30 % a year);
- COUCH (the medical examination couch) is intermittent: about four requests a year,
  quantities lumpy (mostly 1-2, now and then a practice chain's 6-8), so most weeks of its
  series are zero.

**The demand shock.** From 26 to 17 weeks before today a hotel chain refurbishing its
houses asks for seating: SEATING requests double (+100 %, `SHOCK`). During those weeks the
floor is stretched, and more delivered orders arrive after their promise date.

**Winning.** A quote is won with a chance that falls with its value (log-scale), rises for
trade customers (architects) and repeat hotel customers, and differs by family; won quotes
are decided within 2-12 days, lost ones sit 10-45 days before the customer says no, so the
age of an undecided quote says something about its chances.

**Preferences drift.** Within a family, the catalogue's valid specs are chosen with weights
that move over the history: the specs early in a family's list are favoured at the start,
those late in the list by the end (the product-insight report has a trend to find).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class FamilyDemand:
    """How often a family is asked for and in what quantities."""

    base: float
    #: growth of the rate per year, as a share (0.1 = +10 % a year)
    trend: float
    #: amplitude of the season, as a share of the rate
    season: float
    #: day of the year of the (first) peak
    peak_day: int
    #: peaks per year (2 = spring and autumn)
    peaks: int
    #: the quantities a request asks for, drawn uniformly (repeats weigh more)
    quantities: tuple[int, ...]
    #: the family's share of quotes won before value and customer are considered
    win: float


FAMILIES: dict[str, FamilyDemand] = {
    "TABLE": FamilyDemand(1.4, 0.12, 0.4, 105, 2, (1, 2, 2, 4, 6, 8), 0.5),
    "SEATING": FamilyDemand(1.1, 0.08, 0.4, 105, 2, (2, 4, 4, 6, 8, 12), 0.45),
    "CABINET": FamilyDemand(0.9, 0.05, 0.25, 15, 1, (1, 1, 2, 3, 4), 0.4),
    "WALL-PANEL": FamilyDemand(0.6, 0.3, 0.0, 1, 1, (2, 4, 6, 8, 10), 0.55),
    "COUCH": FamilyDemand(0.08, 0.0, 0.0, 1, 1, (1, 1, 1, 2, 2, 6, 8), 0.7),
}


@dataclass(frozen=True)
class Shock:
    """A named block of weeks in which one family's demand is multiplied."""

    name: str
    family: str
    #: first and last week of the shock, counted in weeks before today (inclusive)
    from_weeks_ago: int
    to_weeks_ago: int
    factor: float

    def covers(self, weeks_ago: int) -> bool:
        return self.to_weeks_ago <= weeks_ago <= self.from_weeks_ago


SHOCK = Shock("Hotel chain refurbishment", "SEATING", 26, 17, 2.0)


@dataclass(frozen=True)
class Opportunity:
    """One request for a quote: what, for whom, when, and what the customer will say."""

    at: dt.datetime
    family: str
    quantity: int
    customer: str
    #: index into the family's valid specs
    spec: int
    #: during the shock the floor is stretched (more late deliveries)
    in_shock: bool
    #: a uniform draw the caller compares with `win_chance` once the price is known
    luck: float
    #: days until the customer decides if won, and if lost
    days_to_win: int
    days_to_lose: int


class DemandModel:
    """The seeded generator of opportunities (one `random.Random(seed)`)."""

    def __init__(self, seed: int, now: dt.datetime, weeks: int, customers: list[str]) -> None:
        if weeks < 0:
            raise ValueError(f"history weeks must be 0 or more, not {weeks}")
        if not customers:
            raise ValueError("customers: the history needs at least one customer to quote")
        self.rng = random.Random(seed)  # noqa: S311 -- demo data, not security
        self.now = now
        self.weeks = weeks
        self.customers = customers
        #: Monday 00:00 of the first week of the history
        monday = (now - WEEK * weeks).date()
        monday -= dt.timedelta(days=monday.weekday())
        self.start = dt.datetime.combine(monday, dt.time(), tzinfo=now.tzinfo)

    def rate(self, family: str, week_start: dt.datetime) -> float:
        """The expected number of requests of `family` in the week starting then."""
        f = FAMILIES[family]
        years = (week_start - self.start).days / 365.0
        day = week_start.timetuple().tm_yday
        season = 1 + f.season * math.cos(2 * math.pi * f.peaks * (day - f.peak_day) / 365.0)
        rate = f.base * (1 + f.trend * years) * season
        if family == SHOCK.family and SHOCK.covers(self.weeks_ago(week_start)):
            rate *= SHOCK.factor
        return rate

    def weeks_ago(self, week_start: dt.datetime) -> int:
        return (self.now - week_start).days // 7

    def week(self, index: int, spec_counts: dict[str, int]) -> list[Opportunity]:
        """The requests of week `index` (0 = the first week of the history), by time."""
        week_start = self.start + WEEK * index
        progress = index / max(self.weeks - 1, 1)
        found: list[Opportunity] = []
        for family in FAMILIES:
            for _ in range(self._poisson(self.rate(family, week_start))):
                at = week_start + dt.timedelta(
                    days=self.rng.randrange(5), hours=8 + self.rng.randrange(9)
                )
                at += dt.timedelta(minutes=self.rng.randrange(60))
                if at >= self.now:
                    continue
                found.append(self._opportunity(family, at, spec_counts.get(family, 1), progress))
        return sorted(found, key=lambda o: (o.at, o.family))

    def _opportunity(
        self, family: str, at: dt.datetime, specs: int, progress: float
    ) -> Opportunity:
        f = FAMILIES[family]
        weights = [
            math.exp(1.6 * (i / max(specs - 1, 1) - 0.5) * (2 * progress - 1)) for i in range(specs)
        ]
        return Opportunity(
            at=at,
            family=family,
            quantity=self.rng.choice(f.quantities),
            customer=self.rng.choice(self.customers),
            spec=self.rng.choices(range(specs), weights)[0],
            in_shock=SHOCK.covers(self.weeks_ago(at)),
            luck=self.rng.random(),
            days_to_win=self.rng.randint(2, 12),
            days_to_lose=self.rng.randint(10, 45),
        )

    def _poisson(self, rate: float) -> int:
        """Knuth's method: fine for the small rates of a workshop."""
        limit, k, p = math.exp(-rate), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k


def win_chance(family: str, value: float, customer: str, trade: bool) -> float:
    """The chance a quote is won: the family's share, less for big tickets (log of the
    value against EUR 5000), more for trade customers and hotels that come back."""
    logit = math.log(FAMILIES[family].win / (1 - FAMILIES[family].win))
    logit -= 0.45 * math.log(max(value, 1.0) / 5000.0)
    if trade:
        logit += 0.5
    if customer.startswith("C-HOTEL-"):
        logit += 0.3
    return 1 / (1 + math.exp(-logit))

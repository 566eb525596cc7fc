"""What the insight room's use cases read and keep, and the keys to ask a unit of work.

Feedback is the room's own table. Everything else is read through one port of plain
records, answered in SQL over the orders, their events, production's work orders and
quality's NCRs: a report reads a year of a family's orders, and loading each as an
aggregate (lines, events, versions) would be most of its time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from orderforge.domain.order import OrderState
from orderforge.insight.domain import Feedback
from orderforge.services.ports import RepositoryKey


class FeedbackRepository(Protocol):
    def add(self, feedback: Feedback) -> None:
        """Store a new rating and set its id; ratings are never changed afterwards."""
        ...

    def for_order(self, order_number: str) -> list[Feedback]:
        """Every rating of an order, oldest first (the last is the one shown)."""
        ...

    def latest(self, order_numbers: Collection[str]) -> dict[str, Feedback]:
        """The shown (newest) rating of each of these orders that has one."""
        ...


FEEDBACK: RepositoryKey[FeedbackRepository] = RepositoryKey("order_feedback")


@dataclass(frozen=True)
class LineRecord:
    """One line of an order, with what the order became."""

    order_number: str
    customer: str
    state: OrderState
    created_at: dt.datetime
    #: the customer confirmed the order (a lost quote was only asked for)
    confirmed: bool
    family: str
    quantity: int
    spec: dict[str, str]


@dataclass(frozen=True)
class EngineeringCase:
    """A step of an order's review that did not pass: flagged as needing engineering, or
    rejected as infeasible, with the reason its timeline recorded."""

    order_number: str
    #: "needs_engineering" or "infeasible"
    outcome: str
    reason: str
    actor: str
    at: dt.datetime


@dataclass(frozen=True)
class NcrRecord:
    """An NCR raised on production work of an order of a family."""

    number: str
    order_number: str
    family: str
    cause: str
    cause_label: str
    quantity: int
    raised_at: dt.datetime
    #: the disposition's kind ("rework", "scrap"...) once decided
    disposition: str | None


class InsightHistory(Protocol):
    def lines(self, since: dt.datetime, family: str | None = None) -> list[LineRecord]:
        """Lines of the orders created since the moment (one family's, or every
        family's), oldest order first."""
        ...

    def engineering(self, order_numbers: Collection[str]) -> list[EngineeringCase]:
        """The needs-engineering and infeasible steps of these orders, oldest first."""
        ...

    def ncrs(self, since: dt.datetime, family: str | None = None) -> list[NcrRecord]:
        """NCRs raised since the moment on production work of orders (of one family)."""
        ...


INSIGHT_HISTORY: RepositoryKey[InsightHistory] = RepositoryKey("insight_history")

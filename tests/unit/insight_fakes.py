"""In-memory stand-in for the insight room's feedback port."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection

from orderforge.insight.domain import Feedback


class FakeFeedback:
    """Append-only like the table: `add` stores a copy, nothing changes it later."""

    def __init__(self) -> None:
        self.rows: list[Feedback] = []
        self._ids = itertools.count(1)

    def add(self, feedback: Feedback) -> None:
        feedback.id = next(self._ids)
        self.rows.append(copy.copy(feedback))

    def for_order(self, order_number: str) -> list[Feedback]:
        return [f for f in self.rows if f.order_number == order_number]

    def latest(self, order_numbers: Collection[str]) -> dict[str, Feedback]:
        wanted = set(order_numbers)
        return {f.order_number: f for f in self.rows if f.order_number in wanted}

"""The demo orders' final inspections: an attempt for each time the demo history passed
or failed an order, judged by the quality room's own rules from the records as the demo
floor and inspectors left them, so a demo order that is ready to ship shows who passed it
and on what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orderforge.domain.order import OrderAction
from orderforge.quality.final import items_for, judge
from orderforge.quality.finals import facts
from orderforge.quality.ports import FINAL_INSPECTIONS
from orderforge.services.ports import UnitOfWork

_FINAL = (OrderAction.PASS_INSPECTION, OrderAction.FAIL_INSPECTION)
Step = tuple[OrderAction, dt.datetime, str, str]


@dataclass
class DemoFinals:
    #: order number -> its (action, when, who, reason) final inspection steps
    steps: dict[str, list[Step]] = field(default_factory=dict)

    def follow(
        self, number: str, action: OrderAction, at: dt.datetime, actor: str, reason: str
    ) -> None:
        if action in _FINAL:
            self.steps.setdefault(number, []).append((action, at, actor, reason))

    def forget(self, number: str) -> None:
        """A cancelled order's work orders went with it: its attempts are not replayed."""
        self.steps.pop(number, None)

    def record(self, uow: UnitOfWork) -> None:
        """Keep one attempt per step, once the work and the operations' inspections are
        on record; a demo pass the records would not bear out is a mistake in the demo,
        and says so."""
        repo = uow.repository(FINAL_INSPECTIONS)
        checklists = repo.checklists()
        for number, steps in self.steps.items():
            order = uow.orders.get(number)
            assert order is not None, number
            families = list(dict.fromkeys(line.product_family for line in order.lines))
            items = items_for(families, checklists)
            found = facts(uow, order)
            for attempt, (action, at, actor, reason) in enumerate(steps, start=1):
                passed = action is OrderAction.PASS_INSPECTION
                answers = {i.code: (True, "") for i in items}
                if not passed:
                    answers[items[0].code] = (False, reason or "Not as approved.")
                done = judge(number, attempt, found, items, answers, inspector=actor, at=at)
                if done.passed != passed:
                    failing = "; ".join(f"{f.text}: {f.note}" for f in done.failed_items)
                    raise AssertionError(
                        f"Demo order {number} passed final inspection against its records: "
                        f"{failing}"
                    )
                repo.add(done)
        self.steps.clear()

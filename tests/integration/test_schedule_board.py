"""The schedule board reads every planned order's state and priority in one query, not
one per order (N+1), on both databases."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.services import plan_runs, schedule, users
from tests.conftest import DEMO_PASSWORD

#: A statement that reads the orders table itself (not its lines).
ORDERS_READ = re.compile(r"\bFROM\s+orders\b", re.IGNORECASE)


def test_board_loads_planned_orders_in_one_query(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    ctx = replace(application.ctx, jobs=None)
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    run = plan_runs.request_run(ctx, planner, time_limit=0.5)
    assert plan_runs.execute_run(ctx, run["id"])["status"] == "done"
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(application.engine, "before_cursor_execute", record)
    try:
        board = schedule.board(ctx, planner)
    finally:
        sa.event.remove(application.engine, "before_cursor_execute", record)
    assert len(board["orders"]) >= 3
    assert all(o["state"] is not None for o in board["orders"]), board["orders"]
    assert len([s for s in statements if ORDERS_READ.search(s)]) == 1, statements

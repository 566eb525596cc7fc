"""The demo plant as the product benchmarks load it: a fresh SQLite database in a
temporary folder, a clock fixed at a known Wednesday morning, and the demo with a seeded
number of orders. Shared by plan_product.py, promise.py and stability.py so their
figures start from the same plant."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from orderforge import demo
from orderforge.bootstrap import Application, build
from orderforge.config import Settings
from orderforge.services.context import ServiceContext

PASSWORD = "bench-password"
START = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the benchmark moves by hand (`clock.at += ...`)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def fresh_app(prefix: str) -> tuple[Application, ServiceContext, Clock]:
    """An empty, migrated database; plan runs execute in the caller (no job queue)."""
    var = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings(
        database_url=f"sqlite:///{var / 'bench.db'}",
        var_dir=var,
        host="127.0.0.1",
        port=8000,
        secret_key="bench",
        demo_password=PASSWORD,
        secure_cookies=False,
        review_on_confirm=True,
    )
    clock = Clock(START)
    app = build(settings, clock=clock)
    app.upgrade_schema()
    return app, dataclasses.replace(app.ctx, jobs=None), clock


def load_orders(ctx: ServiceContext, orders: int, seed: int) -> None:
    """The demo plant with `orders` generated orders (seed 1 is demo seed 2027)."""
    demo.load_demo(ctx, PASSWORD, seed=2026 + seed, count=orders)

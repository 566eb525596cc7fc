"""How long the confidence beside a promise takes, against the plain promise, on the
database the environment names (the demo plant with its floor history, planned once):

    orderforge demo load && orderforge plan run --time-limit 10
    .venv/bin/python benchmarks/promise_confidence.py --quotes 20

For each of the demo's families in turn (quantity 1-4, seeded) it asks, in this process
(no HTTP, so the figures are the service's own), the plain promise (what a customer and
every API call without `with_confidence` get: capable-to-promise alone), the one sales
gets (with the chance and the 50/80/95 % dates, replayed afresh) and the same
configuration again at 90 % confidence (the replays are reused), and prints the latency
percentiles of each.
The first staff quote also learns the spreads from the floor's history (kept for ten
minutes after); it is reported on its own. Nothing here is a test: figures go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import time

from orderforge.bootstrap import build
from orderforge.demo.plant import FAMILY_CODES
from orderforge.promising import services as promising
from orderforge.promising import study
from orderforge.services import users


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    app = build()
    ctx = dataclasses.replace(app.ctx, jobs=None)
    with ctx.uow() as uow:
        sales_user, customer_user = uow.users.get("sales"), uow.users.get("alpina")
        if uow.plans.latest_version_number() is None or sales_user is None:
            print("Load the demo and run a plan first (see the docstring).")
            return 1
        assert customer_user is not None
        sales, customer = users.principal_of(sales_user), users.principal_of(customer_user)
    t = time.perf_counter()
    first = promising.promise_spec(ctx, sales, FAMILY_CODES[0], {}, 1, assess=True)
    print(f"first staff quote (learns the spreads): {1000 * (time.perf_counter() - t):.0f} ms")
    if first.confidence is not None:
        print(
            f"  basis {first.confidence.basis}, {first.confidence.actuals} actuals, "
            f"{first.confidence.replications} replays"
        )
    timings: dict[str, list[float]] = {
        "plain (API default)": [],
        "staff, assessed": [],
        "staff, then at 90 %": [],
    }
    for n in range(args.quotes):
        family, quantity = FAMILY_CODES[n % len(FAMILY_CODES)], rng.randint(1, 4)
        study.forget_replays()  # every staff quote replays afresh ...
        for label, who, confidence in (
            ("plain (API default)", customer, None),
            ("staff, assessed", sales, None),
            # ... and the same configuration asked again at a confidence reuses it
            ("staff, then at 90 %", sales, 0.9),
        ):
            t = time.perf_counter()
            promising.promise_spec(
                ctx, who, family, {}, quantity, confidence=confidence, assess=who is sales
            )
            timings[label].append(1000 * (time.perf_counter() - t))
    for label, values in timings.items():
        print(
            f"{label:>20}: p50 {statistics.median(values):.0f} ms, "
            f"p95 {_percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms "
            f"({len(values)} quotes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The operator's report and the queue page it leads to, on a busy floor, in one process.

    .venv/bin/python benchmarks/floor_queue.py                 # PostgreSQL `test`
    .venv/bin/python benchmarks/floor_queue.py --slots 21 --per-slot 6 --reports 176

`benchmarks/floor.py` measures the round trip through a real server with many operators;
its queues are short (one work order per operator and run). This one loads the demo plant
(`orderforge.demo`) into a private schema, releases `--slots` x `--per-slot` more orders
through the order use cases (as `floor.py` does), so each work centre holds hundreds of
open operations, and then one operator reports operation after operation through the web
app's ASGI interface (no HTTP server, no network): the report (POST) and the queue page it
redirects to (GET) are timed apart. The first two operations warm up and are not counted.
Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

import floor  # the round-trip benchmark beside this script: its demo and release steps
from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.entrypoints.api.app import create_app


async def _walk(app: Application, steps: list[floor.Step]) -> dict[str, list[float]]:
    web = create_app(app.ctx, secret_key="floor-queue-bench")
    times: dict[str, list[float]] = {"report": [], "queue": []}
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        page = await http.get("/login")
        found = floor._CSRF.search(page.text)
        body = {
            "username": "operator",
            "password": floor.PASSWORD,
            "csrf": found.group(1) if found else "",
        }
        await http.post("/login", data=body, follow_redirects=True)
        for i, step in enumerate(steps):
            code = f"{step.work_order}/{step.seq}"
            page = await http.get(
                f"/floor/{step.centre}/scan", params={"code": code}, follow_redirects=True
            )
            for action in ("start", "complete"):
                if action == "complete":
                    page = await http.get(f"/floor/{step.centre}/ops/{step.work_order}/{step.seq}")
                csrf, key = floor._form(page.text, action)
                form = {"csrf": csrf, "key": key}
                if action == "complete":
                    form |= {"good": str(step.quantity), "scrap": "0", "scrap_cause": ""}
                url = f"/floor/{step.centre}/ops/{step.work_order}/{step.seq}/{action}"
                t = time.perf_counter()
                answer = await http.post(url, data=form)
                t2 = time.perf_counter()
                shown = await http.get(answer.headers["location"])
                t3 = time.perf_counter()
                if "Recorded:" not in shown.text:
                    raise SystemExit(f"{code} {action} was not recorded")
                if i >= 2:
                    times["report"].append((t2 - t) * 1000)
                    times["queue"].append((t3 - t2) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--slots", type=int, default=21)
    parser.add_argument("--per-slot", type=int, default=6)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="floor-queue-"))
    with floor._database(args.database_url, folder, "queue") as url:
        app = floor._application(url, folder)
        demo.load_demo(app.ctx, floor.PASSWORD)
        floor.released_work(app.ctx, args.slots, args.per_slot, args.seed)
        steps = floor.released_work(app.ctx, 1, 6, args.seed + 1)[0]
        times = asyncio.run(_walk(app, steps))
        app.close()
    for label, values in times.items():
        print(
            f"{label:>6}: {len(values)} calls, median {statistics.median(values):.1f} ms, "
            f"p95 {floor._percentile(values, 0.95):.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

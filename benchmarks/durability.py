"""SQLite durability and read concurrency: what `synchronous=FULL` costs in writes per
second, and what deferred read transactions buy in read latency while a writer runs.

    .venv/bin/python benchmarks/durability.py --seconds 3

Every configuration gets a fresh, migrated SQLite database in a temporary folder and the
real unit of work; the four are measured in the same run, one after another:

- writes/s: one thread registers customers, one committed transaction each;
- read latency under a writer: one thread keeps registering customers while another
  reads a customer by code in its own transaction; the reader's latency percentiles.

"before" is the configuration this repository had (synchronous=NORMAL, every transaction
BEGIN IMMEDIATE), "after" is the current default (synchronous=FULL, reads deferred).
Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orderforge import contexts
from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import Synchronous, create_db_engine, read_only
from orderforge.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from orderforge.domain.customer import Customer


@dataclass(frozen=True)
class Config:
    label: str
    synchronous: Synchronous
    deferred_reads: bool


CONFIGS = (
    Config("before: NORMAL, reads IMMEDIATE", "NORMAL", deferred_reads=False),
    Config("NORMAL, reads deferred", "NORMAL", deferred_reads=True),
    Config("FULL, reads IMMEDIATE", "FULL", deferred_reads=False),
    Config("after: FULL, reads deferred", "FULL", deferred_reads=True),
)


@dataclass(frozen=True)
class Result:
    config: Config
    writes_per_s: float
    writes_under_readers_per_s: float
    read_ms: list[float]


def _register(uows: SqlUnitOfWorkFactory, code: str) -> None:
    with uows() as uow:
        uow.customers.add(
            Customer.register(
                code=code,
                name="Benchmark customer",
                email="",
                country="DE",
                actor="bench",
                at=dt.datetime.now(dt.UTC),
            )
        )
        uow.commit()


def _reading(config: Config) -> contextlib.AbstractContextManager[None]:
    return read_only() if config.deferred_reads else contextlib.nullcontext()


@contextlib.contextmanager
def _database(config: Config) -> Iterator[SqlUnitOfWorkFactory]:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(
            f"sqlite:///{Path(folder) / 'bench.db'}", synchronous=config.synchronous
        )
        migrate.upgrade(engine)
        try:
            yield SqlUnitOfWorkFactory(engine, contexts.storages())
        finally:
            engine.dispose()


def measure(config: Config, seconds: float) -> Result:
    with _database(config) as uows:
        count = 0
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            count += 1
            _register(uows, f"W-{count}")
        writes_per_s = count / (time.perf_counter() - start)

        stop = threading.Event()
        written = [0]

        def writer() -> None:
            while not stop.is_set():
                written[0] += 1
                _register(uows, f"R-{written[0]}")

        thread = threading.Thread(target=writer)
        latencies: list[float] = []
        start = time.perf_counter()
        thread.start()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            with _reading(config), uows() as uow:
                assert uow.customers.get("W-1") is not None
            latencies.append((time.perf_counter() - began) * 1000)
            time.sleep(0.001)  # a reader that also does other work, not a spin
        stop.set()
        thread.join()
        under_readers = written[0] / (time.perf_counter() - start)
    return Result(config, writes_per_s, under_readers, latencies)


def _percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def table(results: list[Result]) -> str:
    lines = [
        "| configuration | writes/s | writes/s beside a reader | read p50 ms | read p95 ms "
        "| read p99 ms | read max ms | reads |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.config.label} | {r.writes_per_s:.0f} | {r.writes_under_readers_per_s:.0f} "
            f"| {_percentile(r.read_ms, 50):.2f} | {_percentile(r.read_ms, 95):.2f} "
            f"| {_percentile(r.read_ms, 99):.2f} | {max(r.read_ms):.2f} | {len(r.read_ms)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    results = [measure(config, args.seconds) for config in CONFIGS]
    text = table(results)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

"""Growing past one machine (issue 10): two `orderforge serve` processes and two
`orderforge worker` processes on one PostgreSQL database. Runs asked for through both
servers at once are each carried out exactly once (counted from the workers' logs of
the jobs they took, and from the plan versions each plan run stored), and concurrent
edits of one order with ETags lose no update."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import build
from tests.api.support import order_body
from tests.conftest import DEMO_PASSWORD, fast_hasher, make_settings, require_postgres

PLAN_RUNS = 4
MRP_RUNS = 12
EDITORS = 4
EDITS_EACH = 5


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated and with the demo plant, dropped afterwards."""
    url = sa.engine.make_url(require_postgres())
    name = "orderforge_workers_pg"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    own = url.set(database=name).render_as_string(hide_password=False)
    # migrated once here: two servers upgrading the same schema at once would race
    app = build(make_settings(own, tmp_path / "setup"), hasher=fast_hasher())
    app.upgrade_schema()
    demo.load_demo(app.ctx, DEMO_PASSWORD, count=20)
    app.close()
    try:
        yield own
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class Processes:
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, *args: str) -> Path:
        log = self.tmp_path / f"{name}.log"
        script = Path(sys.executable).parent / "orderforge"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(script), *args], cwd=self.tmp_path, env=self.env, stdout=out, stderr=out
            )
        self.running.append((process, log))
        return log

    def check(self) -> None:
        for process, log in self.running:
            assert process.poll() is None, log.read_text()[-3000:]

    def stop(self) -> None:
        for process, _ in self.running:
            process.terminate()
        for process, _ in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _taken(logs: list[Path]) -> Counter[str]:
    """'plan_run 3' -> how many times a worker took it (its JSON log line)."""
    counts: Counter[str] = Counter()
    for log in logs:
        for line in log.read_text().splitlines():
            if not line.startswith("{"):
                continue
            message = str(json.loads(line).get("message", ""))
            if message.endswith(" taken"):
                counts[message.removesuffix(" taken")] += 1
    return counts


def test_two_servers_and_two_workers_run_each_job_once_and_lose_no_update(
    database: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFORGE_")}
    env.update(
        ORDERFORGE_DATABASE_URL=database,
        ORDERFORGE_VAR_DIR=str(tmp_path / "var"),
        ORDERFORGE_SECRET_KEY="workers-pg-test",
        ORDERFORGE_JOBS="procrastinate",
        ORDERFORGE_LOG_LEVEL="INFO",
    )
    processes = Processes(tmp_path, env)
    ports = [_free_port(), _free_port()]
    try:
        for i, port in enumerate(ports):
            processes.start(f"server{i}", "serve", "--port", str(port))
        workers = [processes.start(f"worker{i}", "worker") for i in range(2)]
        bases = [f"http://127.0.0.1:{port}/api/v1" for port in ports]
        deadline = time.monotonic() + 40
        while not all(_ready(f"http://127.0.0.1:{port}/readyz") for port in ports):
            processes.check()
            assert time.monotonic() < deadline, "the servers did not become ready"
            time.sleep(0.3)

        def token(base: str, username: str) -> dict[str, str]:
            status, _, body = _call(
                "POST",
                f"{base}/auth/token",
                {"username": username, "password": DEMO_PASSWORD, "name": "workers-pg"},
            )
            assert status == 201, body
            return {"Authorization": f"Bearer {body['access_token']}"}

        planner = [token(b, "planner") for b in bases]
        buyer = [token(b, "purchasing") for b in bases]
        sales = [token(b, "sales") for b in bases]

        # -- many runs through both servers at once -----------------------------------
        def ask(i: int) -> tuple[str, int]:
            side = i % 2
            if i < PLAN_RUNS:
                status, _, run = _call(
                    "POST", f"{bases[side]}/plans/runs", {"time_limit": 1}, planner[side]
                )
                kind = "plan_run"
            else:
                status, _, run = _call(
                    "POST", f"{bases[side]}/materials/mrp-runs", None, buyer[side]
                )
                kind = "mrp_run"
            assert status == 202, run
            assert run["status"] == "queued"
            return kind, int(run["id"])

        status, _, order = _call("POST", f"{bases[0]}/orders", order_body(), sales[0])
        assert status == 201, order
        number = order["number"]

        # -- concurrent edits of one order, each retried on a stale ETag ---------------
        def edit(editor: int) -> int:
            side, conflicts = editor % 2, 0
            for n in range(EDITS_EACH):
                marker = f"[e{editor}n{n}]"
                while True:
                    code, headers, current = _call(
                        "GET", f"{bases[side]}/orders/{number}", None, sales[side]
                    )
                    assert code == 200, current
                    code, _, body = _call(
                        "PATCH",
                        f"{bases[side]}/orders/{number}",
                        {"notes": current["notes"] + marker},
                        {**sales[side], "If-Match": headers["etag"]},
                    )
                    if code == 200:
                        break
                    assert code in (409, 412), body  # someone else's edit came first
                    conflicts += 1
            return conflicts

        with ThreadPoolExecutor(max_workers=8) as pool:
            asked = pool.map(ask, range(PLAN_RUNS + MRP_RUNS))
            edits = [pool.submit(edit, e) for e in range(EDITORS)]
            jobs = list(asked)
            conflicts = sum(f.result() for f in edits)

        # -- every run ends, each taken exactly once ---------------------------------
        paths = {"plan_run": "plans/runs", "mrp_run": "materials/mrp-runs"}
        headers = {"plan_run": planner[0], "mrp_run": buyer[0]}
        deadline = time.monotonic() + 45
        pending = set(jobs)
        while pending:
            processes.check()
            assert time.monotonic() < deadline, f"still not ended: {sorted(pending)}"
            for kind, run_id in list(pending):
                _, _, run = _call("GET", f"{bases[1]}/{paths[kind]}/{run_id}", None, headers[kind])
                if run["status"] not in ("queued", "running"):
                    assert run["status"] == "done", run
                    pending.discard((kind, run_id))
            time.sleep(0.5)
        taken = _taken(workers)
        assert taken == Counter({f"{kind} {run_id}": 1 for kind, run_id in jobs}), taken
        engine = sa.create_engine(database)
        try:
            with engine.connect() as conn:
                stored = conn.execute(
                    sa.text("SELECT run_id, count(*) FROM plan_versions GROUP BY run_id")
                ).all()
        finally:
            engine.dispose()
        plan_ids = {run_id for kind, run_id in jobs if kind == "plan_run"}
        assert dict(stored) == dict.fromkeys(plan_ids, 1)  # one version per plan run

        # -- no edit lost --------------------------------------------------------------
        _, _, final = _call("GET", f"{bases[1]}/orders/{number}", None, sales[1])
        markers = [f"[e{e}n{n}]" for e in range(EDITORS) for n in range(EDITS_EACH)]
        assert all(final["notes"].count(m) == 1 for m in markers), (final["notes"], conflicts)
        assert len(final["notes"]) == sum(len(m) for m in markers)
        assert time.monotonic() - started < 60
    finally:
        processes.stop()

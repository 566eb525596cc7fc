"""A real server under load: concurrent API clients, then the same with sign-in attackers.

    .venv/bin/python benchmarks/load.py --clients 8 --attackers 16 --seconds 20

Starts `orderforge serve` on 127.0.0.1 (a free port) in a temporary folder: a fresh
SQLite database with the demo plant loaded (`orderforge demo load`: its work centres,
catalogue, customers, users and generated orders), or, with `--database-url`, a
PostgreSQL database that must be empty (the demo is loaded into it) and `--workers N`
server processes (sign-in limits then go to `--redis`). Every request goes to that local
server only; every loop is bounded by `--seconds`.

Phases, one after another in the same run:

1. **baseline**: one client, one request after another;
2. **load**: `--clients` clients at once;
3. **load under attack**: the same clients while `--attackers` threads post wrong
   passwords to the sign-in form (half for a real account, half for unknown names), as
   fast as the server answers them.

A client's request mix: list orders (40 %), one order (30 %), a promise for a random
configuration (20 %), a new quote (10 %), each with a sales API token. Reported per
phase: requests, requests per second, latency p50 / p95 / max, and any answer that is not
2xx (for attackers: their answers by status, where 401 and 429 are what they should get).
Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from orderforge.demo.plant import FAMILY_CODES

PASSWORD = "load-bench-password"
CUSTOMER = "C-HOTEL-ALPINA"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, status: int) -> None:
        with self.lock:
            self.latencies.append(ms)
            self.statuses[status] += 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _cli(script: Path, env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [str(script), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        sys.exit(f"`orderforge {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _client(base: str, token: str, numbers: list[str], until: float, tally: Tally) -> None:
    rng = random.Random(threading.get_ident())
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        while time.monotonic() < until:
            pick = rng.random()
            t = time.perf_counter()
            if pick < 0.4:
                response = http.get("/api/v1/orders", params={"limit": 50})
            elif pick < 0.7:
                response = http.get(f"/api/v1/orders/{rng.choice(numbers)}")
            elif pick < 0.9:
                body = {"family": rng.choice(FAMILY_CODES), "quantity": rng.randint(1, 4)}
                response = http.post("/api/v1/promise", json=body)
            else:
                line = {"product_family": rng.choice(FAMILY_CODES), "quantity": 1, "spec": {}}
                response = http.post("/api/v1/orders", json={"customer": CUSTOMER, "lines": [line]})
            tally.add((time.perf_counter() - t) * 1000, response.status_code)


def _attacker(base: str, username: str, until: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        page = http.get("/login")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        csrf = found.group(1) if found else ""
        while time.monotonic() < until:
            t = time.perf_counter()
            response = http.post(
                "/login", data={"username": username, "password": "wrong-guess", "csrf": csrf}
            )
            tally.add((time.perf_counter() - t) * 1000, response.status_code)


def _phase(
    base: str,
    token: str,
    numbers: list[str],
    clients: int,
    attackers: int,
    seconds: float,
) -> tuple[Tally, Tally]:
    until = time.monotonic() + seconds
    work, attack = Tally(), Tally()
    threads = [
        threading.Thread(target=_client, args=(base, token, numbers, until, work))
        for _ in range(clients)
    ]
    threads += [
        threading.Thread(
            target=_attacker,
            args=(base, "sales" if i % 2 == 0 else f"nobody{i}", until, attack),
        )
        for i in range(attackers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return work, attack


def _row(label: str, tally: Tally, seconds: float) -> str:
    if not tally.latencies:
        return f"| {label} | 0 | | | |"
    bad = {s: n for s, n in tally.statuses.items() if not 200 <= s < 300}
    return (
        f"| {label} | {len(tally.latencies)} | {len(tally.latencies) / seconds:.1f} | "
        f"{statistics.median(tally.latencies):.1f} / {_percentile(tally.latencies, 0.95):.1f} / "
        f"{max(tally.latencies):.1f} | {dict(sorted(bad.items())) or 'none'} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--attackers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database-url", default="", help="an EMPTY PostgreSQL database")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="of-load-bench-"))
    script = Path(sys.executable).parent / "orderforge"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFORGE_")}
    env.update(
        ORDERFORGE_VAR_DIR=str(folder / "var"),
        ORDERFORGE_SECRET_KEY="load-bench",
        ORDERFORGE_DEMO_PASSWORD=PASSWORD,
    )
    if args.database_url:
        env["ORDERFORGE_DATABASE_URL"] = args.database_url
        env["ORDERFORGE_RATE_LIMIT_STORAGE"] = args.redis
    _cli(script, env, folder, "db", "upgrade")
    _cli(script, env, folder, "demo", "load")
    token = _cli(script, env, folder, "user", "token", "sales", "--name", "load").strip()
    numbers = re.findall(r"SO-\d{4}-\d{4}", _cli(script, env, folder, "order", "list"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "server.log").open("w")
    command = [str(script), "serve", "--port", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the server did not start:\n{(folder / 'server.log').read_text()}")
                time.sleep(0.3)
        database = "PostgreSQL" if args.database_url else "SQLite"
        print(
            f"{database}, {args.workers} server process(es), {os.cpu_count()} cores, "
            f"{len(numbers)} orders listed, {args.seconds:.0f} s per phase"
        )
        print("| phase | requests | per second | p50 / p95 / max ms | not 2xx |")
        print("|---|---|---|---|---|")
        one, _ = _phase(base, token, numbers, 1, 0, args.seconds)
        print(_row("baseline: 1 client", one, args.seconds), flush=True)
        many, _ = _phase(base, token, numbers, args.clients, 0, args.seconds)
        print(_row(f"load: {args.clients} clients", many, args.seconds), flush=True)
        hit, attack = _phase(base, token, numbers, args.clients, args.attackers, args.seconds)
        print(_row(f"load with {args.attackers} attackers", hit, args.seconds))
        print(_row("the attackers' sign-ins", attack, args.seconds))
        print(f"attackers' answers by status: {dict(sorted(attack.statuses.items()))}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

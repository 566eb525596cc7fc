"""`orderforge serve --workers N`: several server processes on PostgreSQL, sharing the
sign-in limits through Redis; refused, with the reason, where they could not share what
they must (SQLite, limits counted in memory)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app
from tests.conftest import IN_CI, require_postgres

REDIS = ("127.0.0.1", 6379)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, " ".join(result.output.split())


def test_several_processes_on_sqlite_are_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_JOBS"):
        monkeypatch.delenv(name, raising=False)
    code, output = _run("serve", "--workers", "2", "--port", "1")
    assert code == 1
    assert "--workers above 1 needs PostgreSQL" in output


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own (the server upgrades its schema), dropped afterwards."""
    url = sa.engine.make_url(require_postgres())
    name = "orderforge_serve_workers"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_limits_counted_in_memory_are_refused(database: str) -> None:
    code, output = _run("serve", "--workers", "2", env={"ORDERFORGE_DATABASE_URL": database})
    assert code == 1
    assert "ORDERFORGE_RATE_LIMIT_STORAGE=redis://" in output


def _redis() -> None:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError as exc:
        if IN_CI:
            pytest.fail(f"Redis is expected on {REDIS} in CI: {exc}")
        pytest.skip(f"Redis unreachable on {REDIS} ({exc}): start it to run this test")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_two_server_processes_answer_on_postgresql(database: str, tmp_path: Path) -> None:
    _redis()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFORGE_")}
    env.update(
        ORDERFORGE_DATABASE_URL=database,
        ORDERFORGE_VAR_DIR=str(tmp_path / "var"),
        ORDERFORGE_RATE_LIMIT_STORAGE="redis://127.0.0.1:6379/15",
        ORDERFORGE_SECRET_KEY="serve-workers-test",
    )
    script = Path(sys.executable).parent / "orderforge"
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(script), "serve", "--workers", "2", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not _ready(f"http://127.0.0.1:{port}/readyz"):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        # uvicorn's supervisor has one spawned process per worker (and a resource tracker)
        spawned = [c for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(spawned) == 2, children
        answered = sum(_ready(f"http://127.0.0.1:{port}/healthz") for _ in range(20))
        assert answered == 20
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()

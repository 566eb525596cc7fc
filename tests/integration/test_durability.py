"""Acknowledged writes survive a crash: a child process registers customers in a loop and
reports each committed one; the parent SIGKILLs it at a random moment and checks that
every acknowledged record is stored and the database is intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from orderforge.bootstrap import build
from tests.conftest import fast_hasher, make_settings

WRITER = textwrap.dedent(
    """
    import sys, datetime as dt
    from orderforge.bootstrap import build
    from orderforge.config import Settings
    from orderforge.domain.customer import Customer
    from pathlib import Path
    url, var = sys.argv[1], Path(sys.argv[2])
    app = build(Settings(url, var, "127.0.0.1", 8000, "k", "x", False))
    i = 0
    while True:
        i += 1
        code = f"C-CRASH-{i}"
        with app.ctx.uow() as uow:
            uow.customers.add(Customer.register(code=code, name="Crash test", email="",
                country="DE", actor="writer", at=dt.datetime.now(dt.UTC)))
            uow.commit()
        print(code, flush=True)
    """
)


@pytest.mark.parametrize("attempt", range(3))
def test_acknowledged_writes_survive_sigkill(
    database_url: str, tmp_path: Path, attempt: int
) -> None:
    app = build(make_settings(database_url, tmp_path), hasher=fast_hasher())
    app.upgrade_schema()
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    acknowledged: list[str] = [child.stdout.readline().strip()]  # it is running
    deadline = time.monotonic() + random.uniform(0.2, 1.0)
    while time.monotonic() < deadline:
        acknowledged.append(child.stdout.readline().strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acknowledged += [line.strip() for line in child.stdout if line.strip()]
    with app.ctx.uow() as uow:
        stored = {c.code for c in uow.customers.list()}
    missing = [code for code in acknowledged if code not in stored]
    assert not missing, f"acknowledged but lost after the crash: {missing[:5]}"
    if app.engine.dialect.name == "sqlite":
        with app.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    app.close()

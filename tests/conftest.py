"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), a built app.

PostgreSQL: ORDERFORGE_TEST_POSTGRES_URL (default: the local `test` database). With
CI=true a missing PostgreSQL fails the run; elsewhere those tests skip and say how to
enable them. Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from orderforge.adapters.security import Argon2PasswordHasher
from orderforge.bootstrap import Application, build
from orderforge.config import Settings
from orderforge.domain.order import OrderAction, OrderState
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Clock

POSTGRES_URL = os.environ.get(
    "ORDERFORGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's workers start with COLUMNS=80 and LINES=24 in their environment;
    Rich fixes a console's width when it finds COLUMNS at import, so the CLI's
    module-level consoles would wrap at 80 columns whatever width a test asks for.
    Without them, the width is read when printing, from the COLUMNS each CLI test sets."""
    del config
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)


DEMO_PASSWORD = "orderforge-demo"


class FixedClock:
    """A clock tests can move; starts at a known instant."""

    def __init__(self, at: dt.datetime | None = None) -> None:
        self.at = at or dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += dt.timedelta(**kwargs)


_clock: type[Clock] = FixedClock  # mypy proves the fake clock implements the port


def fast_hasher() -> Argon2PasswordHasher:
    """Real argon2id, cheap parameters: tests hash many passwords."""
    return Argon2PasswordHasher(time_cost=1, memory_cost=1024)


_pg_error: list[str | None] = []


def _postgres_error() -> str | None:
    if not _pg_error:
        try:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            engine.dispose()
            _pg_error.append(None)
        except Exception as exc:
            _pg_error.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return _pg_error[0]


def require_postgres() -> str:
    error = _postgres_error()
    if error is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {POSTGRES_URL}: {error}")
        pytest.skip(
            f"PostgreSQL unreachable ({error}). To run these tests start PostgreSQL or set "
            "ORDERFORGE_TEST_POSTGRES_URL=postgresql+psycopg://USER@HOST:PORT/DB"
        )
    return POSTGRES_URL


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend; PostgreSQL gets a private schema per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orderforge.db'}"
        return
    with postgres_schema("t_") as url:
        yield url


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A URL whose connections work in a fresh private schema, dropped afterwards."""
    base = require_postgres()
    schema = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield str(sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}))
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_settings(database_url: str, var_dir: Path, *, review_on_confirm: bool = True) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        host="127.0.0.1",
        port=8000,
        secret_key="test-secret-key",
        demo_password=DEMO_PASSWORD,
        secure_cookies=False,
        review_on_confirm=review_on_confirm,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def application(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Application]:
    """A migrated, empty OrderForge on the parametrised database."""
    app = build(make_settings(database_url, tmp_path), clock=clock, hasher=fast_hasher())
    app.upgrade_schema()
    try:
        yield app
    finally:
        app.close()


#: The steps from a confirmed order to one released to production, for tests about the
#: floor (work may start only on a released order); the design steps are taken here as the
#: domain's commands, as the demo's history does, not through design revisions.
_TO_RELEASE = {
    OrderState.CONFIRMED: OrderAction.MARK_FEASIBLE,
    OrderState.FEASIBLE: OrderAction.PLAN,
    OrderState.PLANNED: OrderAction.SUBMIT_DESIGN,
    OrderState.AWAITING_DESIGN_APPROVAL: OrderAction.APPROVE_DESIGN,
}


def release_for_work(ctx: ServiceContext, number: str) -> None:
    """Take a confirmed order to released, so the floor may work on it."""
    with ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None, number
        while order.state is not OrderState.RELEASED:
            action = _TO_RELEASE[order.state]
            if action is OrderAction.APPROVE_DESIGN and order.design_approved_at is not None:
                action = OrderAction.RELEASE
            order.apply(action, actor="test", at=ctx.clock.now(), reason="For the test.")
        uow.commit()

"""Fixtures for the HTTP tests: one demo-loaded OrderForge per test module and database.

`database_url`, `clock` and `application` override the root fixtures of the same
names with module scope: loading the demo and signing in eight users costs about half
a second, too much for each of the several hundred permission and input cells. Every
test still runs on SQLite and on PostgreSQL, and none depends on another: each test
creates the orders it acts on (`make_order`) and compares counts it reads itself.

PostgreSQL gets a private schema per module (as the root fixture does per test),
dropped with the module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event

from orderforge.adapters.db.engine import is_read_only
from orderforge.bootstrap import Application, build
from orderforge.demo import load_demo
from orderforge.entrypoints.api.app import create_app
from tests.api.support import ALL_USERS, API, ApiSession, TestClient
from tests.conftest import DEMO_PASSWORD, FixedClock, fast_hasher, make_settings, postgres_schema


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database on each backend, private to the test module."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'orderforge.db'}"
        return
    with postgres_schema("t_api_") as url:
        yield url


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(autouse=True)
def _clock_restored(clock: FixedClock) -> Iterator[None]:
    """A test may move the shared clock; the next one starts at the usual instant."""
    at = clock.at
    yield
    clock.at = at


@pytest.fixture(scope="module")
def application(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, clock: FixedClock
) -> Iterator[Application]:
    """A migrated OrderForge holding the demo plant, customers, users and orders."""
    app = build(
        # Engineers review by hand here, so every lifecycle cell from "confirmed" is
        # reachable; the automatic review has its own tests.
        make_settings(database_url, tmp_path_factory.mktemp("var"), review_on_confirm=False),
        clock=clock,
        hasher=fast_hasher(),
    )
    app.upgrade_schema()
    load_demo(app.ctx, DEMO_PASSWORD)
    event.listen(app.engine, "before_cursor_execute", _no_writes_in_reads)
    try:
        yield app
    finally:
        app.close()


WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


def _no_writes_in_reads(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
    """GET/HEAD requests run in read-only transactions (deferred on SQLite: a write in
    one fails under contention); every HTTP test checks that none of them writes."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if is_read_only() and verb in WRITES:
        raise AssertionError(f"a read-only request wrote: {statement[:120]}")


@pytest.fixture(scope="module")
def api(application: Application) -> Iterator[ApiSession]:
    """The HTTP app over `application`, with a bearer token for every demo user."""
    web_app = create_app(application.ctx, secret_key="test-secret-key")
    with TestClient(web_app) as client:
        tokens: dict[str, str] = {}
        for username in ALL_USERS:
            response = client.post(
                f"{API}/auth/token",
                json={"username": username, "password": DEMO_PASSWORD, "name": "api-tests"},
            )
            assert response.status_code == 201, response.text
            tokens[username] = response.json()["access_token"]
        yield ApiSession(client=client, application=application, tokens=tokens)


@pytest.fixture
def client(api: ApiSession) -> TestClient:
    return api.client


@pytest.fixture
def auth(api: ApiSession) -> Callable[[str], dict[str, str]]:
    """`auth("planner")` -> headers carrying the planner's bearer token."""
    return api.auth


@pytest.fixture
def make_order(api: ApiSession) -> Callable[..., dict[str, Any]]:
    """`make_order(OrderState.RELEASED, customer=...)` -> a fresh order in that state."""
    return api.make_order

"""Health and readiness probes, request ids and logs, /metrics and who may read it."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from orderforge import contexts
from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import create_db_engine
from orderforge.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from orderforge.entrypoints.api.app import create_app
from orderforge.entrypoints.api.observability import REQUEST_LOGGER
from tests.api.support import API, ApiSession

PROBES = ("/healthz", "/readyz", "/metrics")


def test_healthz_answers_without_authentication(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_sane_request_id_is_echoed_and_others_are_replaced(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    odd = client.get("/healthz", headers={"X-Request-ID": "two words"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", odd)


def test_readyz_reports_the_schema_at_head(api: ApiSession) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "schema": migrate.head_revision(api.application.engine),
    }


def test_readyz_refuses_a_database_behind_the_code(api: ApiSession, tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0001")
    ctx = dataclasses.replace(
        api.application.ctx, uow=SqlUnitOfWorkFactory(engine, contexts.storages()), jobs=None
    )
    with TestClient(create_app(ctx, secret_key="k")) as client:
        response = client.get("/readyz")
    engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["current"] == "0001"
    assert body["head"] == migrate.shipped_head()
    assert "orderforge db upgrade" in body["reason"]


def test_readyz_refuses_an_unreachable_database(api: ApiSession) -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    ctx = dataclasses.replace(
        api.application.ctx, uow=SqlUnitOfWorkFactory(engine, contexts.storages()), jobs=None
    )
    with TestClient(create_app(ctx, secret_key="k")) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"].startswith("the database is unreachable")


def test_probes_are_not_api_operations(client: TestClient) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert not set(PROBES) & set(paths)


def test_metrics_are_for_admins_unless_opened(api: ApiSession) -> None:
    client = api.client
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=api.auth("sales")).status_code == 403
    response = client.get("/metrics", headers=api.auth("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    with TestClient(create_app(api.application.ctx, secret_key="k", metrics_open=True)) as open_:
        assert open_.get("/metrics").status_code == 200


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        metric, _, value = line.rpartition(" ")
        if metric == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    raise AssertionError(f"no sample {name}{{{wanted}}} in the metrics")


def test_metrics_count_requests_by_route_template_and_read_the_database(
    api: ApiSession,
) -> None:
    client = api.client
    admin = api.auth("admin")
    orders = client.get(f"{API}/orders", headers=admin).json()
    number = orders["items"][0]["number"] if isinstance(orders, dict) else orders[0]["number"]
    before = client.get("/metrics", headers=admin).text
    route = f"{API}/orders/{{number}}"
    labels = {"method": "GET", "route": route, "status": "200"}
    try:
        earlier = _sample(before, "orderforge_http_requests_total", **labels)
    except AssertionError:
        earlier = 0.0
    for _ in range(3):
        assert client.get(f"{API}/orders/{number}", headers=admin).status_code == 200
    assert client.get(f"{API}/orders/NO-SUCH", headers=admin).status_code == 404
    text = client.get("/metrics", headers=admin).text
    assert _sample(text, "orderforge_http_requests_total", **labels) == earlier + 3
    assert (
        _sample(text, "orderforge_http_requests_total", method="GET", route=route, status="404")
        >= 1
    )
    assert _sample(text, "orderforge_http_request_duration_seconds_count", **labels) >= 3
    assert f"/orders/{number}" not in text  # raw paths never become labels
    assert _sample(text, "orderforge_database_up") == 1
    with api.application.engine.connect() as connection:
        states: dict[str, int] = {
            str(state): int(n)
            for state, n in connection.execute(
                sa.text("SELECT state, count(*) FROM orders GROUP BY state")
            )
        }
        runs: dict[str, int] = {
            str(status): int(n)
            for status, n in connection.execute(
                sa.text("SELECT status, count(*) FROM plan_runs GROUP BY status")
            )
        }
    assert states
    for state, count in states.items():
        assert _sample(text, "orderforge_orders", state=state) == count
    for status in ("queued", "running"):
        assert _sample(text, "orderforge_plan_runs", status=status) == runs.get(status, 0)
    finished = runs.get("done", 0) + runs.get("failed", 0)
    assert _sample(text, "orderforge_plan_run_duration_seconds_count") == finished


def test_one_log_line_per_request_with_template_status_and_user(
    api: ApiSession, caplog: pytest.LogCaptureFixture
) -> None:
    admin = api.auth("admin")
    with api.application.ctx.uow() as uow:
        user = uow.users.get("admin")
        assert user is not None
        admin_id = user.id
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = api.client.get(f"{API}/orders", headers={**admin, "X-Request-ID": "trace-42"})
    assert response.status_code == 200
    records = [r for r in caplog.records if r.name == REQUEST_LOGGER]
    assert len(records) == 1
    fields = records[0].fields  # type: ignore[attr-defined]
    assert fields["method"] == "GET"
    assert fields["path"] == f"{API}/orders"
    assert fields["status"] == 200
    assert fields["request_id"] == "trace-42"
    assert fields["user_id"] == admin_id
    assert fields["duration_ms"] >= 0
    caplog.clear()
    api.client.get("/healthz")
    (anonymous,) = [r for r in caplog.records if r.name == REQUEST_LOGGER]
    assert anonymous.fields["user_id"] is None  # type: ignore[attr-defined]


def test_reads_do_not_wait_for_a_writer(api: ApiSession) -> None:
    """A GET while another connection holds SQLite's write lock answers at once; before,
    every transaction began IMMEDIATE and the read queued behind the writer."""
    engine = api.application.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock only")
    path = engine.url.database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    done = threading.Event()
    status: list[int] = []

    def read() -> None:
        status.append(api.client.get(f"{API}/orders", headers=api.auth("admin")).status_code)
        done.set()

    thread = threading.Thread(target=read, daemon=True)
    try:
        thread.start()
        assert done.wait(10), "the read waited for the writer"
        assert status == [200]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        thread.join(35)

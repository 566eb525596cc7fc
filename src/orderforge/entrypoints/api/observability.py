"""What operations watch: health and readiness probes, one JSON log line per request
with its request id, and Prometheus metrics (docs/operations.md).

`/metrics` is served to anyone only when ORDERFORGE_METRICS=1 (a scraper on a private
network, or behind a proxy that keeps /metrics inside); otherwise only to an admin (API
token or signed-in session), since order counts by state say how the business goes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TextIO

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderforge.adapters.db import observability as db
from orderforge.adapters.db.engine import read_only
from orderforge.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from orderforge.config import ConfigError
from orderforge.domain.errors import DomainError, PermissionDenied
from orderforge.domain.user import Role
from orderforge.entrypoints.api import errors
from orderforge.entrypoints.api.deps import current_principal
from orderforge.services.ports import Principal

REQUEST_ID_HEADER = "X-Request-ID"
#: A request id we accept from a client or proxy: short, printable, no spaces (it goes
#: into logs and a response header); anything else is replaced by one of ours.
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_REQUEST_ID: ContextVar[str | None] = ContextVar("orderforge_request_id", default=None)
#: Methods whose handlers only read: their transactions start deferred on SQLite.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REQUEST_LOGGER = "orderforge.request"
UNMATCHED_ROUTE = "(unmatched)"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PLAN_RUN_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
_log = logging.getLogger(REQUEST_LOGGER)
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def current_request_id() -> str | None:
    return _REQUEST_ID.get()


# --- logs ---------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields given as `extra={"fields": {...}}` are merged in,
    and every line logged while a request is served carries its request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record (ours, uvicorn's) to `stream` as JSON lines; calling it
    again replaces the handler it installed, so tests and reloads do not double lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonFormatter):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # the readiness probe asks Alembic for the revision; its chatter is not news
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    return handler


def log_level_from_env() -> str:
    level = (os.environ.get("ORDERFORGE_LOG_LEVEL") or "INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"ORDERFORGE_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not '{level}'."
        )
    return level


def metrics_open_from_env() -> bool:
    raw = (os.environ.get("ORDERFORGE_METRICS") or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"ORDERFORGE_METRICS must be true or false, not '{raw}'.")


# --- metrics ------------------------------------------------------------------------


class DatabaseCollector(Collector):
    """Read at each scrape, so every process (and the workers on PostgreSQL) agrees:
    the plan-run queue, plan run durations and orders by state."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "orderforge_database_up", "1 if the last scrape reached the database"
        )
        try:
            runs = db.plan_run_counts(self.engine)
            durations = db.plan_run_durations(self.engine)
            order_states = db.order_counts(self.engine)
        except Exception:
            _log.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        queue = GaugeMetricFamily(
            "orderforge_plan_runs",
            "Plan runs by status (queued + running = queue depth)",
            labels=["status"],
        )
        for status in ("queued", "running", "done", "failed"):
            queue.add_metric([status], runs.get(status, 0))
        yield queue
        yield _histogram(
            "orderforge_plan_run_duration_seconds",
            "Start to finish of finished plan runs",
            durations,
            PLAN_RUN_BUCKETS,
        )
        states = GaugeMetricFamily("orderforge_orders", "Orders by state", labels=["state"])
        for state, count in sorted(order_states.items()):
            states.add_metric([state], count)
        yield states


def _histogram(
    name: str, documentation: str, values: Iterable[float], bounds: tuple[float, ...]
) -> HistogramMetricFamily:
    ordered = sorted(values)
    buckets: list[tuple[str, float]] = []
    for bound in bounds:
        buckets.append((repr(bound), float(sum(1 for v in ordered if v <= bound))))
    buckets.append(("+Inf", float(len(ordered))))
    family = HistogramMetricFamily(name, documentation)
    family.add_metric([], buckets, sum_value=sum(ordered))
    return family


class Metrics:
    """One registry per application (tests build many apps in one process)."""

    def __init__(self, engine: Engine | None) -> None:
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "orderforge_http_requests", "HTTP requests served", labels, registry=self.registry
        )
        self.latency = Histogram(
            "orderforge_http_request_duration_seconds",
            "Time to serve an HTTP request",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        if engine is not None:
            self.registry.register(DatabaseCollector(engine))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


# --- the middleware -----------------------------------------------------------------


def _route_template(scope: Scope) -> str:
    """The matched route's path template (/api/v1/orders/{number}), never the raw path:
    metrics labels and log fields stay few, and carry no order numbers or names."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return UNMATCHED_ROUTE
    # FastAPI keeps included routers nested: the route's path lacks their prefixes
    # (/orders/{number} under /api/v1). The request path ends with the route's path
    # filled in; what comes before is the prefix, literal text.
    params = scope.get("path_params") or {}
    try:
        filled = _PARAM.sub(lambda m: str(params[m[1]]), template)
    except KeyError:
        return template
    path: str = scope["path"]
    root = scope.get("root_path") or ""
    if root and path.startswith(root):
        path = path[len(root) :]
    if filled and path.endswith(filled):
        return path[: len(path) - len(filled)] + template
    return template


def _user_id(scope: Scope) -> int | None:
    state = scope.get("state") or {}
    known = state.get("user_id") if isinstance(state, dict) else None
    if isinstance(known, int):
        return known
    session = scope.get("session")
    if isinstance(session, dict) and isinstance(session.get("user_id"), int):
        return int(session["user_id"])
    return None


class RequestObserver:
    """Outermost middleware: gives each request an id (the caller's X-Request-ID when it
    is sane, else a new one) echoed in the response, runs safe methods in read-only
    transactions, and after the response logs one JSON line and counts it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"")
        text = given.decode("latin-1")
        request_id = text if _GOOD_REQUEST_ID.fullmatch(text) else uuid.uuid4().hex
        token = _REQUEST_ID.set(request_id)
        method = scope["method"]
        status = 500
        started = time.perf_counter()

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != REQUEST_ID_HEADER.lower().encode()
                ]
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if method in READ_METHODS:
                with read_only():
                    await self.app(scope, receive, observed_send)
            else:
                await self.app(scope, receive, observed_send)
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            self.metrics.observe(method, route, status, seconds)
            _log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "fields": {
                        "method": method,
                        "path": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "request_id": request_id,
                        "user_id": _user_id(scope),
                    }
                },
            )
            _REQUEST_ID.reset(token)


# --- the endpoints ------------------------------------------------------------------


def _engine_of(app: FastAPI) -> Engine | None:
    uow = app.state.ctx.uow
    return uow.engine if isinstance(uow, SqlUnitOfWorkFactory) else None


def router(*, metrics_open: bool) -> APIRouter:
    probes = APIRouter(include_in_schema=False)

    @probes.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process answers; nothing else is checked (a liveness probe that touched
        the database would restart a healthy server during a database outage)."""
        return {"status": "ok"}

    @probes.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        engine = _engine_of(request.app)
        if engine is None:
            return _not_ready("no SQL database is configured")
        try:
            state = db.schema_state(engine)
        except Exception as exc:
            _log.warning("readiness: the database is unreachable", exc_info=True)
            return _not_ready(f"the database is unreachable: {type(exc).__name__}")
        if not state.at_head:
            return _not_ready(
                f"the database schema is at {state.current or 'no revision'}, this code "
                f"needs {state.head}: run `orderforge db upgrade`",
                current=state.current,
                head=state.head,
            )
        return JSONResponse({"status": "ready", "schema": state.current})

    @probes.get("/metrics")
    def prometheus_metrics(request: Request) -> Response:
        if not metrics_open:
            # A scraper is no browser: refusals are problem JSON, never the sign-in page.
            try:
                principal = current_principal(request)
                if principal.role is not Role.ADMIN:
                    raise PermissionDenied(
                        "Metrics are for administrators (or set ORDERFORGE_METRICS=1 to "
                        "serve them to a scraper)."
                    )
            except DomainError as exc:
                status = errors.status_of(exc)
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return errors.problem(status, "Metrics refused", exc.message, headers=headers)
        observed: Metrics = request.app.state.metrics
        return Response(observed.render(), media_type=CONTENT_TYPE_LATEST)

    return probes


def _not_ready(reason: str, **extra: str | None) -> JSONResponse:
    return JSONResponse({"status": "not ready", "reason": reason, **extra}, status_code=503)


def _observed_principal(request: Request) -> Principal:
    """`current_principal` as routes depend on it, noting who acted for the request log
    (the auth code stays as it is; this only reads its answer)."""
    principal = current_principal(request)
    request.state.user_id = principal.user_id
    return principal


def install(app: FastAPI, *, metrics_open: bool | None = None) -> None:
    """Mount the probes and /metrics, and wrap the app in the request observer; call it
    last, so the observer is the outermost middleware and times everything."""
    opened = metrics_open_from_env() if metrics_open is None else metrics_open
    app.dependency_overrides[current_principal] = _observed_principal
    app.state.metrics = Metrics(_engine_of(app))
    app.include_router(router(metrics_open=opened))
    app.add_middleware(RequestObserver, metrics=app.state.metrics)

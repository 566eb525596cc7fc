"""Every route does its work (the services, their database calls) in the thread pool.

A route written `async def` runs in the server's event loop; a synchronous service call
inside it then stalls every other request of that process until its database answers.
That is how the floor's report, and every other posted form, once held up the pages of
20 operators at a time. Routes are plain `def` (the body comes from a dependency that
reads it in the loop: `read_form`, `read_body`); the few kept `async` hand their service
call to the thread pool themselves, and are named here after reading them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from pathlib import Path

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from orderforge.bootstrap import build
from orderforge.entrypoints.api.app import create_app
from tests.conftest import make_settings

#: async routes that read a bounded form or a JSON-or-multipart body themselves and call
#: their service with `run_in_threadpool`.
ASYNC_WITH_THREAD_POOL = frozenset(
    {
        "orderforge.imports.pages.upload",
        "orderforge.imports.pages.confirm",
        "orderforge.imports.api.upload",
        "orderforge.conversation.pages.post_message",
        "orderforge.conversation.api.post_message",
    }
)


def _endpoints(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, through the routers FastAPI keeps included as they were given."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _endpoints(included.routes)


def test_no_route_runs_its_work_in_the_event_loop(tmp_path: Path) -> None:
    application = build(make_settings(f"sqlite:///{tmp_path / 'o.db'}", tmp_path))
    try:
        app = create_app(application.ctx, secret_key="test")
        routes = list(_endpoints(app.routes))
        asynchronous = {
            f"{r.endpoint.__module__}.{r.endpoint.__name__}"
            for r in routes
            # the offline Swagger UI's own two routes answer static pages
            if inspect.iscoroutinefunction(r.endpoint)
            and r.endpoint.__module__.startswith("orderforge.")
        }
    finally:
        application.close()
    assert len(routes) > 200  # the whole application was looked at
    assert asynchronous - ASYNC_WITH_THREAD_POOL == set()
    # a name kept here after its route became a plain def would hide the next async one
    assert asynchronous >= ASYNC_WITH_THREAD_POOL


def test_the_kept_async_routes_hand_their_service_to_the_thread_pool() -> None:
    import importlib

    for name in sorted(ASYNC_WITH_THREAD_POOL):
        module_name, _, function = name.rpartition(".")
        source = inspect.getsource(getattr(importlib.import_module(module_name), function))
        assert "run_in_threadpool(services." in source, name

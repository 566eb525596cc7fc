"""The HTTP application: REST API under /api/v1 and the web pages, one process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware

from orderforge import __version__
from orderforge.entrypoints.api import errors
from orderforge.entrypoints.api.routes import orders, people
from orderforge.services.context import ServiceContext

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1_000_000


def create_app(ctx: ServiceContext, *, secret_key: str, secure_cookies: bool = False) -> FastAPI:
    # FastAPIOffline serves Swagger UI from its package: the docs work without internet.
    app: FastAPI = FastAPIOffline(
        title="OrderForge API",
        version=__version__,
        description="Make-to-Order manufacturing: orders from quote to delivery.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(orders.router)
    api.include_router(people.router)
    app.include_router(api)
    # Imported here: the web pages are optional for an API-only deployment.
    from orderforge.entrypoints.web.pages import install as install_web

    install_web(app)
    errors.install(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie="orderforge_session",
        same_site="lax",
        https_only=secure_cookies,
        max_age=12 * 3600,
    )

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return errors.problem(
                413, "Payload too large", f"Request bodies are limited to {MAX_BODY_BYTES} bytes."
            )
        return await call_next(request)

    return app

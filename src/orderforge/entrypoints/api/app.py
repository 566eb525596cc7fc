"""The HTTP application: REST API under /api/v1 and the web pages, one process."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderforge import __version__
from orderforge.change import api as change_api
from orderforge.conversation import api as conversation_api
from orderforge.design import api as design_api
from orderforge.entrypoints.api import errors, observability
from orderforge.entrypoints.api.hardening import SecurityHeaders
from orderforge.entrypoints.api.input_guard import InputGuard
from orderforge.entrypoints.api.routes import catalogue, orders, people, plans
from orderforge.forecasting import api as forecasting_api
from orderforge.imports import api as imports_api
from orderforge.insight import api as insight_api
from orderforge.mail import api as mail_api
from orderforge.materials import api as materials_api
from orderforge.plant import api as plant_api
from orderforge.production import api as production_api
from orderforge.promising import api as promising_api
from orderforge.quality import api as quality_api
from orderforge.quality import chart_api as quality_chart_api
from orderforge.services.context import ServiceContext
from orderforge.shipping import api as shipping_api
from orderforge.simulation import api as simulation_api
from orderforge.trace import api as trace_api
from orderforge.webhooks import api as webhooks_api

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    """Refuse bodies over the limit, whether announced (Content-Length) or streamed
    (chunked): the byte count is checked as the body arrives, before it is parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: file uploads (multipart forms: design documents, attachments) may be larger:
        #: the use case then checks each file against ORDERFORGE_MAX_UPLOAD_MB
        self.max_upload_bytes = max(max_bytes, max_upload_bytes)

    def _too_large(self, limit: int) -> StarletteHTTPException:
        return StarletteHTTPException(413, f"Request bodies are limited to {limit} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if multipart else self.max_bytes
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            response = errors.problem(413, "Payload too large", str(self._too_large(limit).detail))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large(limit)  # FastAPI passes HTTPException through as is
            return message

        await self.app(scope, counting_receive, send)


def create_app(
    ctx: ServiceContext,
    *,
    secret_key: str,
    secure_cookies: bool = False,
    base_url: str = "",
    metrics_open: bool | None = None,
) -> FastAPI:
    """`base_url` ("https://mto.example.com"): absolute links are built from it, never
    from the Host header; an https base URL also makes cookies Secure. `metrics_open`:
    serve /metrics to anyone (None: as ORDERFORGE_METRICS says)."""
    https = secure_cookies or base_url.startswith("https://")
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
    app.state.base_url = base_url.rstrip("/")
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(orders.router)
    api.include_router(people.router)
    api.include_router(catalogue.router)
    api.include_router(plans.router)
    api.include_router(plant_api.router)
    api.include_router(production_api.router)
    api.include_router(materials_api.router)
    api.include_router(promising_api.router)
    api.include_router(design_api.router)
    api.include_router(conversation_api.router)
    api.include_router(change_api.router)
    api.include_router(quality_api.router)
    api.include_router(quality_chart_api.router)
    api.include_router(trace_api.router)
    api.include_router(shipping_api.router)
    api.include_router(webhooks_api.router)
    api.include_router(mail_api.router)
    api.include_router(imports_api.router)
    api.include_router(forecasting_api.router)
    api.include_router(simulation_api.router)
    api.include_router(insight_api.router)
    app.include_router(api)
    # Imported here: the web pages are optional for an API-only deployment.
    from orderforge.entrypoints.web.site import install as install_web

    install_web(app)
    errors.install(app)
    # The cookie holds only a server-side session's id (and the CSRF token); the
    # session record decides when it ends. HttpOnly and SameSite=Lax always.
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie="orderforge_session",
        same_site="lax",
        https_only=https,
        max_age=int(ctx.security.session_absolute.total_seconds()),
    )
    app.add_middleware(InputGuard)
    # An upload carries one file of the largest size, or several smaller ones, plus form
    # fields: twice the file limit and a megabyte.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=MAX_BODY_BYTES,
        max_upload_bytes=2 * ctx.max_upload_bytes + MAX_BODY_BYTES,
    )
    app.add_middleware(SecurityHeaders, https=https)
    # Last: its middleware is the outermost, so it times and logs everything above.
    observability.install(app, metrics_open=metrics_open)
    return app


def app_from_environment() -> FastAPI:
    """The application as `serve --workers N` starts it in each server process: built
    from the environment (ORDERFORGE_*), the schema already upgraded by `serve`."""
    from orderforge.bootstrap import build

    application = build()
    settings = application.settings
    return create_app(
        application.ctx,
        secret_key=settings.resolved_secret_key(),
        secure_cookies=settings.cookies_secure,
        base_url=settings.base_url,
    )

"""The web pages mounted on the application: every page module's router, the static
files and the error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from orderforge.change import pages as change_pages
from orderforge.conversation import pages as conversation_pages
from orderforge.design import pages as design_pages
from orderforge.entrypoints.web import (
    account_pages,
    configurator_pages,
    mockup_pages,
    pages,
    schedule_pages,
)
from orderforge.entrypoints.web.common import HERE, LoginRequired, html_error
from orderforge.forecasting import pages as forecasting_pages
from orderforge.imports import pages as imports_pages
from orderforge.insight import pages as insight_pages
from orderforge.mail import pages as mail_pages
from orderforge.materials import pages as materials_pages
from orderforge.plant import pages as plant_pages
from orderforge.production import pages as production_pages
from orderforge.quality import chart_pages as quality_chart_pages
from orderforge.quality import pages as quality_pages
from orderforge.shipping import pages as shipping_pages
from orderforge.simulation import pages as simulation_pages
from orderforge.trace import pages as trace_pages
from orderforge.webhooks import pages as webhooks_pages


def install(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(configurator_pages.router)
    app.include_router(mockup_pages.router)
    app.include_router(schedule_pages.router)
    app.include_router(plant_pages.router)
    app.include_router(materials_pages.router)
    app.include_router(design_pages.router)
    app.include_router(account_pages.router)
    app.include_router(conversation_pages.router)
    app.include_router(change_pages.router)
    app.include_router(webhooks_pages.router)
    app.include_router(mail_pages.router)
    app.include_router(imports_pages.router)
    app.include_router(quality_chart_pages.router)
    app.include_router(quality_pages.router)
    app.include_router(trace_pages.router)
    app.include_router(shipping_pages.router)
    app.include_router(simulation_pages.router)
    app.include_router(production_pages.router)
    app.include_router(forecasting_pages.router)
    app.include_router(forecasting_pages.dashboard_router)
    app.include_router(insight_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.html_error = html_error
    app.add_exception_handler(LoginRequired, html_error)

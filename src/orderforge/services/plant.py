"""Plant master data queries (work centres, calendars, product families)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal


def _plain(value: Any) -> Any:
    """Dataclasses -> JSON-ready structures (times and dates as ISO strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("id", "pending_events")
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def plant_overview(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        return {
            "calendars": [_plain(c) for c in uow.plant.calendars()],
            "work_centres": [_plain(w) for w in uow.plant.work_centres()],
            "product_families": [_plain(f) for f in uow.plant.families()],
        }

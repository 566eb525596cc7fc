"""Plant time: what a time typed without a zone means, and how times are shown back.

A planner reads the clock on the shop wall, so a date-time without an offset is the
plant's local time; one with `Z` or an offset means exactly that. This module is the one
home of that rule: the CLI and the API hand typed times to the use cases, which resolve
them here inside their transaction (the plant's zone is data, read through the plant
room). Resolved times are aware UTC, like every time in the domain.

The plant's zone is its settings' `timezone`; a plant without settings uses the zone its
calendars share (UTC when they have none or disagree, because then no single local
clock exists).

Daylight saving: a wall-clock time the spring change skips (02:30 in Vienna on the last
Sunday of March) is refused with a sentence saying so, because no moment matches it and
guessing one would plan a machine down an hour off. A time the autumn change repeats is
the first of the two (still summer time); give an offset to mean the second.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orderforge.domain.errors import InvalidInput
from orderforge.plant.ports import PLANT
from orderforge.services.context import ServiceContext
from orderforge.services.ports import UnitOfWork

UTC = ZoneInfo("UTC")


def plant_zone(uow: UnitOfWork) -> ZoneInfo:
    """The plant's time zone (see the module's docstring for the fallbacks)."""
    timezone = uow.repository(PLANT).timezone()
    if timezone is not None:
        return _zone(timezone)
    zones = {c.timezone for c in uow.repository(PLANT).calendars()}
    return _zone(zones.pop()) if len(zones) == 1 else UTC


def zone_of(ctx: ServiceContext) -> ZoneInfo:
    """The plant's time zone in its own transaction, for a face that shows times.

    No permission: the zone is what every clock in the plant shows anyway."""
    with ctx.uow() as uow:
        return plant_zone(uow)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # the plant room validates; old data may not
        return UTC


def parse_moment(text: str, field: str) -> dt.datetime:
    """ISO 8601 text as typed: with an offset (`Z`, `+01:00`) aware, without it naive."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date and time like 2026-11-26T06:00 (plant time) or "
            f"2026-11-26T05:00Z, not {text[:40]!r}.",
            field=field,
        ) from None


#: Times a plant plans with lie in these years; anything else is a typing slip (or an
#: attack: 9999-12-31 broke the board, 0001-01-01+14:00 overflowed on conversion).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_window(moment: dt.datetime | dt.date, field: str) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidInput(
            f"{field} must lie in the years {FIRST_YEAR} to {LAST_YEAR}, not {moment.year}.",
            field=field,
        )


def in_zone(moment: dt.datetime, zone: ZoneInfo, field: str) -> dt.datetime:
    """`moment` as an aware UTC instant: with an offset as given, without one in `zone`.

    Refuses a time outside the years 2000-2100 (before any conversion could overflow)
    and a local time the spring daylight-saving change skips; takes the first of a
    local time the autumn change repeats (module docstring)."""
    check_window(moment, field)
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC)
    local = moment.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != moment:
        raise InvalidInput(
            f"{field} {moment:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks "
            f"jump forward over it that night. Give a time after the change, or one with "
            f"an offset (e.g. {moment:%Y-%m-%dT%H:%M}Z).",
            field=field,
        )
    return instant


def resolve(uow: UnitOfWork, moment: dt.datetime, field: str) -> dt.datetime:
    """A typed time as aware UTC, a time without an offset being plant time."""
    return in_zone(moment, plant_zone(uow), field)


def show(moment: dt.datetime | str | None, zone: ZoneInfo, with_zone: bool = False) -> str:
    """A stored time (or its ISO text) as the plant's wall clock: '2026-11-26 06:00'."""
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # stored times are UTC; SQLite may hand them back naive
        moment = moment.replace(tzinfo=dt.UTC)
    text = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"{text} {zone.key}" if with_zone else text

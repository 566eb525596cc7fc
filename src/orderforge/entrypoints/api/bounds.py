"""Bounded types for request fields, shared by every schema: a date or time outside the
years 2000-2100 is refused with a 422 naming the field, before any use case converts
or plans with it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar

from pydantic import AfterValidator

from orderforge.services.plant_time import FIRST_YEAR, LAST_YEAR

T = TypeVar("T", dt.date, dt.datetime)


def _in_window(value: T) -> T:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


BoundedDate = Annotated[dt.date, AfterValidator(_in_window)]
BoundedDateTime = Annotated[dt.datetime, AfterValidator(_in_window)]

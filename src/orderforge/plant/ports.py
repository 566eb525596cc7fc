"""What the plant's use cases need from storage, and the key to ask a unit of work for it."""

from __future__ import annotations

from typing import Protocol

from orderforge.plant.domain import (
    Calendar,
    Component,
    PlantSettings,
    PricingPolicy,
    WorkCentre,
)
from orderforge.services.ports import RepositoryKey


class PlantRepository(Protocol):
    """Plant master data. `save_*` inserts or updates by code; lists are sorted by code."""

    def settings(self) -> PlantSettings | None: ...
    def timezone(self) -> str | None:
        """The settings' time zone alone (None: no settings yet): every page that shows a
        time asks for it, and the settings row carries the plant's logo."""
        ...

    def save_settings(self, settings: PlantSettings) -> None: ...
    def calendars(self) -> list[Calendar]: ...
    def calendar(self, code: str) -> Calendar | None: ...
    def save_calendar(self, calendar: Calendar) -> None: ...
    def work_centres(self) -> list[WorkCentre]: ...
    def work_centre(self, code: str) -> WorkCentre | None: ...
    def save_work_centre(self, centre: WorkCentre) -> None: ...
    def components(self) -> list[Component]: ...
    def component(self, code: str) -> Component | None: ...
    def save_component(self, component: Component) -> None: ...
    def pricing(self) -> PricingPolicy: ...
    def save_pricing(self, policy: PricingPolicy) -> None: ...


PLANT: RepositoryKey[PlantRepository] = RepositoryKey("plant")


class WorkCentreUse(Protocol):
    """Who still needs a work centre before it may be retired.

    Open work lives in contexts above the plant (production's work orders); they answer
    this port, registered under WORK_CENTRE_USE, so the plant asks without importing them
    (ADR 0001)."""

    def open_work_using(self, codes: set[str]) -> dict[str, str]:
        """Work centre (of `codes`) -> the order whose unfinished operations need it."""
        ...


WORK_CENTRE_USE: RepositoryKey[WorkCentreUse] = RepositoryKey("work_centre_use")

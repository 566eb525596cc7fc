"""Promising ports: what the promise use cases need from storage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from orderforge.promising.domain import PromiseAlert, Reservation
from orderforge.services.ports import RepositoryKey


class PromiseRepository(Protocol):
    def add_reservation(self, reservation: Reservation) -> None: ...
    def active_reservations(self) -> list[Reservation]:
        """Reservations not yet released (their orders are in no plan version yet)."""
        ...

    def release(self, order_numbers: Collection[str], at: dt.datetime) -> int:
        """Release the active reservations of these orders; how many were released."""
        ...

    def reservation_stamp(self) -> tuple[int, int]:
        """(count, highest id) of active reservations: changes whenever they change."""
        ...

    def add_alert(self, alert: PromiseAlert) -> None: ...
    def open_alerts(self, order_numbers: Collection[str] | None = None) -> list[PromiseAlert]:
        """Unresolved alerts, newest first (of these orders, if given)."""
        ...

    def resolve_alerts(self, order_numbers: Collection[str], at: dt.datetime) -> int: ...


PROMISES: RepositoryKey[PromiseRepository] = RepositoryKey("promises")

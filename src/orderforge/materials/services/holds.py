"""Holds on lots: quality's decisions about material, kept by the room that owns stock.

Why here and not in quality: a hold changes what stock is usable, which the MRP, the
promise and the floor's issues read from materials; quality (above materials) calls these
inside its own unit of work, so the NCR and the hold it places commit together or not at
all. An NCR that names a lot quarantines it; the disposition either sends it back to the
supplier (blocked for good) or releases it (rework, scrap and use as is are decisions
about the work, after which the rest of the lot may be used again).
"""

from __future__ import annotations

import datetime as dt

from orderforge.domain.errors import InvalidInput
from orderforge.materials.domain import HoldKind, LotHold
from orderforge.materials.ports import MATERIALS
from orderforge.services.ports import UnitOfWork


def _existing(uow: UnitOfWork, lot_number: str) -> str:
    number = lot_number.strip().upper()
    if uow.repository(MATERIALS).lot(number) is None:
        raise InvalidInput(
            f"There is no lot {number[:40]}: name a lot that was received.", field="lot"
        )
    return number


def quarantine(
    uow: UnitOfWork, lot_number: str, ncr: str, reason: str, by: str, at: dt.datetime
) -> LotHold:
    """Keep the lot from the floor while the NCR that names it is open."""
    hold = LotHold(_existing(uow, lot_number), HoldKind.QUARANTINE, ncr, reason, by, at)
    uow.repository(MATERIALS).add_hold(hold)
    return hold


def return_to_supplier(
    uow: UnitOfWork, lot_number: str, ncr: str, reason: str, by: str, at: dt.datetime
) -> LotHold:
    """The NCR's quarantine ends in a return: the lot is blocked for good."""
    repo = uow.repository(MATERIALS)
    number = _existing(uow, lot_number)
    repo.release_holds(ncr, by, at)
    hold = LotHold(number, HoldKind.RETURNED, ncr, reason, by, at)
    repo.add_hold(hold)
    return hold


def release(uow: UnitOfWork, ncr: str, by: str, at: dt.datetime) -> int:
    """The NCR was decided another way: its quarantine ends (other NCRs' holds stay)."""
    return uow.repository(MATERIALS).release_holds(ncr, by, at)

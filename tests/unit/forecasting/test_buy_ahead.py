"""Buying ahead of long-lead materials: the high forecast over the supplier's lead time
less what is free, rounded to the offer's minimum and packs, with the leftover it risks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orderforge.forecasting.services import _buy_ahead
from orderforge.materials.domain import Lot, SupplierOffer
from tests.unit.materials_fakes import FakeMaterials

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
D = Decimal


class _Uow:
    def __init__(self, repo: FakeMaterials) -> None:
        self.repo = repo

    def repository(self, key: Any) -> FakeMaterials:
        return self.repo


def _series(item: str, point: float, upper: float, weeks: int = 8) -> dict[str, Any]:
    return {
        "key": item,
        "label": f"Item {item}",
        "unit": "m",
        "forecast": [
            {"week": f"2026-12-{7 + 7 * i:02d}", "point": point, "upper_80": upper}
            for i in range(weeks)
        ],
    }


def _repo() -> FakeMaterials:
    repo = FakeMaterials()
    offer = SupplierOffer("SLOW", "HIDE", D("10.00"), "EUR", D(5), D(5), 21)
    repo.add_offer(offer)
    repo.add_offer(SupplierOffer("FAST", "HIDE", D("30.00"), "EUR", D(1), D(1), 2, express=True))
    repo.add_lot(Lot("L-1", "HIDE", D(3), "MAIN", NOW))
    return repo


def test_the_high_forecast_over_the_lead_time_less_what_is_free_in_whole_packs() -> None:
    [row] = _buy_ahead(_Uow(_repo()), NOW, [_series("HIDE", 2.0, 4.0)])  # type: ignore[arg-type]
    # 21 days: three weeks; high 12, free 3 -> 9 short -> two packs of 5 from the regular offer
    assert (row["weeks"], row["forecast"], row["forecast_high"], row["free"]) == (3, "6", "12", "3")
    assert (row["quantity"], row["supplier"], row["lead_time_days"]) == ("10", "SLOW", 21)
    # at the middle of the forecast (6) it leaves 10 + 3 - 6 = 7 m, at 10.00 each
    assert (row["leftover"], row["leftover_cost"], row["currency"]) == ("7", "70.00", "EUR")


def test_nothing_is_bought_when_what_is_free_covers_the_high_forecast() -> None:
    repo = _repo()
    repo.add_lot(Lot("L-2", "HIDE", D(20), "MAIN", NOW))
    [row] = _buy_ahead(_Uow(repo), NOW, [_series("HIDE", 2.0, 4.0)])  # type: ignore[arg-type]
    assert (row["quantity"], row["leftover_cost"]) == ("0", "0.00")


def test_an_item_without_a_regular_offer_is_left_out() -> None:
    repo = FakeMaterials()
    repo.add_offer(SupplierOffer("FAST", "GLUE", D("3"), "EUR", D(1), D(1), 30, express=True))
    assert _buy_ahead(_Uow(repo), NOW, [_series("GLUE", 1, 2)]) == []  # type: ignore[arg-type]

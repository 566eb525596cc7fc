"""Which statsforecast models a series is offered, and why some are left out.

Measured on this machine (5 weekly series of 160 weeks, 3 backtest windows, one core):
AutoETS with season_length=52 took ~3 s and fitted the same non-seasonal model as
season_length=1 (0.15 s) — statsforecast, like R's ets, does not fit seasonal states
beyond 24 periods — so ETS is offered without season and the yearly season is carried by
MSTL (STL decomposition, ETS on the rest; 0.25 s). Seasonal AutoARIMA at 52 weeks took
~1.5 s per fit (23 s for the 15 fits), too slow for hundreds of series on a shared worker,
so AutoARIMA is offered non-seasonal with small orders and the approximate likelihood
(~0.12 s per fit).
"""

from __future__ import annotations

from dataclasses import dataclass

from statsforecast.models import (
    ADIDA,
    MSTL,
    TSB,
    AutoARIMA,
    AutoETS,
    CrostonOptimized,
    Naive,
    SeasonalNaive,
)
from statsforecast.utils import ConformalIntervals

__all__ = ["CandidateSet", "candidates"]

# TSB needs fixed smoothing weights; slow weights suit weekly demand of a made-to-order
# plant, where one big order should not swing the next months.
TSB_ALPHA_DEMAND = 0.2
TSB_ALPHA_PROBABILITY = 0.1
CONFORMAL_WINDOWS = 2


@dataclass(frozen=True)
class CandidateSet:
    """The challengers and the baseline fitted together, in one StatsForecast call.

    `group` names the set so series sharing it are fitted in the same call; `notes` say
    why a model a reader might expect is not there.
    """

    group: str
    challengers: tuple[object, ...]
    baseline: object
    baseline_name: str
    notes: tuple[str, ...]

    @property
    def models(self) -> list[object]:
        return [*self.challengers, self.baseline]

    @property
    def challenger_names(self) -> tuple[str, ...]:
        return tuple(str(getattr(model, "alias", "")) for model in self.challengers)


def _baseline(seasonal: bool, season_length: int) -> tuple[object, str]:
    if seasonal:
        return SeasonalNaive(season_length=season_length), "SeasonalNaive"
    return Naive(), "Naive"


def candidates(family: str, seasonal: bool, horizon: int, season_length: int) -> CandidateSet:
    """The models tried for a pattern `family` ("smooth", "sporadic" or "none").

    `seasonal` says every backtest origin has at least two seasons of history behind it;
    otherwise the seasonal models would be fitted on a season they have seen once.
    """
    baseline, baseline_name = _baseline(seasonal, season_length)
    notes: list[str] = []
    if not seasonal and season_length > 1:
        notes.append(
            f"under two seasons ({2 * season_length} weeks) before the earliest backtest "
            "origin: no seasonal model; the baseline is naive (last week repeated)"
        )
    challengers: list[object]
    if family == "smooth":
        challengers = [
            AutoETS(season_length=1),
            AutoARIMA(season_length=1, max_p=2, max_q=2, approximation=True, nmodels=20),
        ]
        notes.append("AutoARIMA is non-seasonal: seasonal ARIMA at 52 weeks is too slow")
        if seasonal:
            challengers.append(
                MSTL(season_length=season_length, trend_forecaster=AutoETS(model="ZZN"))
            )
    elif family == "sporadic":
        conformal = ConformalIntervals(h=horizon, n_windows=CONFORMAL_WINDOWS)
        challengers = [
            CrostonOptimized(prediction_intervals=conformal),
            TSB(TSB_ALPHA_DEMAND, TSB_ALPHA_PROBABILITY, prediction_intervals=conformal),
            ADIDA(prediction_intervals=conformal),
        ]
    else:
        challengers = []
        notes.append("no demand in the history: only the baseline (zero) is offered")
    group = f"{family}/{'seasonal' if seasonal else 'short'}"
    return CandidateSet(group, tuple(challengers), baseline, baseline_name, tuple(notes))

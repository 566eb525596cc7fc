"""How likely an open quote is to become an order, learned from past quotes.

Open quotes are demand that has not happened yet: a planner who ignores them is late,
one who counts them all buys too much. Each open quote is weighted by its probability of
being won, learned by logistic regression from the plant's own quote history (family,
value, customer, the customer's past orders, age of the quote). Logistic regression,
because a plant has hundreds of quotes, not millions, and its probabilities are usually
well calibrated; whether they are is measured, not assumed (`calibration`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from orderforge.engines.forecasting.errors import ForecastInputError

__all__ = [
    "Calibration",
    "ConversionModel",
    "OpenQuote",
    "QuoteOutcome",
    "ReliabilityBin",
    "calibration",
    "fit_conversion",
]

# A customer seen on fewer quotes than this is pooled with the other rare ones: a weight
# learned from two quotes would be noise.
MIN_CUSTOMER_QUOTES = 5
_CATEGORIES = ["family", "customer"]
_NUMBERS = ["log_value", "age_days", "log_orders"]


class _Quote(Protocol):
    @property
    def family(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def customer(self) -> str: ...
    @property
    def age_days(self) -> int: ...
    @property
    def customer_orders(self) -> int: ...


def _check_quote(quote: _Quote) -> None:
    if not quote.family:
        raise ForecastInputError("family", "a quote needs its product family")
    if not quote.customer:
        raise ForecastInputError("customer", "a quote needs its customer")
    if not math.isfinite(quote.value) or quote.value < 0:
        raise ForecastInputError("value", f"{quote.value} is not a quote value (>= 0)")
    if quote.age_days < 0:
        raise ForecastInputError(
            "age_days", f"{quote.age_days}: a quote cannot be younger than 0 days"
        )
    if quote.customer_orders < 0:
        raise ForecastInputError("customer_orders", f"{quote.customer_orders} is not a count")


@dataclass(frozen=True, slots=True)
class OpenQuote:
    """A quote still waiting for the customer's answer, `age_days` after it was sent.

    `customer_orders` counts the orders the customer had placed before this quote.
    """

    family: str
    value: float
    customer: str
    age_days: int
    customer_orders: int = 0

    def __post_init__(self) -> None:
        _check_quote(self)


@dataclass(frozen=True, slots=True)
class QuoteOutcome:
    """A past quote and its end: `won` (became an order) or not (lost, expired).

    `age_days` is the quote's age when the answer came, so the model learns that quotes
    left open long are less often won.
    """

    family: str
    value: float
    customer: str
    age_days: int
    won: bool
    customer_orders: int = 0

    def __post_init__(self) -> None:
        _check_quote(self)


def _features(quotes: Sequence[_Quote]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "family": [quote.family for quote in quotes],
            "customer": [quote.customer for quote in quotes],
            "log_value": [math.log1p(quote.value) for quote in quotes],
            "age_days": [float(quote.age_days) for quote in quotes],
            "log_orders": [math.log1p(quote.customer_orders) for quote in quotes],
        }
    )


def _pipeline() -> Any:
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=MIN_CUSTOMER_QUOTES
                ),
                _CATEGORIES,
            ),
            ("numbers", StandardScaler(), _NUMBERS),
        ]
    )
    return Pipeline([("encode", encode), ("classify", LogisticRegression(max_iter=1000))])


def _outcomes(history: Sequence[QuoteOutcome], needed_each: int) -> np.ndarray[Any, Any]:
    if not history:
        raise ForecastInputError("history", "no past quotes: nothing to learn conversion from")
    won = np.array([quote.won for quote in history], dtype=np.int64)
    wins, losses = int(won.sum()), int(len(won) - won.sum())
    if min(wins, losses) < needed_each:
        raise ForecastInputError(
            "history",
            f"{wins} won and {losses} lost quotes; at least {needed_each} of each are needed",
        )
    return won


@dataclass(frozen=True)
class ConversionModel:
    """A fitted conversion model; `quotes` and `won_share` say what it learned from."""

    pipeline: Any
    quotes: int
    won_share: float

    def probability(self, quote: OpenQuote | QuoteOutcome) -> float:
        """The chance, between 0 and 1, that `quote` becomes an order."""
        return self.probabilities([quote])[0]

    def probabilities(self, quotes: Sequence[OpenQuote | QuoteOutcome]) -> tuple[float, ...]:
        if not quotes:
            return ()
        predicted = self.pipeline.predict_proba(_features(quotes))[:, 1]
        return tuple(float(value) for value in predicted)


def fit_conversion(history: Sequence[QuoteOutcome]) -> ConversionModel:
    """Learn win probabilities from past quotes (both won and lost ones are needed)."""
    won = _outcomes(history, needed_each=1)
    pipeline = _pipeline()
    pipeline.fit(_features(history), won)
    return ConversionModel(pipeline, len(history), float(won.mean()))


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Quotes predicted between `lower` and `upper`: how many, predicted vs. won share."""

    lower: float
    upper: float
    quotes: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class Calibration:
    """Out-of-sample check of the probabilities, by `folds`-fold cross-validation.

    `brier`: mean squared gap between probability and outcome (0 is perfect);
    `reference_brier`: the same for always predicting the overall won share, the score to
    beat. `calibration_error`: quote-weighted mean gap between predicted and observed
    share over the bins (expected calibration error).
    """

    bins: tuple[ReliabilityBin, ...]
    brier: float
    reference_brier: float
    calibration_error: float
    quotes: int
    folds: int


def calibration(history: Sequence[QuoteOutcome], *, folds: int = 5, bins: int = 10) -> Calibration:
    """Reliability bins and Brier score of the model, each quote predicted by a model that
    did not see it.

    Stratified k-fold cross-validation rather than a time split: quote rows carry no date,
    and a plant's few hundred quotes would leave a time split's last slice too small to
    fill ten bins. Every quote is predicted once, out of sample. The price is that drift
    (a market turning) is not measured; refit often.
    """
    if folds < 2:
        raise ForecastInputError("folds", f"cross-validation needs at least 2 folds, got {folds}")
    if bins < 1:
        raise ForecastInputError("bins", f"at least 1 bin is needed, got {bins}")
    won = _outcomes(history, needed_each=folds)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    predicted = cross_val_predict(
        _pipeline(), _features(history), won, cv=splitter, method="predict_proba"
    )[:, 1]
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    reliability: list[ReliabilityBin] = []
    gap = 0.0
    for number in range(bins):
        inside = index == number
        count = int(inside.sum())
        if count == 0:
            continue
        mean_predicted = float(predicted[inside].mean())
        observed = float(won[inside].mean())
        gap += count * abs(mean_predicted - observed)
        reliability.append(
            ReliabilityBin(number / bins, (number + 1) / bins, count, mean_predicted, observed)
        )
    base = float(won.mean())
    return Calibration(
        tuple(reliability),
        float(np.mean((predicted - won) ** 2)),
        base * (1 - base),
        gap / len(won),
        len(won),
        folds,
    )

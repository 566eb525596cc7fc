"""The quote-conversion model on synthetic quotes whose win chance is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orderforge.engines.forecasting import (
    ForecastInputError,
    OpenQuote,
    QuoteOutcome,
    calibration,
    fit_conversion,
)

# Log-odds of winning by family; every 10 days open lowers them by 0.5.
FAMILY_LOG_ODDS = {"sofa": 1.2, "armchair": 0.0, "bed": -1.2}


def true_chance(family: str, age_days: int) -> float:
    return 1 / (1 + math.exp(-(FAMILY_LOG_ODDS[family] - 0.05 * (age_days - 20))))


def history(count: int, seed: int) -> list[QuoteOutcome]:
    rng = np.random.default_rng(seed)
    quotes = []
    for _ in range(count):
        family = str(rng.choice(list(FAMILY_LOG_ODDS)))
        age = int(rng.integers(0, 60))
        quotes.append(
            QuoteOutcome(
                family=family,
                value=float(rng.uniform(800, 6000)),
                customer=f"C-{int(rng.integers(0, 40)):03d}",
                age_days=age,
                won=bool(rng.random() < true_chance(family, age)),
                customer_orders=int(rng.integers(0, 10)),
            )
        )
    return quotes


@pytest.fixture(scope="module")
def quotes() -> list[QuoteOutcome]:
    return history(1200, seed=1)


def logit(chance: float) -> float:
    return math.log(chance / (1 - chance))


def test_learned_chances_keep_the_true_order_and_effects(quotes: list[QuoteOutcome]) -> None:
    """Family and age effects come back in log-odds, within a few standard errors
    (~0.15 per family on 400 quotes each); averaged over the customers, whose true effect
    is nil but whose learned weights carry the noise of ~30 quotes each."""
    model = fit_conversion(quotes)
    customers = sorted({quote.customer for quote in quotes})

    def log_odds(family: str, age_days: int) -> float:
        asked = [OpenQuote(family, 2500.0, customer, age_days, 4) for customer in customers]
        return float(np.mean([logit(p) for p in model.probabilities(asked)]))

    fresh = {family: log_odds(family, 10) for family in FAMILY_LOG_ODDS}
    assert fresh["sofa"] > fresh["armchair"] > fresh["bed"]
    for family in ("sofa", "bed"):
        learned = fresh[family] - fresh["armchair"]
        assert learned == pytest.approx(FAMILY_LOG_ODDS[family], abs=0.5)
    assert log_odds("armchair", 50) - fresh["armchair"] == pytest.approx(-0.05 * 40, abs=0.5)
    assert model.quotes == 1200
    assert 0 < model.won_share < 1


def test_an_unknown_customer_or_family_still_gets_a_chance(quotes: list[QuoteOutcome]) -> None:
    model = fit_conversion(quotes)
    chances = model.probabilities(
        [OpenQuote("sofa", 900.0, "NEW-CUSTOMER", 3), OpenQuote("lamp", 900.0, "C-002", 3)]
    )
    assert all(0 < chance < 1 for chance in chances)
    assert model.probabilities([]) == ()


def test_out_of_sample_probabilities_are_calibrated(quotes: list[QuoteOutcome]) -> None:
    result = calibration(quotes, folds=5, bins=10)
    assert result.quotes == 1200
    assert sum(b.quotes for b in result.bins) == 1200
    assert result.brier < result.reference_brier  # better than quoting the base rate
    assert result.calibration_error < 0.06
    for reliability in result.bins:
        assert reliability.lower <= reliability.mean_predicted <= reliability.upper
        if reliability.quotes >= 60:
            assert reliability.observed == pytest.approx(reliability.mean_predicted, abs=0.12)


def test_a_model_without_signal_is_not_better_than_the_base_rate() -> None:
    """Coin-flip outcomes: the Brier score must not pretend to beat the base rate."""
    rng = np.random.default_rng(9)
    coins = [
        QuoteOutcome(
            str(rng.choice(["sofa", "bed"])),
            1000.0,
            "C-1",
            int(rng.integers(0, 60)),
            bool(rng.random() < 0.5),
        )
        for _ in range(400)
    ]
    result = calibration(coins)
    assert result.brier >= result.reference_brier - 0.01


@pytest.mark.parametrize(
    ("quote", "field"),
    [
        ({"family": ""}, "family"),
        ({"customer": ""}, "customer"),
        ({"value": -1.0}, "value"),
        ({"value": math.inf}, "value"),
        ({"age_days": -2}, "age_days"),
        ({"customer_orders": -1}, "customer_orders"),
    ],
)
def test_bad_quotes_name_the_field(quote: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {"family": "sofa", "value": 10.0, "customer": "C", "age_days": 1}
    with pytest.raises(ForecastInputError) as error:
        OpenQuote(**(fields | quote))  # type: ignore[arg-type]
    assert error.value.field == field
    with pytest.raises(ForecastInputError):
        QuoteOutcome(**(fields | quote | {"won": True}))  # type: ignore[arg-type]


def test_history_must_hold_both_outcomes() -> None:
    with pytest.raises(ForecastInputError, match="no past quotes") as error:
        fit_conversion([])
    assert error.value.field == "history"
    all_won = [QuoteOutcome("sofa", 10.0, "C", 1, True)] * 5
    with pytest.raises(ForecastInputError, match="5 won and 0 lost"):
        fit_conversion(all_won)
    few = [QuoteOutcome("sofa", 10.0, "C", 1, won) for won in (True, False, True, False)]
    with pytest.raises(ForecastInputError, match="at least 5 of each"):
        calibration(few, folds=5)
    with pytest.raises(ForecastInputError, match="folds"):
        calibration(few, folds=1)
    with pytest.raises(ForecastInputError, match="bins"):
        calibration(few, folds=2, bins=0)

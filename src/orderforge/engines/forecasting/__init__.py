"""Demand forecasting for Make-to-Order (pure: weekly series in, forecasts out).

Weekly demand per product family, option or long-lead material; the model per series is
chosen by rolling-origin backtest against a seasonal-naive baseline; open quotes count
through a learned, calibrated conversion probability. See docs/forecasting.md.
"""

from orderforge.engines.forecasting.backtest import Accuracy, BacktestPlan, mase_scale
from orderforge.engines.forecasting.conversion import (
    Calibration,
    ConversionModel,
    OpenQuote,
    QuoteOutcome,
    ReliabilityBin,
    calibration,
    fit_conversion,
)
from orderforge.engines.forecasting.errors import ForecastInputError
from orderforge.engines.forecasting.forecast import (
    Interval,
    SeriesForecast,
    WeekForecast,
    forecast_series,
)
from orderforge.engines.forecasting.series import (
    DemandPattern,
    PatternMeasures,
    WeeklySeries,
    classify,
    measure,
    weekly,
)

__all__ = [
    "Accuracy",
    "BacktestPlan",
    "Calibration",
    "ConversionModel",
    "DemandPattern",
    "ForecastInputError",
    "Interval",
    "OpenQuote",
    "PatternMeasures",
    "QuoteOutcome",
    "ReliabilityBin",
    "SeriesForecast",
    "WeekForecast",
    "WeeklySeries",
    "calibration",
    "classify",
    "fit_conversion",
    "forecast_series",
    "mase_scale",
    "measure",
    "weekly",
]

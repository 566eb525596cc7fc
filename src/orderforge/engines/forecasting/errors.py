"""The one error of the forecasting engine: bad input, named by field and reason.

A forecast built on a wrong history is worse than none (it buys material), so the engine
refuses input it cannot honestly use and says which field to fix, instead of guessing.
"""

from __future__ import annotations

__all__ = ["ForecastInputError"]


class ForecastInputError(ValueError):
    """Input the engine will not forecast from; `field` names it, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")

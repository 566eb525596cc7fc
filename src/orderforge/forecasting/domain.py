"""Forecasting's domain: its recorded runs are the platform's `RecordedRun` (a kind, the
parameters asked for, the result found)."""

from __future__ import annotations

from orderforge.domain.runs import RecordedRun, RunStatus

__all__ = ["RecordedRun", "RunStatus"]

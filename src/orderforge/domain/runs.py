"""Recorded runs: long work (a forecast, a simulation study) asked for, queued, carried
out by a worker, and kept with what it found.

One shape for every room's runs, because the guarantees are the same: a request returns
at once with the run's id, a worker claims the run (queued -> running) before doing
anything so a job delivered twice runs once, progress is visible while it runs, and the
result is kept as it was found. A web request never waits for the work itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: withdrawn while it waited; it never ran
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ENDED = frozenset({RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED})


@dataclass(eq=False)
class RecordedRun:
    """Who asked for what, how far it got, and what it found (`result`, JSON-shaped)."""

    kind: str
    params: dict[str, Any]
    requested_by: str
    requested_at: dt.datetime
    status: RunStatus = RunStatus.QUEUED
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: share done, 0 to 1
    progress: float = 0.0
    result: dict[str, Any] | None = None
    error: str | None = None
    id: int | None = None
    #: what the run is called in sentences ("Forecast run 4")
    noun: str = field(default="Run", compare=False)

    @property
    def name(self) -> str:
        return f"{self.noun} {self.id}"

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def start(self, at: dt.datetime) -> None:
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(f"{self.name} is {self.status.value}, not queued.")
        self.status, self.started_at = RunStatus.RUNNING, at

    def finish(self, result: dict[str, Any], at: dt.datetime) -> None:
        if self.status is not RunStatus.RUNNING:
            raise IllegalTransition(f"{self.name} is {self.status.value}, not running.")
        self.status, self.finished_at, self.result, self.progress = (
            RunStatus.DONE,
            at,
            result,
            1.0,
        )

    def fail(self, error: str, at: dt.datetime) -> None:
        if self.ended:
            raise IllegalTransition(f"{self.name} has already ended ({self.status.value}).")
        self.status, self.finished_at, self.error = RunStatus.FAILED, at, error

    def cancel(self, by: str, at: dt.datetime) -> None:
        """Withdraw a run that still waits (a running one is left to end: its result is
        written whole at the end, so there is nothing half-done to undo)."""
        if self.status is RunStatus.RUNNING:
            raise IllegalTransition(
                f"{self.name} is already running and cannot be cancelled; wait for it to end."
            )
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(
                f"{self.name} has already ended ({self.status.value}); only a queued run "
                "can be cancelled."
            )
        self.status, self.finished_at = RunStatus.CANCELLED, at
        self.error = f"Cancelled by {by} before it ran."

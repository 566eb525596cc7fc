"""Recorded runs as use cases: ask (queued, committed, handed to the job queue), carry
out (claim, work, finish or fail), cancel, recover after a restart, read.

Why one module: forecasting and simulation (and whatever long work comes next) need the
same guarantees as plan and MRP runs, and writing them once keeps them the same. A room
gives a `RunBook`: its repository key, what its runs are called, and the work itself (a
function from the run's parameters to its JSON result, reporting its share done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from orderforge.domain.errors import NotFound
from orderforge.domain.runs import RecordedRun, RunStatus
from orderforge.services.context import ServiceContext
from orderforge.services.jobs import JobKind
from orderforge.services.ports import RepositoryKey, UnitOfWork

log = logging.getLogger(__name__)

#: Reports the share done (0 to 1) while a run works.
Progress = Callable[[float], None]
#: The work of a run: its context, the run (parameters, who asked, when) and a progress
#: callback; returns the result to keep. Raise to fail the run with the reason.
Work = Callable[[ServiceContext, RecordedRun, Progress], dict[str, Any]]


class RunRepository(Protocol):
    def add(self, run: RecordedRun) -> None:
        """Store a new run and set its id."""
        ...

    def get(self, run_id: int, lock: bool = False) -> RecordedRun | None: ...
    def save(self, run: RecordedRun) -> None: ...
    def latest(self, limit: int = 20, kind: str | None = None) -> list[RecordedRun]:
        """Newest first."""
        ...

    def set_progress(self, run_id: int, progress: float) -> None:
        """Written outside the run's own transaction, so readers see it while it works."""
        ...


@dataclass(frozen=True)
class RunBook:
    """One room's kind of recorded run."""

    job: str
    key: RepositoryKey[RunRepository]
    noun: str
    work: Work
    #: runs sharing a lock go one at a time across workers (None: any number at once)
    lock: str | None = None

    def job_kind(self) -> JobKind:
        return JobKind(
            self.job,
            lambda ctx, run_id: execute(self, ctx, run_id),
            recover=lambda ctx: recover(self, ctx),
            interrupt=lambda ctx, run_id: interrupt(self, ctx, run_id),
            lock=self.lock,
        )


def view(run: RecordedRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status.value,
        "status_label": run.status.label,
        "params": dict(run.params),
        "requested_by": run.requested_by,
        "requested_at": run.requested_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": run.progress,
        "result": run.result,
        "error": run.error,
    }


def _get(book: RunBook, uow: UnitOfWork, run_id: int, lock: bool = False) -> RecordedRun:
    run = uow.repository(book.key).get(run_id, lock=lock)
    if run is None:
        raise NotFound(f"There is no {book.noun.lower()} {run_id}.")
    run.noun = book.noun
    return run


def get(book: RunBook, ctx: ServiceContext, run_id: int) -> RecordedRun:
    with ctx.uow() as uow:
        return _get(book, uow, run_id)


def latest(
    book: RunBook, ctx: ServiceContext, limit: int = 20, kind: str | None = None
) -> list[RecordedRun]:
    with ctx.uow() as uow:
        runs = uow.repository(book.key).latest(limit, kind)
    for run in runs:
        run.noun = book.noun
    return runs


def _record(
    book: RunBook, ctx: ServiceContext, kind: str, params: dict[str, Any], actor: str
) -> tuple[int, RecordedRun]:
    """A queued run, committed, so whoever executes it finds it; its id and itself."""
    with ctx.uow() as uow:
        run = RecordedRun(kind, params, actor, ctx.clock.now(), noun=book.noun)
        uow.repository(book.key).add(run)
        uow.commit()
    assert run.id is not None
    return run.id, run


def request(
    book: RunBook, ctx: ServiceContext, kind: str, params: dict[str, Any], actor: str
) -> RecordedRun:
    """Record a queued run and hand it to the job queue; with no queue wired (a bare
    service context) it runs here."""
    run_id, run = _record(book, ctx, kind, params, actor)
    if ctx.jobs is None:
        return execute(book, ctx, run_id)
    ctx.jobs.submit(book.job, run_id)
    return run


def run_here(
    book: RunBook,
    ctx: ServiceContext,
    kind: str,
    params: dict[str, Any],
    actor: str,
    on_progress: Progress | None = None,
) -> RecordedRun:
    """Record a run and carry it out in this process (the CLI, in the foreground, with
    its progress bar), not through the job queue."""
    run_id, _ = _record(book, ctx, kind, params, actor)
    return execute(book, ctx, run_id, on_progress)


def execute(
    book: RunBook, ctx: ServiceContext, run_id: int, on_progress: Progress | None = None
) -> RecordedRun:
    """Carry out a recorded run to its end (done, or failed with the reason). Safe to
    call twice: a run no longer queued is left alone, because a job queue may deliver
    the same job more than once."""
    with ctx.uow() as uow:  # the claim: short, the row locked while it is read
        run = _get(book, uow, run_id, lock=True)
        if run.status is not RunStatus.QUEUED:
            log.info("%s %s is %s: left alone", book.job, run_id, run.status.value)
            return run
        run.start(ctx.clock.now())
        uow.repository(book.key).save(run)
        uow.commit()

    def progress(share: float) -> None:
        share = min(max(share, 0.0), 1.0)
        with ctx.uow() as uow:
            uow.repository(book.key).set_progress(run_id, share)
            uow.commit()
        if on_progress is not None:
            on_progress(share)

    try:
        result = book.work(ctx, run, progress)
    except Exception as exc:
        with ctx.uow() as uow:
            run = _get(book, uow, run_id, lock=True)
            run.fail(f"{type(exc).__name__}: {exc}", ctx.clock.now())
            uow.repository(book.key).save(run)
            uow.commit()
        log.warning("%s %s failed: %s", book.job, run_id, exc)
        return run
    with ctx.uow() as uow:
        run = _get(book, uow, run_id, lock=True)
        run.finish(result, ctx.clock.now())
        uow.repository(book.key).save(run)
        uow.commit()
    return run


def cancel(book: RunBook, ctx: ServiceContext, run_id: int, actor: str) -> RecordedRun:
    with ctx.uow() as uow:
        run = _get(book, uow, run_id, lock=True)
        run.cancel(actor, ctx.clock.now())
        uow.repository(book.key).save(run)
        uow.commit()
        return run


def recover(book: RunBook, ctx: ServiceContext) -> list[int]:
    """After a restart of an in-process worker: runs it was carrying out are failed (their
    work died with the process), queued ones are handed back."""
    with ctx.uow() as uow:
        repo = uow.repository(book.key)
        runs = repo.latest(1000)
        for run in runs:
            run.noun = book.noun
            if run.status is RunStatus.RUNNING:
                run.fail(
                    f"Interrupted: the process running this {book.noun.lower()} stopped.",
                    ctx.clock.now(),
                )
                repo.save(run)
        queued = [r.id for r in runs if r.status is RunStatus.QUEUED and r.id is not None]
        uow.commit()
    return sorted(queued)


def interrupt(book: RunBook, ctx: ServiceContext, run_id: int) -> None:
    """The worker carrying out this run stopped: fail it if it is still running."""
    with ctx.uow() as uow:
        run = uow.repository(book.key).get(run_id, lock=True)
        if run is None or run.status is not RunStatus.RUNNING:
            return
        run.noun = book.noun
        run.fail(
            f"Interrupted: the worker running this {book.noun.lower()} stopped.", ctx.clock.now()
        )
        uow.repository(book.key).save(run)
        uow.commit()

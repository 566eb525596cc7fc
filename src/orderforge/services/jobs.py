"""Recorded jobs: a kind of job names the handler that carries out one recorded row.

A job is only a kind and a record's id (a plan run, an MRP run): the row holds who asked,
with what inputs, how far it got and how it ended, so a job queue can lose nothing that
matters and a job delivered twice finds its record already taken and does nothing. Each
context that has jobs declares them in a module of its own (`JOBS`); the composition
root collects them (`orderforge.contexts.job_kinds`) and gives the queue adapters the
handlers by kind, the way it wires storage and event handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orderforge.services.context import ServiceContext

#: Carries out one record; must claim it first (queued -> running, in a short
#: transaction that locks the row) and leave it alone when it is no longer queued.
JobHandler = Callable[[ServiceContext, int], object]
#: After an in-process worker restarts: fails the records it was running and returns the
#: ids of those still queued, to be handed to the queue again.
JobRecovery = Callable[[ServiceContext], list[int]]
#: A worker died while carrying out this record: fail it if it is still running, so it
#: can be retried (a queued or ended record is left as it is).
JobInterruption = Callable[[ServiceContext, int], None]


@dataclass(frozen=True)
class JobKind:
    """One kind of recorded job and how it is run."""

    name: str
    handler: JobHandler
    recover: JobRecovery | None = None
    interrupt: JobInterruption | None = None
    #: Jobs sharing a lock run one at a time across every worker (two plans solved side
    #: by side would both start from the same current version; two MRP runs would both
    #: replace the same result). None: any number at once.
    lock: str | None = None


def run_job(kinds: Mapping[str, JobKind], ctx: ServiceContext, kind: str, record_id: int) -> object:
    """What every worker does with a delivered job: find the handler of its kind."""
    found = kinds.get(kind)
    if found is None:
        raise LookupError(
            f"No handler for jobs of kind {kind!r}; known: {', '.join(sorted(kinds))}."
        )
    return found.handler(ctx, record_id)


def interrupt_job(
    kinds: Mapping[str, JobKind], ctx: ServiceContext, kind: str, record_id: int
) -> None:
    """A worker that took this job stopped without finishing it: let its kind fail the
    record (kinds without an `interrupt` have nothing to undo)."""
    found = kinds.get(kind)
    if found is not None and found.interrupt is not None:
        found.interrupt(ctx, record_id)

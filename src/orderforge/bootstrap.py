"""The composition root: the one place that wires adapters into services.

Entrypoints ask for a built `Application`; nothing is created at import time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine

from orderforge import contexts
from orderforge.adapters.attempts import LimitsAttemptLimiter
from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import create_db_engine, refresh_statistics
from orderforge.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from orderforge.adapters.documents.customer_pdf import FpdfDocumentRenderer
from orderforge.adapters.files.disk import DiskFileStore
from orderforge.adapters.security import Argon2PasswordHasher, HmacSealer
from orderforge.config import Settings, load_settings
from orderforge.services import jobs
from orderforge.services.context import SecurityPolicy, ServiceContext, SystemClock
from orderforge.services.ports import AttemptLimiter, Clock, JobQueue, PasswordHasher


@dataclass
class Application:
    settings: Settings
    engine: Engine
    ctx: ServiceContext

    def upgrade_schema(self) -> None:
        migrate.upgrade(self.engine)

    def schema_is_current(self) -> bool:
        return migrate.current_revision(self.engine) == migrate.head_revision(self.engine)

    def refresh_statistics(self) -> None:
        """After a bulk load: the database's planner statistics brought up to date."""
        refresh_statistics(self.engine)

    def close(self) -> None:
        close = getattr(self.ctx.jobs, "shutdown", None) or getattr(self.ctx.jobs, "close", None)
        if close is not None:
            close()
        self.engine.dispose()

    def run_job(self, kind: str, record_id: int) -> object:
        """What a worker does with a job: carry out that record with its kind's handler."""
        return jobs.run_job(contexts.job_kinds(), self.ctx, kind, record_id)

    def interrupt_job(self, kind: str, record_id: int) -> None:
        """A worker died while carrying out this job: fail its record if still running."""
        jobs.interrupt_job(contexts.job_kinds(), self.ctx, kind, record_id)

    def start_inprocess_worker(self) -> list[tuple[str, int]]:
        """For `serve` on the in-process backend: fail runs a previous process left
        running, hand queued ones to the worker thread, kind by kind. Returns the
        resubmitted jobs (kind, id)."""
        if self.ctx.jobs is None or self.settings.job_backend != "inprocess":
            return []
        resumed: list[tuple[str, int]] = []
        for kind in contexts.job_kinds().values():
            if kind.recover is None:
                continue
            for record_id in kind.recover(self.ctx):
                self.ctx.jobs.submit(kind.name, record_id)
                resumed.append((kind.name, record_id))
        return resumed


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    attempts: AttemptLimiter | None = None,
) -> Application:
    settings = settings or load_settings()
    engine = create_db_engine(settings.database_url)
    ctx = ServiceContext(
        uow=SqlUnitOfWorkFactory(engine, contexts.storages()),
        clock=clock or SystemClock(),
        hasher=hasher or Argon2PasswordHasher(),
        documents=FpdfDocumentRenderer(),
        review_on_confirm=settings.review_on_confirm,
        handlers=contexts.handlers(),
        outbox_consumers=contexts.outbox_consumers(),
        attempts=attempts or LimitsAttemptLimiter(storage_url=settings.rate_limit_storage),
        security=SecurityPolicy(
            session_idle=dt.timedelta(hours=settings.session_idle_hours),
            session_absolute=dt.timedelta(days=settings.session_max_days),
            token_default_days=settings.token_days,
        ),
        sealer=HmacSealer(settings.resolved_secret_key),
        files=DiskFileStore(settings.resolved_blob_dir()),
        max_upload_bytes=settings.max_upload_bytes,
        public_url=settings.public_url,
    )
    application = Application(settings=settings, engine=engine, ctx=ctx)
    application.ctx = replace(ctx, jobs=_job_queue(settings, application))
    return application


def _job_queue(settings: Settings, application: Application) -> JobQueue:
    if settings.job_backend == "procrastinate":
        from orderforge.adapters.jobs.procrastinate_queue import ProcrastinateJobQueue

        locks = {name: kind.lock for name, kind in contexts.job_kinds().items()}
        return ProcrastinateJobQueue(settings.database_url, locks)
    from orderforge.adapters.jobs.inprocess import InProcessJobQueue

    return InProcessJobQueue(application.run_job, contexts.job_kinds())

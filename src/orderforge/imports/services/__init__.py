"""Import use cases: upload a file (read, check every row, keep the batch and its
preview; nothing else is written), read a batch, and confirm it (apply every row
through the owning contexts' use cases, in one transaction, once).

Confirming runs the very use cases a person runs by hand (register or revise a
customer, the plant's item changes, create or revise a quote), so permissions, events
and the audit trail are the same. They each open "their" unit of work and commit; here
they get the batch's own transaction instead (`_Joined`), whose commit waits for the
batch's: one row refused at confirm time rolls every row back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from orderforge.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from orderforge.domain.permissions import Resource, is_allowed
from orderforge.imports.domain import (
    Action,
    BatchStatus,
    ImportBatch,
    ImportKind,
    check_header,
    outcome_data,
    parse_kind,
    same_plan,
)
from orderforge.imports.ports import IMPORT_BATCHES
from orderforge.imports.reading import read_sheet
from orderforge.imports.services.kinds import plan
from orderforge.imports.services.rows import Apply
from orderforge.services.context import ServiceContext
from orderforge.services.ports import (
    CatalogueRepository,
    CustomerRepository,
    DuplicateRecord,
    EventLog,
    IdempotencyStore,
    NumberSequence,
    OrderRepository,
    PlanRepository,
    Principal,
    RepositoryKey,
    SessionRepository,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)

R = TypeVar("R")
MAX_FILE_NAME = 200
MAX_LIST = 200


@dataclass(frozen=True)
class Upload:
    kind: str
    file_name: str
    data: bytes


def may_import(me: Principal, kind: ImportKind) -> bool:
    return is_allowed(me.role, Resource.IMPORT, kind.value)


def _require(me: Principal, kind: ImportKind) -> None:
    if not may_import(me, kind):
        raise PermissionDenied(f"Your role ({me.role.value}) may not import {kind.value}.")


def kinds_for(me: Principal) -> list[ImportKind]:
    """The kinds this user may import (what the import page offers)."""
    return [k for k in ImportKind if may_import(me, k)]


def _file_name(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return cleaned.replace("/", "_").replace("\\", "_")[-MAX_FILE_NAME:] or "upload"


def upload(ctx: ServiceContext, me: Principal, cmd: Upload) -> ImportBatch:
    """Read and check the file, keep the batch with its preview. A file that cannot be
    read at all (size, encoding, header) is refused naming `file` or the column, and
    nothing is kept; row errors are part of the preview, and block confirming."""
    kind = parse_kind(cmd.kind)
    _require(me, kind)
    sheet = read_sheet(cmd.file_name, cmd.data, ctx.max_upload_bytes)
    check_header(kind, sheet.header)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        found = plan(uow, me, kind, sheet.rows, now)
        batch = ImportBatch(
            kind=kind,
            file_name=_file_name(cmd.file_name),
            rows=sheet.rows,
            outcomes=found.outcomes,
            uploaded_by=me.username,
            uploaded_at=now,
        )
        uow.repository(IMPORT_BATCHES).add(batch)
        uow.commit()
    return batch


def _load(uow: UnitOfWork, me: Principal, batch_id: int) -> ImportBatch:
    batch = uow.repository(IMPORT_BATCHES).get(batch_id)
    if batch is None:
        raise NotFound(f"There is no import {batch_id}.")
    _require(me, batch.kind)
    return batch


def get_batch(ctx: ServiceContext, me: Principal, batch_id: int) -> ImportBatch:
    with ctx.uow() as uow:
        return _load(uow, me, batch_id)


def recent_batches(ctx: ServiceContext, me: Principal, limit: int = 20) -> list[ImportBatch]:
    """The newest batches of the kinds this user may import."""
    allowed = kinds_for(me)
    if not allowed:
        raise PermissionDenied(f"Your role ({me.role.value}) may not import anything.")
    with ctx.uow() as uow:
        return uow.repository(IMPORT_BATCHES).recent(allowed, min(max(limit, 1), MAX_LIST))


def confirm(ctx: ServiceContext, me: Principal, batch_id: int) -> ImportBatch:
    """Apply the batch: every row, in one transaction, as previewed. Refused, with
    nothing changed, when the batch has errors, was applied already, or a record
    changed since the preview so that a row would now do something else."""
    with ctx.uow() as uow:
        batch = _load(uow, me, batch_id)
        batch.check_can_apply()
        now = ctx.clock.now()
        fresh = plan(uow, me, batch.kind, batch.rows, now)
        changed = same_plan(batch.outcomes, fresh.outcomes)
        if changed is not None:
            raise IllegalTransition(
                f"Import {batch.id} cannot be applied as previewed: {changed.sentence()}. "
                "Upload the file again for a new preview."
            )
        batch.mark_applied(me.username, now)
        if not uow.repository(IMPORT_BATCHES).mark_applied(batch):
            raise IllegalTransition(
                f"Import {batch.id} was already applied; a batch is applied only once."
            )
        try:
            _apply(ctx, uow, me, fresh.steps)
            uow.commit()
        except DuplicateRecord:
            raise ConcurrencyConflict(
                f"Import {batch.id}: someone stored one of its records meanwhile. "
                "Upload the file again for a new preview."
            ) from None
    return batch


def _apply(ctx: ServiceContext, uow: UnitOfWork, me: Principal, steps: list[Apply]) -> None:
    """Run the steps in the batch's transaction; a refusal names its row."""
    batch_ctx = dataclasses.replace(ctx, uow=_Joined(uow).factory)
    for step in steps:
        try:
            step.run(batch_ctx, uow, me)
        except DomainError as exc:
            exc.message = f"Row {step.row}: {exc.message}"
            exc.args = (exc.message,)
            raise


class _Joined:
    """The batch's unit of work as the use cases it calls see it: entering and leaving
    do nothing, and `commit` leaves the commit to the batch, so every row is stored
    together or not at all. Their events stay on the aggregates they touched, which the
    batch's commit collects."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def factory(self) -> UnitOfWork:
        return self

    @property
    def orders(self) -> OrderRepository:
        return self._uow.orders

    @property
    def customers(self) -> CustomerRepository:
        return self._uow.customers

    @property
    def users(self) -> UserRepository:
        return self._uow.users

    @property
    def tokens(self) -> TokenRepository:
        return self._uow.tokens

    @property
    def sessions(self) -> SessionRepository:
        return self._uow.sessions

    @property
    def events(self) -> EventLog:
        return self._uow.events

    @property
    def idempotency(self) -> IdempotencyStore:
        return self._uow.idempotency

    @property
    def sequences(self) -> NumberSequence:
        return self._uow.sequences

    @property
    def catalogue(self) -> CatalogueRepository:
        return self._uow.catalogue

    @property
    def plans(self) -> PlanRepository:
        return self._uow.plans

    def repository(self, key: RepositoryKey[R]) -> R:
        return self._uow.repository(key)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        # A use case that gives up rolls back its own work; here that is the whole
        # batch's, so the refusal it raises must reach the batch, which rolls back.
        return None


def batch_view(batch: ImportBatch, rows: bool = True) -> dict[str, Any]:
    """A batch as the faces show it: who uploaded and applied it when, the counts, and
    (unless only a summary is wanted) every row's outcome with its errors."""
    problems = batch.problems
    view: dict[str, Any] = {
        "id": batch.id,
        "kind": batch.kind.value,
        "file_name": batch.file_name,
        "status": batch.status.value,
        "uploaded_by": batch.uploaded_by,
        "uploaded_at": batch.uploaded_at,
        "applied_by": batch.applied_by,
        "applied_at": batch.applied_at,
        "counts": batch.counts(),
        "can_apply": batch.status is BatchStatus.PREVIEWED and not problems,
        "errors": [
            {"row": p.row, "column": p.column, "message": p.message} for p in problems[:1000]
        ],
    }
    if rows:
        view["rows"] = [outcome_data(o) for o in batch.outcomes]
    return view


__all__ = [
    "Action",
    "Upload",
    "batch_view",
    "confirm",
    "get_batch",
    "kinds_for",
    "may_import",
    "recent_batches",
    "upload",
]

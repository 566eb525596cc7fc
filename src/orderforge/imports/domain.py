"""Imports: a file of customers, items or orders, read and checked row by row into a
preview of what would change, kept as a batch until someone confirms it.

Pure rules: which columns each kind has, what a row's outcome is (create, update with
each field's old and new value, unchanged, or error by row and column), and the batch's
own small lifecycle (previewed -> applied, at most once, never with errors). Reading
the bytes (CSV, Excel) and applying rows through the other contexts' use cases are the
use cases' business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent

#: Rows a file may hold under its header: a bound on the work one preview does.
MAX_ROWS = 5000
#: Columns a file may have (orders add one column per spec option).
MAX_COLUMNS = 100
#: Characters in one cell; longer is an error naming the cell.
MAX_CELL = 2000
#: Order columns named `spec.<option>` carry the spec, one option each.
SPEC_PREFIX = "spec."


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    ITEMS = "items"
    ORDERS = "orders"

    @property
    def singular(self) -> str:
        return {"customers": "customer", "items": "item", "orders": "order"}[self.value]


@dataclass(frozen=True)
class Columns:
    """The header a kind expects: the key column (the external id), the columns every
    row must fill, and the ones it may leave out (an update then keeps the stored
    value, a new record takes the usual default)."""

    key: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    #: columns may also be named `<prefix><anything>` (orders: spec options)
    prefix: str | None = None

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional

    def accepts(self, name: str) -> bool:
        if name in self.known:
            return True
        return (
            self.prefix is not None
            and name.startswith(self.prefix)
            and len(name) > len(self.prefix)
        )


COLUMNS: dict[ImportKind, Columns] = {
    ImportKind.CUSTOMERS: Columns(
        key="code",
        required=("code", "name"),
        optional=("email", "country", "address", "price_group"),
    ),
    ImportKind.ITEMS: Columns(
        key="code",
        required=("code", "name", "unit"),
        optional=("status", "lead_time_days", "cost"),
    ),
    ImportKind.ORDERS: Columns(
        key="external_ref",
        required=("external_ref", "customer", "product_family", "quantity"),
        optional=("requested_date", "notes"),
        prefix=SPEC_PREFIX,
    ),
}


def parse_kind(value: str) -> ImportKind:
    try:
        return ImportKind(value.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in ImportKind)
        raise InvalidInput(
            f"There is no import of '{value[:30]}'. Import one of: {kinds}.", field="kind"
        ) from None


def check_header(kind: ImportKind, header: list[str]) -> list[str]:
    """The header as column names (trimmed, lower case), or InvalidInput naming the
    first column that is unknown, missing, blank or repeated. Why refuse the whole
    file: a misspelt column would otherwise be silently ignored on every row."""
    columns = COLUMNS[kind]
    names = [h.strip().lower() for h in header]
    expected = ", ".join(columns.known) + (
        f", and {columns.prefix}<option> columns" if columns.prefix else ""
    )
    if len(names) > MAX_COLUMNS:
        raise InvalidInput(
            f"The file has {len(names)} columns; at most {MAX_COLUMNS} fit.", field="file"
        )
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise InvalidInput(
                f"Column {position} of the header has no name. Expected columns: {expected}.",
                field="file",
            )
        if name in seen:
            raise InvalidInput(f"The column '{name}' appears twice in the header.", field=name)
        seen.add(name)
        if not columns.accepts(name):
            raise InvalidInput(
                f"Unknown column '{name[:60]}'. Expected columns: {expected}.", field=name[:60]
            )
    for name in columns.required:
        if name not in seen:
            raise InvalidInput(
                f"The column '{name}' is missing from the header. Expected columns: {expected}.",
                field=name,
            )
    return names


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or, column empty, with the row as a whole)."""

    row: int
    column: str
    message: str

    def sentence(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str

    def describe(self) -> str:
        return f"{self.field}: {self.before or '(empty)'} -> {self.after or '(empty)'}"


@dataclass(frozen=True)
class RowOutcome:
    """What confirming the batch would do with one row of the file."""

    row: int
    #: the external id the row is matched on (customer or item code, external ref)
    key: str
    action: Action
    changes: tuple[FieldChange, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: the stored record the row updates (an order number), when that is not the key
    target: str = ""

    def summary(self) -> str:
        if self.action is Action.ERROR:
            return "; ".join(p.sentence() for p in self.problems)
        if self.action is Action.UPDATE:
            return "update (" + ", ".join(c.describe() for c in self.changes) + ")"
        return self.action.value


def outcome(
    row: int,
    key: str,
    before: Mapping[str, str] | None,
    after: Mapping[str, str],
    target: str = "",
) -> RowOutcome:
    """Create when nothing is stored under the key, update listing every field whose
    value differs (in the order of `after`), unchanged otherwise."""
    if before is None:
        return RowOutcome(row, key, Action.CREATE, target=target)
    changes = tuple(
        FieldChange(name, before.get(name, ""), value)
        for name, value in after.items()
        if before.get(name, "") != value
    )
    if not changes:
        return RowOutcome(row, key, Action.UNCHANGED, target=target)
    return RowOutcome(row, key, Action.UPDATE, changes, target=target)


def failed(row: int, key: str, problems: Iterable[Problem]) -> RowOutcome:
    return RowOutcome(row, key, Action.ERROR, problems=tuple(problems))


def duplicates(outcomes: list[RowOutcome], keys: list[str]) -> list[RowOutcome]:
    """Rows whose key an earlier row already used become errors: one file says one
    thing about a record, or the preview could not say what applying does."""
    first: dict[str, int] = {}
    out: list[RowOutcome] = []
    for found, key in zip(outcomes, keys, strict=True):
        if key and key in first:
            found = failed(
                found.row,
                found.key,
                [
                    *found.problems,
                    Problem(found.row, "", f"'{found.key}' is already on row {first[key]}."),
                ],
            )
        elif key:
            first[key] = found.row
        out.append(found)
    return out


class BatchStatus(StrEnum):
    PREVIEWED = "previewed"
    APPLIED = "applied"


@dataclass(frozen=True)
class Row:
    """One row of the file as read: its row number in the sheet (the header is row 1)
    and its cells by column name, as text."""

    number: int
    cells: dict[str, str]


@dataclass(eq=False)
class ImportBatch:
    """An uploaded file with its preview. Nothing of it reaches customers, items or
    orders until `confirm`; then all of it does, in one transaction, once."""

    kind: ImportKind
    file_name: str
    rows: list[Row]
    outcomes: list[RowOutcome]
    uploaded_by: str
    uploaded_at: dt.datetime
    status: BatchStatus = BatchStatus.PREVIEWED
    applied_by: str | None = None
    applied_at: dt.datetime | None = None
    id: int | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def problems(self) -> list[Problem]:
        return [p for o in self.outcomes for p in o.problems]

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys((a.value for a in Action), 0)
        for o in self.outcomes:
            found[o.action.value] += 1
        return found

    def check_can_apply(self) -> None:
        """Refuse a second confirm and a batch with errors, each with what to do."""
        if self.status is BatchStatus.APPLIED:
            raise IllegalTransition(
                f"Import {self.id} was already applied by {self.applied_by} "
                f"at {self.applied_at:%Y-%m-%d %H:%M} UTC; a batch is applied only once."
                if self.applied_at
                else f"Import {self.id} was already applied; a batch is applied only once."
            )
        problems = self.problems
        if problems:
            raise IllegalTransition(
                f"Import {self.id} has {len(problems)} error(s) and cannot be applied "
                f"(first: {problems[0].sentence()}). Correct the file and upload it again."
            )

    def mark_applied(self, by: str, at: dt.datetime) -> None:
        self.check_can_apply()
        self.status = BatchStatus.APPLIED
        self.applied_by = by
        self.applied_at = at
        self.pending_events.append(
            DomainEvent(
                aggregate="import_batch",
                aggregate_key=str(self.id),
                kind="import_applied",
                actor=by,
                occurred_at=at,
                data={"kind": self.kind.value, "file": self.file_name, **self.counts()},
            )
        )


def same_plan(stored: list[RowOutcome], fresh: list[RowOutcome]) -> Problem | None:
    """The first row whose outcome differs between the preview and now (someone changed
    a record meanwhile), or None: confirming applies what the preview showed."""
    for before, now in zip(stored, fresh, strict=True):
        if before != now:
            return Problem(
                now.row,
                "",
                f"was '{before.summary()}' in the preview and is now '{now.summary()}'",
            )
    return None


def outcome_data(o: RowOutcome) -> dict[str, Any]:
    """An outcome as plain data (stored with the batch, shown by the faces)."""
    return {
        "row": o.row,
        "key": o.key,
        "action": o.action.value,
        "target": o.target,
        "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in o.changes],
        "errors": [{"row": p.row, "column": p.column, "message": p.message} for p in o.problems],
        "summary": o.summary(),
    }


def outcome_of(data: Mapping[str, Any]) -> RowOutcome:
    return RowOutcome(
        row=int(data["row"]),
        key=str(data["key"]),
        action=Action(data["action"]),
        changes=tuple(FieldChange(c["field"], c["before"], c["after"]) for c in data["changes"]),
        problems=tuple(Problem(p["row"], p["column"], p["message"]) for p in data["errors"]),
        target=str(data.get("target", "")),
    )

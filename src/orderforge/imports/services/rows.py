"""What every kind's rows share: a plan (the preview and the steps that apply it), and
the checks every cell gets whatever its kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from orderforge.imports.domain import MAX_CELL, Action, Problem, Row, RowOutcome, duplicates
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

#: What a step gets: the context whose unit of work is the batch's one transaction, that
#: unit of work, and who confirms (known only then: the steps are made at preview time).
Step = Callable[[ServiceContext, UnitOfWork, Principal], None]


@dataclass(frozen=True)
class Apply:
    row: int
    run: Step


@dataclass
class Plan:
    """The preview of a file's rows and, for the rows that change something, the steps
    that apply them (in row order)."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    steps: list[Apply] = field(default_factory=list)


def cell_problems(row: Row) -> list[Problem]:
    return [
        Problem(row.number, name, f"is {len(value)} characters long; at most {MAX_CELL} fit.")
        for name, value in row.cells.items()
        if len(value) > MAX_CELL
    ]


def column_of(row: Row, name: str | None) -> str:
    """The column a use case's field error is about, when the file has it."""
    if not name:
        return ""
    return name if name in row.cells else ""


def finish(found: Plan, keys: list[str]) -> Plan:
    """Duplicate keys become errors, and their steps are dropped with them."""
    outcomes = duplicates(found.outcomes, keys)
    bad = {o.row for o in outcomes if o.action is Action.ERROR}
    return Plan(outcomes, [s for s in found.steps if s.row not in bad])

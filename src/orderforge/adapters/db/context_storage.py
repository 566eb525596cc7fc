"""How a bounded context plugs its storage into the shared unit of work (ADR 0001).

Each context's adapter module builds one `ContextStorage`: its repositories by key and
a function that maps its domain classes onto its tables (defined on the shared
`metadata`). `orderforge.contexts` lists those modules; the unit of work, Alembic and
the schema test load them from there, so a new context edits no shared class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from orderforge.domain.events import DomainEvent

A = TypeVar("A")


def inserted_id(result: object) -> int:
    """The primary key a Core INSERT (session.execute) gave its one row: contexts that
    write plain rows set it on the domain object they stored."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None
    return int(key[0])


def _nothing_to_map() -> None:
    return None


@dataclass(frozen=True)
class ContextStorage:
    name: str
    #: repository key name -> factory taking the transaction's session
    repositories: Mapping[str, Callable[[Session], Any]] = field(default_factory=dict)
    #: maps the context's domain classes imperatively; called once per process
    map_classes: Callable[[], None] = _nothing_to_map


class TrackingRepository(Generic[A]):
    """A repository that remembers every aggregate it returned or was given.

    The unit of work collects the pending events of everything a transaction touched
    from `seen`; a repository that forgot one (say, a list query) would lose its events.
    Subclasses pass every aggregate they hand out through `_track` / `_track_all`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: list[A] = []
        #: identities of `seen` (held alive by the list), for constant-time membership
        self._seen_ids: set[int] = set()

    def _track(self, aggregate: A | None) -> A | None:
        if aggregate is not None and id(aggregate) not in self._seen_ids:
            self._seen_ids.add(id(aggregate))
            self.seen.append(aggregate)
        return aggregate

    def _track_all(self, aggregates: list[A]) -> list[A]:
        for aggregate in aggregates:
            self._track(aggregate)
        return aggregates

    def pending_events(self) -> list[DomainEvent]:
        """Take the events of every tracked aggregate (cleared once taken)."""
        out: list[DomainEvent] = []
        for aggregate in self.seen:
            events: list[DomainEvent] | None = getattr(aggregate, "pending_events", None)
            if events:
                out.extend(events)
                events.clear()
        return out

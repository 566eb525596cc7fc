"""Catalogue versions: how a product family is configured, as imported, never edited.

An import that changes anything becomes a new version; order lines keep the version
they were configured with, so editing the catalogue never changes an existing order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent


class CatalogueFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


def catalogue_checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(eq=False)
class CatalogueVersion:
    family_code: str
    version: int
    #: The catalogue's own version label (e.g. "2026.1"), as written by its author.
    label: str
    name: str
    document: str
    format: CatalogueFormat
    checksum: str
    imported_at: dt.datetime
    imported_by: str
    id: int | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def imported(
        cls,
        *,
        family_code: str,
        previous: int,
        label: str,
        name: str,
        document: str,
        format: CatalogueFormat,
        actor: str,
        at: dt.datetime,
    ) -> CatalogueVersion:
        if len(document) > 1_000_000:
            raise InvalidInput("A catalogue file may be at most 1 MB.", field="document")
        entry = cls(
            family_code=family_code,
            version=previous + 1,
            label=label,
            name=name,
            document=document,
            format=format,
            checksum=catalogue_checksum(document),
            imported_at=at,
            imported_by=actor,
        )
        entry.pending_events.append(
            DomainEvent(
                aggregate="catalogue",
                aggregate_key=family_code,
                kind="catalogue_imported",
                actor=actor,
                occurred_at=at,
                data={
                    "changes": {"version": {"before": previous or None, "after": entry.version}},
                    "label": label,
                    "checksum": entry.checksum,
                },
            )
        )
        return entry

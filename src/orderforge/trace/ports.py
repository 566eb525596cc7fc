"""What the trace use cases ask of rooms they cannot see yet.

NCRs: the quality room is adding nonconformance reports. The trace shows a unit's NCRs
and the device history record counts an open one as missing; both ask this port. Until
a room answers it (register `NCR_RECORDS` in that room's STORAGE), a trace has no NCRs
and no record is held by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from orderforge.services.ports import RepositoryKey


@dataclass(frozen=True)
class NcrFact:
    """One nonconformance report as the trace shows it."""

    number: str
    work_order: str
    seq: int | None
    #: what was found, in words
    description: str
    #: its status and disposition in words ("Open", "Closed: scrap")
    status_words: str
    is_open: bool
    raised_at: dt.datetime
    #: the unit (1..n of the work order) it is about; None: the whole work order
    unit_no: int | None = None


class NcrRecords(Protocol):
    def for_work_orders(self, numbers: Collection[str]) -> list[NcrFact]:
        """NCRs raised on these work orders, oldest first."""
        ...


NCR_RECORDS: RepositoryKey[NcrRecords] = RepositoryKey("trace_ncrs")

"""What the quality charts read: measurements of one plan's characteristic, the floor's
completions over a period, and the inspections of those work orders (read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from orderforge.quality.domain import Inspection
from orderforge.quality.yields import Completion
from orderforge.services.ports import RepositoryKey

#: the most inspections one control chart reads (the newest)
MAX_CHART_INSPECTIONS = 2000
#: the most completions one period's yield or Pareto reads
MAX_COMPLETIONS = 50_000


class QualityFacts(Protocol):
    def inspections_of(self, family: str, operation: str) -> list[Inspection]:
        """The inspections made under a plan for this family's operation, oldest first
        (at most MAX_CHART_INSPECTIONS, the newest ones)."""
        ...

    def completions(self, since: dt.datetime, until: dt.datetime) -> list[Completion]:
        """Operations completed at or after `since` and before `until`, oldest first."""
        ...

    def inspections_for(self, work_orders: Collection[str]) -> list[Inspection]: ...


QUALITY_FACTS: RepositoryKey[QualityFacts] = RepositoryKey("quality_facts")

"""Quality ports: where inspection plans, inspections, final inspections and NCRs are
kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from orderforge.quality.domain import Inspection, InspectionPlan
from orderforge.quality.final import FinalChecklist, FinalInspection
from orderforge.quality.ncr_domain import DefectCause, NcrStatus, Nonconformance
from orderforge.services.ports import RepositoryKey


class QualityRepository(Protocol):
    def plans(self) -> list[InspectionPlan]:
        """The plans in force, by family and operation."""
        ...

    def replace_plans(self, plans: list[InspectionPlan], actor: str, at: dt.datetime) -> int:
        """Put these plans in force (a plan of the same family and operation is retired,
        kept); returns how many changed."""
        ...

    def inspection(self, work_order: str, seq: int) -> Inspection | None: ...
    def inspections(self, work_order: str) -> list[Inspection]: ...
    def add(self, inspection: Inspection) -> None: ...
    def save(self, inspection: Inspection) -> None:
        """Store new results (never changing a stored one) and the new status; raises
        ConcurrencyConflict when someone else changed it meanwhile."""
        ...


QUALITY: RepositoryKey[QualityRepository] = RepositoryKey("quality")


class FinalInspectionRepository(Protocol):
    def checklists(self) -> dict[str, FinalChecklist]:
        """The final checklists in force, by family."""
        ...

    def replace_checklists(
        self, checklists: list[FinalChecklist], actor: str, at: dt.datetime
    ) -> int:
        """Put these checklists in force (the family's earlier one is retired, kept);
        returns how many changed."""
        ...

    def attempts(self, order_number: str) -> list[FinalInspection]:
        """The order's final inspections, first attempt first."""
        ...

    def add(self, inspection: FinalInspection) -> None:
        """Keep an attempt; a second attempt with the same number (a concurrent
        inspector) raises DuplicateRecord."""
        ...


FINAL_INSPECTIONS: RepositoryKey[FinalInspectionRepository] = RepositoryKey("final_inspections")


class NcrRepository(Protocol):
    """Nonconformance reports, their dispositions (kept as decided) and quality's
    catalogue of defect causes."""

    def causes(self) -> list[DefectCause]: ...
    def put_causes(self, causes: list[DefectCause]) -> int:
        """Add or change these causes (by code); returns how many changed."""
        ...

    def get(self, number: str) -> Nonconformance | None: ...
    def find(
        self, *, work_order: str | None = None, status: NcrStatus | None = None, limit: int = 500
    ) -> list[Nonconformance]:
        """Newest first."""
        ...

    def at(self, work_order: str, seqs: Collection[int]) -> list[Nonconformance]:
        """The NCRs raised at these operations of the work order."""
        ...

    def add(self, ncr: Nonconformance) -> None: ...
    def save(self, ncr: Nonconformance) -> None:
        """Store the new status (and a new disposition, never changing a stored one);
        raises ConcurrencyConflict when someone else changed it meanwhile."""
        ...


NCRS: RepositoryKey[NcrRepository] = RepositoryKey("ncrs")

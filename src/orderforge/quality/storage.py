"""Quality storage: inspection plans (a retired plan is kept), inspections and their
results, final checklists and final inspections. A result row and a final inspection are
only ever inserted: the database refuses to change or delete one, so a measurement stays
what was measured and a failed final inspection stays on the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.production.domain import WorkOrder
from orderforge.production.ports import QUALITY_GATE
from orderforge.quality.domain import (
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Result,
    plan_from,
)
from orderforge.quality.final import (
    FinalChecklist,
    FinalInspection,
    checklist_document,
    checklist_from,
    finding_from,
)
from orderforge.quality.ncr_domain import DispositionKind, NcrStatus
from orderforge.quality.ncr_storage import SqlNcrRepository
from orderforge.quality.ports import FINAL_INSPECTIONS, NCRS, QUALITY

inspection_plans = sa.Table(
    "inspection_plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family", sa.String(40), nullable=False),
    sa.Column("operation", sa.String(200), nullable=False),
    sa.Column("document", JSONType, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("put_in_force_by", sa.String(40), nullable=False),
    sa.Column("put_in_force_at", UTCDateTime, nullable=False),
    sa.Index("ix_inspection_plans_family_operation", "family", "operation"),
)

inspections = sa.Table(
    "inspections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("work_order", sa.String(30), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("plan", JSONType, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("spec", JSONType, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("accepted_by", sa.String(40), nullable=True),
    sa.Column("accepted_at", UTCDateTime, nullable=True),
    sa.Column("acceptance_reason", sa.Text, nullable=False),
    sa.Column("signature", JSONType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("work_order", "seq", name="uq_inspection_operation"),
)

inspection_results = sa.Table(
    "inspection_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "inspection_id", sa.Integer, sa.ForeignKey("inspections.id"), nullable=False, index=True
    ),
    sa.Column("characteristic", sa.String(40), nullable=False),
    sa.Column("unit_serial", sa.Integer, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("value", sa.String(40), nullable=True),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("inspector", sa.String(40), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)

final_checklists = sa.Table(
    "final_checklists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family", sa.String(40), nullable=False, index=True),
    sa.Column("document", JSONType, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("put_in_force_by", sa.String(40), nullable=False),
    sa.Column("put_in_force_at", UTCDateTime, nullable=False),
)

final_inspections = sa.Table(
    "final_inspections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("findings", JSONType, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("inspector", sa.String(40), nullable=False),
    sa.Column("inspected_at", UTCDateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("order_number", "attempt", name="uq_final_inspection_attempt"),
)


def plan_document(plan: InspectionPlan) -> dict[str, Any]:
    return {
        "family": plan.family,
        "operation": plan.operation,
        "name": plan.name,
        "sampling": plan.sampling.value,
        "sample_size": plan.sample_size,
        "characteristics": [
            {
                "code": c.code,
                "name": c.name,
                "unit": c.unit,
                "nominal": c.nominal,
                **({"lower": str(c.lower)} if c.lower is not None else {}),
                **({"upper": str(c.upper)} if c.upper is not None else {}),
            }
            for c in plan.characteristics
        ],
    }


class SqlQualityRepository(TrackingRepository[Inspection]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._stored: dict[int, int] = {}
        self._read_version: dict[int, int] = {}

    def plans(self) -> list[InspectionPlan]:
        rows = self.session.execute(
            sa.select(inspection_plans.c.document)
            .where(inspection_plans.c.active.is_(True))
            .order_by(inspection_plans.c.family, inspection_plans.c.operation)
        ).all()
        return [plan_from(dict(row.document), "stored plan") for row in rows]

    def replace_plans(self, plans: list[InspectionPlan], actor: str, at: dt.datetime) -> int:
        current = {(p.family, p.operation): plan_document(p) for p in self.plans()}
        changed = 0
        for plan in plans:
            document = plan_document(plan)
            if current.get((plan.family, plan.operation)) == document:
                continue
            self.session.execute(
                inspection_plans.update()
                .where(inspection_plans.c.family == plan.family)
                .where(inspection_plans.c.operation == plan.operation)
                .values(active=False)
            )
            self.session.execute(
                inspection_plans.insert().values(
                    family=plan.family,
                    operation=plan.operation,
                    document=document,
                    active=True,
                    put_in_force_by=actor,
                    put_in_force_at=at,
                )
            )
            changed += 1
        return changed

    def inspection(self, work_order: str, seq: int) -> Inspection | None:
        found = self._load((inspections.c.work_order == work_order) & (inspections.c.seq == seq))
        return self._track(found[0]) if found else None

    def inspections(self, work_order: str) -> list[Inspection]:
        return self._track_all(self._load(inspections.c.work_order == work_order))

    def add(self, inspection: Inspection) -> None:
        result = self.session.execute(
            inspections.insert().values(
                work_order=inspection.work_order,
                seq=inspection.seq,
                plan=plan_document(inspection.plan),
                quantity=inspection.quantity,
                spec=inspection.spec,
                **self._changing(inspection),
            )
        )
        inspection.id = inserted_id(result)
        self._stored[inspection.id] = 0
        self._read_version[inspection.id] = inspection.version
        self._insert_results(inspection)
        self._track(inspection)

    def save(self, inspection: Inspection) -> None:
        assert inspection.id is not None
        read = self._read_version.get(inspection.id, inspection.version)
        updated = self.session.execute(
            inspections.update()
            .where(inspections.c.id == inspection.id)
            .where(inspections.c.version == read)
            .values(**self._changing(inspection))
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict(
                f"The inspection of {inspection.key} was changed meanwhile. Reload and try again.",
                current_version=inspection.version,
            )
        self._read_version[inspection.id] = inspection.version
        self._insert_results(inspection)

    @staticmethod
    def _changing(inspection: Inspection) -> dict[str, Any]:
        return {
            "status": inspection.status.value,
            "accepted_by": inspection.accepted_by,
            "accepted_at": inspection.accepted_at,
            "acceptance_reason": inspection.acceptance_reason,
            "signature": inspection.signature,
            "version": inspection.version,
        }

    def _insert_results(self, inspection: Inspection) -> None:
        assert inspection.id is not None
        already = self._stored.get(inspection.id, 0)
        for r in inspection.results[already:]:
            self.session.execute(
                inspection_results.insert().values(
                    inspection_id=inspection.id,
                    characteristic=r.characteristic,
                    unit_serial=r.unit_serial,
                    passed=r.passed,
                    value=str(r.value) if r.value is not None else None,
                    unit=r.unit,
                    inspector=r.inspector,
                    recorded_at=r.recorded_at,
                    note=r.note,
                )
            )
        self._stored[inspection.id] = len(inspection.results)

    def _load(self, where: Any) -> list[Inspection]:
        rows = self.session.execute(
            sa.select(inspections).where(where).order_by(inspections.c.seq)
        ).all()
        ids = [row.id for row in rows]
        results: dict[int, list[Result]] = {i: [] for i in ids}
        if ids:
            for r in self.session.execute(
                sa.select(inspection_results)
                .where(inspection_results.c.inspection_id.in_(ids))
                .order_by(inspection_results.c.id)
            ):
                results[r.inspection_id].append(
                    Result(
                        characteristic=r.characteristic,
                        unit_serial=r.unit_serial,
                        passed=r.passed,
                        inspector=r.inspector,
                        recorded_at=r.recorded_at,
                        value=Decimal(r.value) if r.value is not None else None,
                        unit=r.unit,
                        note=r.note,
                    )
                )
        out = []
        for row in rows:
            inspection = Inspection(
                work_order=row.work_order,
                seq=row.seq,
                plan=plan_from(dict(row.plan), "stored inspection"),
                quantity=row.quantity,
                spec=dict(row.spec),
                results=results[row.id],
                status=InspectionStatus(row.status),
                accepted_by=row.accepted_by,
                accepted_at=row.accepted_at,
                acceptance_reason=row.acceptance_reason,
                signature=dict(row.signature),
                id=row.id,
                version=row.version,
            )
            self._stored[row.id] = len(inspection.results)
            self._read_version[row.id] = row.version
            out.append(inspection)
        return out


class SqlQualityGate:
    """Production's QUALITY_GATE, answered from the stored inspections."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._quality = SqlQualityRepository(session)

    def inspection_of(self, work_order: WorkOrder, seq: int) -> str | None:
        code = work_order.operation(seq).code
        if not any(
            p.family == work_order.product_family and p.operation == code
            for p in self._quality.plans()
        ):
            return None
        found = self._quality.inspection(work_order.number, seq)
        return (found.status if found is not None else InspectionStatus.OPEN).label

    def scrap_causes(self) -> dict[str, str]:
        return {c.code: c.label for c in SqlNcrRepository(self.session).causes() if c.active}

    def holding(self, work_order: str, seqs: Collection[int]) -> str | None:
        """An open NCR at one of `seqs`, or a failed inspection there that no rework or
        re-make was decided for (their added operations come first and are held by
        nothing: the re-inspection is checked when the NCR is closed)."""
        raised = SqlNcrRepository(self.session).at(work_order, seqs)
        open_ = [n for n in raised if n.holds]
        if open_:
            return (
                f"{open_[0].number} at operation {open_[0].seq} waits for quality's decision "
                "(its disposition)."
            )
        decided = {
            n.seq
            for n in raised
            if n.status in (NcrStatus.DISPOSITIONED, NcrStatus.CLOSED)
            and n.disposition is not None
            and n.disposition.kind in (DispositionKind.REWORK, DispositionKind.SCRAP)
        }
        failed = (
            self.session.execute(
                sa.select(inspections.c.seq)
                .where(inspections.c.work_order == work_order)
                .where(inspections.c.seq.in_(list(seqs)))
                .where(inspections.c.status == InspectionStatus.FAILED.value)
                .order_by(inspections.c.seq)
            )
            .scalars()
            .all()
        )
        failed = [s for s in failed if s not in decided]
        if not failed:
            return None
        names = ", ".join(str(s) for s in failed)
        return (
            f"the inspection at operation {names} failed; it waits for a re-inspection after "
            "rework, or for quality to accept the work as is."
        )


class SqlFinalInspections:
    """Final checklists (a retired one kept) and the attempts, each only ever inserted."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def checklists(self) -> dict[str, FinalChecklist]:
        rows = self.session.execute(
            sa.select(final_checklists.c.document)
            .where(final_checklists.c.active.is_(True))
            .order_by(final_checklists.c.family)
        ).all()
        found = [checklist_from(dict(row.document), "stored checklist") for row in rows]
        return {c.family: c for c in found}

    def replace_checklists(
        self, checklists: list[FinalChecklist], actor: str, at: dt.datetime
    ) -> int:
        current = {f: checklist_document(c) for f, c in self.checklists().items()}
        changed = 0
        for checklist in checklists:
            document = checklist_document(checklist)
            if current.get(checklist.family) == document:
                continue
            self.session.execute(
                final_checklists.update()
                .where(final_checklists.c.family == checklist.family)
                .values(active=False)
            )
            self.session.execute(
                final_checklists.insert().values(
                    family=checklist.family,
                    document=document,
                    active=True,
                    put_in_force_by=actor,
                    put_in_force_at=at,
                )
            )
            changed += 1
        return changed

    def attempts(self, order_number: str) -> list[FinalInspection]:
        rows = self.session.execute(
            sa.select(final_inspections)
            .where(final_inspections.c.order_number == order_number)
            .order_by(final_inspections.c.attempt)
        ).all()
        return [
            FinalInspection(
                order_number=row.order_number,
                attempt=row.attempt,
                findings=tuple(finding_from(dict(f)) for f in row.findings),
                passed=row.passed,
                inspector=row.inspector,
                inspected_at=row.inspected_at,
                note=row.note,
            )
            for row in rows
        ]

    def add(self, inspection: FinalInspection) -> None:
        self.session.execute(
            final_inspections.insert().values(
                order_number=inspection.order_number,
                attempt=inspection.attempt,
                findings=[f.document() for f in inspection.findings],
                passed=inspection.passed,
                inspector=inspection.inspector,
                inspected_at=inspection.inspected_at,
                note=inspection.note,
            )
        )


STORAGE = ContextStorage(
    name="quality",
    repositories={
        QUALITY.name: SqlQualityRepository,
        QUALITY_GATE.name: SqlQualityGate,
        FINAL_INSPECTIONS.name: SqlFinalInspections,
        NCRS.name: SqlNcrRepository,
    },
)

"""Nonconformance storage: quality's catalogue of defect causes, the NCRs, and their
dispositions. A disposition row is only ever inserted (the database refuses to change or
delete one): the decision, its rework steps and its signature stay as they were given."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import TrackingRepository, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.quality.ncr_domain import (
    DefectCause,
    Disposition,
    DispositionKind,
    NcrStatus,
    Nonconformance,
    Origin,
    ReturnToSupplier,
    ReworkStep,
)

defect_causes = sa.Table(
    "defect_causes",
    metadata,
    sa.Column("code", sa.String(20), primary_key=True),
    sa.Column("label", sa.String(80), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

ncrs = sa.Table(
    "ncrs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("work_order", sa.String(30), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("cause", sa.String(20), sa.ForeignKey("defect_causes.code"), nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),
    sa.Column("lot", sa.String(60), nullable=False),
    sa.Column("raised_by", sa.String(40), nullable=False),
    sa.Column("raised_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("closed_by", sa.String(40), nullable=True),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Column("closure_note", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

ncr_dispositions = sa.Table(
    "ncr_dispositions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ncr_id", sa.Integer, sa.ForeignKey("ncrs.id"), nullable=False, unique=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("decided_by", sa.String(40), nullable=False),
    sa.Column("decided_at", UTCDateTime, nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("signature", JSONType, nullable=False),
)


class SqlNcrRepository(TrackingRepository[Nonconformance]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._read_version: dict[int, int] = {}
        self._decided: set[int] = set()

    # -- the catalogue of causes ------------------------------------------------------

    def causes(self) -> list[DefectCause]:
        rows = self.session.execute(sa.select(defect_causes).order_by(defect_causes.c.code))
        return [DefectCause(r.code, r.label, r.active) for r in rows]

    def put_causes(self, causes: list[DefectCause]) -> int:
        current = {c.code: c for c in self.causes()}
        changed = 0
        for cause in causes:
            if current.get(cause.code) == cause:
                continue
            values = {"label": cause.label, "active": cause.active}
            if cause.code in current:
                self.session.execute(
                    defect_causes.update().where(defect_causes.c.code == cause.code).values(values)
                )
            else:
                self.session.execute(defect_causes.insert().values(code=cause.code, **values))
            changed += 1
        return changed

    # -- NCRs -------------------------------------------------------------------------

    def get(self, number: str) -> Nonconformance | None:
        found = self._load(ncrs.c.number == number)
        return self._track(found[0]) if found else None

    def find(
        self, *, work_order: str | None = None, status: NcrStatus | None = None, limit: int = 500
    ) -> list[Nonconformance]:
        where: Any = sa.true()
        if work_order is not None:
            where = where & (ncrs.c.work_order == work_order)
        if status is not None:
            where = where & (ncrs.c.status == status.value)
        return self._track_all(self._load(where, limit))

    def at(self, work_order: str, seqs: Collection[int]) -> list[Nonconformance]:
        return self._load((ncrs.c.work_order == work_order) & ncrs.c.seq.in_(list(seqs)))

    def add(self, ncr: Nonconformance) -> None:
        result = self.session.execute(
            ncrs.insert().values(
                number=ncr.number,
                work_order=ncr.work_order,
                seq=ncr.seq,
                quantity=ncr.quantity,
                description=ncr.description,
                cause=ncr.cause,
                origin=ncr.origin.value,
                lot=ncr.lot,
                raised_by=ncr.raised_by,
                raised_at=ncr.raised_at,
                **self._changing(ncr),
            )
        )
        ncr.id = inserted_id(result)
        self._read_version[ncr.id] = ncr.version
        self._track(ncr)

    def save(self, ncr: Nonconformance) -> None:
        assert ncr.id is not None
        read = self._read_version.get(ncr.id, ncr.version)
        updated = self.session.execute(
            ncrs.update()
            .where(ncrs.c.id == ncr.id)
            .where(ncrs.c.version == read)
            .values(**self._changing(ncr))
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict(
                f"{ncr.number} was changed meanwhile. Reload and try again.",
                current_version=ncr.version,
            )
        self._read_version[ncr.id] = ncr.version
        d = ncr.disposition
        if d is not None and ncr.id not in self._decided:
            self.session.execute(
                ncr_dispositions.insert().values(
                    ncr_id=ncr.id,
                    kind=d.kind.value,
                    decided_by=d.decided_by,
                    decided_at=d.decided_at,
                    data=d.data(),
                    signature=d.signature,
                )
            )
            self._decided.add(ncr.id)

    @staticmethod
    def _changing(ncr: Nonconformance) -> dict[str, Any]:
        return {
            "status": ncr.status.value,
            "closed_by": ncr.closed_by,
            "closed_at": ncr.closed_at,
            "closure_note": ncr.closure_note,
            "version": ncr.version,
        }

    def _load(self, where: Any, limit: int = 500) -> list[Nonconformance]:
        rows = self.session.execute(
            sa.select(ncrs, ncr_dispositions)
            .outerjoin(ncr_dispositions, ncr_dispositions.c.ncr_id == ncrs.c.id)
            .where(where)
            .order_by(ncrs.c.id.desc())
            .limit(limit)
        ).all()
        out = []
        for row in rows:
            m = row._mapping
            ncr = Nonconformance(
                number=m[ncrs.c.number],
                work_order=m[ncrs.c.work_order],
                seq=m[ncrs.c.seq],
                quantity=m[ncrs.c.quantity],
                description=m[ncrs.c.description],
                cause=m[ncrs.c.cause],
                origin=Origin(m[ncrs.c.origin]),
                raised_by=m[ncrs.c.raised_by],
                raised_at=m[ncrs.c.raised_at],
                lot=m[ncrs.c.lot],
                status=NcrStatus(m[ncrs.c.status]),
                disposition=_disposition(m) if m[ncr_dispositions.c.id] is not None else None,
                closed_by=m[ncrs.c.closed_by],
                closed_at=m[ncrs.c.closed_at],
                closure_note=m[ncrs.c.closure_note],
                id=m[ncrs.c.id],
                version=m[ncrs.c.version],
            )
            self._read_version[m[ncrs.c.id]] = ncr.version
            if ncr.disposition is not None:
                self._decided.add(m[ncrs.c.id])
            out.append(ncr)
        return out


def _disposition(m: Any) -> Disposition:
    data = dict(m[ncr_dispositions.c.data])
    returned = data.get("returned")
    return Disposition(
        kind=DispositionKind(m[ncr_dispositions.c.kind]),
        decided_by=m[ncr_dispositions.c.decided_by],
        decided_at=m[ncr_dispositions.c.decided_at],
        note=data.get("note", ""),
        rework=tuple(
            ReworkStep(s["work_centre"], int(s["minutes"]), s["instruction"])
            for s in data.get("rework", [])
        ),
        operations=tuple(int(s) for s in data.get("operations", [])),
        returned=ReturnToSupplier(**returned) if returned else None,
        signature=dict(m[ncr_dispositions.c.signature]),
    )

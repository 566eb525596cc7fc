"""Design storage: revisions and signatures on the shared metadata (ADR 0001).

Plain rows written with SQLAlchemy Core. A revision row changes only its state (and the
facts of its rejection or supersession); its content columns are written once. Signature
rows are only ever inserted: the signed record is the audit trail.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import (
    ContextStorage,
    TrackingRepository,
    inserted_id,
)
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.design.domain import DesignFile, DesignRevision, RevisionState, missing_for_order
from orderforge.design.ports import DESIGNS
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.domain.order import Order
from orderforge.domain.signatures import Capacity, Meaning, Signature
from orderforge.services.ports import DESIGN_GATE

design_revisions = sa.Table(
    "design_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("letter", sa.String(4), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("spec", JSONType, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    #: [{name, sha256, size, media_type}]: the files, by content in the file store
    sa.Column("files", JSONType, nullable=False),
    sa.Column("mockup_sha256", sa.String(64), nullable=True),
    sa.Column("required", JSONType, nullable=False),
    sa.Column("author_id", sa.Integer, nullable=False),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("author_username", sa.String(40), nullable=False),
    sa.Column("proposed_at", UTCDateTime, nullable=False),
    sa.Column("rejected_by", sa.String(200), nullable=True),
    sa.Column("rejected_at", UTCDateTime, nullable=True),
    sa.Column("rejection_comment", sa.Text, nullable=False),
    sa.Column("superseded_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    #: the engineering change that carried the revision, and whether its signature
    #: approved it (the order was released): written once, like the content
    sa.Column("change_number", sa.String(20), nullable=True),
    sa.Column("approved_by_change", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("order_number", "line_no", "letter", name="uq_design_revision"),
)

design_signatures = sa.Table(
    "design_signatures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "revision_id", sa.Integer, sa.ForeignKey("design_revisions.id"), nullable=False, index=True
    ),
    sa.Column("capacity", sa.String(20), nullable=False),
    sa.Column("meaning", sa.String(20), nullable=False),
    sa.Column("signer_id", sa.Integer, nullable=False),
    sa.Column("signer_username", sa.String(40), nullable=False),
    sa.Column("printed_name", sa.String(200), nullable=False),
    sa.Column("signer_role", sa.String(20), nullable=False),
    sa.Column("signed_at", UTCDateTime, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("seal", sa.String(64), nullable=False),
    sa.UniqueConstraint("revision_id", "capacity", name="uq_design_signature_capacity"),
)


def _file(data: dict[str, Any]) -> DesignFile:
    return DesignFile(data["name"], data["sha256"], int(data["size"]), data["media_type"])


def _signature(row: Any) -> Signature:
    return Signature(
        capacity=Capacity(row.capacity),
        meaning=Meaning(row.meaning),
        signer_id=row.signer_id,
        signer_username=row.signer_username,
        printed_name=row.printed_name,
        signer_role=row.signer_role,
        signed_at=row.signed_at,
        content_hash=row.content_hash,
        seal=row.seal,
    )


class SqlDesignRepository(TrackingRepository[DesignRevision]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        #: signatures already stored, per revision id: `save` inserts only the new ones
        self._stored_signatures: dict[int, int] = {}
        #: the version each revision had when read: `save` writes only over that one
        self._read_version: dict[int, int] = {}

    def add(self, revision: DesignRevision) -> None:
        result = self.session.execute(
            design_revisions.insert().values(
                order_number=revision.order_number,
                line_no=revision.line_no,
                letter=revision.letter,
                spec=revision.spec,
                notes=revision.notes,
                files=[f.__dict__ for f in revision.files],
                mockup_sha256=revision.mockup_sha256,
                required=[c.value for c in revision.required],
                author_id=revision.author_id,
                author_name=revision.author_name,
                author_username=revision.author_username,
                proposed_at=revision.proposed_at,
                change_number=revision.change_number,
                approved_by_change=revision.approved_by_change,
                **self._changing(revision),
            )
        )
        revision.id = inserted_id(result)
        self._stored_signatures[revision.id] = 0
        self._read_version[revision.id] = revision.version
        self._insert_signatures(revision)
        self._track(revision)

    def for_order(self, order_number: str) -> list[DesignRevision]:
        rows = self.session.execute(
            sa.select(design_revisions)
            .where(design_revisions.c.order_number == order_number)
            .order_by(design_revisions.c.line_no, design_revisions.c.id)
        ).all()
        return self._track_all(self._revisions(rows))

    def get(self, order_number: str, line_no: int, letter: str) -> DesignRevision | None:
        rows = self.session.execute(
            sa.select(design_revisions).where(
                design_revisions.c.order_number == order_number,
                design_revisions.c.line_no == line_no,
                design_revisions.c.letter == letter,
            )
        ).all()
        found = self._revisions(rows)
        return self._track(found[0]) if found else None

    def save(self, revision: DesignRevision) -> None:
        assert revision.id is not None
        read = self._read_version.get(revision.id, revision.version)
        if read == revision.version and len(revision.signatures) == self._stored_signatures.get(
            revision.id, 0
        ):
            return  # nothing changed
        updated = self.session.execute(
            design_revisions.update()
            .where(design_revisions.c.id == revision.id)
            .where(design_revisions.c.version == read)
            .values(**self._changing(revision))
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict(
                f"Revision {revision.letter} of {revision.order_number} line {revision.line_no} "
                "was changed by someone else meanwhile. Reload and try again.",
                current_version=revision.version,
            )
        self._read_version[revision.id] = revision.version
        self._insert_signatures(revision)

    # -- rows ------------------------------------------------------------------

    @staticmethod
    def _changing(revision: DesignRevision) -> dict[str, Any]:
        return {
            "state": revision.state.value,
            "rejected_by": revision.rejected_by,
            "rejected_at": revision.rejected_at,
            "rejection_comment": revision.rejection_comment,
            "superseded_at": revision.superseded_at,
            "version": revision.version,
        }

    def _insert_signatures(self, revision: DesignRevision) -> None:
        assert revision.id is not None
        already = self._stored_signatures.get(revision.id, 0)
        for signature in revision.signatures[already:]:
            self.session.execute(
                design_signatures.insert().values(
                    revision_id=revision.id,
                    capacity=signature.capacity.value,
                    meaning=signature.meaning.value,
                    signer_id=signature.signer_id,
                    signer_username=signature.signer_username,
                    printed_name=signature.printed_name,
                    signer_role=signature.signer_role,
                    signed_at=signature.signed_at,
                    content_hash=signature.content_hash,
                    seal=signature.seal,
                )
            )
        self._stored_signatures[revision.id] = len(revision.signatures)

    def _revisions(self, rows: Any) -> list[DesignRevision]:
        ids = [row.id for row in rows]
        signatures: dict[int, list[Signature]] = {i: [] for i in ids}
        if ids:
            for row in self.session.execute(
                sa.select(design_signatures)
                .where(design_signatures.c.revision_id.in_(ids))
                .order_by(design_signatures.c.id)
            ):
                signatures[row.revision_id].append(_signature(row))
        out = []
        for row in rows:
            revision = DesignRevision(
                order_number=row.order_number,
                line_no=row.line_no,
                letter=row.letter,
                state=RevisionState(row.state),
                spec=dict(row.spec),
                notes=row.notes,
                files=[_file(f) for f in row.files],
                mockup_sha256=row.mockup_sha256,
                required=tuple(Capacity(c) for c in row.required),
                author_id=row.author_id,
                author_name=row.author_name,
                author_username=row.author_username,
                proposed_at=row.proposed_at,
                signatures=signatures[row.id],
                rejected_by=row.rejected_by,
                rejected_at=row.rejected_at,
                rejection_comment=row.rejection_comment,
                superseded_at=row.superseded_at,
                change_number=row.change_number,
                approved_by_change=bool(row.approved_by_change),
                id=row.id,
                version=row.version,
            )
            self._stored_signatures[row.id] = len(revision.signatures)
            self._read_version[row.id] = row.version
            out.append(revision)
        return out


class SqlDesignGate:
    """The orders context's DESIGN_GATE, answered from the stored revisions."""

    def __init__(self, session: Session) -> None:
        self._designs = SqlDesignRepository(session)

    def missing_approvals(self, order: Order) -> list[str]:
        return missing_for_order(order, self._designs.for_order(order.number))


STORAGE = ContextStorage(
    name="design",
    repositories={DESIGNS.name: SqlDesignRepository, DESIGN_GATE.name: SqlDesignGate},
)

"""Change storage: engineering changes and their signatures on the shared metadata.

A change row keeps what was asked (order, origin, reason, lines) as written once; its state,
impact (until decided), decision and customer answer change. Signature rows are only ever
inserted. The database refuses to rewrite what was asked and to change a signature.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.change.domain import ChangeState, EngineeringChange, LineChange, Origin
from orderforge.change.ports import CHANGES
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.domain.signatures import Capacity, Meaning, Signature

engineering_changes = sa.Table(
    "engineering_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(20), nullable=False),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("origin", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("lines", JSONType, nullable=False),
    sa.Column("requested_by", sa.String(40), nullable=False),
    sa.Column("requested_by_name", sa.String(200), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("order_state", sa.String(30), nullable=False),
    sa.Column("impact", JSONType, nullable=False),
    sa.Column("impact_at", UTCDateTime, nullable=False),
    sa.Column("decided_by", sa.String(40), nullable=True),
    sa.Column("decided_at", UTCDateTime, nullable=True),
    sa.Column("decision_comment", sa.Text, nullable=False),
    sa.Column("applied", JSONType, nullable=False),
    sa.Column("customer_decided_by", sa.String(40), nullable=True),
    sa.Column("customer_decided_at", UTCDateTime, nullable=True),
    sa.Column("customer_comment", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("number", name="uq_engineering_change_number"),
)

engineering_change_signatures = sa.Table(
    "engineering_change_signatures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "change_id",
        sa.Integer,
        sa.ForeignKey("engineering_changes.id"),
        nullable=False,
        index=True,
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
)

_OPEN = (ChangeState.REQUESTED.value, ChangeState.AWAITING_CUSTOMER.value)


class SqlChangeRepository(TrackingRepository[EngineeringChange]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._stored_signatures: dict[int, int] = {}
        self._read_version: dict[int, int] = {}

    def add(self, change: EngineeringChange) -> None:
        result = self.session.execute(
            engineering_changes.insert().values(
                number=change.number,
                order_number=change.order_number,
                origin=change.origin.value,
                reason=change.reason,
                lines=[line.content() for line in change.lines],
                requested_by=change.requested_by,
                requested_by_name=change.requested_by_name,
                requested_at=change.requested_at,
                order_state=change.order_state,
                **self._changing(change),
            )
        )
        change.id = inserted_id(result)
        self._stored_signatures[change.id] = 0
        self._read_version[change.id] = change.version
        self._insert_signatures(change)
        self._track(change)

    def get(self, number: str) -> EngineeringChange | None:
        found = self._load(engineering_changes.c.number == number)
        return self._track(found[0]) if found else None

    def for_order(self, order_number: str) -> list[EngineeringChange]:
        return self._track_all(self._load(engineering_changes.c.order_number == order_number))

    def open_changes(self) -> list[EngineeringChange]:
        return self._track_all(self._load(engineering_changes.c.state.in_(_OPEN)))

    def save(self, change: EngineeringChange) -> None:
        assert change.id is not None
        read = self._read_version.get(change.id, change.version)
        if read == change.version and len(change.signatures) == self._stored_signatures.get(
            change.id, 0
        ):
            return
        updated = self.session.execute(
            engineering_changes.update()
            .where(engineering_changes.c.id == change.id)
            .where(engineering_changes.c.version == read)
            .values(**self._changing(change))
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict(
                f"{change.number} was changed by someone else meanwhile. Reload and try again.",
                current_version=change.version,
            )
        self._read_version[change.id] = change.version
        self._insert_signatures(change)

    @staticmethod
    def _changing(change: EngineeringChange) -> dict[str, Any]:
        return {
            "state": change.state.value,
            "impact": change.impact,
            "impact_at": change.impact_at,
            "decided_by": change.decided_by,
            "decided_at": change.decided_at,
            "decision_comment": change.decision_comment,
            "applied": change.applied,
            "customer_decided_by": change.customer_decided_by,
            "customer_decided_at": change.customer_decided_at,
            "customer_comment": change.customer_comment,
            "version": change.version,
        }

    def _insert_signatures(self, change: EngineeringChange) -> None:
        assert change.id is not None
        already = self._stored_signatures.get(change.id, 0)
        for s in change.signatures[already:]:
            self.session.execute(
                engineering_change_signatures.insert().values(
                    change_id=change.id,
                    capacity=s.capacity.value,
                    meaning=s.meaning.value,
                    signer_id=s.signer_id,
                    signer_username=s.signer_username,
                    printed_name=s.printed_name,
                    signer_role=s.signer_role,
                    signed_at=s.signed_at,
                    content_hash=s.content_hash,
                    seal=s.seal,
                )
            )
        self._stored_signatures[change.id] = len(change.signatures)

    def _load(self, where: Any) -> list[EngineeringChange]:
        rows = self.session.execute(
            sa.select(engineering_changes).where(where).order_by(engineering_changes.c.id)
        ).all()
        ids = [row.id for row in rows]
        signatures: dict[int, list[Signature]] = {i: [] for i in ids}
        if ids:
            for row in self.session.execute(
                sa.select(engineering_change_signatures)
                .where(engineering_change_signatures.c.change_id.in_(ids))
                .order_by(engineering_change_signatures.c.id)
            ):
                signatures[row.change_id].append(
                    Signature(
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
                )
        out = []
        for row in rows:
            change = EngineeringChange(
                number=row.number,
                order_number=row.order_number,
                state=ChangeState(row.state),
                origin=Origin(row.origin),
                reason=row.reason,
                lines=[LineChange.from_content(line) for line in row.lines],
                requested_by=row.requested_by,
                requested_by_name=row.requested_by_name,
                requested_at=row.requested_at,
                order_state=row.order_state,
                impact=dict(row.impact),
                impact_at=row.impact_at,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                decision_comment=row.decision_comment,
                signatures=signatures[row.id],
                applied=dict(row.applied),
                customer_decided_by=row.customer_decided_by,
                customer_decided_at=row.customer_decided_at,
                customer_comment=row.customer_comment,
                id=row.id,
                version=row.version,
            )
            self._stored_signatures[row.id] = len(change.signatures)
            self._read_version[row.id] = row.version
            out.append(change)
        return out


STORAGE = ContextStorage(name="change", repositories={CHANGES.name: SqlChangeRepository})

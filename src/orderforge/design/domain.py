"""Design revisions of an order line, and the electronic signatures that approve them.

For a made-to-order product the approved design is the contract, and for a medical device
it is a record an auditor reads. So a revision never changes once proposed (a new letter
supersedes it), and a signature is bound to the exact content it approved: the content
hash covers the revision's identity, the spec it was drawn from, its notes, its files'
digests and the mock-up, so the signature cannot be moved to another record and fails
verification if any of that changes (21 CFR 11.70). Each signature keeps the signer's
printed name, the UTC time and its meaning (11.50).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent, notify
from orderforge.domain.order import Order, OrderLine
from orderforge.domain.signatures import Capacity, Signature, Signer, canonical
from orderforge.domain.text import check_text

MAX_NOTES = 5000
MAX_COMMENT = 2000
MAX_FILES = 10


class RevisionState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            RevisionState.PROPOSED: "Awaiting approval",
            RevisionState.APPROVED: "Approved",
            RevisionState.REJECTED: "Rejected",
            RevisionState.SUPERSEDED: "Superseded",
        }[self]


@dataclass(frozen=True)
class DesignFile:
    """A document attached to a revision: kept by content in the file store."""

    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(eq=False)
class DesignRevision:
    """Revision `letter` of the design of one order line."""

    order_number: str
    line_no: int
    letter: str
    state: RevisionState
    #: What the revision shows: family, catalogue version, spec and quantity of the line
    #: when it was drawn, so a later change of the line does not change what was signed.
    spec: dict[str, Any]
    notes: str
    files: list[DesignFile]
    #: The drawing generated from the spec (SVG, kept in the file store), if any.
    mockup_sha256: str | None
    required: tuple[Capacity, ...]
    author_id: int
    author_name: str
    author_username: str
    proposed_at: dt.datetime
    signatures: list[Signature] = field(default_factory=list)
    rejected_by: str | None = None
    rejected_at: dt.datetime | None = None
    rejection_comment: str = ""
    superseded_at: dt.datetime | None = None
    #: the engineering change (ECR number) that carried this revision, if one did
    change_number: str | None = None
    #: the order was already released when the change was asked for: the change's signed
    #: approval (ECO) is the authority, so the revision needs no signatures of its own
    approved_by_change: bool = False
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    # -- queries -------------------------------------------------------------

    @property
    def key(self) -> str:
        """The record's identity, part of what every signature is bound to."""
        return f"{self.order_number}/line-{self.line_no}/rev-{self.letter}"

    def content(self) -> dict[str, Any]:
        content: dict[str, Any] = {
            "record": self.key,
            "spec": self.spec,
            "notes": self.notes,
            "files": [[f.name, f.sha256, f.size, f.media_type] for f in self.files],
            "mockup_sha256": self.mockup_sha256,
            "required": [c.value for c in self.required],
            "author_id": self.author_id,
            "proposed_at": self.proposed_at.astimezone(dt.UTC).isoformat(),
        }
        if self.change_number is not None:
            # only revisions from a change carry it, so older records hash as they did
            content["change"] = {
                "number": self.change_number,
                "approved_by_change": self.approved_by_change,
            }
        return content

    def content_hash(self) -> str:
        return hashlib.sha256(canonical(self.content())).hexdigest()

    def missing(self) -> list[Capacity]:
        """The approvals still to be given, in the catalogue's order."""
        if self.approved_by_change:
            return []
        signed = {s.capacity for s in self.signatures}
        return [c for c in self.required if c not in signed]

    def open(self) -> bool:
        return self.state is RevisionState.PROPOSED

    # -- commands ------------------------------------------------------------

    def refusal_to_sign(self, capacity: Capacity, signer: Signer) -> str | None:
        """Why `signer` may not sign in `capacity` now, or None."""
        if self.state is not RevisionState.PROPOSED:
            return (
                f"Revision {self.letter} of {self.order_number} line {self.line_no} is "
                f"{self.state.label.lower()}: only a revision awaiting approval can be signed."
            )
        if capacity not in self.required:
            needed = ", ".join(c.label.lower() for c in self.required)
            return (
                f"Revision {self.letter} does not need {capacity.label.lower()} "
                f"(it needs {needed})."
            )
        if capacity not in self.missing():
            return f"Revision {self.letter} already has its {capacity.label.lower()}."
        if capacity is Capacity.ENGINEERING and signer.user_id == self.author_id:
            return (
                f"{signer.printed_name} proposed revision {self.letter}: the engineering "
                "approval must come from another engineer."
            )
        return None

    def sign(self, signature: Signature) -> None:
        refusal = self.refusal_to_sign(
            signature.capacity,
            Signer(
                signature.signer_id,
                signature.signer_username,
                signature.printed_name,
                signature.signer_role,
            ),
        )
        if refusal is not None:
            raise IllegalTransition(refusal)
        if signature.content_hash != self.content_hash():
            raise IllegalTransition("The signature was made for other content.")
        self.signatures.append(signature)
        self.version += 1
        if not self.missing():
            self.state = RevisionState.APPROVED
        self._record(
            "design_revision_signed",
            signature.signer_username,
            signature.signed_at,
            {
                "capacity": signature.capacity.value,
                "meaning": signature.meaning.value,
                "signer": signature.printed_name,
                "approved": self.state is RevisionState.APPROVED,
                "awaiting": [c.label for c in self.missing()],
                "notify": notify(
                    users=[self.author_username], roles=["sales"], exclude=signature.signer_username
                ),
            },
        )

    def reject(
        self, *, by: str, by_name: str, capacity: Capacity, comment: str, at: dt.datetime
    ) -> None:
        comment = check_text(comment, "comment").strip()
        if not comment:
            raise InvalidInput(
                "Say what must change: the engineer draws the next revision from it.",
                field="comment",
            )
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(
                f"A comment must be at most {MAX_COMMENT} characters.", field="comment"
            )
        if self.state is not RevisionState.PROPOSED:
            raise IllegalTransition(
                f"Revision {self.letter} of {self.order_number} line {self.line_no} is "
                f"{self.state.label.lower()}: only a revision awaiting approval can be rejected."
            )
        if capacity not in self.required:
            raise IllegalTransition(
                f"Revision {self.letter} is not waiting for {capacity.label.lower()}."
            )
        self.state = RevisionState.REJECTED
        self.rejected_by, self.rejected_at, self.rejection_comment = by_name, at, comment
        self.version += 1
        self._record(
            "design_revision_rejected",
            by,
            at,
            {
                "comment": comment,
                "by": by_name,
                "capacity": capacity.value,
                "notify": notify(users=[self.author_username], roles=["sales"], exclude=by),
            },
        )

    def supersede(self, by_letter: str, *, actor: str, at: dt.datetime) -> None:
        if self.state is RevisionState.SUPERSEDED:
            return
        before = self.state
        self.state = RevisionState.SUPERSEDED
        self.superseded_at = at
        self.version += 1
        self._record(
            "design_revision_superseded",
            actor,
            at,
            {"by": by_letter, "was": before.value},
        )

    def _record(self, kind: str, actor: str, at: dt.datetime, data: dict[str, Any]) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate="order",
                aggregate_key=self.order_number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data={
                    "order": self.order_number,
                    "line_no": self.line_no,
                    "revision": self.letter,
                    "author": self.author_username,
                    **data,
                },
            )
        )


def next_letter(existing: list[str]) -> str:
    """A, B, ... Z, then AA, AB, ...: the drawing-office convention for revisions."""
    if not existing:
        return "A"
    latest = max(existing, key=lambda s: (len(s), s))
    letters = list(latest)
    i = len(letters) - 1
    while i >= 0:
        if letters[i] != "Z":
            letters[i] = string.ascii_uppercase[string.ascii_uppercase.index(letters[i]) + 1]
            return "".join(letters)
        letters[i] = "A"
        i -= 1
    return "A" + "".join(letters)


def line_spec(line: OrderLine, family_name: str) -> dict[str, Any]:
    """What a revision is drawn for: the line's family, catalogue version, quantity and
    options, as the revision keeps (and its signature covers) them."""
    return {
        "family": line.product_family,
        "family_name": family_name,
        "catalogue_version": line.catalogue_version,
        "quantity": line.quantity,
        "options": dict(line.spec),
    }


def propose(
    *,
    order_number: str,
    line_no: int,
    earlier: list[DesignRevision],
    spec: dict[str, Any],
    notes: str,
    files: list[DesignFile],
    mockup_sha256: str | None,
    required: tuple[Capacity, ...],
    author: Signer,
    at: dt.datetime,
    change_number: str | None = None,
    approved_by_change: bool = False,
) -> DesignRevision:
    """A new revision of the line; the open or approved one before it is superseded.

    A revision carried by an engineering change names it; when the order was already
    released, the change's signature is the approval (`approved_by_change`) and the
    revision is approved as it is made."""
    notes = check_text(notes, "notes").strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInput(f"Notes must be at most {MAX_NOTES} characters.", field="notes")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
    names = [f.name.lower() for f in files]
    if len(set(names)) != len(names):
        raise InvalidInput("Two files have the same name.", field="files")
    if not required:
        raise InvalidInput("A revision needs at least one approval.", field="required")
    if approved_by_change and change_number is None:
        raise InvalidInput(
            "Only a signed engineering change approves a revision without its own signatures.",
            field="change",
        )
    letter = next_letter([r.letter for r in earlier])
    revision = DesignRevision(
        order_number=order_number,
        line_no=line_no,
        letter=letter,
        state=RevisionState.APPROVED if approved_by_change else RevisionState.PROPOSED,
        spec=spec,
        notes=notes,
        files=list(files),
        mockup_sha256=mockup_sha256,
        required=required,
        author_id=author.user_id,
        author_name=author.printed_name,
        author_username=author.username,
        proposed_at=at.astimezone(dt.UTC).replace(microsecond=0),
        change_number=change_number,
        approved_by_change=approved_by_change,
    )
    for old in earlier:
        if old.state in (RevisionState.PROPOSED, RevisionState.APPROVED):
            old.supersede(letter, actor=author.username, at=at)
    awaiting = revision.missing()
    revision._record(
        "design_revision_proposed",
        author.username,
        at,
        {
            "author_name": author.printed_name,
            "awaiting": [c.label for c in awaiting],
            "files": [f.name for f in files],
            **({"change": change_number} if change_number else {}),
            **({"approved_by_change": True} if approved_by_change else {}),
            "notify": notify(
                roles=[_ROLE_OF[c] for c in awaiting if c is not Capacity.CUSTOMER],
                customer=Capacity.CUSTOMER in awaiting,
                exclude=author.username,
            ),
        },
    )
    return revision


#: Who is told that a revision awaits an approval in each capacity.
_ROLE_OF = {
    Capacity.ENGINEERING: "engineer",
    Capacity.QUALITY: "quality",
    Capacity.CUSTOMER: "sales",
}


def current_revisions(revisions: list[DesignRevision]) -> dict[int, DesignRevision]:
    """The latest revision of each line (the one that counts), by line number."""
    latest: dict[int, DesignRevision] = {}
    for revision in revisions:
        best = latest.get(revision.line_no)
        if best is None or (len(revision.letter), revision.letter) > (
            len(best.letter),
            best.letter,
        ):
            latest[revision.line_no] = revision
    return latest


def missing_for_order(order: Order, revisions: list[DesignRevision]) -> list[str]:
    """What keeps the order from production, line by line, in words; empty when the
    current revision of every line is approved."""
    current = current_revisions(revisions)
    missing: list[str] = []
    for line in order.lines:
        revision = current.get(line.line_no)
        name = f"line {line.line_no} ({line.product_family.lower().replace('-', ' ')})"
        if revision is None:
            missing.append(f"{name.capitalize()} has no design revision yet.")
        elif not drawn_for(revision, line.spec, line.quantity):
            missing.append(
                f"{name.capitalize()}: revision {revision.letter} was drawn for the spec "
                "before a change; a new revision must be proposed for the spec as it is now."
            )
        elif revision.state is RevisionState.REJECTED:
            missing.append(
                f"{name.capitalize()}: revision {revision.letter} was rejected; "
                "a new revision must be proposed."
            )
        elif revision.state is RevisionState.PROPOSED:
            needed = ", ".join(c.label.lower() for c in revision.missing())
            missing.append(f"{name.capitalize()}: revision {revision.letter} still needs {needed}.")
    return missing


def drawn_for(revision: DesignRevision, spec: dict[str, str], quantity: int) -> bool:
    """Whether the revision shows the line as it stands (an engineering change of the
    spec or quantity leaves the revisions drawn before it behind)."""
    drawn = revision.spec
    return dict(drawn.get("options", {})) == dict(spec) and drawn.get("quantity") == quantity

"""What people see of an order's design: plain data the API, CLI and pages render.

Every signature is shown with the signer's printed name, the UTC date and time and its
meaning (21 CFR 11.50), and whether it still verifies against the stored content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from orderforge.design.domain import (
    DesignRevision,
    RevisionState,
    current_revisions,
    missing_for_order,
)
from orderforge.domain.order import Order, OrderState
from orderforge.domain.permissions import Resource, is_allowed
from orderforge.domain.signatures import Capacity, Signature
from orderforge.domain.user import Role
from orderforge.services.ports import Principal

SealCheck = Callable[[DesignRevision, Signature], bool]

#: Which role signs in which capacity (sales records the customer's decision only for a
#: customer with no portal user of its own).
CAPACITY_OF_ROLE: dict[Role, Capacity] = {
    Role.CUSTOMER: Capacity.CUSTOMER,
    Role.SALES: Capacity.CUSTOMER,
    Role.ENGINEER: Capacity.ENGINEERING,
    Role.QUALITY: Capacity.QUALITY,
}


@dataclass(frozen=True)
class SignatureView:
    capacity: str
    meaning: str
    printed_name: str
    signer_role: str
    signed_at: dt.datetime
    #: the content hash and seal still match the stored revision
    verified: bool

    @property
    def signed_at_text(self) -> str:
        return self.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class FileView:
    index: int
    name: str
    size: int
    media_type: str

    @property
    def size_text(self) -> str:
        if self.size < 1024:
            return f"{self.size} bytes"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} KB"
        return f"{self.size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class RevisionView:
    letter: str
    state: str
    state_label: str
    notes: str
    author_name: str
    proposed_at: dt.datetime
    files: tuple[FileView, ...]
    has_mockup: bool
    required: tuple[str, ...]
    missing: tuple[str, ...]
    signatures: tuple[SignatureView, ...]
    rejected_by: str | None
    rejected_at: dt.datetime | None
    rejection_comment: str
    content_hash: str
    current: bool
    #: the engineering change (ECR) that carried the revision, if one did
    change_number: str | None
    #: approved by that change's signature (the order was already released)
    approved_by_change: bool
    #: what the viewer may do with it now
    can_sign: bool
    can_reject: bool


@dataclass(frozen=True)
class LineDesign:
    line_no: int
    family: str
    family_name: str
    quantity: int
    revisions: tuple[RevisionView, ...]
    can_propose: bool
    #: where the line's prototype stands, when its family asks for one (staff only)
    prototype: PrototypeView | None = None


@dataclass(frozen=True)
class PrototypeView:
    """The line's prototype in words, and whether the viewer may make one now."""

    work_order: str | None
    design_revision: str | None
    passed: bool
    words: str
    can_make: bool


@dataclass(frozen=True)
class DesignView:
    number: str
    state: str
    design_approved: bool
    #: why the order may not be released yet, in words (empty: it may)
    blockers: tuple[str, ...]
    lines: tuple[LineDesign, ...]
    #: the capacity the viewer signs in, in words, or None
    signs_as: str | None


@dataclass(frozen=True)
class RevisionCheck:
    record: str
    content_hash: str
    signatures: int
    valid: bool
    problems: tuple[str, ...]


def _signature(
    revision: DesignRevision, signature: Signature, content_hash: str, check: SealCheck
) -> SignatureView:
    return SignatureView(
        capacity=signature.capacity.label,
        meaning=signature.meaning.label,
        printed_name=signature.printed_name,
        signer_role=signature.signer_role,
        signed_at=signature.signed_at,
        verified=signature.content_hash == content_hash and check(revision, signature),
    )


def design_view(
    order: Order,
    revisions: list[DesignRevision],
    actor: Principal,
    check: SealCheck,
    customer_has_portal: bool,
    family_names: dict[str, str],
) -> DesignView:
    current = current_revisions(revisions)
    capacity = CAPACITY_OF_ROLE.get(actor.role)
    if actor.role is Role.SALES and customer_has_portal:
        capacity = None
    may_sign = is_allowed(actor.role, Resource.DESIGN, "sign") and capacity is not None
    may_decide = is_allowed(actor.role, Resource.DESIGN, "decide") and capacity is not None
    may_propose = is_allowed(actor.role, Resource.DESIGN, "propose") and order.state in (
        OrderState.PLANNED,
        OrderState.AWAITING_DESIGN_APPROVAL,
    )
    lines = []
    for line in order.lines:
        views = []
        for revision in (r for r in revisions if r.line_no == line.line_no):
            content_hash = revision.content_hash()
            waiting = revision.state is RevisionState.PROPOSED and capacity in revision.missing()
            four_eyes = not (
                capacity is Capacity.ENGINEERING and revision.author_id == actor.user_id
            )
            views.append(
                RevisionView(
                    letter=revision.letter,
                    state=revision.state.value,
                    state_label=revision.state.label,
                    notes=revision.notes,
                    author_name=revision.author_name,
                    proposed_at=revision.proposed_at,
                    files=tuple(
                        FileView(i, f.name, f.size, f.media_type)
                        for i, f in enumerate(revision.files)
                    ),
                    has_mockup=revision.mockup_sha256 is not None,
                    required=tuple(c.label for c in revision.required),
                    missing=tuple(c.label for c in revision.missing()),
                    signatures=tuple(
                        _signature(revision, s, content_hash, check) for s in revision.signatures
                    ),
                    rejected_by=revision.rejected_by,
                    rejected_at=revision.rejected_at,
                    rejection_comment=revision.rejection_comment,
                    content_hash=content_hash,
                    current=current.get(line.line_no) is revision,
                    change_number=revision.change_number,
                    approved_by_change=revision.approved_by_change,
                    can_sign=may_sign and waiting and four_eyes,
                    can_reject=may_decide and waiting,
                )
            )
        lines.append(
            LineDesign(
                line_no=line.line_no,
                family=line.product_family,
                family_name=family_names.get(line.product_family, line.product_family),
                quantity=line.quantity,
                revisions=tuple(views),
                can_propose=may_propose,
            )
        )
    return DesignView(
        number=order.number,
        state=order.state.value,
        design_approved=order.design_approved_at is not None,
        blockers=tuple(missing_for_order(order, revisions)),
        lines=tuple(lines),
        signs_as=capacity.label if capacity is not None and may_sign else None,
    )

"""Engineering change: a request to change a confirmed order (ECR), its impact, and the
signed decision that applies it (ECO).

A change is where a made-to-order shop loses the most money: work already done may be
scrapped, material bought for the old spec may be left over, and the date and the price
move. So a change is a record of its own, not an edit of the order: what was asked and by
whom, the impact as the people deciding saw it, the engineering decision with an
electronic signature bound to exactly that content (the signer saw this price and this
date), and the customer's acceptance of the new date and price. The record never loses
what it said: a refreshed impact replaces the figures before the decision, never after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent, notify
from orderforge.domain.signatures import Signature, Signer, canonical
from orderforge.domain.text import check_text

AGGREGATE = "engineering_change"
MAX_REASON = 2000


class ChangeState(StrEnum):
    #: asked for; the impact is shown; engineering decides
    REQUESTED = "requested"
    #: signed and applied; the customer is asked to accept the new date and price
    AWAITING_CUSTOMER = "awaiting_customer"
    #: applied, and accepted by the customer (or nothing for the customer to accept)
    ACCEPTED = "accepted"
    #: applied, but the customer did not accept: the order is held until sales settles it
    DECLINED = "declined"
    #: engineering said no: the order goes on as it was
    REJECTED = "rejected"
    #: the requester took it back before the decision
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            ChangeState.REQUESTED: "Awaiting the engineering decision",
            ChangeState.AWAITING_CUSTOMER: "Approved; awaiting the customer's acceptance",
            ChangeState.ACCEPTED: "Approved and accepted",
            ChangeState.DECLINED: "Declined by the customer",
            ChangeState.REJECTED: "Rejected by engineering",
            ChangeState.WITHDRAWN: "Withdrawn",
        }[self]

    @property
    def open(self) -> bool:
        return self in (ChangeState.REQUESTED, ChangeState.AWAITING_CUSTOMER)


class Origin(StrEnum):
    """Who asked: it decides who is told and whose acceptance the outcome needs."""

    CUSTOMER = "customer"
    SALES = "sales"
    ENGINEERING = "engineering"
    PRODUCTION = "production"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class CarriedFile:
    """A document the change carries, kept by content in the file store."""

    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class CarriedRevision:
    """The design revision a change proposes for a line: its notes, its documents and the
    mock-up drawn from the spec the change asks for. Approval makes it the line's next
    revision; the signature covers these digests, so the approver signs what they saw."""

    notes: str
    files: tuple[CarriedFile, ...]
    mockup_sha256: str | None

    def content(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "files": [[f.name, f.sha256, f.size, f.media_type] for f in self.files],
            "mockup_sha256": self.mockup_sha256,
        }

    @classmethod
    def from_content(cls, data: dict[str, Any]) -> CarriedRevision:
        return cls(
            notes=data["notes"],
            files=tuple(CarriedFile(n, h, int(z), m) for n, h, z, m in data["files"]),
            mockup_sha256=data["mockup_sha256"],
        )


@dataclass(frozen=True)
class LineChange:
    """One order line as it is and as the change would make it (configured and priced
    by the configurator, never by the requester)."""

    line_no: int
    product_family: str
    old_spec: dict[str, str]
    new_spec: dict[str, str]
    old_quantity: int
    new_quantity: int
    old_unit_price: str | None
    new_unit_price: str | None
    old_catalogue_version: int | None
    new_catalogue_version: int | None
    #: the design revision the change carries for the line, if any
    design: CarriedRevision | None = None

    def content(self) -> dict[str, Any]:
        content: dict[str, Any] = {
            "line_no": self.line_no,
            "product_family": self.product_family,
            "old_spec": dict(sorted(self.old_spec.items())),
            "new_spec": dict(sorted(self.new_spec.items())),
            "old_quantity": self.old_quantity,
            "new_quantity": self.new_quantity,
            "old_unit_price": self.old_unit_price,
            "new_unit_price": self.new_unit_price,
            "old_catalogue_version": self.old_catalogue_version,
            "new_catalogue_version": self.new_catalogue_version,
        }
        if self.design is not None:
            # only a change that carries a revision has the key: older records hash as before
            content["design"] = self.design.content()
        return content

    @classmethod
    def from_content(cls, data: dict[str, Any]) -> LineChange:
        return cls(
            line_no=int(data["line_no"]),
            product_family=data["product_family"],
            old_spec=dict(data["old_spec"]),
            new_spec=dict(data["new_spec"]),
            old_quantity=int(data["old_quantity"]),
            new_quantity=int(data["new_quantity"]),
            old_unit_price=data["old_unit_price"],
            new_unit_price=data["new_unit_price"],
            old_catalogue_version=data["old_catalogue_version"],
            new_catalogue_version=data["new_catalogue_version"],
            design=(CarriedRevision.from_content(data["design"]) if data.get("design") else None),
        )

    @property
    def respecced(self) -> bool:
        """The spec or the quantity changes (work is planned again); a change may carry
        only a new design revision."""
        return self.old_spec != self.new_spec or self.old_quantity != self.new_quantity

    @property
    def changed(self) -> bool:
        return self.respecced or self.design is not None

    def changed_options(self) -> list[str]:
        keys = set(self.old_spec) | set(self.new_spec)
        return sorted(k for k in keys if self.old_spec.get(k) != self.new_spec.get(k))


@dataclass(eq=False)
class EngineeringChange:
    """ECR-yyyy-nnnn: one requested change of one order, from request to acceptance."""

    number: str
    order_number: str
    state: ChangeState
    origin: Origin
    reason: str
    lines: list[LineChange]
    requested_by: str
    requested_by_name: str
    requested_at: dt.datetime
    #: the order's state when the change was asked for (where it returns to)
    order_state: str
    #: the impact analysis as last computed (see services.impact): what deciders see
    impact: dict[str, Any]
    impact_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_comment: str = ""
    signatures: list[Signature] = field(default_factory=list)
    #: filled when applied: the promise before and after, the work orders made, the run
    applied: dict[str, Any] = field(default_factory=dict)
    customer_decided_by: str | None = None
    customer_decided_at: dt.datetime | None = None
    customer_comment: str = ""
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def request(
        cls,
        *,
        number: str,
        order_number: str,
        order_state: str,
        origin: Origin,
        reason: str,
        lines: list[LineChange],
        impact: dict[str, Any],
        requester: Signer,
        at: dt.datetime,
    ) -> EngineeringChange:
        reason = _text(reason, "reason")
        if not reason:
            raise InvalidInput(
                "Say what should change and why: the engineers decide from it.", field="reason"
            )
        changed = [line for line in lines if line.changed]
        if not changed:
            raise InvalidInput(
                "The change asks for nothing new: every line has the spec and quantity it "
                "already has, and no new design revision is carried.",
                field="lines",
            )
        numbers = [line.line_no for line in changed]
        if len(set(numbers)) != len(numbers):
            raise InvalidInput("Each line may be changed once per request.", field="lines")
        change = cls(
            number=number,
            order_number=order_number,
            state=ChangeState.REQUESTED,
            origin=origin,
            reason=reason,
            lines=sorted(changed, key=lambda line: line.line_no),
            requested_by=requester.username,
            requested_by_name=requester.printed_name,
            requested_at=at,
            order_state=order_state,
            impact=impact,
            impact_at=at,
        )
        change._record(
            "change_requested",
            requester.username,
            at,
            order=order_number,
            origin=origin.value,
            lines=[line.line_no for line in change.lines],
            reason=reason,
            notify=notify(roles=["engineer", "sales"], exclude=requester.username),
        )
        return change

    # -- queries -------------------------------------------------------------

    @property
    def key(self) -> str:
        return f"{self.number}/{self.order_number}"

    def content(self) -> dict[str, Any]:
        """What a signature approves: the request and the impact figures its signer saw
        (a refreshed impact is new content, and an old signature would not verify)."""
        return {
            "number": self.number,
            "order_number": self.order_number,
            "origin": self.origin.value,
            "reason": self.reason,
            "requested_by": self.requested_by,
            "requested_at": self.requested_at.astimezone(dt.UTC).isoformat(),
            "lines": [line.content() for line in self.lines],
            "impact": self.impact,
        }

    def content_hash(self) -> str:
        return hashlib.sha256(canonical(self.content())).hexdigest()

    def refusal_to_decide(self, signer: Signer) -> str | None:
        if self.state is not ChangeState.REQUESTED:
            return f"{self.number} is {self.state.label.lower()}: it has been decided already."
        if signer.username == self.requested_by:
            return (
                f"{signer.printed_name} asked for {self.number}; another engineer decides it "
                "(four eyes)."
            )
        return None

    # -- commands ------------------------------------------------------------

    def refresh_impact(self, impact: dict[str, Any], *, actor: str, at: dt.datetime) -> None:
        """The plant moved on (a new plan, a receipt): the impact is computed again
        before anyone decides; after the decision it is a record and stays."""
        if self.state is not ChangeState.REQUESTED:
            raise IllegalTransition(
                f"{self.number} is {self.state.label.lower()}: its impact is the record of "
                "what was decided and is not computed again."
            )
        if impact == self.impact:
            return
        self.impact, self.impact_at = impact, at
        self._touch("change_impact_refreshed", actor, at)

    def approve(
        self,
        signature: Signature,
        *,
        applied: dict[str, Any],
        customer_must_accept: bool,
        comment: str,
        at: dt.datetime,
    ) -> None:
        """Engineering's signed approval; the caller has applied the change (`applied`
        says what it did). The customer accepts the new date and price next, unless
        neither changed for them."""
        refusal = self.refusal_to_decide(
            Signer(
                signature.signer_id,
                signature.signer_username,
                signature.printed_name,
                signature.signer_role,
            )
        )
        if refusal is not None:
            raise IllegalTransition(refusal)
        if signature.content_hash != self.content_hash():
            raise IllegalTransition(
                f"The signature is for other content than {self.number} as it stands."
            )
        self.signatures.append(signature)
        self.decided_by, self.decided_at = signature.signer_username, at
        self.decision_comment = _text(comment, "comment")
        self.applied = applied
        self.state = ChangeState.AWAITING_CUSTOMER if customer_must_accept else ChangeState.ACCEPTED
        self._touch(
            "change_approved",
            signature.signer_username,
            at,
            signed_by=signature.printed_name,
            meaning=signature.meaning.value,
            applied=applied,
            notify=notify(
                users=[self.requested_by],
                roles=["sales", "planner"],
                customer=customer_must_accept,
                exclude=signature.signer_username,
            ),
        )

    def reject(self, signer: Signer, *, comment: str, at: dt.datetime) -> None:
        refusal = self.refusal_to_decide(signer)
        if refusal is not None:
            raise IllegalTransition(refusal)
        comment = _text(comment, "comment")
        if not comment:
            raise InvalidInput(
                "Say why the change is rejected: the requester needs it.", field="comment"
            )
        self.state = ChangeState.REJECTED
        self.decided_by, self.decided_at, self.decision_comment = signer.username, at, comment
        self._touch(
            "change_rejected",
            signer.username,
            at,
            comment=comment,
            notify=notify(
                users=[self.requested_by],
                roles=["sales"],
                customer=self.origin is Origin.CUSTOMER,
                exclude=signer.username,
            ),
        )

    def withdraw(self, *, actor: str, at: dt.datetime, comment: str) -> None:
        if self.state is not ChangeState.REQUESTED:
            raise IllegalTransition(
                f"{self.number} is {self.state.label.lower()}: only a change not yet decided "
                "can be withdrawn."
            )
        self.state = ChangeState.WITHDRAWN
        self.decided_by, self.decided_at = actor, at
        self.decision_comment = _text(comment, "comment")
        self._touch(
            "change_withdrawn",
            actor,
            at,
            comment=self.decision_comment,
            notify=notify(roles=["engineer"], exclude=actor),
        )

    def customer_decision(self, *, accept: bool, actor: str, at: dt.datetime, comment: str) -> None:
        if self.state is not ChangeState.AWAITING_CUSTOMER:
            raise IllegalTransition(
                f"{self.number} is {self.state.label.lower()}: there is no new date and "
                "price waiting for the customer's answer."
            )
        comment = _text(comment, "comment")
        if not accept and not comment:
            raise InvalidInput(
                "Say why the new date or price does not suit: sales will call about it.",
                field="comment",
            )
        self.state = ChangeState.ACCEPTED if accept else ChangeState.DECLINED
        self.customer_decided_by, self.customer_decided_at = actor, at
        self.customer_comment = comment
        self._touch(
            "change_accepted_by_customer" if accept else "change_declined_by_customer",
            actor,
            at,
            comment=comment,
            notify=notify(users=[self.requested_by], roles=["sales", "planner"], exclude=actor),
        )

    # -- internals -----------------------------------------------------------

    def _touch(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.version += 1
        self._record(kind, actor, at, order=self.order_number, state=self.state.value, **data)

    def _record(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate=AGGREGATE,
                aggregate_key=self.number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data=data,
            )
        )


def _text(value: str, name: str) -> str:
    value = check_text(value, name).strip()
    if len(value) > MAX_REASON:
        raise InvalidInput(f"{name} must be at most {MAX_REASON} characters.", field=name)
    return value


#: What a done, running or paused operation of the old work becomes under the new spec.
class Fate(StrEnum):
    #: the same step in the new routing: the work stands and is carried over
    KEEP = "keep"
    #: the step is still needed but differs (other minutes, centres or inputs): redone
    REWORK = "rework"
    #: the new routing no longer has the step: the work done is lost
    SCRAP = "scrap"
    #: not started yet: it is simply planned again as the new routing says
    REPLAN = "replan"
    #: not started, and the new routing no longer has it: nothing is lost
    DROP = "drop"
    #: only in the new routing
    ADD = "add"

    @property
    def label(self) -> str:
        return {
            Fate.KEEP: "Kept (already done, unchanged)",
            Fate.REWORK: "Rework (done on the old spec)",
            Fate.SCRAP: "Scrapped (no longer needed)",
            Fate.REPLAN: "Planned again",
            Fate.DROP: "Dropped (not started)",
            Fate.ADD: "New operation",
        }[self]


def fate(started: bool, in_new: bool, identical: bool) -> Fate:
    """The one rule for what happens to an old operation (and `ADD` for a new one)."""
    if not started:
        return Fate.REPLAN if in_new else Fate.DROP
    if not in_new:
        return Fate.SCRAP
    return Fate.KEEP if identical else Fate.REWORK

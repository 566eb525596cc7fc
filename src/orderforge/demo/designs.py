"""The demo orders' design revisions, told as the people would have made them: the
engineer proposes revision A of every line when the design is submitted, the customer
(recorded by sales, or signing in the portal) sends it back or signs it, and a regulated
couch also gets the engineering lead's and quality's signatures."""

from __future__ import annotations

import dataclasses
import datetime as dt

from orderforge.design.domain import DesignRevision, current_revisions, line_spec, propose
from orderforge.design.ports import DESIGNS
from orderforge.domain.order import Order, OrderAction
from orderforge.domain.signatures import Capacity, Meaning, Signature, Signer
from orderforge.domain.user import Role
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import UnitOfWork

#: Who signs in each capacity in the demo (the customer's portal user where it has one).
_SIGNS = {Capacity.ENGINEERING: "lead", Capacity.QUALITY: "quality"}


class DemoDesigns:
    def __init__(self, ctx: ServiceContext, uow: UnitOfWork) -> None:
        self.ctx = ctx
        self.uow = uow
        self.signers: dict[str, Signer] = {}
        for user in uow.users.list():
            assert user.id is not None
            self.signers[user.username] = Signer(
                user.id, user.username, user.display_name, user.role.value
            )
        self.portal = {
            u.customer_id: u.username
            for u in uow.users.list()
            if u.role is Role.CUSTOMER and u.customer_id is not None
        }

    def follow(self, order: Order, action: OrderAction, at: dt.datetime, reason: str) -> None:
        """Keep the revisions in step with the order's design step just taken."""
        if action is OrderAction.SUBMIT_DESIGN:
            self._propose(order, at)
        elif action is OrderAction.REJECT_DESIGN:
            for revision in self._current(order):
                customer = self._customer(order)
                revision.reject(
                    by=customer.username,
                    by_name=customer.printed_name,
                    capacity=Capacity.CUSTOMER,
                    comment=reason or "Please change the drawing.",
                    at=at,
                )
                self.uow.repository(DESIGNS).save(revision)
        elif action is OrderAction.APPROVE_DESIGN:
            for revision in self._current(order):
                for capacity in revision.missing():
                    self._sign(order, revision, capacity, at)
                self.uow.repository(DESIGNS).save(revision)

    def _propose(self, order: Order, at: dt.datetime) -> None:
        repo = self.uow.repository(DESIGNS)
        earlier = repo.for_order(order.number)
        for line in order.lines:
            family = family_of(entry_for(self.uow, line.product_family, line.catalogue_version))
            mine = [r for r in earlier if r.line_no == line.line_no]
            revision = propose(
                order_number=order.number,
                line_no=line.line_no,
                earlier=mine,
                spec=line_spec(line, family.name),
                notes="Drawn from the configured spec; main dimensions as ordered.",
                files=[],
                mockup_sha256=None,
                required=tuple(Capacity(a) for a in family.design_approvals),
                author=self.signers["engineer"],
                at=at,
            )
            for old in mine:
                repo.save(old)
            repo.add(revision)

    def letters(self, order: Order) -> dict[int, str]:
        """The letter of each line's current revision (what a prototype proves)."""
        return {r.line_no: r.letter for r in self._current(order)}

    def _current(self, order: Order) -> list[DesignRevision]:
        return list(
            current_revisions(self.uow.repository(DESIGNS).for_order(order.number)).values()
        )

    def _customer(self, order: Order) -> Signer:
        return self.signers[self.portal.get(order.customer_id, "sales")]

    def _sign(
        self, order: Order, revision: DesignRevision, capacity: Capacity, at: dt.datetime
    ) -> None:
        assert self.ctx.sealer is not None
        signer = (
            self._customer(order)
            if capacity is Capacity.CUSTOMER
            else self.signers[_SIGNS[capacity]]
        )
        unsealed = Signature(
            capacity=capacity,
            meaning=Meaning.APPROVAL,
            signer_id=signer.user_id,
            signer_username=signer.username,
            printed_name=signer.printed_name,
            signer_role=signer.role,
            signed_at=at.astimezone(dt.UTC).replace(microsecond=0),
            content_hash=revision.content_hash(),
            seal="",
        )
        revision.sign(
            dataclasses.replace(
                unsealed, seal=self.ctx.sealer.seal(unsealed.manifest(revision.key))
            )
        )

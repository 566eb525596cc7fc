"""Engineering change use cases: request, analyse, decide (signed), accept; and the open
orders a catalogue change affects.

Approving applies the change in one transaction: the order's lines take the new spec and
price and the order returns where it was (it keeps its place in production), the changed
lines get a new work order revision that carries over the work that stands, the order is
promised again for what is left, and a replan is queued (it runs once this has
committed). The customer then accepts the new date and price, or declines them, which
holds the order until sales settles it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from orderforge.change.domain import (
    CarriedFile,
    CarriedRevision,
    EngineeringChange,
    LineChange,
    Origin,
)
from orderforge.change.ports import CHANGES, ChangeRepository
from orderforge.change.services import impact as impacts
from orderforge.change.services.affected import affected
from orderforge.change.services.views import change_view
from orderforge.design.domain import MAX_FILES, MAX_NOTES, DesignFile
from orderforge.design.services import revision_from_change
from orderforge.design.uploads import checked_file
from orderforge.domain.errors import (
    ConcurrencyConflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from orderforge.domain.order import (
    ACTIVE_STATES,
    LineInput,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
)
from orderforge.domain.permissions import (
    ACCEPT,
    DECIDE,
    REQUEST,
    VIEW,
    Resource,
    is_allowed,
    require,
)
from orderforge.domain.planning import PlanRun
from orderforge.domain.signatures import Capacity, Meaning, Signature, Signer
from orderforge.domain.text import check_text
from orderforge.domain.user import Role
from orderforge.engines.mockup import draw
from orderforge.production.domain import MaterialNeed, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services.work_orders import revise_work_orders
from orderforge.promising.services import recommit_promise
from orderforge.services import plan_runs, signing
from orderforge.services.access import has_portal_user, load_visible
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext, publish
from orderforge.services.mockups import mockup_input
from orderforge.services.orders import configure_lines
from orderforge.services.ports import FileStore, Principal, UnitOfWork

_ORIGIN_OF_ROLE = {
    Role.CUSTOMER: Origin.CUSTOMER,
    Role.SALES: Origin.SALES,
    Role.ENGINEER: Origin.ENGINEERING,
    Role.PLANNER: Origin.PRODUCTION,
}
MAX_LINES = 50

#: Order states in which the design is already released: a revision a change carries is
#: then approved by the change's signature (the ECO is the authority); before release it
#: needs the family's approvals like any revision.
RELEASED_STATES = frozenset(
    {
        OrderState.RELEASED,
        OrderState.IN_PRODUCTION,
        OrderState.FINAL_INSPECTION,
        OrderState.READY_TO_SHIP,
    }
)


@dataclass(frozen=True)
class LineRequest:
    """The spec a line should have (options and parameters as in the configurator; the
    missing ones are completed by the one rule) and, optionally, a new quantity; and,
    optionally, a new design revision (notes and documents) the change carries. No spec
    (None) keeps the line's spec, for a change of the drawing or documents only."""

    line_no: int
    spec: dict[str, str] | None
    quantity: int | None = None
    #: carry a new design revision for the line (implied by notes or documents)
    revise_design: bool = False
    design_notes: str = ""
    #: (file name as uploaded, bytes): checked as design documents are
    documents: tuple[tuple[str, bytes], ...] = ()

    @property
    def carries_design(self) -> bool:
        return self.revise_design or bool(self.design_notes.strip()) or bool(self.documents)


@dataclass(frozen=True)
class RequestChange:
    order_number: str
    reason: str
    lines: tuple[LineRequest, ...]


@dataclass(frozen=True)
class Decision:
    change_number: str
    approve: bool
    comment: str = ""
    meaning: str = Meaning.APPROVAL.value
    username: str = ""
    password: str = ""
    client: str = ""
    #: the content hash the decider saw (the page and the API give it): a decision on
    #: figures that have since been refreshed is refused, so nobody signs unseen content
    seen_hash: str | None = None


# -- queries ---------------------------------------------------------------------------


def order_changes(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    """An order's engineering changes, newest first, as `actor` may see them."""
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        changes = uow.repository(CHANGES).for_order(order.number)
        return {
            "order_number": order.number,
            "order_state": order.state.value,
            "order_state_label": order.state.label,
            "promise_date": order.promise_date.isoformat() if order.promise_date else None,
            "can_request": _can_request(order, actor),
            "lines": [_line_form(uow, line) for line in order.lines],
            "changes": [_view(ctx, uow, c, order, actor) for c in reversed(changes)],
        }


def _line_form(uow: UnitOfWork, line: OrderLine) -> dict[str, Any]:
    """A line as the change form shows it: each option with its choices and each
    parameter with its range, the line's values filled in (labels, not codes)."""
    form: dict[str, Any] = {
        "line_no": line.line_no,
        "product_family": line.product_family,
        "family_name": line.product_family,
        "quantity": line.quantity,
        "spec": dict(line.spec),
        "options": [],
        "parameters": [],
    }
    try:
        family = family_of(entry_for(uow, line.product_family))
    except NotFound:
        return form
    form["family_name"] = family.name
    form["options"] = [
        {
            "code": o.code,
            "label": o.label,
            "value": line.spec.get(o.code, ""),
            "choices": [{"code": c.code, "label": c.label} for c in o.choices],
        }
        for o in family.options
    ]
    form["parameters"] = [
        {
            "code": p.code,
            "label": p.label,
            "unit": p.unit,
            "value": line.spec.get(p.code, ""),
            "minimum": str(p.minimum),
            "maximum": str(p.maximum),
            "step": str(p.step),
        }
        for p in family.parameters
    ]
    return form


def get_change(ctx: ServiceContext, actor: Principal, change_number: str) -> dict[str, Any]:
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        change, order = _load(uow, actor, change_number)
        return _view(ctx, uow, change, order, actor)


def open_changes(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """The changes waiting for someone (the engineers' and sales' queue); a customer sees
    its own."""
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        out = []
        for change in uow.repository(CHANGES).open_changes():
            order = uow.orders.get(change.order_number)
            if order is None:  # pragma: no cover - the change was made for this order
                continue
            if actor.role is Role.CUSTOMER and order.customer_id != actor.customer_id:
                continue
            out.append(_view(ctx, uow, change, order, actor))
        return out


def change_document(
    ctx: ServiceContext, actor: Principal, change_number: str, line_no: int, index: int
) -> tuple[CarriedFile, bytes]:
    """A document of the design revision a change carries, for whoever may see the
    change: the approver reads what they sign before it is a revision."""
    carried = _carried(ctx, actor, change_number, line_no)
    if not 0 <= index < len(carried.files):
        raise NotFound(f"{change_number} carries no document {index + 1} for line {line_no}.")
    wanted = carried.files[index]
    return wanted, _files(ctx).get(wanted.sha256)


def change_mockup(ctx: ServiceContext, actor: Principal, change_number: str, line_no: int) -> bytes:
    """The mock-up drawn from the spec the change asks for (SVG), as the change keeps it."""
    carried = _carried(ctx, actor, change_number, line_no)
    if carried.mockup_sha256 is None:  # pragma: no cover - every carried revision has one
        raise NotFound(f"{change_number} carries no mock-up for line {line_no}.")
    return _files(ctx).get(carried.mockup_sha256)


def _carried(
    ctx: ServiceContext, actor: Principal, change_number: str, line_no: int
) -> CarriedRevision:
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        change, _order = _load(uow, actor, change_number)
    line = next((li for li in change.lines if li.line_no == line_no), None)
    if line is None or line.design is None:
        raise NotFound(f"{change.number} carries no design revision for line {line_no}.")
    return line.design


def verify_change(ctx: ServiceContext, actor: Principal, change_number: str) -> dict[str, Any]:
    """Recompute the content hash and check each signature's seal (for an auditor)."""
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        change, _order = _load(uow, actor, change_number)
        content_hash = change.content_hash()
        sealed = _sealed_ok(ctx)
        signatures = [
            {
                "printed_name": s.printed_name,
                "signed_at": s.signed_at.isoformat(),
                "meaning": s.meaning.label,
                "content_matches": s.content_hash == content_hash,
                "seal_valid": sealed(change, s),
            }
            for s in change.signatures
        ]
        return {
            "number": change.number,
            "content_hash": content_hash,
            "signatures": signatures,
            "valid": all(s["content_matches"] and s["seal_valid"] for s in signatures),
        }


# -- commands --------------------------------------------------------------------------


def request_change(ctx: ServiceContext, actor: Principal, cmd: RequestChange) -> dict[str, Any]:
    """Ask for a change of a confirmed order: the new specs are configured and priced as
    in the configurator, the impact is computed, and the order waits for the decision."""
    require(actor.role, Resource.CHANGE, REQUEST)
    origin = _ORIGIN_OF_ROLE.get(actor.role)
    if origin is None:
        raise PermissionDenied(f"Your role ({actor.role.value}) does not ask for changes.")
    if not cmd.lines:
        raise InvalidInput("Name at least one line and the spec it should have.", field="lines")
    if len(cmd.lines) > MAX_LINES:
        raise InvalidInput(f"At most {MAX_LINES} lines per change.", field="lines")
    # Documents are checked before the transaction, as for a design revision (the check
    # reads every byte); a refused file refuses the whole request, nothing stored.
    checked = {
        req.line_no: [checked_file(ctx, name, data) for name, data in req.documents]
        for req in cmd.lines
        if req.carries_design
    }
    now = ctx.clock.now()
    with ctx.uow() as uow:
        order = load_visible(uow, actor, cmd.order_number)
        refusal = order.refusal(OrderAction.REQUEST_CHANGE)
        if refusal is not None:
            if order.state is OrderState.CHANGE_REQUESTED:
                refusal = (
                    f"Order {order.number} already has a change waiting for its decision; "
                    "decide or withdraw that one first."
                )
            raise IllegalTransition(refusal)
        customer = uow.customers.get_by_id(order.customer_id)
        changes = _line_changes(uow, order, cmd.lines, customer)
        changes = _carry_designs(ctx, uow, changes, cmd.lines, checked)
        group = customer.price_group or None if customer is not None else None
        impact = _analyse(ctx, uow, order, changes, group)
        change = EngineeringChange.request(
            number=_number(uow, now),
            order_number=order.number,
            order_state=order.state.value,
            origin=origin,
            reason=cmd.reason,
            lines=changes,
            impact=impact,
            requester=signing.signer_of(actor),
            at=now,
        )
        order.apply(
            OrderAction.REQUEST_CHANGE,
            actor=actor.username,
            at=now,
            reason=f"{change.number}: {change.reason}",
        )
        uow.repository(CHANGES).add(change)
        _commit(ctx, uow, order, change)
        return _view(ctx, uow, change, order, actor)


def refresh_impact(ctx: ServiceContext, actor: Principal, change_number: str) -> dict[str, Any]:
    """Compute the impact again (a new plan, a receipt, progress on the floor)."""
    require(actor.role, Resource.CHANGE, VIEW)
    if actor.role is Role.CUSTOMER:
        raise PermissionDenied("The plant refreshes the impact of a change.")
    with ctx.uow() as uow:
        change, order = _load(uow, actor, change_number)
        customer = uow.customers.get_by_id(order.customer_id)
        group = customer.price_group or None if customer is not None else None
        change.refresh_impact(
            _analyse(ctx, uow, order, change.lines, group),
            actor=actor.username,
            at=ctx.clock.now(),
        )
        uow.repository(CHANGES).save(change)
        _commit(ctx, uow, order, change)
        return _view(ctx, uow, change, order, actor)


def decide_change(ctx: ServiceContext, actor: Principal, cmd: Decision) -> dict[str, Any]:
    """Engineering's decision. Approval is an electronic signature (user id and password
    again, bound to the change's content) and applies the change; rejection needs a
    comment and sends the order back where it was."""
    require(actor.role, Resource.CHANGE, DECIDE)
    if cmd.approve:
        meaning = signing.meaning_of(cmd.meaning)
        signing.identify(ctx, actor, cmd.username, cmd.password, cmd.client)
    now = ctx.clock.now()
    runs: list[PlanRun] = []
    with ctx.uow() as uow:
        change, order = _load(uow, actor, cmd.change_number)
        signer = signing.signer_of(actor)
        refusal = change.refusal_to_decide(signer)
        if refusal is not None:
            raise IllegalTransition(refusal)
        if cmd.seen_hash is not None and cmd.seen_hash != change.content_hash():
            raise ConcurrencyConflict(
                f"The impact of {change.number} was computed again since you looked at it. "
                "Review the figures as they are now and decide again.",
                current_version=change.version,
            )
        if not cmd.approve:
            change.reject(signer, comment=cmd.comment, at=now)
            order.apply(
                OrderAction.DECLINE_CHANGE,
                actor=actor.username,
                at=now,
                reason=f"{change.number} rejected: {change.decision_comment}",
            )
        else:
            signature = signing.sign(
                ctx, change.key, change.content_hash(), Capacity.ENGINEERING, meaning, signer, now
            )
            applied, customer_must_accept, run = _apply(ctx, uow, order, change, actor, now)
            if run is not None:
                runs.append(run)
            change.approve(
                signature,
                applied=applied,
                customer_must_accept=customer_must_accept,
                comment=cmd.comment,
                at=now,
            )
        uow.repository(CHANGES).save(change)
        _commit(ctx, uow, order, change)
        view = _view(ctx, uow, change, order, actor)
    for run in runs:
        plan_runs.submit(ctx, run)
    return view


def withdraw_change(
    ctx: ServiceContext, actor: Principal, change_number: str, comment: str = ""
) -> dict[str, Any]:
    """The requester (or, for a customer's request, sales) takes a change back."""
    require(actor.role, Resource.CHANGE, REQUEST)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        change, order = _load(uow, actor, change_number)
        own = change.requested_by == actor.username
        # a customer's request is the customer's to take back (in the portal, or by sales)
        for_customer = change.origin is Origin.CUSTOMER and actor.role in (
            Role.SALES,
            Role.CUSTOMER,
        )
        if not (own or for_customer):
            raise PermissionDenied(
                f"{change.number} was asked for by {change.requested_by_name}; only they "
                "can withdraw it."
            )
        change.withdraw(actor=actor.username, at=now, comment=comment)
        order.apply(
            OrderAction.DECLINE_CHANGE,
            actor=actor.username,
            at=now,
            reason=f"{change.number} withdrawn" + (f": {comment.strip()}" if comment else "."),
        )
        uow.repository(CHANGES).save(change)
        _commit(ctx, uow, order, change)
        return _view(ctx, uow, change, order, actor)


def customer_decision(
    ctx: ServiceContext, actor: Principal, change_number: str, accept: bool, comment: str = ""
) -> dict[str, Any]:
    """The customer's answer to the new date and price (in the portal; sales records it
    for customers without a portal user). Declining holds the order."""
    require(actor.role, Resource.CHANGE, ACCEPT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        change, order = _load(uow, actor, change_number)
        if not _customer_answers(uow, order, actor):
            raise PermissionDenied(
                "This customer answers in the portal itself: sales records the customer's "
                "answer only for customers without a portal user."
            )
        change.customer_decision(accept=accept, actor=actor.username, at=now, comment=comment)
        if not accept and order.state in ACTIVE_STATES:
            order.apply(
                OrderAction.HOLD,
                actor=actor.username,
                at=now,
                reason=f"{change.number}: the customer did not accept the new date and price: "
                f"{change.customer_comment}",
            )
        uow.repository(CHANGES).save(change)
        _commit(ctx, uow, order, change)
        return _view(ctx, uow, change, order, actor)


def affected_orders(
    ctx: ServiceContext,
    actor: Principal,
    family_code: str,
    module: str | None = None,
    option: str | None = None,
    value: str | None = None,
) -> dict[str, Any]:
    """The open orders and quotes a catalogue change would touch: lines of the family
    whose configuration uses the module, or whose spec has the option (and value)."""
    if actor.role is Role.CUSTOMER:
        raise PermissionDenied("Customers see their own orders, not the catalogue's reach.")
    require(actor.role, Resource.CHANGE, VIEW)
    with ctx.uow() as uow:
        return affected(uow, family_code, module, option, value)


# -- applying ---------------------------------------------------------------------------


def _apply(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    change: EngineeringChange,
    actor: Principal,
    now: dt.datetime,
) -> tuple[dict[str, Any], bool, PlanRun | None]:
    before_promise = order.promise_date
    before_total = change.impact.get("price", {}).get("before")
    respecced = [c for c in change.lines if c.respecced]
    order.accept_change(
        impacts.new_line_inputs(respecced or change.lines),
        actor=actor.username,
        at=now,
        reason=f"{change.number} approved: {change.reason}",
    )
    if (
        respecced
        and order.state is OrderState.AWAITING_DESIGN_APPROVAL
        and order.design_approved_at
    ):
        order.withdraw_design_approval(
            actor=actor.username,
            at=now,
            reason=f"{change.number} changed the spec: the design is approved again for it.",
        )
    designs = _adopt_designs(ctx, uow, order, change)
    if not respecced:
        # only the drawing or the documents changed: the work, the promise and the plan
        # stand as they are
        applied = {
            "work_orders": [],
            "designs": designs,
            "promise": {
                "before": before_promise.isoformat() if before_promise else None,
                "after": before_promise.isoformat() if before_promise else None,
                "summary": "",
            },
            "price": {"before": before_total, "after": before_total},
            "order_state": order.state.value,
        }
        return applied, False, None
    with uow.repository(WORK_ORDERS).deferred_writes():
        made = revise_work_orders(uow, order, [c.line_no for c in respecced], actor.username, now)
    revised = {new.line_no for _old, new in made}
    work = [
        impacts.stored_work_left(wo, [])
        for wo in uow.repository(WORK_ORDERS).current_for([order.number])
        if wo.line_no not in revised
    ]
    work += [
        impacts.stored_work_left(new, impacts.extra_materials(old, _needs(new)))
        for old, new in made
    ]
    work = [w for w in work if w.steps]
    promise = recommit_promise(
        ctx,
        uow,
        order,
        work,
        actor.username,
        reason=f"{change.number} approved: delivery date promised again for the changed order.",
    )
    run = plan_runs.queue_replan(
        uow,
        actor.username,
        {
            "kind": "engineering_change",
            "order": order.number,
            "change": change.number,
            "reason": change.reason,
        },
        now,
    )
    after_total = change.impact.get("price", {}).get("after")
    later = (
        before_promise is not None
        and order.promise_date is not None
        and order.promise_date > before_promise
    ) or (before_promise is not None and order.promise_date is None)
    applied = {
        "work_orders": [
            {
                "line_no": new.line_no,
                "old": old.number if old is not None else None,
                "old_revision": old.revision if old is not None else None,
                "new": new.number,
                "revision": new.revision,
                "carried_over": [o.seq for o in new.operations if o.status in impacts.STARTED],
            }
            for old, new in made
        ],
        **({"designs": designs} if designs else {}),
        "promise": {
            "before": before_promise.isoformat() if before_promise else None,
            "after": order.promise_date.isoformat() if order.promise_date else None,
            "summary": promise.summary(),
        },
        "price": {"before": before_total, "after": after_total},
        "order_state": order.state.value,
    }
    return applied, later or before_total != after_total, run


def _adopt_designs(
    ctx: ServiceContext, uow: UnitOfWork, order: Order, change: EngineeringChange
) -> list[dict[str, Any]]:
    """The revisions the change carried become the lines' next revisions, marked as
    coming from the change; approved by its signature when the order was released."""
    released = OrderState(change.order_state) in RELEASED_STATES
    author = _requester(uow, change)
    made = []
    for line in change.lines:
        if line.design is None:
            continue
        revision = revision_from_change(
            ctx,
            uow,
            order,
            line.line_no,
            notes=line.design.notes,
            files=[DesignFile(f.name, f.sha256, f.size, f.media_type) for f in line.design.files],
            mockup_sha256=line.design.mockup_sha256,
            change_number=change.number,
            approved_by_change=released,
            author=author,
        )
        made.append(
            {
                "line_no": line.line_no,
                "revision": revision.letter,
                "approved_by_change": released,
                "state": revision.state.value,
            }
        )
    return made


def _requester(uow: UnitOfWork, change: EngineeringChange) -> Signer:
    """Whoever asked for the change drew the revision it carried: they are its author
    (so the engineering approval of a revision before release comes from someone else)."""
    user = uow.users.get(change.requested_by)
    user_id = user.id if user is not None and user.id is not None else 0
    role = user.role.value if user is not None else ""
    return Signer(user_id, change.requested_by, change.requested_by_name, role)


def _needs(work_order: WorkOrder) -> list[MaterialNeed]:
    return [MaterialNeed(m.item_code, m.name, m.quantity, m.unit) for m in work_order.materials]


# -- helpers ------------------------------------------------------------------------------


def _analyse(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    changes: list[LineChange],
    group: str | None,
) -> dict[str, Any]:
    """The impact of the lines whose spec or quantity changes, and the design revisions
    the change carries (what the approver sees and signs)."""
    respecced = [c for c in changes if c.respecced]
    if respecced:
        try:
            impact = impacts.analyse(ctx, uow, order, respecced, group)
        except ValueError as exc:
            raise InvalidInput(f"The change cannot be analysed: {exc}.", field="lines") from None
    else:
        impact = _design_only_impact(ctx, uow, order)
    designs = [_design_impact(c, order) for c in changes if c.design is not None]
    if designs:
        impact["design"] = designs
    return impact


def _design_only_impact(ctx: ServiceContext, uow: UnitOfWork, order: Order) -> dict[str, Any]:
    """Only the drawing or documents change: no work, price or date moves."""
    total = impacts.order_total(order)
    promise = order.promise_date.isoformat() if order.promise_date else None
    return {
        "computed_at": ctx.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "plan_version": None,
        "currency": impacts.plant_currency(uow),
        "lines": [],
        "cost": {"before": None, "after": None, "delta": None, "lost_work": "0.00"},
        "price": {"before": total, "after": total, "delta": "0" if total is not None else None},
        "promise": {"before": promise, "after": promise, "cannot": None, "summary": ""},
        "others": {},
    }


def _design_impact(change: LineChange, order: Order) -> dict[str, Any]:
    assert change.design is not None
    released = order.state in RELEASED_STATES or (
        order.changed_from is not None and order.changed_from in RELEASED_STATES
    )
    return {
        "line_no": change.line_no,
        "notes": change.design.notes,
        "files": [
            {"name": f.name, "size": f.size, "media_type": f.media_type, "sha256": f.sha256}
            for f in change.design.files
        ],
        "mockup_sha256": change.design.mockup_sha256,
        "drawn_for": "the spec the change asks for" if change.respecced else "the current spec",
        "approval": (
            "approved by this change's signature (the order is released)"
            if released
            else "needs the design approvals of its family, as any revision before release"
        ),
    }


def _carry_designs(
    ctx: ServiceContext,
    uow: UnitOfWork,
    changes: list[LineChange],
    requests: tuple[LineRequest, ...],
    checked: dict[int, list[Any]],
) -> list[LineChange]:
    """Attach the design revision each line carries: its documents kept by content in
    the file store, and the mock-up drawn from the spec the change asks for."""
    wanted = {req.line_no: req for req in requests}
    store = _files(ctx)
    out = []
    for change in changes:
        req = wanted[change.line_no]
        if not req.carries_design:
            out.append(change)
            continue
        notes = check_text(req.design_notes, "notes").strip()
        if len(notes) > MAX_NOTES:
            raise InvalidInput(f"Notes must be at most {MAX_NOTES} characters.", field="notes")
        files = checked[change.line_no]
        if len(files) > MAX_FILES:
            raise InvalidInput(f"A revision holds at most {MAX_FILES} files.", field="files")
        names = [c.name.lower() for c, _data in files]
        if len(set(names)) != len(names):
            raise InvalidInput("Two files have the same name.", field="files")
        family = family_of(entry_for(uow, change.product_family, change.new_catalogue_version))
        drawing = draw(
            mockup_input(family, change.product_family, change.new_spec, change.new_quantity)
        ).encode()
        carried = CarriedRevision(
            notes=notes,
            files=tuple(
                CarriedFile(c.name, store.put(data).sha256, len(data), c.media_type)
                for c, data in files
            ),
            mockup_sha256=store.put(drawing).sha256,
        )
        out.append(replace(change, design=carried))
    return out


def _files(ctx: ServiceContext) -> FileStore:
    if ctx.files is None:
        raise RuntimeError("no file store is wired")
    return ctx.files


def _line_changes(
    uow: UnitOfWork, order: Order, requests: tuple[LineRequest, ...], customer: Any
) -> list[LineChange]:
    lines = {line.line_no: line for line in order.lines}
    seen: set[int] = set()
    wanted: list[LineInput] = []
    for i, req in enumerate(requests):
        line = lines.get(req.line_no)
        if line is None:
            raise InvalidInput(
                f"Order {order.number} has no line {req.line_no}; its lines are "
                f"{', '.join(str(n) for n in lines)}.",
                field=f"lines[{i}].line_no",
            )
        if req.line_no in seen:
            raise InvalidInput(
                f"Line {req.line_no} is named twice; give its whole new spec once.",
                field=f"lines[{i}].line_no",
            )
        seen.add(req.line_no)
        if req.spec is None and req.quantity is None:
            if not req.carries_design:
                raise InvalidInput(
                    f"Line {req.line_no}: give the spec it should have, or the design "
                    "revision (notes or documents) the change carries.",
                    field=f"lines[{i}].spec",
                )
            continue  # the drawing or documents only: the line stays as configured
        quantity = line.quantity if req.quantity is None else req.quantity
        if not 1 <= quantity <= 10_000:
            raise InvalidInput(
                "quantity must be between 1 and 10000.", field=f"lines[{i}].quantity"
            )
        spec = dict(line.spec) if req.spec is None else dict(req.spec)
        wanted.append(LineInput(line.product_family, quantity, spec))
    respecced = [r for r in requests if not (r.spec is None and r.quantity is None)]
    configured = configure_lines(uow, tuple(wanted), customer) if wanted else []
    unchanged = [
        _same_line(lines[req.line_no], req.line_no)
        for req in requests
        if req.spec is None and req.quantity is None
    ]
    return unchanged + [
        _same_line(lines[req.line_no], req.line_no)
        if dict(new.spec) == dict(lines[req.line_no].spec)
        and new.quantity == lines[req.line_no].quantity
        # the spec as it is (a form sends it whole): the line keeps its price and
        # catalogue version, as for a change of the design only
        else LineChange(
            line_no=req.line_no,
            product_family=lines[req.line_no].product_family,
            old_spec=dict(lines[req.line_no].spec),
            new_spec=dict(new.spec),
            old_quantity=lines[req.line_no].quantity,
            new_quantity=new.quantity,
            old_unit_price=lines[req.line_no].unit_price,
            new_unit_price=new.unit_price,
            old_catalogue_version=lines[req.line_no].catalogue_version,
            new_catalogue_version=new.catalogue_version,
        )
        for req, new in zip(respecced, configured, strict=True)
    ]


def _same_line(line: OrderLine, line_no: int) -> LineChange:
    """A line the change leaves as configured (it may carry a new design revision)."""
    return LineChange(
        line_no=line_no,
        product_family=line.product_family,
        old_spec=dict(line.spec),
        new_spec=dict(line.spec),
        old_quantity=line.quantity,
        new_quantity=line.quantity,
        old_unit_price=line.unit_price,
        new_unit_price=line.unit_price,
        old_catalogue_version=line.catalogue_version,
        new_catalogue_version=line.catalogue_version,
    )


def _number(uow: UnitOfWork, at: dt.datetime) -> str:
    return f"ECR-{at.year}-{uow.sequences.next_value(f'engineering-change-{at.year}'):04d}"


def _load(uow: UnitOfWork, actor: Principal, change_number: str) -> tuple[EngineeringChange, Order]:
    repo: ChangeRepository = uow.repository(CHANGES)
    change = repo.get(change_number.strip().upper())
    if change is None:
        raise NotFound(f"There is no engineering change {change_number}.")
    try:
        order = load_visible(uow, actor, change.order_number)
    except NotFound:
        raise NotFound(f"There is no engineering change {change_number}.") from None
    return change, order


def _can_request(order: Order, actor: Principal) -> bool:
    return (
        is_allowed(actor.role, Resource.CHANGE, REQUEST)
        and actor.role in _ORIGIN_OF_ROLE
        and order.refusal(OrderAction.REQUEST_CHANGE) is None
    )


def _view(
    ctx: ServiceContext,
    uow: UnitOfWork,
    change: EngineeringChange,
    order: Order,
    actor: Principal,
) -> dict[str, Any]:
    """The change as `actor` sees it now."""
    return change_view(change, actor, _sealed_ok(ctx), _customer_answers(uow, order, actor))


def _customer_answers(uow: UnitOfWork, order: Order, actor: Principal) -> bool:
    """Whether `actor` gives the customer's answer for this order: the customer itself,
    or sales when the customer has no active portal user."""
    if actor.role is Role.CUSTOMER:
        return order.customer_id == actor.customer_id
    if actor.role is not Role.SALES:
        return False
    return not has_portal_user(uow, order)


def _sealed_ok(ctx: ServiceContext) -> Any:
    def check(change: EngineeringChange, signature: Signature) -> bool:
        return signing.sealed(ctx, change.key, signature)

    return check


def _commit(ctx: ServiceContext, uow: UnitOfWork, order: Order, change: EngineeringChange) -> None:
    publish(ctx, uow, [*order.pending_events, *change.pending_events])
    uow.commit()

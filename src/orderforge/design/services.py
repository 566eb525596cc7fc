"""Design use cases: propose a revision, sign or reject it, verify its signatures.

The order's own design steps (submit, approve, reject) are no longer buttons anyone
presses: they follow from the revisions. Proposing a revision of a planned order submits
its design; the last approval of the last line approves it; a rejection sends it back to
planned with the comment as the reason. Release then asks this context (the DESIGN_GATE
port) whether every line's current revision is fully approved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orderforge.design import prototypes
from orderforge.design.domain import (
    DesignFile,
    DesignRevision,
    RevisionState,
    current_revisions,
    drawn_for,
    line_spec,
    missing_for_order,
    propose,
)
from orderforge.design.ports import DESIGNS, DesignRepository
from orderforge.design.uploads import checked_file
from orderforge.design.views import CAPACITY_OF_ROLE, DesignView, RevisionCheck, design_view
from orderforge.domain.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import PROTOTYPE, Resource, is_allowed, require
from orderforge.domain.signatures import Capacity, Signature, Signer
from orderforge.domain.user import Role
from orderforge.production.services.work_orders import PrototypeOf
from orderforge.production.services.work_orders import make_prototype as make_prototype_work_order
from orderforge.services import signing
from orderforge.services.access import has_portal_user, load_visible
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext, publish
from orderforge.services.mockups import line_svg
from orderforge.services.ports import DamagedBlob, FileStore, Principal, UnitOfWork

PROPOSE = "propose"
SIGN = "sign"
DECIDE = "decide"

#: Order states in which a design revision may be proposed: once the work is planned and
#: until it is released. After release a change goes through an engineering change.
PROPOSABLE: frozenset[OrderState] = frozenset(
    {OrderState.PLANNED, OrderState.AWAITING_DESIGN_APPROVAL}
)

_CAPACITY_OF_ROLE = CAPACITY_OF_ROLE


@dataclass(frozen=True)
class ProposeRevision:
    number: str
    line_no: int
    notes: str
    #: (file name as uploaded, bytes)
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class SignRevision:
    number: str
    line_no: int
    letter: str
    meaning: str
    #: the two components of the signature (21 CFR 11.200): user id and password
    username: str
    password: str
    client: str = ""


@dataclass(frozen=True)
class RejectRevision:
    number: str
    line_no: int
    letter: str
    comment: str


# -- queries -----------------------------------------------------------------


def order_design(ctx: ServiceContext, actor: Principal, number: str) -> DesignView:
    with ctx.uow() as uow:
        require(actor.role, Resource.DESIGN, "view")
        return _view(ctx, uow, load_visible(uow, actor, number), actor)


def revision_file(
    ctx: ServiceContext, actor: Principal, number: str, line_no: int, letter: str, index: int
) -> tuple[DesignFile, bytes]:
    """A file of a revision, for whoever may see the order."""
    with ctx.uow() as uow:
        require(actor.role, Resource.DESIGN, "view")
        order = load_visible(uow, actor, number)
        revision = _revision(uow.repository(DESIGNS), order, line_no, letter)
    if not 0 <= index < len(revision.files):
        raise NotFound(f"Revision {revision.letter} has no file {index + 1}.")
    wanted = revision.files[index]
    return wanted, _files(ctx).get(wanted.sha256)


def revision_mockup(
    ctx: ServiceContext, actor: Principal, number: str, line_no: int, letter: str
) -> bytes:
    """The mock-up drawing the revision was proposed with (SVG)."""
    with ctx.uow() as uow:
        require(actor.role, Resource.DESIGN, "view")
        order = load_visible(uow, actor, number)
        revision = _revision(uow.repository(DESIGNS), order, line_no, letter)
    if revision.mockup_sha256 is None:
        raise NotFound(f"Revision {revision.letter} has no mock-up drawing.")
    return _files(ctx).get(revision.mockup_sha256)


def verify_revision(
    ctx: ServiceContext, actor: Principal, number: str, line_no: int, letter: str
) -> RevisionCheck:
    """Check every signature of a revision against the content as it is stored now: the
    content hash, the seal, and every file's bytes against its digest."""
    with ctx.uow() as uow:
        require(actor.role, Resource.DESIGN, "view")
        order = load_visible(uow, actor, number)
        revision = _revision(uow.repository(DESIGNS), order, line_no, letter)
    problems: list[str] = []
    store = _files(ctx)
    for file in revision.files:
        try:
            store.get(file.sha256)
        except KeyError:
            problems.append(f"File {file.name} is missing from the file store.")
        except DamagedBlob:
            problems.append(f"File {file.name} no longer matches its digest.")
    if revision.mockup_sha256 is not None and not store.exists(revision.mockup_sha256):
        problems.append("The mock-up drawing is missing from the file store.")
    content_hash = revision.content_hash()
    verify = _sealed_ok(ctx)
    for signature in revision.signatures:
        who = f"{signature.capacity.label} by {signature.printed_name}"
        if signature.content_hash != content_hash:
            problems.append(f"{who}: the revision's content changed after it was signed.")
        if not verify(revision, signature):
            problems.append(f"{who}: the signature's seal does not match its record.")
    return RevisionCheck(
        record=revision.key,
        content_hash=content_hash,
        signatures=len(revision.signatures),
        valid=not problems,
        problems=tuple(problems),
    )


# -- commands ----------------------------------------------------------------


def propose_revision(ctx: ServiceContext, actor: Principal, cmd: ProposeRevision) -> DesignView:
    require(actor.role, Resource.DESIGN, PROPOSE)
    # Check the files before the transaction (the check reads every byte). They are kept
    # by content, so a refused or rolled-back proposal leaves at most unreferenced bytes,
    # never a record.
    checked = [checked_file(ctx, name, data) for name, data in cmd.files]
    with ctx.uow() as uow:
        order = load_visible(uow, actor, cmd.number)
        if order.state not in PROPOSABLE:
            raise IllegalTransition(
                f"Order {order.number} is {order.state.label.lower()}: a design revision can be "
                "proposed once it is planned and until it is released; after that, request a "
                "change."
            )
        line = next((li for li in order.lines if li.line_no == cmd.line_no), None)
        if line is None:
            raise NotFound(f"Order {order.number} has no line {cmd.line_no}.")
        family = family_of(entry_for(uow, line.product_family, line.catalogue_version))
        repo = uow.repository(DESIGNS)
        earlier = [r for r in repo.for_order(order.number) if r.line_no == line.line_no]
        store = _files(ctx)
        files = [
            DesignFile(c.name, store.put(data).sha256, len(data), c.media_type)
            for c, data in checked
        ]
        mockup = _mockup(uow, order, line.line_no)
        revision = propose(
            order_number=order.number,
            line_no=line.line_no,
            earlier=earlier,
            spec=line_spec(line, family.name),
            notes=cmd.notes,
            files=files,
            mockup_sha256=store.put(mockup).sha256,
            required=tuple(Capacity(a) for a in family.design_approvals),
            author=_signer(actor),
            at=ctx.clock.now(),
        )
        for old in earlier:
            repo.save(old)
            _adopt(order, old)
        repo.add(revision)
        _adopt(order, revision)
        _follow_on_order(ctx, order, actor, reason=f"Revision {revision.letter} proposed.")
        _commit(ctx, uow, order)
        return _view(ctx, uow, order, actor)


def sign_revision(ctx: ServiceContext, actor: Principal, cmd: SignRevision) -> DesignView:
    """Approve a revision with an electronic signature: the signer re-enters their user
    id and password, in the capacity their role gives them."""
    require(actor.role, Resource.DESIGN, SIGN)
    meaning = signing.meaning_of(cmd.meaning)
    signing.identify(ctx, actor, cmd.username, cmd.password, cmd.client)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, cmd.number)
        repo = uow.repository(DESIGNS)
        revision = _revision(repo, order, cmd.line_no, cmd.letter)
        capacity = _capacity(uow, order, actor)
        signer = _signer(actor)
        refusal = revision.refusal_to_sign(capacity, signer)
        line = next((li for li in order.lines if li.line_no == revision.line_no), None)
        if (
            refusal is None
            and line is not None
            and not drawn_for(revision, line.spec, line.quantity)
        ):
            refusal = (
                f"Revision {revision.letter} of line {revision.line_no} was drawn for the spec "
                "before an engineering change; it can no longer be signed. A new revision "
                "must be proposed for the spec as it is now."
            )
        if refusal is not None:
            raise IllegalTransition(refusal)
        revision.sign(
            signing.sign(
                ctx,
                revision.key,
                revision.content_hash(),
                capacity,
                meaning,
                signer,
                ctx.clock.now(),
            )
        )
        repo.save(revision)
        _adopt(order, revision)
        if not missing_for_order(order, repo.for_order(order.number)):
            _approve_order(ctx, order, actor)
        _commit(ctx, uow, order)
        return _view(ctx, uow, order, actor)


def reject_revision(ctx: ServiceContext, actor: Principal, cmd: RejectRevision) -> DesignView:
    """Send a revision back with what must change; the order returns to planned."""
    require(actor.role, Resource.DESIGN, DECIDE)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, cmd.number)
        repo = uow.repository(DESIGNS)
        revision = _revision(repo, order, cmd.line_no, cmd.letter)
        capacity = _capacity(uow, order, actor)
        revision.reject(
            by=actor.username,
            by_name=actor.display_name,
            capacity=capacity,
            comment=cmd.comment,
            at=ctx.clock.now(),
        )
        repo.save(revision)
        _adopt(order, revision)
        if order.state is OrderState.AWAITING_DESIGN_APPROVAL:
            order.apply(
                OrderAction.REJECT_DESIGN,
                actor=actor.username,
                at=ctx.clock.now(),
                reason=f"Revision {revision.letter} of line {revision.line_no}: {cmd.comment}",
            )
        _commit(ctx, uow, order)
        return _view(ctx, uow, order, actor)


def make_prototype(ctx: ServiceContext, actor: Principal, number: str, line_no: int) -> DesignView:
    """A prototype work order of the line's current design revision: one unit from the
    line's routing, which the floor may work on before release and quality inspects.
    Only for a family that asks for one, and only while one is needed (none made for
    this spec yet, or the last one failed its inspection)."""
    if not is_allowed(actor.role, Resource.DESIGN, PROTOTYPE):
        raise PermissionDenied(
            f"Your role ({actor.role.value}) does not make prototypes: engineers do."
        )
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        line = next((li for li in order.lines if li.line_no == line_no), None)
        if line is None:
            raise NotFound(f"Order {order.number} has no line {line_no}.")
        if order.state not in prototypes.MAKEABLE:
            raise IllegalTransition(
                f"Order {order.number} is {order.state.label.lower()}: a prototype proves the "
                "design before release, so it is made while the order is planned or awaits "
                "design approval."
            )
        # "Line 1, Medical examination couch (made to measure)": a family name may hold
        # parentheses of its own
        name = f"Line {line_no}, {_names(uow, order)[line.product_family]}"
        state = prototypes.states(uow, order).get(line_no)
        if state is None or not state.required:
            raise IllegalTransition(
                f"{name} needs no prototype: its catalogue family does not ask for one."
            )
        revision = current_revisions(uow.repository(DESIGNS).for_order(order.number)).get(line_no)
        if revision is None or revision.state is RevisionState.REJECTED:
            raise IllegalTransition(f"{name} has no design revision to prove: propose one first.")
        if not drawn_for(revision, line.spec, line.quantity):
            raise IllegalTransition(
                f"{name}: revision {revision.letter} was drawn for the spec before a change; "
                "propose a revision of the spec as it is now first."
            )
        if not state.can_make:
            raise IllegalTransition(f"{name}: {state.words}; no new prototype is needed now.")
        make_prototype_work_order(
            uow, PrototypeOf(order, line_no, revision.letter), actor.username, ctx.clock.now()
        )
        uow.commit()
        return _view(ctx, uow, order, actor)


def revision_from_change(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    line_no: int,
    *,
    notes: str,
    files: list[DesignFile],
    mockup_sha256: str | None,
    change_number: str,
    approved_by_change: bool,
    author: Signer,
) -> DesignRevision:
    """The revision an approved engineering change carried becomes the line's next one,
    inside the change's own transaction (the caller commits). The files are already in
    the file store, by the digests the change's signature covers. Before release it needs
    its approvals like any revision (a planned order's design is submitted again); once
    released, the change's signature approved it (`approved_by_change`)."""
    line = next((li for li in order.lines if li.line_no == line_no), None)
    if line is None:
        raise NotFound(f"Order {order.number} has no line {line_no}.")
    family = family_of(entry_for(uow, line.product_family, line.catalogue_version))
    repo = uow.repository(DESIGNS)
    earlier = [r for r in repo.for_order(order.number) if r.line_no == line.line_no]
    revision = propose(
        order_number=order.number,
        line_no=line.line_no,
        earlier=earlier,
        spec=line_spec(line, family.name),
        notes=notes,
        files=files,
        mockup_sha256=mockup_sha256,
        required=tuple(Capacity(a) for a in family.design_approvals),
        author=author,
        at=ctx.clock.now(),
        change_number=change_number,
        approved_by_change=approved_by_change,
    )
    for old in earlier:
        repo.save(old)
        _adopt(order, old)
    repo.add(revision)
    _adopt(order, revision)
    if not approved_by_change:
        reason = f"Revision {revision.letter} proposed with {change_number}."
        at = ctx.clock.now()
        if order.state is OrderState.PLANNED:
            order.apply(OrderAction.SUBMIT_DESIGN, actor=author.username, at=at, reason=reason)
        elif order.design_approved_at is not None:
            order.withdraw_design_approval(actor=author.username, at=at, reason=reason)
    return revision


# -- helpers -----------------------------------------------------------------


def _commit(ctx: ServiceContext, uow: UnitOfWork, order: Order) -> None:
    """Hand the order's new events (the revisions' adopted ones included) to the
    contexts above, then commit."""
    publish(ctx, uow, list(order.pending_events))
    uow.commit()


def _view(ctx: ServiceContext, uow: UnitOfWork, order: Order, actor: Principal) -> DesignView:
    """The order's design as `actor` sees it now."""
    revisions = uow.repository(DESIGNS).for_order(order.number)
    view = design_view(
        order, revisions, actor, _sealed_ok(ctx), has_portal_user(uow, order), _names(uow, order)
    )
    return prototypes.with_prototypes(view, order, actor, prototypes.states(uow, order))


def _adopt(order: Order, revision: DesignRevision) -> None:
    """Put the revision's events on the order's record now, so the timeline reads in the
    order things happened (revision signed, then the order's design approved)."""
    order.pending_events.extend(revision.pending_events)
    revision.pending_events.clear()


def _follow_on_order(ctx: ServiceContext, order: Order, actor: Principal, reason: str) -> None:
    """A new revision submits a planned order's design, and withdraws an approval given
    to the revision it supersedes."""
    at = ctx.clock.now()
    if order.state is OrderState.PLANNED:
        order.apply(OrderAction.SUBMIT_DESIGN, actor=actor.username, at=at, reason=reason)
    elif order.design_approved_at is not None:
        order.withdraw_design_approval(actor=actor.username, at=at, reason=reason)


def _approve_order(ctx: ServiceContext, order: Order, actor: Principal) -> None:
    """Every line's current revision is approved: so is the order's design."""
    if order.state is not OrderState.AWAITING_DESIGN_APPROVAL or order.design_approved_at:
        return
    at = ctx.clock.now()
    order.apply(
        OrderAction.APPROVE_DESIGN,
        actor=actor.username,
        at=at,
        reason="Every line's current design revision is signed.",
    )
    order.pending_events.append(
        DomainEvent(
            aggregate="order",
            aggregate_key=order.number,
            kind="design_approved",
            actor=actor.username,
            occurred_at=at,
            data={
                "order": order.number,
                "notify": {
                    "users": [],
                    "roles": ["sales", "planner"],
                    "customer": True,
                    "exclude": [actor.username],
                },
            },
        )
    )


def _revision(repo: DesignRepository, order: Order, line_no: int, letter: str) -> DesignRevision:
    revision = repo.get(order.number, line_no, letter.strip().upper())
    if revision is None:
        raise NotFound(f"Order {order.number} line {line_no} has no design revision {letter}.")
    return revision


def _capacity(uow: UnitOfWork, order: Order, actor: Principal) -> Capacity:
    capacity = _CAPACITY_OF_ROLE.get(actor.role)
    if capacity is None:
        raise PermissionDenied(f"Your role ({actor.role.value}) does not approve designs.")
    if actor.role is Role.SALES and has_portal_user(uow, order):
        raise PermissionDenied(
            "This customer approves designs in the portal itself: sales records the "
            "customer's decision only for customers without a portal user."
        )
    return capacity


def _names(uow: UnitOfWork, order: Order) -> dict[str, str]:
    """The families' names, as the catalogue calls them."""
    names: dict[str, str] = {}
    for line in order.lines:
        if line.product_family not in names:
            try:
                names[line.product_family] = family_of(
                    entry_for(uow, line.product_family, line.catalogue_version)
                ).name
            except NotFound:
                names[line.product_family] = line.product_family
    return names


def _signer(actor: Principal) -> Signer:
    return signing.signer_of(actor)


def _sealed_ok(ctx: ServiceContext) -> SealCheck:
    def check(revision: DesignRevision, signature: Signature) -> bool:
        return signing.sealed(ctx, revision.key, signature)

    return check


SealCheck = Callable[[DesignRevision, Signature], bool]


def _files(ctx: ServiceContext) -> FileStore:
    if ctx.files is None:
        raise RuntimeError("no file store is wired")
    return ctx.files


def _mockup(uow: UnitOfWork, order: Order, line_no: int) -> bytes:
    """The drawing of the line as configured, kept with the revision: what the customer
    signs is the drawing they saw, even if the drawing code changes later."""
    line = next(li for li in order.lines if li.line_no == line_no)
    family = family_of(entry_for(uow, line.product_family, line.catalogue_version))
    return line_svg(family, line).encode()


__all__ = [
    "PROPOSABLE",
    "ProposeRevision",
    "RejectRevision",
    "RevisionState",
    "SignRevision",
    "current_revisions",
    "make_prototype",
    "order_design",
    "propose_revision",
    "reject_revision",
    "revision_file",
    "revision_from_change",
    "revision_mockup",
    "sign_revision",
    "verify_revision",
]

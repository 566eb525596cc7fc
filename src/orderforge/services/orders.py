"""Order use cases: open a quote, move it through its lifecycle, read it and its history."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from orderforge.domain.customer import Customer
from orderforge.domain.errors import (
    ConcurrencyConflict,
    IdempotencyMismatch,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from orderforge.domain.order import TRANSITIONS, LineInput, Order, OrderAction, OrderState
from orderforge.domain.permissions import (
    CHANGE_ACTIONS,
    CREATE,
    DESIGN_ACTIONS,
    EDIT,
    FLOOR_ACTIONS,
    INSPECTION_ACTIONS,
    SHIPPING_ACTIONS,
    VIEW,
    Resource,
    is_allowed,
    require,
)
from orderforge.domain.text import check_text
from orderforge.domain.user import Role
from orderforge.services import configuration
from orderforge.services.access import load_visible
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import (
    DESIGN_GATE,
    PROTOTYPE_GATE,
    DuplicateRecord,
    IdempotencyRecord,
    OrderFilter,
    Principal,
    UnitOfWork,
)
from orderforge.services.views import (
    OrderDetail,
    OrderSummary,
    TimelineEntry,
    order_detail,
    order_summary,
    plain,
    timeline,
)

MAX_IDEMPOTENCY_KEY_LENGTH = 255


@dataclass(frozen=True)
class CreateOrder:
    customer_code: str
    lines: tuple[LineInput, ...]
    requested_date: dt.date | None = None
    notes: str = ""

    def fingerprint(self) -> str:
        """A digest of what was asked, independent of JSON spacing or key order."""
        canonical = json.dumps(
            {
                "customer": self.customer_code.strip().upper(),
                "lines": [
                    [li.product_family, li.quantity, sorted(li.spec.items())] for li in self.lines
                ],
                "requested_date": self.requested_date.isoformat() if self.requested_date else None,
                "notes": self.notes,
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ReviseOrder:
    """A partial edit of a quote: None leaves a field as it is."""

    lines: tuple[LineInput, ...] | None = None
    notes: str | None = None
    #: The requested date can be cleared, so "leave it" needs its own flag.
    change_requested_date: bool = False
    requested_date: dt.date | None = None


@dataclass(frozen=True)
class CreatedOrder:
    view: OrderDetail
    #: True when an earlier request with the same idempotency key produced this order.
    replayed: bool = False


@dataclass(frozen=True)
class OrderQuery:
    state: str | None = None
    customer_code: str | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0


def create_order(
    ctx: ServiceContext, actor: Principal, cmd: CreateOrder, idempotency_key: str | None = None
) -> CreatedOrder:
    require(actor.role, Resource.ORDER, CREATE)
    if idempotency_key is not None:
        _check_key(idempotency_key)
    try:
        return _create_once(ctx, actor, cmd, idempotency_key)
    except DuplicateRecord:
        # A concurrent retry with the same key won the race; answer as it did.
        if idempotency_key is None:
            raise
        with ctx.uow() as uow:
            replay = _replay(uow, actor, idempotency_key, cmd)
        if replay is None:
            raise
        return replay


def _check_key(key: str) -> None:
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput(
            f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY_LENGTH} characters.",
            field="Idempotency-Key",
        )


def _replay(uow: UnitOfWork, actor: Principal, key: str, cmd: CreateOrder) -> CreatedOrder | None:
    record = uow.idempotency.get(actor.username, key)
    if record is None:
        return None
    if record.fingerprint != cmd.fingerprint():
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used with a different request body; "
            "use a new key for a new order."
        )
    return CreatedOrder(view=OrderDetail.model_validate(record.response), replayed=True)


def _create_once(
    ctx: ServiceContext, actor: Principal, cmd: CreateOrder, key: str | None
) -> CreatedOrder:
    with ctx.uow() as uow:
        if key is not None:
            replay = _replay(uow, actor, key, cmd)
            if replay is not None:
                return replay
        customer = _customer_for_new_order(uow, actor, cmd.customer_code)
        lines = configure_lines(uow, cmd.lines, customer)
        now = ctx.clock.now()
        number = f"SO-{now.year}-{uow.sequences.next_value(f'order-{now.year}'):04d}"
        order = Order.open_quote(
            number=number,
            customer_id=_id(customer.id),
            lines=list(lines),
            requested_date=cmd.requested_date,
            notes=cmd.notes.strip(),
            actor=actor.username,
            at=now,
        )
        uow.orders.add(order)
        view = _detail(order, customer, actor)
        if key is not None:
            uow.idempotency.add(
                IdempotencyRecord(
                    scope=actor.username,
                    key=key,
                    fingerprint=cmd.fingerprint(),
                    status_code=201,
                    response=plain(view),
                    created_at=now,
                )
            )
        uow.commit()
        return CreatedOrder(view=view)


def _customer_for_new_order(uow: UnitOfWork, actor: Principal, code: str) -> Customer:
    customer = uow.customers.get(code.strip().upper())
    if customer is None or (actor.role is Role.CUSTOMER and customer.id != actor.customer_id):
        raise InvalidInput(f"There is no customer with code '{code}'.", field="customer")
    return customer


def configure_lines(
    uow: UnitOfWork, lines: tuple[LineInput, ...], customer: Customer | None = None
) -> tuple[LineInput, ...]:
    """Lines as the plant will build them: configured against the newest catalogue
    version (spec completed, version and unit price recorded), priced with the margin
    rule of the customer's price group."""
    checked = []
    for i, line in enumerate(lines):
        if uow.catalogue.latest(line.product_family) is None:
            known = sorted(e.family_code for e in uow.catalogue.latest_all())
            raise InvalidInput(
                f"Line {i + 1}: there is no product family '{line.product_family}'. "
                f"Known families: {', '.join(known) or 'none yet (import a catalogue)'}.",
                field=f"lines[{i}].product_family",
            )
        group = customer.price_group or None if customer is not None else None
        checked.append(_configured_line(uow, line, i, group))
    return tuple(checked)


def _configured_line(
    uow: UnitOfWork, line: LineInput, i: int, price_group: str | None
) -> LineInput:
    where = f"lines[{i}].spec"
    result = configuration.evaluate_in(uow, line.product_family, line.spec, where, price_group)
    if not result.validity.valid:
        names = sorted(
            {n for c in result.validity.conflicts for n in c.names} | set(result.validity.missing)
        )
        field = f"{where}.{names[0]}" if len(names) == 1 else where
        raise InvalidInput(
            f"Line {i + 1}: {configuration.explain_invalid(result.validity)}", field=field
        )
    unit_price = str(result.costing.price) if result.costing else None
    return LineInput(
        product_family=result.family,
        quantity=line.quantity,
        spec=configuration.resolved_spec(result.validity),
        catalogue_version=result.version,
        unit_price=unit_price,
    )


def _id(value: int | None) -> int:
    if value is None:  # pragma: no cover - repositories always return stored rows
        raise RuntimeError("record has no id; was it stored?")
    return value


def _customer_of(uow: UnitOfWork, order: Order) -> Customer:
    customer = uow.customers.get_by_id(order.customer_id)
    if customer is None:  # pragma: no cover - foreign key guarantees it
        raise NotFound(f"The customer of order {order.number} is missing.")
    return customer


def _actions(order: Order, actor: Principal) -> list[str]:
    return [
        a.value for a in order.allowed_actions() if is_allowed(actor.role, Resource.ORDER, a.value)
    ]


def _detail(order: Order, customer: Customer, actor: Principal) -> OrderDetail:
    return order_detail(order, customer, actor.role)


def get_order(ctx: ServiceContext, actor: Principal, number: str) -> OrderDetail:
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        return _detail(order, _customer_of(uow, order), actor)


def list_orders(ctx: ServiceContext, actor: Principal, query: OrderQuery) -> list[OrderSummary]:
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        criteria = _criteria(uow, actor, query)
        if criteria is None:
            return []
        customers = {c.id: c for c in uow.customers.list()}
        return [
            order_summary(o, customers[o.customer_id], actor.role)
            for o in uow.orders.list(criteria)
        ]


def count_orders(ctx: ServiceContext, actor: Principal) -> dict[str, int]:
    """Orders per state, for the dashboard counters; customers count only their own."""
    require(actor.role, Resource.ORDER, VIEW)
    customer_id = actor.customer_id if actor.role is Role.CUSTOMER else None
    with ctx.uow() as uow:
        counts = uow.orders.count_by_state(customer_id)
    return {state.value: n for state, n in counts.items()}


def _criteria(uow: UnitOfWork, actor: Principal, query: OrderQuery) -> OrderFilter | None:
    state = None
    if query.state:
        try:
            state = OrderState(query.state)
        except ValueError:
            raise InvalidInput(
                f"Unknown state '{query.state}'. States: "
                + ", ".join(s.value for s in OrderState)
                + ".",
                field="state",
            ) from None
    customer_id = None
    if query.customer_code:
        customer = uow.customers.get(query.customer_code.strip().upper())
        if customer is None:
            return None
        customer_id = customer.id
    if actor.role is Role.CUSTOMER:
        if customer_id is not None and customer_id != actor.customer_id:
            return None
        customer_id = actor.customer_id
    if not 1 <= query.limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000.", field="limit")
    if query.offset < 0:
        raise InvalidInput("offset must not be negative.", field="offset")
    if query.search:
        check_text(query.search, "q")
    return OrderFilter(
        state=state,
        customer_id=customer_id,
        search=query.search or None,
        limit=query.limit,
        offset=query.offset,
    )


def order_timeline(ctx: ServiceContext, actor: Principal, number: str) -> list[TimelineEntry]:
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        events = uow.events.for_aggregate("order", order.number)
        return timeline(events, actor.role, actor.username)


def available_actions(ctx: ServiceContext, actor: Principal, number: str) -> list[str]:
    """Actions this actor may take on the order now: allowed by role AND by state."""
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        return _actions(load_visible(uow, actor, number), actor)


def parse_action(action: str) -> OrderAction:
    try:
        return OrderAction(action)
    except ValueError:
        raise InvalidInput(
            f"Unknown action '{action}'. Actions: " + ", ".join(a.value for a in OrderAction) + ".",
            field="action",
        ) from None


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise ConcurrencyConflict(
            f"Order {order.number} was changed by someone else meanwhile (you had version "
            f"{expected_version}, it is now version {order.version}). Reload and try again.",
            current_version=order.version,
        )


def advance_order(
    ctx: ServiceContext,
    actor: Principal,
    number: str,
    action: str,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> OrderDetail:
    parsed = parse_action(action)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        if parsed in DESIGN_ACTIONS:
            raise PermissionDenied(
                f"The design of order {order.number} is submitted, approved and rejected "
                "through its revisions: propose, sign or reject one on the order's design "
                f"page (/orders/{order.number}/design)."
            )
        if parsed in CHANGE_ACTIONS:
            raise PermissionDenied(
                f"A change of order {order.number} is an engineering change: request it, and "
                "decide it with its impact in view, on the order's changes page "
                f"(/orders/{order.number}/changes)."
            )
        if parsed in FLOOR_ACTIONS:
            raise PermissionDenied(
                f"Order {order.number} follows its work on the floor: it goes into production "
                "when the first operation starts and on to final inspection when the last is "
                "done (the operator screen, /floor)."
            )
        if parsed in INSPECTION_ACTIONS:
            raise PermissionDenied(
                f"Order {order.number} passes or fails final inspection through its checklist "
                f"on the final inspection page (/orders/{order.number}/final-inspection)."
            )
        if parsed in SHIPPING_ACTIONS:
            raise PermissionDenied(
                f"Order {order.number} is shipped and delivered by its shipments: pack, ship "
                "and confirm the delivery on the order's shipping page "
                f"(/orders/{order.number}/shipping)."
            )
        require(actor.role, Resource.ORDER, parsed.value)
        _check_version(order, expected_version)
        if len(reason) > 2000:
            raise InvalidInput("Reason must be at most 2000 characters.", field="reason")
        raised = len(order.pending_events)
        if parsed is OrderAction.RELEASE:
            _check_design(uow, order)
        order.apply(parsed, actor=actor.username, at=ctx.clock.now(), reason=reason)
        # Contexts above react in this transaction: production makes the work orders
        # and, when the plant asks for it, reviews them (orderforge.contexts).
        publish(ctx, uow, order.pending_events[raised:])
        uow.commit()
        return _detail(order, _customer_of(uow, order), actor)


def _check_design(uow: UnitOfWork, order: Order) -> None:
    """Release waits for the approved design of every line (the design context says) and,
    where the family asks for one, a prototype that passed its inspection (quality says)."""
    if order.state not in TRANSITIONS[OrderAction.RELEASE].sources:
        return  # the lifecycle's own refusal says it better
    missing: list[str] = []
    # no design context wired: the order's own guard decides
    with contextlib.suppress(LookupError):
        missing += uow.repository(DESIGN_GATE).missing_approvals(order)
    try:
        prototypes = uow.repository(PROTOTYPE_GATE).prototypes(order)
    except LookupError:  # no quality context wired: no prototype is asked for
        prototypes = []
    missing += [_capital(p.missing) for p in prototypes if p.missing is not None]
    if missing:
        raise IllegalTransition(
            f"Cannot release order {order.number} to production: " + " ".join(missing)
        )


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def revise_order(
    ctx: ServiceContext,
    actor: Principal,
    number: str,
    cmd: ReviseOrder,
    expected_version: int | None = None,
) -> OrderDetail:
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        require(actor.role, Resource.ORDER, EDIT)
        _check_version(order, expected_version)
        lines = (
            configure_lines(uow, cmd.lines, _customer_of(uow, order))
            if cmd.lines is not None
            else None
        )
        order.revise(
            lines=list(lines) if lines is not None else None,
            requested_date=(
                cmd.requested_date if cmd.change_requested_date else order.requested_date
            ),
            notes=cmd.notes,
            actor=actor.username,
            at=ctx.clock.now(),
        )
        uow.commit()
        return _detail(order, _customer_of(uow, order), actor)

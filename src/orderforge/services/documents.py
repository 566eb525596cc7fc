"""Customer documents (quote, order confirmation): what the customer reads and signs.

Built from the stored order, not from a page view: prices come from the order lines
(priced when configured) and labels from the catalogue version each line was configured
with, so a document printed later shows what was offered even after the catalogue, the
rates or the plant's settings change. The letterhead, currency, tax and terms come from
the plant's settings; nothing here knows which plant it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from orderforge.domain.customer import Customer
from orderforge.domain.documents import (
    CustomerDocument,
    DocumentKind,
    DocumentLine,
    Letterhead,
)
from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import Order, OrderState
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.configurator.catalogue import Family
from orderforge.plant.domain import PlantSettings
from orderforge.plant.services import plant_settings
from orderforge.services.access import load_visible
from orderforge.services.catalogue import family_of
from orderforge.services.context import ServiceContext
from orderforge.services.mockups import line_svg
from orderforge.services.money import money, percent
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.spec_text import describe_spec

#: States in which an order has been confirmed by the customer and not withdrawn.
CONFIRMED_STATES = frozenset(OrderState) - {
    OrderState.QUOTE,
    OrderState.REJECTED,
    OrderState.CANCELLED,
}


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build_document(
    kind: DocumentKind,
    order: Order,
    customer: Customer,
    families: dict[tuple[str, int], Family],
    letterhead: Letterhead,
    issued: dt.date,
) -> CustomerDocument:
    """`families` maps (family code, catalogue version) to the catalogue each line was
    configured with, for labels; `issued` is the date the document speaks for: when the
    quote was made or last revised (its validity counts from it), or when the customer
    confirmed."""
    currency = letterhead.currency
    net = Decimal(0)
    lines: list[DocumentLine] = []
    unpriced = False
    for line in order.lines:
        family = (
            families.get((line.product_family, line.catalogue_version))
            if line.catalogue_version is not None
            else None
        )
        name = family.name if family is not None else line.product_family
        if line.unit_price is None:
            unpriced = True
            unit, amount = "on request", "on request"
        else:
            value = _cents(Decimal(line.unit_price) * line.quantity)
            net += value
            unit, amount = money(Decimal(line.unit_price), currency), money(value, currency)
        lines.append(
            DocumentLine(
                position=str(line.line_no),
                title=name,
                spec=tuple(describe_spec(family, line.spec)),
                quantity=line.quantity,
                unit_price=unit,
                amount=amount,
                mockup=line_svg(family, line),
            )
        )
    tax = _cents(net * letterhead.tax_rate)
    totals = (
        ("Net total", money(net, currency)),
        (f"VAT {percent(letterhead.tax_rate)}", money(tax, currency)),
        ("Total", money(net + tax, currency)),
    )
    notes = [letterhead.terms] if letterhead.terms else []
    if unpriced:
        notes.insert(0, "Lines marked 'on request' are not included in the totals.")
    return CustomerDocument(
        kind=kind,
        title=f"{kind.heading} {order.number}",
        letterhead=letterhead,
        recipient=_recipient(customer),
        facts=_facts(kind, order, customer, letterhead, issued),
        lines=tuple(lines),
        totals=totals,
        notes=tuple(notes),
    )


def _recipient(customer: Customer) -> tuple[str, ...]:
    address = getattr(customer, "address", "") or ""
    lines = [customer.name, *[part for part in address.splitlines() if part.strip()]]
    return tuple(lines)


def _date(day: dt.date) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def _facts(
    kind: DocumentKind,
    order: Order,
    customer: Customer,
    letterhead: Letterhead,
    issued: dt.date,
) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = [
        ("Customer number", customer.code),
        ("Date", _date(issued)),
    ]
    if kind is DocumentKind.QUOTE:
        valid = issued + dt.timedelta(days=letterhead.quote_validity_days)
        facts.append(("Valid until", _date(valid)))
    if order.requested_date is not None:
        facts.append(("Requested delivery", _date(order.requested_date)))
    promise = (
        _date(order.promise_date)
        if order.promise_date is not None
        else "to be confirmed once capacity and materials are checked"
    )
    facts.append(("Promised delivery", promise))
    return tuple(facts)


def letterhead_of(settings: PlantSettings) -> Letterhead:
    terms = " ".join(t.strip() for t in (settings.payment_terms, settings.delivery_terms) if t)
    return Letterhead(
        name=settings.name,
        address_lines=tuple(settings.address_lines),
        currency=settings.currency,
        tax_rate=settings.tax_rate,
        quote_validity_days=settings.quote_validity_days,
        terms=terms,
        logo=settings.logo,
    )


def document_pdf(ctx: ServiceContext, actor: Principal, number: str, kind: DocumentKind) -> bytes:
    """The order's quote or confirmation as a PDF, for anyone who may see the order (a
    customer only their own: it shows prices, never costs)."""
    if ctx.documents is None:
        raise InvalidInput("Documents are not available in this installation.", field="format")
    return ctx.documents.render(customer_document(ctx, actor, number, kind))


def customer_document(
    ctx: ServiceContext, actor: Principal, number: str, kind: DocumentKind
) -> CustomerDocument:
    """The document as data: the PDF draws it, the order page shows its lines and totals
    (so the page and the paper never disagree)."""
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        settings = plant_settings(uow)
        if settings is None:
            raise InvalidInput(
                "The plant has no settings yet (name, address, currency): import a plant "
                "file or set them first.",
                field="settings",
            )
        if kind is DocumentKind.ORDER_CONFIRMATION and order.state not in CONFIRMED_STATES:
            raise IllegalTransition(
                f"Order {order.number} is {order.state.label.lower()}: there is no order "
                "confirmation until the customer confirms."
            )
        customer = uow.customers.get_by_id(order.customer_id or 0)
        if customer is None:
            raise InvalidInput(f"Order {order.number} has no customer.", field="number")
        issued = _issued(uow, order, kind, ZoneInfo(settings.timezone))
        return build_document(
            kind, order, customer, _families(uow, order), letterhead_of(settings), issued
        )


def offer(ctx: ServiceContext, actor: Principal, number: str) -> CustomerDocument | None:
    """The order's lines in words with prices and totals, as its quote has them, for the
    faces that show an order; None while the plant has no settings to price in."""
    try:
        return customer_document(ctx, actor, number, DocumentKind.QUOTE)
    except InvalidInput:
        return None


#: Events that make or remake the offer a quote prints, and the customer's yes.
_QUOTED = frozenset({"order_created", "order_revised", "order_revise_quote"})
_CONFIRMED = "order_confirm"


def _issued(uow: UnitOfWork, order: Order, kind: DocumentKind, zone: ZoneInfo) -> dt.date:
    """The day, in the plant's time zone, of the last offer (quote) or of the customer's
    confirmation (order confirmation), from the order's history."""
    wanted = _QUOTED if kind is DocumentKind.QUOTE else frozenset({_CONFIRMED})
    moments = [
        e.occurred_at for e in uow.events.for_aggregate("order", order.number) if e.kind in wanted
    ]
    moment = max(moments) if moments else order.created_at
    return moment.astimezone(zone).date()


def _families(uow: UnitOfWork, order: Order) -> dict[tuple[str, int], Family]:
    found: dict[tuple[str, int], Family] = {}
    for line in order.lines:
        if line.catalogue_version is None:
            continue
        key = (line.product_family, line.catalogue_version)
        entry = uow.catalogue.get(*key)
        if key not in found and entry is not None:
            found[key] = family_of(entry)
    return found

"""Customer documents (quote, order confirmation): what the customer reads and signs.

Built from the stored order, not from a page view: prices come from the order lines
(priced when configured) and labels from the catalogue version each line was configured
with, so a document printed later shows what was offered even after the catalogue, the
rates or the plant's settings change. The letterhead, currency, tax and terms come from
the plant's settings; nothing here knows which plant it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from orderforge.domain.customer import Customer
from orderforge.domain.order import Order, OrderState
from orderforge.engines.configurator.catalogue import Family
from orderforge.services.money import money, percent
from orderforge.services.spec_text import describe_spec


class DocumentKind(StrEnum):
    QUOTE = "quote"
    ORDER_CONFIRMATION = "order_confirmation"

    @property
    def heading(self) -> str:
        return "Quote" if self is DocumentKind.QUOTE else "Order confirmation"


#: States in which an order has been confirmed by the customer and not withdrawn.
CONFIRMED_STATES = frozenset(OrderState) - {
    OrderState.QUOTE,
    OrderState.REJECTED,
    OrderState.CANCELLED,
}


@dataclass(frozen=True)
class Letterhead:
    """What a document needs of the plant's settings."""

    name: str
    address_lines: tuple[str, ...]
    currency: str
    tax_rate: Decimal
    quote_validity_days: int
    terms: str
    logo: bytes | None = None


@dataclass(frozen=True)
class DocumentLine:
    position: str
    title: str
    spec: tuple[tuple[str, str], ...]
    quantity: int
    unit_price: str
    amount: str


@dataclass(frozen=True)
class CustomerDocument:
    """A document ready to draw: every value already in words and formatted money."""

    kind: DocumentKind
    title: str
    letterhead: Letterhead
    recipient: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    lines: tuple[DocumentLine, ...]
    totals: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]


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
    configured with, for labels; `issued` is the date the document speaks for."""
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
        valid = order.created_at.date() + dt.timedelta(days=letterhead.quote_validity_days)
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

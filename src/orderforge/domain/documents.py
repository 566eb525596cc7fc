"""Customer documents as values: what a quote or an order confirmation says, every value
already in words and formatted money, ready for any renderer (PDF today).

Pure data, so the renderer port can name it and the order page can show the same lines
and totals as the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class DocumentKind(StrEnum):
    QUOTE = "quote"
    ORDER_CONFIRMATION = "order_confirmation"

    @property
    def heading(self) -> str:
        return "Quote" if self is DocumentKind.QUOTE else "Order confirmation"


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
    #: The line's mock-up drawing (SVG text), or "" when there is none to show.
    mockup: str = ""


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


@dataclass(frozen=True)
class PaperTable:
    """A table on a plant paper; `codes` gives each row a code printed as a QR code in a
    last column (None: no code on that row)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: relative column widths
    widths: tuple[int, ...]
    codes: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class PaperSection:
    heading: str
    text: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    table: PaperTable | None = None
    #: a drawing (SVG text), e.g. the mock-up of the product to make
    drawing: str = ""


@dataclass(frozen=True)
class PlantPaper:
    """A paper for the floor (a work order's traveler; later packing lists and delivery
    notes): every value already in words, ready for any renderer."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[PaperSection, ...]
    #: a code for the whole paper, printed as a QR code at the top right
    code: str = ""
    #: the words under that code (what a person types when the scanner fails)
    code_label: str = ""

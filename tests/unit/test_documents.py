"""Customer documents: labels not codes, money one way, tax, totals, Unicode in the PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from orderforge.adapters.documents.customer_pdf import FpdfDocumentRenderer
from orderforge.demo.catalogue import catalogue_text, demo_specs
from orderforge.domain.catalogue import CatalogueFormat
from orderforge.domain.customer import Customer
from orderforge.domain.documents import DocumentKind, Letterhead
from orderforge.domain.order import LineInput, Order
from orderforge.engines.configurator.catalogue import Family
from orderforge.services.catalogue import parse_family
from orderforge.services.documents import build_document
from orderforge.services.money import money, percent
from orderforge.services.spec_text import describe_spec

AT = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
HEAD = Letterhead(
    name="Tischlerei Beispiel",
    address_lines=("Hauptstraße 1", "12345 Musterstadt"),
    currency="EUR",
    tax_rate=Decimal("0.19"),
    quote_validity_days=21,
    terms="Payment within 14 days.",
)


@pytest.fixture(scope="module")
def table() -> Family:
    return parse_family(catalogue_text("TABLE"), CatalogueFormat.YAML)


def _order(lines: list[LineInput]) -> Order:
    return Order.open_quote(
        number="SO-2026-0007",
        customer_id=1,
        lines=lines,
        requested_date=dt.date(2027, 2, 1),
        notes="",
        actor="sales",
        at=AT,
    )


def _customer(name: str = "Zoë Łukasiewicz") -> Customer:
    return Customer.register(code="C-ZOE", name=name, email="", country="PL", actor="sales", at=AT)


def test_money_and_rates_follow_the_currency() -> None:
    assert money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert money("1234", "JPY") == "JP¥1,234"  # no minor unit
    assert percent(Decimal("0.19")) == "19%"
    assert percent(Decimal("0.077")) == "7.7%"


def test_spec_is_described_with_labels_and_units(table: Family) -> None:
    spec = demo_specs()["TABLE"][0]
    described = dict(describe_spec(table, spec))
    assert described["Wood species"] == "Oak"
    assert described["Length"] == "2000 mm"
    assert "wood" not in described and "oak" not in described.values()
    # without a catalogue the stored values are shown, but keys read as words
    assert describe_spec(None, {"frame_wood": "beech"}) == [("Frame wood", "beech")]


def test_quote_totals_tax_and_validity(table: Family) -> None:
    spec = demo_specs()["TABLE"][0]
    order = _order(
        [LineInput("TABLE", 2, spec, 1, "1234.50"), LineInput("TABLE", 1, spec, 1, None)]
    )
    doc = build_document(
        DocumentKind.QUOTE, order, _customer(), {("TABLE", 1): table}, HEAD, AT.date()
    )
    assert doc.title == "Quote SO-2026-0007"
    assert dict(doc.totals) == {
        "Net total": "€2,469.00",
        "VAT 19%": "€469.11",
        "Total": "€2,938.11",
    }
    assert doc.lines[0].amount == "€2,469.00" and doc.lines[1].amount == "on request"
    assert doc.lines[0].title == table.name
    facts = dict(doc.facts)
    assert facts["Valid until"] == "21 December 2026"
    assert facts["Requested delivery"] == "1 February 2027"
    assert "not included in the totals" in doc.notes[0]


def test_confirmation_has_no_validity(table: Family) -> None:
    order = _order([LineInput("TABLE", 1, demo_specs()["TABLE"][0], 1, "100")])
    doc = build_document(DocumentKind.ORDER_CONFIRMATION, order, _customer(), {}, HEAD, AT.date())
    assert doc.title == "Order confirmation SO-2026-0007"
    assert "Valid until" not in dict(doc.facts)


def test_pdf_prints_non_latin_names_and_the_letterhead(table: Family) -> None:
    order = _order([LineInput("TABLE", 1, demo_specs()["TABLE"][0], 1, "980")])
    name = "Zoë Łukasiewicz – Дмитрий Ὀδυσσεύς"
    doc = build_document(
        DocumentKind.QUOTE, order, _customer(name), {("TABLE", 1): table}, HEAD, AT.date()
    )
    pdf = FpdfDocumentRenderer().render(doc)
    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert name in text
    assert "Tischlerei Beispiel" in text and "Hauptstraße 1" in text
    assert "Wood species: Oak" in text
    assert "€1,166.20" in text  # 980 + 19 % VAT
    assert "?" not in text

"""The quote as a PDF (the QuoteRenderer port), drawn with fpdf2's core fonts."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF


def _latin1(text: str) -> str:
    """Core PDF fonts speak Latin-1; anything else is replaced rather than crashing."""
    return text.encode("latin-1", "replace").decode("latin-1")


class FpdfQuoteRenderer:
    def render(self, quote: dict[str, Any]) -> bytes:
        pdf = FPDF(format="A4")
        pdf.set_title(_latin1(f"Quote {quote['number']}"))
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(
            0,
            10,
            _latin1(f"{quote['company']} - Quote {quote['number']}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Helvetica", "", 9)
        for address_line in quote.get("address", []):
            pdf.cell(0, 5, _latin1(address_line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for label, value in quote["facts"]:
            pdf.cell(45, 6, _latin1(label))
            pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
        for line in quote["lines"]:
            pdf.ln(4)
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 7, _latin1(line["title"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(0, 5, _latin1(line["spec"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "B", 10)
            pdf.cell(0, 6, _latin1(line["price"]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin1(quote["total"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin1(quote["terms"]))
        return bytes(pdf.output())

"""Customer documents as PDF (the DocumentRenderer port), drawn with fpdf2.

Text is set in Noto Sans (a Unicode font shipped as a Python package, so no system font
is needed): a customer called Łukasz, Zoë or Дмитрий prints as written, where the core
PDF fonts could only print Latin-1.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import cache
from pathlib import Path

import fontpkg_noto_sans
import fontTools
import segno
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from orderforge.domain.documents import CustomerDocument, PaperSection, PlantPaper

FONT = "NotoSans"


@cache
def _font_file() -> Path:
    root = Path(fontpkg_noto_sans.__file__).parent / "files"
    return next(root.glob("NotoSans[[]*.ttf"))


def _cache_dir() -> Path:
    """The user's cache folder (never a shared /tmp folder another user could fill)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "orderforge" / "fonts"


@cache
def _static_font(weight: int) -> Path:
    """Noto Sans at one weight as a static font, made once per machine and kept.

    The package ships a variable font; cutting an instance out of it takes fontTools some
    15 seconds of CPU, which fpdf2 would otherwise do for every document."""
    source = _font_file()
    stamp = hashlib.sha256(
        f"{source.stat().st_size}:{source.stat().st_mtime_ns}:{fontTools.version}".encode()
    ).hexdigest()[:16]
    folder = _cache_dir()
    path = folder / f"NotoSans-{weight}-{stamp}.ttf"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    font = instantiateVariableFont(
        TTFont(source), {"wght": float(weight), "wdth": 100.0}, inplace=True, optimize=False
    )
    # Written beside its final name and renamed: a reader never sees half a font.
    handle, partial = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        font.save(out)
    Path(partial).replace(path)
    return path


def _new_pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author("OrderForge")
    pdf.add_font(FONT, "", str(_static_font(400)))
    pdf.add_font(FONT, "B", str(_static_font(700)))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    return pdf


def _with_our_font(svg: str) -> bytes:
    """A mock-up set in Noto Sans: its text names the generic sans-serif, which fpdf2
    maps to Helvetica, a core font that prints Latin-1 only (a label such as "Ø 80 mm"
    or a Polish choice name would fail). Loading the variable font a second time under
    the generic name would cost seconds per document."""
    return svg.replace('font-family="sans-serif"', f'font-family="{FONT}"').encode()


def _qr_svg(data: str) -> bytes:
    """A QR code as SVG (segno), medium error correction so a smudged paper still scans."""
    out = io.BytesIO()
    segno.make_qr(data, error="m").save(
        out, kind="svg", border=1, scale=4, xmldecl=False, omitsize=True
    )
    return out.getvalue()


class FpdfDocumentRenderer:
    def render(self, document: CustomerDocument) -> bytes:
        pdf = _new_pdf(document.title)
        self._letterhead(pdf, document)
        self._recipient_and_facts(pdf, document)
        self._lines(pdf, document)
        self._totals(pdf, document)
        pdf.ln(4)
        pdf.set_font(FONT, "", 8.5)
        for note in document.notes:
            pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        return bytes(pdf.output())

    def render_paper(self, paper: PlantPaper) -> bytes:
        """A floor paper: its title, facts and code on top, then each section (text,
        facts, a table whose rows may carry QR codes, a drawing)."""
        pdf = _new_pdf(paper.title)
        top = pdf.get_y()
        if paper.code:
            size = 30
            x = pdf.w - pdf.r_margin - size
            pdf.image(io.BytesIO(_qr_svg(paper.code)), x=x, y=top, w=size, h=size)
            pdf.set_font(FONT, "", 7)
            pdf.set_xy(x - 10, top + size)
            pdf.cell(size + 10, 4, paper.code_label or paper.code, align="C")
            pdf.set_xy(pdf.l_margin, top)
        pdf.set_font(FONT, "B", 16)
        pdf.cell(140, 8, paper.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.cell(140, 5, paper.subtitle, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        self._facts(pdf, paper.facts, width=140)
        pdf.set_y(max(pdf.get_y(), top + (38 if paper.code else 0)) + 2)
        for section in paper.sections:
            self._section(pdf, section)
        return bytes(pdf.output())

    def _facts(self, pdf: FPDF, facts: tuple[tuple[str, str], ...], width: float = 0) -> None:
        pdf.set_font(FONT, "", 9)
        for label, value in facts:
            pdf.set_font(FONT, "B", 9)
            pdf.cell(42, 5, label)
            pdf.set_font(FONT, "", 9)
            pdf.multi_cell(width - 42 if width else 0, 5, value, new_x="LMARGIN", new_y="NEXT")

    def _section(self, pdf: FPDF, section: PaperSection) -> None:
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        for text in section.text:
            pdf.multi_cell(0, 4.8, text, new_x="LMARGIN", new_y="NEXT")
        self._facts(pdf, section.facts)
        if section.drawing:
            width = 120
            pdf.image(io.BytesIO(_with_our_font(section.drawing)), x=pdf.l_margin, w=width)
        table = section.table
        if table is None:
            return
        coded = any(code for code in table.codes)
        widths = (*table.widths, 22) if coded else table.widths
        heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        with pdf.table(
            col_widths=widths,
            headings_style=heading,
            line_height=4.8,
            borders_layout="HORIZONTAL_LINES",
            text_align="LEFT",
            v_align="MIDDLE" if coded else "TOP",
        ) as drawn:
            drawn.row((*table.columns, "Scan") if coded else table.columns)
            for i, values in enumerate(table.rows):
                row = drawn.row()
                for value in values:
                    row.cell(value)
                if coded:
                    code = table.codes[i] if i < len(table.codes) else None
                    if code:
                        row.cell(img=io.BytesIO(_qr_svg(code)), img_fill_width=True)
                    else:
                        row.cell("")

    def _letterhead(self, pdf: FPDF, document: CustomerDocument) -> None:
        head = document.letterhead
        if head.logo:
            pdf.image(io.BytesIO(head.logo), x=pdf.w - pdf.r_margin - 40, y=10, h=16)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(120, 7, head.name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(120, 4.5, " · ".join(head.address_lines), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)

    def _recipient_and_facts(self, pdf: FPDF, document: CustomerDocument) -> None:
        top = pdf.get_y()
        pdf.set_font(FONT, "", 10)
        for line in document.recipient:
            pdf.cell(95, 5, line, new_x="LMARGIN", new_y="NEXT")
        bottom = pdf.get_y()
        pdf.set_y(top)
        pdf.set_font(FONT, "", 9)
        for label, value in document.facts:
            pdf.set_x(110)
            pdf.cell(38, 5, label)
            pdf.multi_cell(0, 5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(bottom, pdf.get_y()) + 6)
        pdf.set_font(FONT, "B", 16)
        pdf.cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def _lines(self, pdf: FPDF, document: CustomerDocument) -> None:
        pdf.set_font(FONT, "", 9)
        heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        with pdf.table(
            col_widths=(10, 95, 15, 35, 35),
            text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
            headings_style=heading,
            line_height=4.8,
            borders_layout="HORIZONTAL_LINES",
            v_align="TOP",
        ) as table:
            table.row(("Pos.", "Description", "Qty", "Unit price", "Amount"))
            for line in document.lines:
                described = "\n".join(
                    [line.title, *(f"{label}: {value}" for label, value in line.spec)]
                )
                table.row(
                    (line.position, described, str(line.quantity), line.unit_price, line.amount)
                )
                if line.mockup:
                    # Its own row: the table moves a row that does not fit to the next
                    # page whole, so a drawing is never cut.
                    # Under the description, price columns included: wide enough to
                    # read, small enough that a one-line quote stays on one page.
                    row = table.row()
                    row.cell("")
                    row.cell(img=io.BytesIO(_with_our_font(line.mockup)), colspan=3)
                    row.cell("")

    def _totals(self, pdf: FPDF, document: CustomerDocument) -> None:
        pdf.ln(3)
        last = len(document.totals) - 1
        for i, (label, value) in enumerate(document.totals):
            pdf.set_font(FONT, "B" if i == last else "", 10 if i == last else 9)
            pdf.set_x(pdf.w - pdf.r_margin - 80)
            pdf.cell(45, 6, label)
            pdf.cell(35, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")

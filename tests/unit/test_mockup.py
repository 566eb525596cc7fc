"""Mock-up drawings: every demo spec of every family draws a safe, well-formed,
deterministic SVG with its dimensions and a legend in words; random specs from the
catalogues' choices and ranges (extremes included) stay inside the canvas; options
change the drawing; unknown families still get a drawing; the quote PDF carries it."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.demo.catalogue import CATALOGUE_FILES, catalogue_text, demo_specs
from orderforge.domain.catalogue import CatalogueFormat
from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.mockup import Choice, Measure, MockupInput, draw, quantity_text
from orderforge.services.catalogue import parse_family
from orderforge.services.mockups import mockup_input

SVG = "{http://www.w3.org/2000/svg}"
ALLOWED = {"svg", "rect", "line", "polygon", "polyline", "ellipse", "text"}
FAMILIES = tuple(CATALOGUE_FILES)
DEMO = [(code, i) for code, specs in demo_specs().items() for i in range(len(specs))]


@cache
def family(code: str) -> Family:
    return parse_family(catalogue_text(code), CatalogueFormat.YAML)


def drawing(code: str, spec: dict[str, str], quantity: int = 1) -> str:
    return draw(mockup_input(family(code), code, spec, quantity))


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def assert_safe(svg: str) -> None:
    """SVG 1.1 with a view box and size; only shapes and text; no script, no event
    attribute, no link anywhere."""
    root = parse(svg)
    assert root.get("version") == "1.1"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for element in root.iter():
        assert element.tag.removeprefix(SVG) in ALLOWED, element.tag
        for name in element.attrib:
            assert not name.lower().startswith("on"), name
            assert "href" not in name.lower(), name
    for font in (t.get("font-family") for t in root.iter(f"{SVG}text")):
        assert font == "sans-serif"
    lowered = svg.lower()
    for word in ("<script", "<foreignobject", "javascript:", "href=", "url("):
        assert word not in lowered, word


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def assert_inside(svg: str) -> None:
    """Every shape and every text anchor lies within the view box."""
    root = parse(svg)
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    eps = 0.11  # one decimal of rounding

    def inside(x: float, y: float) -> None:
        assert -eps <= x <= width + eps and -eps <= y <= height + eps, (x, y)

    for element in root.iter():
        tag, a = element.tag.removeprefix(SVG), element.attrib
        if tag == "rect":
            x, y, w, h = (float(a[k]) for k in ("x", "y", "width", "height"))
            assert w >= 0 and h >= 0
            inside(x, y)
            inside(x + w, y + h)
        elif tag == "line":
            inside(float(a["x1"]), float(a["y1"]))
            inside(float(a["x2"]), float(a["y2"]))
        elif tag in ("polygon", "polyline"):
            values = _numbers(a["points"])
            for x, y in zip(values[::2], values[1::2], strict=True):
                inside(x, y)
        elif tag == "ellipse":
            cx, cy, rx, ry = (float(a[k]) for k in ("cx", "cy", "rx", "ry"))
            inside(cx - rx, cy - ry)
            inside(cx + rx, cy + ry)
        elif tag == "text":
            inside(float(a["x"]), float(a["y"]))


# -- every demo spec -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "index"), DEMO)
def test_every_demo_spec_draws_its_dimensions_and_options_in_words(code: str, index: int) -> None:
    spec = demo_specs()[code][index]
    svg = drawing(code, spec)
    assert_safe(svg)
    assert_inside(svg)
    assert svg == drawing(code, spec)  # deterministic: the same bytes
    words = texts(parse(svg))
    assert family(code).name in words
    for parameter in family(code).parameters:
        if parameter.unit == "mm":
            assert quantity_text(Measure(Decimal(spec[parameter.code]), "mm", "")) in words
    for option in family(code).options:
        label = f"{option.label}: {option.label_of(spec[option.code])}"
        assert label in words, label
    # labels, never codes: a code that is not also a word of its label never shows
    shown = " ".join(words)
    for option in family(code).options:
        value = spec[option.code]
        if "-" in value and value.lower() not in option.label_of(value).lower():
            assert value not in shown, value


def test_two_views_for_furniture_one_for_a_wall_panel() -> None:
    captions = {
        code: [w for w in texts(parse(drawing(code, demo_specs()[code][0]))) if "view" in w]
        for code in FAMILIES
    }
    assert captions["TABLE"] == ["Top view", "Front view"]
    assert captions["CABINET"] == ["Top view", "Front view"]
    assert captions["SEATING"] == ["Top view", "Front view"]
    assert captions["COUCH"][0] == "Top view" and captions["COUCH"][1].startswith("Side view")
    assert captions["WALL-PANEL"] == ["Front view"]


def test_quantities_read_as_people_write_them() -> None:
    assert quantity_text(Measure(Decimal("2000"), "mm", "Length")) == "2 000 mm"
    assert quantity_text(Measure(Decimal("12345.5"), "mm", "")) == "12 345.5 mm"
    assert quantity_text(Measure(Decimal("740"), "mm", "")) == "740 mm"
    assert quantity_text(Measure(Decimal("4"), "pcs", "")) == "4 pcs"
    assert quantity_text(Measure(Decimal("-1500"), "", "")) == "-1 500"


# -- options change what is drawn ------------------------------------------------------


def shapes(svg: str) -> str:
    """The drawing without its words: what the options change visibly."""
    return re.sub(r"<text[^>]*>.*?</text>", "", svg)


#: Options whose every choice looks different, and options where at least two do.
EVERY_CHOICE = [
    ("TABLE", "wood"), ("TABLE", "leg_style"), ("TABLE", "cable_management"),
    ("TABLE", "top"), ("CABINET", "front"), ("CABINET", "handle"), ("CABINET", "worktop"),
    ("CABINET", "base"), ("CABINET", "carcass"), ("SEATING", "leg_style"),
    ("SEATING", "back_style"), ("SEATING", "fabric"), ("COUCH", "lift"),
    ("COUCH", "sections"), ("COUCH", "cover"), ("COUCH", "base"), ("COUCH", "paper_roll"),
    ("COUCH", "face_hole"), ("COUCH", "frame_colour"), ("WALL-PANEL", "pattern"),
    ("WALL-PANEL", "mounting"), ("WALL-PANEL", "veneer"),
]  # fmt: skip
SOME_CHOICES = [("TABLE", "edge_profile"), ("WALL-PANEL", "acoustic")]


@pytest.mark.parametrize(("code", "option"), EVERY_CHOICE + SOME_CHOICES)
def test_options_change_the_drawing(code: str, option: str) -> None:
    base = demo_specs()[code][0]
    choices = family(code).option_by_code[option].codes
    drawn = {shapes(drawing(code, {**base, option: choice})) for choice in choices}
    wanted = len(choices) if (code, option) in EVERY_CHOICE else 2
    assert len(drawn) >= wanted, f"{option}: {len(drawn)} drawings for {len(choices)} choices"


def test_cabinet_front_follows_drawers_and_doors() -> None:
    base = {**demo_specs()["CABINET"][0], "front": "flat-lacquered", "handle": "brass-bar"}

    def handles(spec: dict[str, str]) -> int:
        return drawing("CABINET", spec).count('fill="#c9a227"') - 1  # minus the legend swatch

    # 1200 mm wide, no drawers: two doors, each with its handle, in both views
    assert handles({**base, "width": "1200", "height": "720", "drawers": "0"}) == 4
    # three drawers of 160 mm over two doors
    assert handles({**base, "width": "1200", "height": "900", "drawers": "3"}) == 10


# -- any spec the catalogues allow ----------------------------------------------------


@st.composite
def catalogue_specs(draw_: st.DrawFn) -> tuple[str, dict[str, str], int]:
    code = draw_(st.sampled_from(FAMILIES))
    spec: dict[str, str] = {}
    for option in family(code).options:
        spec[option.code] = draw_(st.sampled_from(option.codes))
    for parameter in family(code).parameters:
        index = draw_(
            st.one_of(st.just(0), st.just(parameter.count - 1), st.integers(0, parameter.count - 1))
        )
        spec[parameter.code] = str(parameter.value_at(index))
    return code, spec, draw_(st.integers(1, 10_000))


@given(catalogue_specs())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_catalogue_specs_stay_well_formed_and_inside_the_canvas(
    case: tuple[str, dict[str, str], int],
) -> None:
    code, spec, quantity = case
    svg = drawing(code, spec, quantity)
    assert_safe(svg)
    assert_inside(svg)


@given(
    st.dictionaries(
        st.sampled_from(["length", "width", "height", "depth", "thickness"]),
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10) ** 9, places=3),
    ),
    st.sampled_from(["TABLE", "CABINET", "COUCH", "SEATING", "WALL-PANEL", "SHELF", ""]),
)
@settings(max_examples=100, deadline=None)
def test_any_dimensions_fit_the_canvas(sizes: dict[str, Decimal], code: str) -> None:
    parameters = {k: Measure(v, "mm", k.capitalize()) for k, v in sizes.items()}
    svg = draw(MockupInput(code, "Product", {}, parameters, 1))
    assert_safe(svg)
    assert_inside(svg)


# -- families the engine does not know -----------------------------------------------


def test_an_unknown_family_is_a_box_of_its_dimensions() -> None:
    source = MockupInput(
        "SHELF",
        "Wall shelf",
        {"wood": Choice("oak", "Oak", "Wood")},
        {
            "width": Measure(Decimal(1200), "mm", "Width"),
            "depth": Measure(Decimal(250), "mm", "Depth"),
            "height": Measure(Decimal(30), "mm", "Height"),
            "brackets": Measure(Decimal(3), "pcs", "Brackets"),
        },
    )
    svg = draw(source)
    words = texts(parse(svg))
    assert {"Top view", "Front view", "1 200 mm", "250 mm", "30 mm"} <= set(words)
    assert "Wood: Oak" in words and "Brackets: 3 pcs" in words
    assert 'fill="#c9a46a"' in svg  # oak, from the choice's words
    assert_inside(svg)


def test_without_dimensions_the_spec_is_listed() -> None:
    options = {f"o{i}": Choice(f"c{i}", f"Choice {i}", f"Option {i}") for i in range(80)}
    svg = draw(MockupInput("GIFT", "Gift card", options, {}, 1))
    words = texts(parse(svg))
    assert "Option 0: Choice 0" in words
    assert not any("view" in w for w in words)
    assert any(w.startswith("… and ") and w.endswith(" more") for w in words)
    assert_inside(svg)


def test_markup_and_control_characters_are_text() -> None:
    evil = '<script>alert("x")</script> & <foreignObject/> \x07 Zoë'
    source = MockupInput(
        "TABLE",
        evil,
        {"wood": Choice("oak", evil, "Wood onload=alert(1)")},
        {"length": Measure(Decimal(2000), "mm", evil)},
        1,
    )
    svg = draw(source)
    assert_safe(svg)
    assert any('<script>alert("x")</script>' in w for w in texts(parse(svg)))


def test_a_customer_own_material_is_drawn_neutral() -> None:
    spec = {**demo_specs()["SEATING"][0], "fabric": "customer-own-material"}
    assert 'fill="#c8c8c4"' in drawing("SEATING", spec)


def test_codes_without_a_catalogue_are_shown_as_stored() -> None:
    source = mockup_input(None, "TABLE", {"length": "2000", "wood": "oak"}, 2)
    assert source.family_name == "TABLE"
    assert source.options["wood"] == Choice("oak", "oak", "Wood")
    assert source.parameters["length"] == Measure(Decimal(2000), "", "Length")


# -- the quote document ---------------------------------------------------------------


def test_the_quote_pdf_draws_each_lines_mockup(tmp_path: pytest.TempPathFactory) -> None:
    from orderforge.adapters.documents.customer_pdf import FpdfDocumentRenderer
    from orderforge.domain.customer import Customer
    from orderforge.domain.documents import DocumentKind, Letterhead
    from orderforge.domain.order import LineInput, Order
    from orderforge.services.documents import build_document

    at = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    head = Letterhead("Tischlerei", ("Hauptstraße 1",), "EUR", Decimal("0.19"), 21, "")
    table = demo_specs()["TABLE"][0]
    couch = {**demo_specs()["COUCH"][0], "cover": "pu-grey"}
    order = Order.open_quote(
        number="SO-2026-0009",
        customer_id=1,
        lines=[LineInput("TABLE", 2, table, 1, "980"), LineInput("COUCH", 1, couch, 1, "2400")],
        requested_date=None,
        notes="",
        actor="sales",
        at=at,
    )
    customer = Customer.register(
        code="C-ZOE", name="Zoë", email="", country="PL", actor="sales", at=at
    )
    families = {("TABLE", 1): family("TABLE"), ("COUCH", 1): family("COUCH")}
    doc = build_document(DocumentKind.QUOTE, order, customer, families, head, at.date())
    assert all(parse(line.mockup) is not None for line in doc.lines)
    pdf = FpdfDocumentRenderer().render(doc)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    # the drawings' own words, printed as vector drawings beside the lines
    assert text.count("Top view") == 2 and "Front view" in text and "Side view" in text
    assert "2 000 mm" in text and "950 mm" in text and "1 950 mm" in text
    assert "Cover: Medical PU grey" in text
    assert "pu-grey" not in text and "hardwax-oil" not in text
    assert io.BytesIO(pdf).read(4) == b"%PDF"

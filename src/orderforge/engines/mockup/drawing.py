"""`draw(input) -> svg`: the family's drawing, its dimensions and a legend in words.

The family code picks the drawing; a family the engine does not know, or a spec without
the dimensions its drawing needs, gets a plain box from whichever of length, width,
height and depth it has, or else a panel listing the spec. Nothing a valid spec can hold
makes `draw` fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from orderforge.engines.mockup import cabinets, couches, panels, seating, tables
from orderforge.engines.mockup.layout import (
    HEIGHT,
    LEGEND_TOP,
    TITLE_BOTTOM,
    WIDTH,
    Legend,
    View,
    draw_legend,
    draw_title,
    draw_views,
)
from orderforge.engines.mockup.model import Measure, MockupInput, Spec
from orderforge.engines.mockup.palette import named_colour
from orderforge.engines.mockup.svg import Sheet

NOTE = "Mock-up drawn to scale from the specification; dimensions as configured."


class Figure(Protocol):
    """A family's drawing: its views and the colour each option fills with."""

    swatches: dict[str, str]

    def views(self) -> list[View]: ...


Builder = Callable[[Spec, dict[str, str]], Figure]

FAMILIES: dict[str, tuple[tuple[str, ...], Builder]] = {
    "TABLE": (("length", "width", "height"), tables.Table),
    "CABINET": (("width", "height", "depth"), cabinets.Cabinet),
    "SEATING": (("length", "depth", "height"), seating.Seating),
    "COUCH": (("length", "width", "height"), couches.Couch),
    "WALL-PANEL": (("width", "height"), panels.WallPanel),
}


def quantity_text(measure: Measure) -> str:
    """ "2 000 mm", "1 234.5 mm", "4 pcs": digits grouped by threes with a space."""
    value = measure.value
    if not value.is_finite():
        return f"{value} {measure.unit}".strip()
    text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = digits.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    grouped = " ".join([whole, *groups])
    number = sign + grouped + (f".{fraction}" if fraction else "")
    return f"{number} {measure.unit}".strip()


def _legend(source: MockupInput, shown: set[str], swatches: dict[str, str]) -> Legend:
    entries: list[tuple[str, str | None]] = []
    for code, choice in source.options.items():
        entries.append((f"{choice.option_label}: {choice.label}", swatches.get(code)))
    for code, measure in source.parameters.items():
        if code not in shown:
            entries.append((f"{measure.label}: {quantity_text(measure)}", None))
    return Legend(tuple(entries), (NOTE,))


def _figure(source: MockupInput, spec: Spec, labels: dict[str, str]) -> Figure | None:
    known = FAMILIES.get(source.family.strip().upper())
    if known is not None and spec.has(*known[0]):
        return known[1](spec, labels)
    return panels.box(spec, labels)


def draw(source: MockupInput) -> str:
    """The mock-up of one configured product as an SVG document (text)."""
    spec = Spec(source)
    labels = {code: quantity_text(m) for code, m in source.parameters.items()}
    sheet = Sheet(WIDTH, HEIGHT, f"Mock-up: {source.family_name or source.family}")
    draw_title(sheet, source.family_name or source.family, source.quantity)
    figure = _figure(source, spec, labels)
    if figure is None:
        swatches = {
            code: c
            for code, choice in source.options.items()
            if (c := named_colour(choice)) is not None
        }
        draw_legend(sheet, _legend(source, set(), swatches), TITLE_BOTTOM)
        return sheet.document()
    views = figure.views()
    draw_views(sheet, views)
    shown = {d.code for view in views for d in view.dims}
    draw_legend(sheet, _legend(source, shown, figure.swatches), LEGEND_TOP)
    return sheet.document()


__all__ = ["draw", "quantity_text"]

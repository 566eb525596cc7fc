"""A small SVG 1.1 writer that can only say safe things.

Every element is one of a fixed set of shapes and text; attribute names are ours, never
the caller's; text and attribute values are escaped and stripped of the characters XML
cannot carry. Numbers are written with one decimal, so the same drawing is the same
bytes on every run (the SVG is hashed into a signed design revision).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

FONT = "sans-serif"
#: Average advance of a sans-serif glyph, in font sizes: enough to keep text inside its
#: box without measuring fonts (which would tie the output to a machine).
GLYPH_WIDTH = 0.58

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

Point = tuple[float, float]


def num(value: float) -> str:
    """One decimal, no "-0", no exponent: "12.5", "3", "-4.2"."""
    text = f"{round(value, 1):.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def clean(text: str) -> str:
    """Text XML 1.0 can carry, on one line."""
    return _NOT_XML.sub("", text).replace("\n", " ").replace("\r", " ").replace("\t", " ")


def text_width(text: str, size: float) -> float:
    return len(text) * size * GLYPH_WIDTH


def fit(text: str, size: float, width: float) -> str:
    """`text` shortened with an ellipsis so that it fits `width`."""
    text = clean(text)
    if text_width(text, size) <= width:
        return text
    room = max(0, int(width / (size * GLYPH_WIDTH)) - 1)
    return text[:room].rstrip() + "…"


class Sheet:
    """An SVG document being drawn, in pixels of a fixed view box."""

    def __init__(self, width: int, height: int, title: str) -> None:
        self.width = width
        self.height = height
        self.title = clean(title)
        self._parts: list[str] = []

    def _add(self, tag: str, attrs: Sequence[tuple[str, str]], content: str | None = None) -> None:
        rendered = "".join(f" {name}={quoteattr(value)}" for name, value in attrs)
        if content is None:
            self._parts.append(f"<{tag}{rendered}/>")
        else:
            self._parts.append(f"<{tag}{rendered}>{escape(clean(content))}</{tag}>")

    @staticmethod
    def _paint(fill: str, stroke: str, width: float, dash: str) -> list[tuple[str, str]]:
        attrs = [("fill", fill), ("stroke", stroke)]
        if stroke != "none":
            attrs.append(("stroke-width", num(width)))
        if dash:
            attrs.append(("stroke-dasharray", dash))
        return attrs

    def rect(
        self,
        box: tuple[float, float, float, float],
        fill: str = "none",
        stroke: str = "#333333",
        width: float = 1,
        dash: str = "",
    ) -> None:
        x, y, w, h = box
        geometry = [("x", num(x)), ("y", num(y)), ("width", num(w)), ("height", num(h))]
        self._add("rect", geometry + self._paint(fill, stroke, width, dash))

    def line(
        self, a: Point, b: Point, stroke: str = "#333333", width: float = 1, dash: str = ""
    ) -> None:
        geometry = [("x1", num(a[0])), ("y1", num(a[1])), ("x2", num(b[0])), ("y2", num(b[1]))]
        self._add("line", geometry + self._paint("none", stroke, width, dash))

    def polygon(
        self,
        points: Sequence[Point],
        fill: str = "none",
        stroke: str = "#333333",
        width: float = 1,
        dash: str = "",
        closed: bool = True,
    ) -> None:
        text = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        tag = "polygon" if closed else "polyline"
        self._add(tag, [("points", text), *self._paint(fill, stroke, width, dash)])

    def ellipse(
        self,
        centre: Point,
        rx: float,
        ry: float,
        fill: str = "none",
        stroke: str = "#333333",
        width: float = 1,
    ) -> None:
        geometry = [("cx", num(centre[0])), ("cy", num(centre[1])), ("rx", num(rx))]
        self._add("ellipse", [*geometry, ("ry", num(ry)), *self._paint(fill, stroke, width, "")])

    def text(
        self,
        at: Point,
        content: str,
        size: float = 12,
        anchor: str = "start",
        fill: str = "#222222",
        bold: bool = False,
    ) -> None:
        attrs = [
            ("x", num(at[0])),
            ("y", num(at[1])),
            ("font-family", FONT),
            ("font-size", num(size)),
            ("fill", fill),
        ]
        if anchor != "start":
            attrs.append(("text-anchor", anchor))
        if bold:
            attrs.append(("font-weight", "bold"))
        self._add("text", attrs, content)

    def document(self) -> str:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
            f'width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img" '
            f"aria-label={quoteattr(self.title)}>"
        )
        background = (
            f'<rect x="0" y="0" width="{self.width}" height="{self.height}" fill="#ffffff"/>'
        )
        return "\n".join([head, background, *self._parts, "</svg>"]) + "\n"

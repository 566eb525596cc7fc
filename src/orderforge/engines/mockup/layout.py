"""Views on a sheet: real millimetres in, pixels of a fixed view box out.

A family drawing describes each view in millimetres (origin at the floor on the left,
y up) and names its dimension lines; the sheet gives every view of one drawing the same
scale, so the top and front views agree, and places the title, the views, the dimension
lines and the legend. The pen clamps every shape into its view (nothing leaves the
canvas, however extreme the spec) and widens features thinner than a hairline so that a
20 mm leg under a 3 m table still shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from orderforge.engines.mockup.palette import OUTLINE, outline_on
from orderforge.engines.mockup.svg import Point, Sheet, fit, text_width

WIDTH, HEIGHT = 960, 640
GAP = 16
TITLE_BOTTOM = 52
LEGEND_TOP = 450
CAPTION = 22
#: Thinnest feature drawn, in pixels.
MIN_FEATURE = 2.0
DIM_OFFSET = 26
DIM_SIZE = 11.5
DIM_COLOUR = "#4a4a4a"


@dataclass(frozen=True)
class Dim:
    """A dimension line: `start`..`end` mm along x (side "bottom") or y (side "left" or
    "right"), labelled `label`; `code` names the parameter it shows."""

    side: str
    start: float
    end: float
    label: str
    code: str = ""


@dataclass(frozen=True)
class View:
    """One view of the product: `width` x `height` mm, drawn by `paint`."""

    caption: str
    width: float
    height: float
    paint: Callable[[Pen], None]
    dims: tuple[Dim, ...] = ()


@dataclass(frozen=True)
class Legend:
    """Lines of the legend: "Wood species: Oak", each with the colour it fills with."""

    entries: tuple[tuple[str, str | None], ...] = ()
    notes: tuple[str, ...] = field(default=())


class Pen:
    """Draws one view: millimetres (y up from the floor) to pixels, clamped to `box`."""

    def __init__(
        self, sheet: Sheet, box: tuple[float, float, float, float], scale: float, height_mm: float
    ) -> None:
        self.sheet = sheet
        self.box = box  # x, y, w, h in pixels: the view's own area
        self.scale = scale
        self.height_mm = height_mm

    def point(self, x: float, y: float) -> Point:
        bx, by, bw, bh = self.box
        px = min(max(bx + x * self.scale, bx), bx + bw)
        py = min(max(by + (self.height_mm - y) * self.scale, by), by + bh)
        return px, py

    def _span(self, start: float, size: float, low: float, high: float) -> tuple[float, float]:
        """A pixel interval of at least MIN_FEATURE, kept within low..high."""
        size = max(size, MIN_FEATURE)
        start = min(max(start, low), max(low, high - size))
        return start, min(size, high - low)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str = "none",
        stroke: str = OUTLINE,
        dash: str = "",
        width: float = 1,
    ) -> None:
        bx, by, bw, bh = self.box
        left, top = self.point(x, y + h)
        px, pw = self._span(left, w * self.scale, bx, bx + bw)
        py, ph = self._span(top, h * self.scale, by, by + bh)
        self.sheet.rect((px, py, pw, ph), fill, outline_on(fill, stroke), width, dash)

    def line(
        self, a: Point, b: Point, stroke: str = OUTLINE, dash: str = "", width: float = 1
    ) -> None:
        self.sheet.line(self.point(*a), self.point(*b), stroke, width, dash)

    def polygon(
        self,
        points: Sequence[Point],
        fill: str = "none",
        stroke: str = OUTLINE,
        dash: str = "",
        closed: bool = True,
        width: float = 1,
    ) -> None:
        self.sheet.polygon(
            [self.point(x, y) for x, y in points],
            fill,
            outline_on(fill, stroke),
            width,
            dash,
            closed,
        )

    def ellipse(
        self, centre: Point, rx: float, ry: float, fill: str = "none", stroke: str = OUTLINE
    ) -> None:
        bx, by, bw, bh = self.box
        cx, cy = self.point(*centre)
        rx = max(rx * self.scale, MIN_FEATURE / 2)
        ry = max(ry * self.scale, MIN_FEATURE / 2)
        rx = min(rx, max(MIN_FEATURE / 2, min(cx - bx, bx + bw - cx)))
        ry = min(ry, max(MIN_FEATURE / 2, min(cy - by, by + bh - cy)))
        cx = min(max(cx, bx + rx), bx + bw - rx)
        cy = min(max(cy, by + ry), by + bh - ry)
        self.sheet.ellipse((cx, cy), rx, ry, fill, outline_on(fill, stroke))

    def hatch(
        self, x: float, y: float, w: float, h: float, pitch: float, stroke: str, limit: int = 120
    ) -> None:
        """Vertical lines every `pitch` mm across a box (grooves, channels, flutes); at
        most `limit`, and never closer than three pixels."""
        pitch = max(pitch, 3 / self.scale)
        count = min(limit, int(w / pitch))
        for i in range(1, count + (0 if count * pitch >= w else 1)):
            cx = x + i * w / (count + (0 if count * pitch >= w else 1))
            self.line((cx, y), (cx, y + h), stroke)


def _margins(view: View) -> tuple[float, float, float, float]:
    """Room around the object for its dimension lines: left, right, bottom, top."""

    def room(side: str) -> float:
        labels = [d.label for d in view.dims if d.side == side]
        if not labels:
            return 6
        widest = max(text_width(label, DIM_SIZE) for label in labels)
        return DIM_OFFSET + widest / 2 + 8

    return room("left"), room("right"), (44 if any(d.side == "bottom" for d in view.dims) else 6), 6


def _panels(count: int) -> list[tuple[float, float, float, float]]:
    top, bottom = TITLE_BOTTOM, LEGEND_TOP - 8
    if count <= 1:
        return [(GAP + 120, top, WIDTH - 2 * GAP - 240, bottom - top)]
    width = (WIDTH - (count + 1) * GAP) / count
    return [(GAP + i * (width + GAP), top, width, bottom - top) for i in range(count)]


def _scale(views: Sequence[View], panels: Sequence[tuple[float, float, float, float]]) -> float:
    scales = []
    for view, (_, _, pw, ph) in zip(views, panels, strict=True):
        left, right, bottom, top = _margins(view)
        scales.append(
            min(
                (pw - left - right) / max(view.width, 1e-6),
                (ph - CAPTION - bottom - top) / max(view.height, 1e-6),
            )
        )
    return max(min(scales), 1e-9)


def draw_views(sheet: Sheet, views: Sequence[View]) -> None:
    """The views side by side, at one scale, each centred in its panel with its caption
    and dimension lines."""
    panels = _panels(len(views))
    scale = _scale(views, panels)
    for view, (px, py, pw, ph) in zip(views, panels, strict=True):
        left, right, bottom, top = _margins(view)
        w, h = view.width * scale, view.height * scale
        inner_w, inner_h = pw - left - right, ph - CAPTION - bottom - top
        x = px + left + (inner_w - w) / 2
        y = py + CAPTION + top + (inner_h - h) / 2
        sheet.text((px + pw / 2, py + 14), fit(view.caption, 13, pw), 13, "middle", bold=True)
        pen = Pen(sheet, (x, y, w, h), scale, view.height)
        view.paint(pen)
        for dim in view.dims:
            _dimension(sheet, pen, dim, (px, py, pw, ph))


def _arrow(sheet: Sheet, tip: Point, towards: Point) -> None:
    (x, y), (tx, ty) = tip, towards
    dx, dy = tx - x, ty - y
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    ux, uy = dx / length, dy / length
    base = (x + ux * 7, y + uy * 7)
    sheet.polygon(
        [tip, (base[0] - uy * 2.6, base[1] + ux * 2.6), (base[0] + uy * 2.6, base[1] - ux * 2.6)],
        DIM_COLOUR,
        "none",
    )


def _ends(sheet: Sheet, a: Point, b: Point) -> None:
    """Arrowheads on a dimension line, or ticks when it is too short for arrows."""
    length = abs(a[0] - b[0]) + abs(a[1] - b[1])
    if length >= 18:
        _arrow(sheet, a, b)
        _arrow(sheet, b, a)
        return
    for x, y in (a, b):
        sheet.line((x - 3, y + 3), (x + 3, y - 3), DIM_COLOUR, 1.2)


def _dimension(sheet: Sheet, pen: Pen, dim: Dim, panel: tuple[float, float, float, float]) -> None:
    bx, by, bw, bh = pen.box
    px, _, pw, _ = panel
    label_w = text_width(dim.label, DIM_SIZE)
    if dim.side == "bottom":
        y = by + bh + DIM_OFFSET
        a, b = pen.point(dim.start, 0)[0], pen.point(dim.end, 0)[0]
        for x in (a, b):
            sheet.line((x, by + bh + 4), (x, y + 4), DIM_COLOUR, 0.7)
        sheet.line((a, y), (b, y), DIM_COLOUR, 0.9)
        _ends(sheet, (a, y), (b, y))
        centre = min(max((a + b) / 2, px + label_w / 2 + 2), px + pw - label_w / 2 - 2)
        sheet.text((centre, y - 4), dim.label, DIM_SIZE, "middle", DIM_COLOUR)
        return
    sign = 1 if dim.side == "right" else -1
    x = bx + bw + DIM_OFFSET if sign > 0 else bx - DIM_OFFSET
    edge = bx + bw if sign > 0 else bx
    top, bottom = pen.point(0, dim.end)[1], pen.point(0, dim.start)[1]
    for y in (top, bottom):
        sheet.line((edge + 4 * sign, y), (x + 4 * sign, y), DIM_COLOUR, 0.7)
    sheet.line((x, top), (x, bottom), DIM_COLOUR, 0.9)
    _ends(sheet, (x, top), (x, bottom))
    middle = (top + bottom) / 2
    centre = min(max(x, px + label_w / 2 + 2), px + pw - label_w / 2 - 2)
    sheet.rect((centre - label_w / 2 - 2, middle - 8, label_w + 4, 12), "#ffffff", "none")
    sheet.text((centre, middle + 2), dim.label, DIM_SIZE, "middle", DIM_COLOUR)


def draw_title(sheet: Sheet, name: str, quantity: int) -> None:
    right = f"Quantity {quantity}" if quantity != 1 else ""
    room = WIDTH - 2 * GAP - text_width(right, 13) - 20
    sheet.text((GAP, 30), fit(name, 20, room), 20, bold=True)
    if right:
        sheet.text((WIDTH - GAP, 30), right, 13, "end")
    sheet.line((GAP, TITLE_BOTTOM - 8), (WIDTH - GAP, TITLE_BOTTOM - 8), "#bbbbbb", 1)


def draw_legend(sheet: Sheet, legend: Legend, top: float = LEGEND_TOP) -> None:
    """The chosen options in words, in two columns; what does not fit is counted."""
    sheet.line((GAP, top), (WIDTH - GAP, top), "#bbbbbb", 1)
    size, row = 12.0, 18.0
    notes = legend.notes
    rows = int((HEIGHT - top - 20 - row * len(notes)) // row)
    capacity = max(0, rows * 2)
    entries = list(legend.entries) if capacity else []
    if len(entries) > capacity:
        hidden = len(entries) - capacity + 1
        entries = [*entries[: capacity - 1], (f"… and {hidden} more", None)]
    column = (WIDTH - 3 * GAP) / 2
    for i, (text, colour) in enumerate(entries):
        col, line = divmod(i, max(rows, 1))
        x = GAP + col * (column + GAP)
        y = top + 22 + line * row
        if colour is not None:
            sheet.rect((x, y - 10, 12, 12), colour, "#555555", 0.6)
        sheet.text((x + 18, y), fit(text, size, column - 20), size)
    for i, note in enumerate(notes):
        y = HEIGHT - 10 - (len(notes) - 1 - i) * row
        sheet.text((GAP, y), fit(note, 10.5, WIDTH - 2 * GAP), 10.5, fill="#666666")


__all__ = ["Dim", "Legend", "Pen", "View", "draw_legend", "draw_title", "draw_views"]

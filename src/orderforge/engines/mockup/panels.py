"""Wall panels and headboards (front view), and the box drawn for any other product.

A wall panel shows its surface (flat, 27 mm slats on the felt backing, V-grooves,
book-matched leaves, a microperforated face), its mounting behind it (dashed French
cleat or clip rails) or the feet of a freestanding headboard.

Any other family, or a spec without the dimensions its drawing needs, is drawn as a
box from whichever of length, width, depth and height it has: a top and a front view
with three of them, one view with two; with fewer, there is nothing to draw to scale
and the caller lists the spec instead.
"""

from __future__ import annotations

from orderforge.engines.mockup.layout import Dim, Pen, View
from orderforge.engines.mockup.model import Spec
from orderforge.engines.mockup.palette import (
    HIDDEN,
    NEUTRAL,
    finish_colour,
    named_colour,
    shade,
)

DASH = "4 3"
SLAT, SLAT_PITCH = 27.0, 40.0
FEET = 120.0


class WallPanel:
    def __init__(self, spec: Spec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.width = spec.length("width", 600)
        self.height = spec.length("height", 2400)
        self.feet = FEET if spec.code("mounting") == "freestanding-headboard" else 0.0
        self.colour = finish_colour(named_colour(spec.choice("veneer")), spec.choice("colour"))
        acoustic = spec.choice("acoustic")
        self.backing = named_colour(acoustic) if acoustic is not None else None
        self.swatches = {"veneer": self.colour}
        if self.backing is not None:
            self.swatches["acoustic"] = self.backing

    def views(self) -> list[View]:
        return [
            View(
                "Front view",
                self.width,
                self.height + self.feet,
                self.front_view,
                (
                    Dim("bottom", 0, self.width, self.labels.get("width", ""), "width"),
                    Dim(
                        "right",
                        self.feet,
                        self.feet + self.height,
                        self.labels.get("height", ""),
                        "height",
                    ),
                ),
            ),
        ]

    def front_view(self, pen: Pen) -> None:
        width, height, bottom = self.width, self.height, self.feet
        if bottom:
            for x in (width * 0.1, width * 0.9 - 60):
                pen.rect(x, 0, 60, bottom + 200, shade(self.colour, 0.3))
        mounting = self.spec.code("mounting")
        pattern = self.spec.code("pattern", "flat")
        grain = shade(self.colour, 0.25)
        if pattern == "slatted-27":
            pen.rect(0, bottom, width, height, self.backing or shade(self.colour, 0.6))
            count = min(200, max(1, int(width / SLAT_PITCH)))
            offset = (width - count * SLAT_PITCH + (SLAT_PITCH - SLAT)) / 2
            for i in range(count):
                pen.rect(
                    offset + i * SLAT_PITCH,
                    bottom,
                    SLAT,
                    height,
                    self.colour,
                    stroke=grain,
                    width=0.5,
                )
        else:
            pen.rect(0, bottom, width, height, self.colour)
        if pattern == "grooved-v":
            pen.hatch(0, bottom, width, height, 100.0, grain)
        elif pattern == "book-matched":
            self._book_matched(pen, grain)
        if self.spec.code("acoustic") == "microperforated":
            rows = min(60, int(height / 60))
            for i in range(1, rows):
                y = bottom + height * i / rows
                pen.line((20, y), (width - 20, y), grain, "1 5")
        if mounting == "french-cleat":
            pen.rect(width * 0.05, bottom + height - 160, width * 0.9, 60, stroke=HIDDEN, dash=DASH)
        elif mounting == "clip-rail":
            rails = max(2, min(10, int(height / 600) + 1))
            for i in range(rails):
                y = bottom + 100 + i * (height - 240) / (rails - 1)
                pen.rect(width * 0.05, y, width * 0.9, 40, stroke=HIDDEN, dash=DASH)

    def _book_matched(self, pen: Pen, grain: str) -> None:
        width, height, bottom = self.width, self.height, self.feet
        middle = width / 2
        pen.line((middle, bottom), (middle, bottom + height), grain)
        rise = width * 0.3
        count = max(2, min(24, int(height / 250)))
        for i in range(count):
            y = bottom + height * i / count
            top = min(y + rise, bottom + height)
            pen.line((middle, y), (0, top), grain)
            pen.line((middle, y), (width, top), grain)


class Box:
    """Any product with two or three of length, width, depth and height."""

    def __init__(self, spec: Spec, labels: dict[str, str], axes: list[str]) -> None:
        self.spec = spec
        self.labels = labels
        self.axes = axes
        colours = {
            code: colour
            for code, choice in spec.source.options.items()
            if (colour := named_colour(choice)) is not None
        }
        self.colour = next(iter(colours.values()), NEUTRAL)
        self.swatches = dict(list(colours.items())[:1])

    def _view(self, caption: str, across: str, up: str) -> View:
        w, h = self.spec.length(across, 1), self.spec.length(up, 1)

        def paint(pen: Pen) -> None:
            pen.rect(0, 0, w, h, self.colour)

        return View(
            caption,
            w,
            h,
            paint,
            (
                Dim("bottom", 0, w, self.labels.get(across, ""), across),
                Dim("right", 0, h, self.labels.get(up, ""), up),
            ),
        )

    def views(self) -> list[View]:
        if len(self.axes) == 3:
            across, deep, up = self.axes
            return [self._view("Top view", across, deep), self._view("Front view", across, up)]
        return [self._view("View", self.axes[0], self.axes[1])]


def box(spec: Spec, labels: dict[str, str]) -> Box | None:
    """A box from the dimensions the spec has, or None with fewer than two."""
    present = [name for name in ("length", "width", "depth", "height") if spec.has(name)]
    if len(present) < 2:
        return None
    if "height" in present and len(present) >= 3:
        flat = [name for name in present if name != "height"]
        return Box(spec, labels, [flat[0], flat[1], "height"])
    return Box(spec, labels, present[:2])

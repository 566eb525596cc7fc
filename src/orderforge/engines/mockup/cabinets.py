"""Cabinets and kitchen modules: top view and front view.

The front is laid out the way the catalogue builds it: `drawers` drawers of 160 mm at
the top, doors below (one per started 600 mm of width) when at least 250 mm is left,
else the drawers share the height. Shown: front style (shaker frame, J-pull groove,
flutes), handles, which side each door hinges on (dashed opening lines), shelves behind
the doors (dashed), worktop and base (plinth, legs, wall rail).
"""

from __future__ import annotations

import math

from orderforge.engines.mockup.layout import Dim, Pen, View
from orderforge.engines.mockup.model import Spec
from orderforge.engines.mockup.palette import (
    HIDDEN,
    STEEL,
    finish_colour,
    named_colour,
    shade,
)

DRAWER = 160.0
DOOR_MIN = 250.0
DOOR_MAX_WIDTH = 600.0
FRONT = 20.0  # front thickness, in the top view
ROOM = 30.0  # in front of the fronts: where bar handles stand out
DASH = "4 3"
BASES = {"recessed-plinth": 100.0, "legs-150": 150.0, "wall-hung": 0.0}
WORKTOPS = {
    "oak-solid-40": (40.0, "#c9a46a"),
    "compact-laminate-12": (12.0, "#4a4a4a"),
    "stone-by-others": (30.0, "#b9b8b2"),
}
#: x, y, w, h in mm
Box = tuple[float, float, float, float]
HANDLES = {"black-steel-bar": STEEL, "brass-bar": "#c9a227", "leather-pull": "#7a4a2a"}


class Cabinet:
    def __init__(self, spec: Spec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.width = spec.length("width", 600)
        self.height = spec.length("height", 720)
        self.depth = spec.length("depth", 560)
        self.shelves = spec.count("shelves", 0, 12)
        self.drawers = spec.count("drawers", 0, 12)
        self.front = spec.code("front", "flat-lacquered")
        base = spec.code("base", "recessed-plinth")
        self.base = BASES.get(base, 100.0 if "plinth" in base else 0.0)
        self.worktop = WORKTOPS.get(spec.code("worktop", "none"))
        self.carcass_colour = finish_colour(named_colour(spec.choice("carcass")), None)
        material = named_colour(spec.choice("carcass")) if self.front == "veneer-flat" else None
        self.front_colour = finish_colour(material or "#cdbb9c", spec.choice("colour"))
        self.handle = spec.code("handle", "integrated-grip")
        self.swatches = {"carcass": self.carcass_colour, "colour": self.front_colour}
        if self.worktop is not None:
            self.swatches["worktop"] = self.worktop[1]
        if self.handle in HANDLES:
            self.swatches["handle"] = HANDLES[self.handle]

    def views(self) -> list[View]:
        top = self.worktop[0] if self.worktop else 0.0
        return [
            View(
                "Top view",
                self.width,
                ROOM + FRONT + self.depth,
                self.top_view,
                (
                    Dim(
                        "right",
                        ROOM + FRONT,
                        ROOM + FRONT + self.depth,
                        self.labels.get("depth", ""),
                        "depth",
                    ),
                ),
            ),
            View(
                "Front view",
                self.width,
                self.base + self.height + top,
                self.front_view,
                (
                    Dim("bottom", 0, self.width, self.labels.get("width", ""), "width"),
                    Dim(
                        "right",
                        self.base,
                        self.base + self.height,
                        self.labels.get("height", ""),
                        "height",
                    ),
                ),
            ),
        ]

    # -- the front's layout ----------------------------------------------------------

    def fronts(self) -> tuple[list[Box], list[Box]]:
        """(drawer boxes, door boxes) as x, y, w, h in mm, y from the floor."""
        width, height, bottom = self.width, self.height, self.base
        below = height - self.drawers * DRAWER
        drawers: list[Box] = []
        if self.drawers and below < DOOR_MIN:
            size = height / self.drawers
            drawers = [(0, bottom + i * size, width, size) for i in range(self.drawers)]
            return drawers, []
        top = bottom + height
        drawers = [(0, top - (i + 1) * DRAWER, width, DRAWER) for i in range(self.drawers)]
        count = max(1, math.ceil(width / DOOR_MAX_WIDTH))
        door = width / count
        doors: list[Box] = [(i * door, bottom, door, below) for i in range(count)]
        return drawers, doors

    # -- views -----------------------------------------------------------------------

    def top_view(self, pen: Pen) -> None:
        width, depth = self.width, self.depth
        pen.rect(0, ROOM + FRONT, width, depth, self.carcass_colour)
        pen.rect(0, ROOM, width, FRONT, self.front_colour)
        if self.worktop is not None:
            overhang = 20.0
            dash = DASH if self.spec.code("worktop") == "stone-by-others" else ""
            pen.rect(
                0, ROOM - overhang, width, FRONT + depth + overhang, self.worktop[1], dash=dash
            )
        if self.spec.code("base") == "wall-hung":
            pen.rect(0, ROOM + FRONT + depth - 8, width, 8, "#8c8c8c")
        if self.handle in HANDLES:
            drawers, doors = self.fronts()
            for x, _, w, _ in [*drawers, *doors]:
                pen.rect(x + w / 2 - 60, ROOM - 25, 120, 25, HANDLES[self.handle])

    def front_view(self, pen: Pen) -> None:
        width, height, bottom = self.width, self.height, self.base
        self._base(pen)
        pen.rect(0, bottom, width, height, shade(self.carcass_colour, 0.08))
        drawers, doors = self.fronts()
        if doors and self.shelves:
            _, y, _, zone = doors[0]
            for i in range(1, self.shelves + 1):
                level = y + zone * i / (self.shelves + 1)
                pen.line((18, level), (width - 18, level), HIDDEN, DASH)
        for box in drawers:
            self._panel(pen, box)
            self._handle(pen, box, None)
        for i, box in enumerate(doors):
            hinge_left = i % 2 == 0
            self._panel(pen, box)
            self._opening(pen, box, hinge_left)
            self._handle(pen, box, hinge_left)
        if self.worktop is not None:
            dash = DASH if self.spec.code("worktop") == "stone-by-others" else ""
            pen.rect(0, bottom + height, width, self.worktop[0], self.worktop[1], dash=dash)

    def _base(self, pen: Pen) -> None:
        width, base = self.width, self.spec.code("base", "recessed-plinth")
        if base == "legs-150":
            for x in (min(40.0, width / 6), width - min(40.0, width / 6) - 30):
                pen.rect(x, 0, 30, self.base, STEEL)
        elif self.base > 0:
            pen.rect(
                min(50.0, width / 8),
                0,
                width - 2 * min(50.0, width / 8),
                self.base,
                shade(self.front_colour, 0.35),
            )
        if base == "wall-hung":
            top = self.height
            pen.rect(0, top - 100, width, 40, stroke=HIDDEN, dash=DASH)

    def _panel(self, pen: Pen, box: Box) -> None:
        x, y, w, h = box
        pen.rect(x, y, w, h, self.front_colour)
        edge = shade(self.front_colour, 0.35)
        if self.front == "shaker-frame":
            inset = min(70.0, w / 5, h / 5)
            pen.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, stroke=edge)
        elif self.front == "handleless-j-pull":
            pen.rect(x, y + h - min(25.0, h / 4), w, min(25.0, h / 4), edge, stroke=edge)
        elif self.front == "fluted":
            pen.hatch(x, y, w, h, 30.0, edge, limit=60)
        elif self.front == "veneer-flat":  # the veneer's grain, faint
            pen.hatch(x, y, w, h, 90.0, shade(self.front_colour, 0.12), limit=30)
        if self.handle == "integrated-grip":
            pen.rect(
                x + w * 0.1,
                y + h - min(14.0, h / 6),
                w * 0.8,
                min(14.0, h / 6),
                shade(self.front_colour, 0.45),
                stroke="none",
            )

    def _opening(self, pen: Pen, box: Box, hinge_left: bool) -> None:
        """Dashed lines from the opening side's corners to the hinge side's middle."""
        x, y, w, h = box
        hinge, free = (x, x + w) if hinge_left else (x + w, x)
        pen.polygon(
            [(free, y + h), (hinge, y + h / 2), (free, y)], stroke=HIDDEN, dash=DASH, closed=False
        )

    def _handle(self, pen: Pen, box: Box, hinge_left: bool | None) -> None:
        colour = HANDLES.get(self.handle)
        if colour is None:
            return
        x, y, w, h = box
        if self.handle == "leather-pull":
            size = (60.0, 40.0) if hinge_left is None else (40.0, 60.0)
        else:
            size = (
                (min(300.0, w * 0.5), 20.0) if hinge_left is None else (20.0, min(300.0, h * 0.4))
            )
        if hinge_left is None:
            left, bottom = x + (w - size[0]) / 2, y + (h - size[1]) / 2
        else:
            left = x + w - 50 - size[0] if hinge_left else x + 50
            bottom = y + h - 80 - size[1] if h < 1200 else y + (h - size[1]) / 2
        pen.rect(left, bottom, size[0], size[1], colour)

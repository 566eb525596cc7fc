"""Dining and conference tables: top view and front view.

Shown: the top's outline (solid boards as seams, a knife edge or bevel as its taper),
the base (tapered or square legs on a rail frame, trestles, A-frames, steel U-frames,
dashed under the top in the top view) and the cable management (grommets, power box,
cable tray).
"""

from __future__ import annotations

import math

from orderforge.engines.mockup.layout import Dim, Pen, View
from orderforge.engines.mockup.model import Spec
from orderforge.engines.mockup.palette import HIDDEN, STEEL, finish_colour, named_colour, shade

LEG = 80.0
INSET = 60.0
DASH = "4 3"


class Table:
    def __init__(self, spec: Spec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.length = spec.length("length", 1800)
        self.width = spec.length("width", 900)
        self.height = spec.length("height", 740)
        self.leg_style = spec.code("leg_style", "four-square")
        self.colour = finish_colour(named_colour(spec.choice("wood")), spec.choice("colour"))
        top = spec.code("top")
        core = spec.code("core")
        self.thickness = 40.0 if top == "solid" else 38.0 if "honeycomb" in core else 26.0
        self.thickness = min(self.thickness, self.height / 4)
        self.swatches = {"wood": self.colour}
        self.base_colour = STEEL if "steel" in self.leg_style else self.colour

    def views(self) -> list[View]:
        return [
            View(
                "Top view",
                self.length,
                self.width,
                self.top_view,
                (
                    Dim("bottom", 0, self.length, self.labels.get("length", ""), "length"),
                    Dim("right", 0, self.width, self.labels.get("width", ""), "width"),
                ),
            ),
            View(
                "Front view",
                self.length,
                self.height,
                self.front_view,
                (Dim("right", 0, self.height, self.labels.get("height", ""), "height"),),
            ),
        ]

    # -- where the base stands -------------------------------------------------------

    def positions(self) -> list[float]:
        """Centre lines (mm from the left end) of the legs, frames or trestles."""
        length = self.length
        if self.leg_style == "trestle":
            return [length * 0.18, length * 0.82]
        if self.leg_style == "a-frame":
            count = 2 + max(0, math.ceil((length - 2400) / 1000))
            return _spread(count, min(250.0, length / 4), length)
        if self.leg_style == "steel-u-frame":
            return _spread(max(2, math.ceil(length / 1200)), min(120.0, length / 4), length)
        half = min(LEG, length / 4) / 2
        ends = [min(INSET, length / 8) + half, length - min(INSET, length / 8) - half]
        return [ends[0], length / 2, ends[1]] if length > 2400 else ends

    # -- views -----------------------------------------------------------------------

    def top_view(self, pen: Pen) -> None:
        length, width = self.length, self.width
        pen.rect(0, 0, length, width, self.colour)
        if self.spec.code("top") == "solid":
            boards = max(2, round(width / 130))
            for i in range(1, min(boards, 40)):
                y = width * i / boards
                pen.line((0, y), (length, y), shade(self.colour, 0.3))
        edge = self.spec.code("edge_profile")
        if edge in ("knife-edge", "bevel-underside"):
            inset = self.thickness * (3 if edge == "knife-edge" else 1)
            pen.rect(
                inset,
                inset,
                length - 2 * inset,
                width - 2 * inset,
                dash=DASH,
                stroke=shade(self.colour, 0.45),
            )
        self._base_plan(pen)
        self._cables_plan(pen)

    def _base_plan(self, pen: Pen) -> None:
        width = self.width
        for x in self.positions():
            if self.leg_style == "trestle":
                pen.rect(x - 45, 40, 90, width - 80, stroke=HIDDEN, dash=DASH)
            elif self.leg_style == "a-frame":
                for y in (80.0, width - 140):
                    pen.rect(x - 180, y, 360, 60, stroke=HIDDEN, dash=DASH)
            elif self.leg_style == "steel-u-frame":
                pen.rect(x - 20, 50, 40, width - 100, stroke=HIDDEN, dash=DASH)
            else:
                leg = min(LEG, width / 4)
                for y in (min(INSET, width / 8), width - min(INSET, width / 8) - leg):
                    pen.rect(x - leg / 2, y, leg, leg, stroke=HIDDEN, dash=DASH)
        if self.leg_style == "trestle":
            first, last = self.positions()[0], self.positions()[-1]
            pen.line((first, width / 2), (last, width / 2), HIDDEN, DASH)

    def _cables_plan(self, pen: Pen) -> None:
        length, width = self.length, self.width
        cables = self.spec.code("cable_management", "none")
        if cables == "grommet":
            for x in (length / 3, 2 * length / 3):
                pen.ellipse((x, width - 150), 40, 40, "#3a3a3a")
        if cables in ("power-box", "cable-tray-and-box"):
            pen.rect(length / 2 - 120, width / 2 - 60, 240, 120, "#4a4a4a")
        if cables == "cable-tray-and-box":
            pen.rect(length * 0.2, width / 2 - 100, length * 0.6, 200, stroke=HIDDEN, dash=DASH)

    def front_view(self, pen: Pen) -> None:
        length, height, t = self.length, self.height, self.thickness
        under = height - t
        self._base_front(pen, under)
        if self.spec.code("cable_management") == "cable-tray-and-box":
            pen.rect(length * 0.2, under - 100, length * 0.6, 100, stroke=HIDDEN, dash=DASH)
        edge = self.spec.code("edge_profile")
        taper = t * 3 if edge == "knife-edge" else t if edge == "bevel-underside" else 0.0
        taper = min(taper, length / 6)
        pen.polygon(
            [
                (0, height),
                (length, height),
                (length, under + t * 0.35),
                (length - taper, under),
                (taper, under),
                (0, under + t * 0.35),
            ]
            if taper
            else [(0, height), (length, height), (length, under), (0, under)],
            self.colour,
        )

    def _base_front(self, pen: Pen, under: float) -> None:
        positions = self.positions()
        colour = self.base_colour
        if self.leg_style == "trestle":
            pen.rect(positions[0], under * 0.35, positions[-1] - positions[0], 80, colour)
        if self.leg_style in ("tapered", "four-square"):
            leg = min(LEG, self.length / 4)
            rail_from = positions[0] + leg / 2
            rail_to = positions[-1] - leg / 2
            pen.rect(rail_from, under - 90, rail_to - rail_from, 90, shade(colour, 0.12))
        for i, x in enumerate(positions):
            if self.leg_style == "trestle":
                pen.rect(x - 45, 60, 90, under - 60, colour)
                pen.rect(x - 110, 0, 220, 60, colour)
                pen.rect(x - 110, under - 50, 220, 50, colour)
            elif self.leg_style == "a-frame":
                _a_frame(pen, x, under, colour)
            elif self.leg_style == "steel-u-frame":
                pen.rect(x - 20, 12, 40, under - 12, colour)
                pen.rect(x - 30, 0, 60, 12, "#888888")
            else:
                leg = min(LEG, self.length / 4)
                bottom = leg * 0.55 if self.leg_style == "tapered" else leg
                left = x - leg / 2
                if i == len(positions) - 1:
                    shape = [
                        (left, under),
                        (left + leg, under),
                        (left + leg, 0),
                        (left + leg - bottom, 0),
                    ]
                elif i == 0:
                    shape = [(left, under), (left + leg, under), (left + bottom, 0), (left, 0)]
                else:
                    off = (leg - bottom) / 2
                    shape = [
                        (left, under),
                        (left + leg, under),
                        (left + leg - off, 0),
                        (left + off, 0),
                    ]
                pen.polygon(shape, colour)


def _a_frame(pen: Pen, x: float, under: float, colour: str) -> None:
    spread, apex, leg = 180.0, 45.0, 55.0
    pen.polygon(
        [
            (x - spread, 0),
            (x - spread + leg, 0),
            (x - apex + leg * 0.6, under),
            (x - apex - leg * 0.2, under),
        ],
        colour,
    )
    pen.polygon(
        [
            (x + spread, 0),
            (x + spread - leg, 0),
            (x + apex - leg * 0.6, under),
            (x + apex + leg * 0.2, under),
        ],
        colour,
    )
    bar = under * 0.35
    pen.rect(x - spread * 0.72, bar, spread * 1.44, 45, shade(colour, 0.1))
    pen.rect(x - apex - 20, under - 40, 2 * apex + 40, 40, colour)


def _spread(count: int, inset: float, length: float) -> list[float]:
    if count <= 1:
        return [length / 2]
    step = (length - 2 * inset) / (count - 1)
    return [inset + i * step for i in range(count)]

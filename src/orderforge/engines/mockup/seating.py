"""Upholstered benches, banquettes and sofas: top view and front view.

Shown: the seat cushions (one per started 800 mm), the back (low, high, channel-tufted,
or none for a bench) and the base (tapered or block legs, an upholstered plinth, a
bent-wood sled), in the cover's and the legs' colours.
"""

from __future__ import annotations

import math

from orderforge.engines.mockup.layout import Dim, Pen, View
from orderforge.engines.mockup.model import Spec
from orderforge.engines.mockup.palette import HIDDEN, NEUTRAL, finish_colour, named_colour, shade

DASH = "4 3"
CUSHION = 800.0
BACK_DEPTH = {"high-back": 220.0, "channel-tufted": 200.0}


class Seating:
    def __init__(self, spec: Spec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.length = spec.length("length", 2000)
        self.depth = spec.length("depth", 600)
        self.height = spec.length("height", 800)
        self.seat = min(spec.length("seat_height", 450), self.height)
        self.back = spec.code("back_style", "low-back")
        self.has_back = "none" not in self.back and self.height > self.seat
        self.legs = spec.code("leg_style", "tapered")
        self.leg_height = max(min(60.0, self.seat / 3), self.seat - 260)
        self.cover = named_colour(spec.choice("fabric")) or NEUTRAL
        self.wood = finish_colour(named_colour(spec.choice("frame_wood")), spec.choice("colour"))
        self.swatches = {"fabric": self.cover, "colour": self.wood}

    def views(self) -> list[View]:
        label = self.labels.get
        return [
            View(
                "Top view",
                self.length,
                self.depth,
                self.top_view,
                (
                    Dim("bottom", 0, self.length, label("length", ""), "length"),
                    Dim("right", 0, self.depth, label("depth", ""), "depth"),
                ),
            ),
            View(
                "Front view",
                self.length,
                self.height,
                self.front_view,
                (
                    Dim("left", 0, self.seat, label("seat_height", ""), "seat_height"),
                    Dim("right", 0, self.height, label("height", ""), "height"),
                ),
            ),
        ]

    def cushions(self) -> int:
        return max(1, min(12, math.ceil(self.length / CUSHION)))

    def leg_positions(self) -> list[float]:
        count = max(2, min(12, math.ceil(self.length / 1000)))
        inset = min(60.0, self.length / 10)
        step = (self.length - 2 * inset) / (count - 1)
        return [inset + i * step for i in range(count)]

    def top_view(self, pen: Pen) -> None:
        length, depth = self.length, self.depth
        pen.rect(0, 0, length, depth, shade(self.cover, 0.1))
        back = min(BACK_DEPTH.get(self.back, 170.0), depth / 3) if self.has_back else 0.0
        count = self.cushions()
        for i in range(count):
            pen.rect(
                i * length / count + 10, 10, length / count - 20, depth - back - 20, self.cover
            )
        if back:
            pen.rect(0, depth - back, length, back, shade(self.cover, 0.2))
            if self.back == "channel-tufted":
                pen.hatch(0, depth - back, length, back, 120.0, shade(self.cover, 0.45))
        for x in self.leg_positions() if self.legs != "plinth" else []:
            for y in (40.0, depth - 80):
                if self.legs == "sled":
                    pen.rect(x - 15, 20, 30, depth - 40, stroke=HIDDEN, dash=DASH)
                    break
                pen.rect(x - 20, y, 40, 40, stroke=HIDDEN, dash=DASH)
        if self.legs == "plinth":
            pen.rect(40, 40, length - 80, depth - 80, stroke=HIDDEN, dash=DASH)

    def front_view(self, pen: Pen) -> None:
        length, seat, legs = self.length, self.seat, self.leg_height
        if self.has_back:
            pen.rect(0, seat - 40, length, self.height - seat + 40, shade(self.cover, 0.2))
            if self.back == "channel-tufted":
                pen.hatch(0, seat, length, self.height - seat, 120.0, shade(self.cover, 0.45))
        self._base(pen)
        frame_top = legs + (seat - legs) * 0.45
        pen.rect(0, legs, length, frame_top - legs, shade(self.cover, 0.15))
        count = self.cushions()
        for i in range(count):
            pen.rect(i * length / count, frame_top, length / count, seat - frame_top, self.cover)

    def _base(self, pen: Pen) -> None:
        legs = self.leg_height
        if self.legs == "plinth":
            pen.rect(40, 0, self.length - 80, legs, shade(self.cover, 0.3))
            return
        for x in self.leg_positions():
            if self.legs == "tapered":
                pen.polygon([(x - 25, legs), (x + 25, legs), (x + 14, 0), (x - 14, 0)], self.wood)
            elif self.legs == "sled":
                pen.rect(x - 15, 0, 30, legs, self.wood)
                pen.rect(x - 40, 0, 80, 25, self.wood)
            else:
                pen.rect(x - 35, 0, 70, legs, self.wood)

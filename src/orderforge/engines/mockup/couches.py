"""Medical examination couches: top view and side view.

Shown: one flat top or two sections with the head rest raised, the padding, the
electric lift column on its base frame (with the foot switch) or four fixed legs, the
castors or levelling feet, the paper roll holder and the face hole, in the cover's and
the frame's colours.
"""

from __future__ import annotations

import math

from orderforge.engines.mockup.layout import Dim, Pen, View
from orderforge.engines.mockup.model import Spec
from orderforge.engines.mockup.palette import HIDDEN, NEUTRAL, OUTLINE, named_colour, shade

DASH = "4 3"
TILT = math.radians(20)
BOARD = 18.0
FRAME = 60.0


class Couch:
    def __init__(self, spec: Spec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.length = spec.length("length", 1950)
        self.width = spec.length("width", 700)
        self.height = spec.length("height", 750)
        foam = 70.0 if "70" in spec.code("foam") else 50.0
        self.pad = min(BOARD + foam, self.height / 5)
        self.two = spec.code("sections") == "two-section"
        self.head = min(650.0, self.length / 3)
        self.rise = self.head * math.sin(TILT) + self.pad if self.two else 0.0
        self.electric = spec.code("lift") == "electric"
        self.castors = spec.code("base") == "castors"
        self.cover = named_colour(spec.choice("cover")) or NEUTRAL
        self.frame = named_colour(spec.choice("frame_colour")) or "#d0d0d0"
        self.swatches = {"cover": self.cover, "frame_colour": self.frame}

    def views(self) -> list[View]:
        label = self.labels.get
        caption = "Side view (head rest raised)" if self.two else "Side view"
        return [
            View(
                "Top view",
                self.length,
                self.width,
                self.top_view,
                (
                    Dim("bottom", 0, self.length, label("length", ""), "length"),
                    Dim("right", 0, self.width, label("width", ""), "width"),
                ),
            ),
            View(
                caption,
                self.length,
                self.height + self.rise,
                self.side_view,
                (Dim("right", 0, self.height, label("height", ""), "height"),),
            ),
        ]

    def top_view(self, pen: Pen) -> None:
        length, width = self.length, self.width
        if self.electric:
            pen.rect(
                length * 0.15, width * 0.2, length * 0.7, width * 0.6, stroke=HIDDEN, dash=DASH
            )
        else:
            for x in (100.0, length - 150):
                for y in (60.0, width - 110):
                    pen.rect(x, y, 50, 50, stroke=HIDDEN, dash=DASH)
        pen.rect(0, 0, length, width, self.cover)
        if self.two:
            pen.line((self.head, 0), (self.head, width), shade(self.cover, 0.5))
        if self.spec.code("face_hole") == "yes":
            pen.ellipse((self.head * 0.45, width / 2), 95, 65, "#1f1f1f")
        if self.spec.code("paper_roll") == "yes":
            pen.rect(length - 90, width * 0.1, 60, width * 0.8, stroke=HIDDEN, dash=DASH)

    def side_view(self, pen: Pen) -> None:
        length, height, pad = self.length, self.height, self.pad
        under = height - pad
        foot = 70.0 if self.castors else 20.0
        pen.rect(length * 0.05, under - FRAME, length * 0.9, FRAME, self.frame)
        if self.electric:
            pen.rect(length * 0.15, foot, length * 0.7, 60, self.frame)
            column = min(260.0, length / 5)
            pen.rect(
                length / 2 - column / 2,
                foot + 60,
                column,
                under - FRAME - foot - 60,
                shade(self.frame, 0.12),
            )
            pen.line(
                (length / 2 - column / 2, (under + foot) / 2),
                (length / 2 + column / 2, (under + foot) / 2),
                OUTLINE,
            )
            pen.rect(length * 0.9, 0, 120, 45, "#3a3a3a")
            stands = [length * 0.15 + 40, length * 0.85 - 40]
        else:
            stands = [150.0, length - 150]
            for x in stands:
                pen.rect(x - 25, foot, 50, under - FRAME - foot, self.frame)
            pen.rect(150, foot + 120, length - 300, 35, self.frame)
        for x in stands:
            if self.castors:
                pen.ellipse((x, 35), 35, 35, "#3a3a3a")
            else:
                pen.rect(x - 30, 0, 60, 20, "#555555")
        if self.spec.code("paper_roll") == "yes":
            pen.ellipse((length - 90, under - FRAME - 70), 55, 55, "#f7f7f2")
        self._top(pen, under)

    def _top(self, pen: Pen, under: float) -> None:
        length, height, pad = self.length, self.height, self.pad
        if not self.two:
            pen.rect(0, under, length, pad, self.cover)
            return
        head = self.head
        pen.rect(head, under, length - head, pad, self.cover)
        dx, dy = math.cos(TILT), math.sin(TILT)
        # the head section turns about its lower inner corner
        far_bottom = (head - head * dx, under + head * dy)
        far_top = (far_bottom[0] - pad * dy, far_bottom[1] + pad * dx)
        near_top = (head - pad * dy, under + pad * dx)
        pen.polygon([(head, under), far_bottom, far_top, near_top], self.cover)
        pen.line((head, under), (head, height), shade(self.cover, 0.5))

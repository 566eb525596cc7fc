"""Mock-up drawings of a configured product: plain data in, SVG text out.

    svg = draw(MockupInput(family="TABLE", family_name="Dining table",
                           options={"wood": Choice("oak", "Oak", "Wood species")},
                           parameters={"length": Measure(Decimal(2000), "mm", "Length")}))

Pure and standalone like the scheduling engine: standard library only, nothing else
from OrderForge. The output is deterministic (same input, same bytes) and safe to show
anywhere: SVG 1.1 shapes and escaped text only, no script, no external reference.
See docs/configurator.md, "Mock-up".
"""

from orderforge.engines.mockup.drawing import draw, quantity_text
from orderforge.engines.mockup.model import Choice, Measure, MockupInput

__all__ = ["Choice", "Measure", "MockupInput", "draw", "quantity_text"]

"""Fill colours from the words of a choice: "oak", "walnut", "grey", "cognac"...

A choice is matched by its code and its label, whole words only and compound names
first ("smoked oak" before "oak"); a choice that names no known material or colour
gets the neutral fallback, so a new catalogue draws in grey rather than failing.
"""

from __future__ import annotations

import re

from orderforge.engines.mockup.model import Choice

NEUTRAL = "#c8c8c4"
OUTLINE = "#333333"
HIDDEN = "#777777"
STEEL = "#2e2e2e"

#: Compound names first: the first name found in a choice wins.
NAMED: tuple[tuple[str, str], ...] = (
    ("smoked oak", "#6f5038"),
    ("white aluminium", "#c9ccd0"),
    ("traffic white", "#f1f0ea"),
    ("walnut", "#6b4a33"),
    ("cherry", "#9c5b3b"),
    ("oak", "#c9a46a"),
    ("ash", "#dcc9a3"),
    ("beech", "#d9b48a"),
    ("birch", "#e6d3ab"),
    ("eucalyptus", "#a8775a"),
    ("maple", "#e8d5b0"),
    ("pine", "#e0c48c"),
    ("mdf", "#c9b89b"),
    ("melamine", "#f2f2ee"),
    ("cognac", "#9a5a2c"),
    ("anthracite", "#3a3f44"),
    ("silver", "#c5c8cc"),
    ("aluminium", "#c5c8cc"),
    ("brass", "#c9a227"),
    ("boucle", "#ece5d6"),
    ("bouclé", "#ece5d6"),
    ("sand", "#d9c8a4"),
    ("beige", "#dccfb4"),
    ("cream", "#efe6d0"),
    ("blue", "#4c79b3"),
    ("navy", "#2d3f66"),
    ("green", "#3f6a4b"),
    ("red", "#a8342e"),
    ("yellow", "#e2c044"),
    ("brown", "#7a5236"),
    ("grey", "#9b9d9f"),
    ("gray", "#9b9d9f"),
    ("black", "#2b2b2b"),
    ("white", "#f4f4f1"),
)

_WORD = re.compile(r"[a-zà-ÿ]+")


def _words(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.lower().replace("-", " "))) + " "


def named_colour(choice: Choice | None) -> str | None:
    """The colour a choice names (code first, then label), or None."""
    if choice is None:
        return None
    for text in (choice.code, choice.label):
        words = _words(text)
        for name, colour in NAMED:
            if f" {name} " in words:
                return colour
    return None


def mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` (0..1) of the way towards `other`."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def is_dark(colour: str) -> bool:
    """Too dark for the usual outline to show on it."""
    if not (colour.startswith("#") and len(colour) == 7):
        return False
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 80


def outline_on(fill: str, stroke: str) -> str:
    """The outline to draw around `fill`: the usual one, lighter on dark fills."""
    return "#9a9a9a" if stroke == OUTLINE and is_dark(fill) else stroke


def shade(colour: str, share: float = 0.25) -> str:
    return mix(colour, "#000000", share)


def finish_colour(base: str | None, tint: Choice | None) -> str:
    """A material's colour under a finish colour option: natural keeps it, light and
    dark tint it, a named colour (white, black) covers it, a custom colour is neutral."""
    material = base or NEUTRAL
    if tint is None:
        return material
    words = _words(tint.code + " " + tint.label)
    if " natural " in words or " clear " in words:
        return material
    if " light " in words:
        return mix(material, "#ffffff", 0.4)
    if " dark " in words:
        return mix(material, "#000000", 0.4)
    named = named_colour(tint)
    if named is not None:
        return named
    return NEUTRAL

"""Where an order line's prototype stands: what the design page shows and what release
asks. The quality context, which judges a prototype by its inspection, answers it; the
design and orders contexts below it read it through the PROTOTYPE_GATE port."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrototypeState:
    line_no: int
    #: whether the line's family asks for a prototype (catalogue `design.prototype`)
    required: bool
    #: the prototype work order that speaks for the line's current revision, if any
    work_order: str | None
    #: the design revision letter that prototype was made for
    design_revision: str | None
    passed: bool
    #: the state in words ("WO-2026-0123 of revision B passed its inspection")
    words: str
    #: why release waits for it, naming the line; None when nothing is missing
    missing: str | None
    #: whether an engineer may make a prototype for the current revision now
    can_make: bool

"""The simulation engine's refusals.

Engines stay independent of orderforge.domain, so the engine raises its own errors with the
same shape as the domain's input errors (the field concerned and a sentence); the use case
that calls it translates one into the other.
"""

from __future__ import annotations


class SimulationInputError(ValueError):
    """Input the simulation cannot replay: `field` names the offending item (for example
    ``variability['saw-01'].cv``), `reason` says what is wrong with it in plain words."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class SimulationError(RuntimeError):
    """A replication that cannot finish, e.g. an operation delayed so far past the plan's
    horizon that its resource's repeated calendar never offers it a working interval."""

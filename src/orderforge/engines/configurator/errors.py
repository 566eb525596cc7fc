"""The errors of the configurator, each naming what is wrong and where.

Catalogue and spec errors collect every issue rather than stopping at the first, because
the person fixing a catalogue or an order form wants the whole list at once.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CatalogueError", "ConfigurationError", "Issue", "SolverLimitError", "SpecError"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong: `where` names the item (e.g. "rule 'glass-length'.then")."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _listing(title: str, issues: list[Issue]) -> str:
    lines = "\n".join(f"- {issue}" for issue in issues)
    return f"{title} ({len(issues)} problem(s)):\n{lines}"


class CatalogueError(ValueError):
    """A product family that cannot be loaded; nothing of it is kept."""

    def __init__(self, issues: list[Issue], family: str = "") -> None:
        self.issues = issues
        name = f"product family {family!r}" if family else "the product family"
        super().__init__(_listing(f"Cannot load {name}", issues))


class SpecError(ValueError):
    """A specification naming unknown options or values outside their domains."""

    def __init__(self, issues: list[Issue], family: str) -> None:
        self.issues = issues
        super().__init__(_listing(f"The specification does not fit {family}", issues))


class SolverLimitError(RuntimeError):
    """CP-SAT hit its time limit: no answer is given rather than a possibly wrong one."""


class ConfigurationError(ValueError):
    """A spec that cannot be configured: invalid, incomplete, or a formula that fails.

    `validity` carries the verdict (missing values, conflicts) when the spec is invalid.
    """

    def __init__(self, message: str, validity: object = None) -> None:
        self.validity = validity
        super().__init__(message)

"""Free text that people type: checked once for what no store or page can carry."""

from __future__ import annotations

from orderforge.domain.errors import InvalidInput


def check_text(value: str, field: str) -> str:
    """Refuse NUL characters: PostgreSQL cannot store them and they are never meant."""
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character (\\u0000).", field=field)
    return value

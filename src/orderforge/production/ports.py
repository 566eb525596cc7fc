"""Production ports (filled in by the room's first use cases)."""

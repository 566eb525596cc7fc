"""Plant services (filled in by the room's first use cases)."""

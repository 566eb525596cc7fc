"""Design context: revisions of each order line's design, their documents and mock-ups,
and the electronic signatures that approve them before release (ADR 0001 room)."""

"""Traceability: forward and backward trace, device history records (ADR 0001 room)."""

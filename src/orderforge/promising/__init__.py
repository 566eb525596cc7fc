"""Capable-to-promise: the delivery date the plant can keep for a configuration, a quote
or an order, and the promise committed when an order is confirmed (ADR 0001 room)."""

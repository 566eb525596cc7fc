"""Webhooks: subscriptions, fan-out of the outbox and signed delivery (Standard Webhooks)."""

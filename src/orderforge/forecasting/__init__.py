"""Demand forecasting (ADR 0001 room): weekly demand per family, option and long-lead
material, open quotes weighted by their chance of conversion, and the decisions drawn
from it (capacity load, buy-ahead)."""

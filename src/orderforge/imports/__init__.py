"""Imports: customers, items and orders from CSV or Excel, previewed before anything
is applied (issue 10)."""

"""Money as people read it: one formatting rule for pages, documents and the CLI.

Amounts are Decimal everywhere; Babel knows each currency's symbol, decimals and the
locale's grouping, so a plant in CHF or JPY prints correctly without rules of our own.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_percent

#: The locale documents and pages are written in (English wording, international
#: number format); a per-plant language arrives with translated documents.
LOCALE = "en_IE"


def money(amount: Decimal | str, currency: str) -> str:
    """`money(Decimal("1234.5"), "EUR")` -> "€1,234.50"."""
    return format_currency(Decimal(amount), currency, locale=LOCALE)


def percent(rate: Decimal) -> str:
    """`percent(Decimal("0.19"))` -> "19%"; keeps decimals a rate really has (7.7%)."""
    return format_percent(rate, format="#,##0.##%", locale=LOCALE)

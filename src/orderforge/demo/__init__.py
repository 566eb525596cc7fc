"""The demo workshop (Holzwerk Nordlicht): one client of the product, nothing more.

It is built from the product's own use cases and data files; no product module imports
it (an import contract says so), so a plant that never loads the demo carries none of
its facts.
"""

from orderforge.demo.history import DEMO_HISTORY_WEEKS, HistorySummary, load_history
from orderforge.demo.loader import (
    DEMO_ACTOR,
    DemoSummary,
    demo_logins_work,
    is_loaded,
    load_demo,
)

__all__ = [
    "DEMO_ACTOR",
    "DEMO_HISTORY_WEEKS",
    "DemoSummary",
    "HistorySummary",
    "demo_logins_work",
    "is_loaded",
    "load_demo",
    "load_history",
]

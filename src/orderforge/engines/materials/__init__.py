"""Material netting for Make-to-Order: allocate stock and open purchases to the work's
material requirements and propose purchases for the rest (pure: plain data in and out)."""

from orderforge.engines.materials.netting import (
    Allocation,
    NettingResult,
    Offer,
    Policy,
    ProposedPurchase,
    Requirement,
    Source,
    Supply,
    best_offer,
    net,
    order_quantity,
)

__all__ = [
    "Allocation",
    "NettingResult",
    "Offer",
    "Policy",
    "ProposedPurchase",
    "Requirement",
    "Source",
    "Supply",
    "best_offer",
    "net",
    "order_quantity",
]

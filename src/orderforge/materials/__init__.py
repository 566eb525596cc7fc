"""Materials: stock and lots, suppliers, purchase orders, MRP and pegging (ADR 0001)."""

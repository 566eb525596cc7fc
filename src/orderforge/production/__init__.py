"""Production: the order's work as stored records (work orders, operations, material
requirements) and what the shop floor reports about them. See docs/adr/0001."""

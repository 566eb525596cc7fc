"""Quality: inspection plans, inspections at operations, what a failed one holds."""

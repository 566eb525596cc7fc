"""Work orders and their operations (pure domain)."""

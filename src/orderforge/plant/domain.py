"""Plant master data (pure domain)."""

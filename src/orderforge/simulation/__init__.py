"""Plant simulation (ADR 0001 room): Monte Carlo over the current plan (each open
order's chance of meeting its promise) and what-if scenarios, as recorded runs."""

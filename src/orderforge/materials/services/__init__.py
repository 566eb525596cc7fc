"""Materials use cases (MRP, buying, availability, reading)."""

from orderforge.materials.services.mrp import execute_run, request_run, run_mrp
from orderforge.materials.services.supply import (
    MaterialReleases,
    availability,
    availability_many,
    releases,
)

__all__ = [
    "MaterialReleases",
    "availability",
    "availability_many",
    "execute_run",
    "releases",
    "request_run",
    "run_mrp",
]

"""Materials use cases (MRP, buying, availability, reading)."""

from orderforge.materials.services.mrp import (
    cancel_run,
    execute_run,
    queue_run,
    request_run,
    retry_run,
    run_mrp,
)
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
    "cancel_run",
    "execute_run",
    "queue_run",
    "releases",
    "request_run",
    "retry_run",
    "run_mrp",
]

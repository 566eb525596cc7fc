"""Plant simulation engine: the scheduler's plan executed under uncertainty (SimPy).

Pure like the other engines: plain data in (the scheduling engine's ProblemData and plan,
plus how the floor strays from it), plain data out (replications and their summary). It
imports only the standard library, SimPy and the scheduling engine.
"""

from orderforge.engines.simulation.errors import SimulationError, SimulationInputError
from orderforge.engines.simulation.execute import OperationRun, Replication, ResourceUse, run
from orderforge.engines.simulation.model import (
    ReleaseDelay,
    SimulationModel,
    Supply,
    Variability,
)
from orderforge.engines.simulation.montecarlo import (
    JobConfidence,
    PlantKpis,
    date_for_confidence,
    plant_kpis,
    replicate,
    summarise,
)

__all__ = [
    "JobConfidence",
    "OperationRun",
    "PlantKpis",
    "ReleaseDelay",
    "Replication",
    "ResourceUse",
    "SimulationError",
    "SimulationInputError",
    "SimulationModel",
    "Supply",
    "Variability",
    "date_for_confidence",
    "plant_kpis",
    "replicate",
    "run",
    "summarise",
]

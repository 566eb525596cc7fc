"""Finite-capacity scheduling engine: ProblemData -> solve() -> Result.

Standalone on purpose: it imports only the standard library, OR-Tools and NumPy, so it can be
published and tested on its own. Times are integer minutes from the horizon start.
"""

from orderforge.engines.scheduling.analysis import ChainLink
from orderforge.engines.scheduling.benchmark_formats import (
    BenchmarkFormatError,
    read_fjsp,
    read_instance,
    read_jssp,
    read_smwt,
    solve_benchmark,
)
from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.dispatching import NoFeasiblePlanError
from orderforge.engines.scheduling.input_check import InputIssue, InvalidProblemError, check_problem
from orderforge.engines.scheduling.plan import ObjectiveValues
from orderforge.engines.scheduling.plant import generate_plant_instance, replan_after_breakdown
from orderforge.engines.scheduling.problem import (
    FrozenOperation,
    Job,
    Mode,
    Objective,
    Operation,
    Pin,
    ProblemData,
    Resource,
    ScheduledOperation,
    Secondary,
    SolverSettings,
)
from orderforge.engines.scheduling.result import JobOutcome, ProgressCallback, Result
from orderforge.engines.scheduling.solver import solve
from orderforge.engines.scheduling.validation import Violation, validate

__all__ = [
    "BenchmarkFormatError",
    "ChainLink",
    "FrozenOperation",
    "InputIssue",
    "InvalidProblemError",
    "Job",
    "JobOutcome",
    "Mode",
    "NoFeasiblePlanError",
    "Objective",
    "ObjectiveValues",
    "Operation",
    "Pin",
    "ProblemData",
    "ProgressCallback",
    "Resource",
    "Result",
    "ScheduledOperation",
    "Secondary",
    "SolverSettings",
    "Violation",
    "WorkingTime",
    "check_problem",
    "generate_plant_instance",
    "read_fjsp",
    "read_instance",
    "read_jssp",
    "read_smwt",
    "replan_after_breakdown",
    "solve",
    "solve_benchmark",
    "validate",
]

"""The problem a caller hands to the scheduler: plain, immutable data with string keys.

Everything is in integer minutes from the horizon start. The caller converts datetimes
and calendars to minutes at its boundary, so the engine never has to know about time
zones or daylight saving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Job:
    """An order (or a work order of it): all its operations share release, due date and weight.

    `due=None` means the job cannot be late, so it only contributes to the secondary objective.
    """

    key: str
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Mode:
    """One way to run an operation: on `resource`, taking `duration` working minutes."""

    resource: str
    duration: int


@dataclass(frozen=True, slots=True)
class Operation:
    """A step of a job. `predecessors` may name operations of the same or other jobs.

    A DAG rather than a chain, because sub-assemblies feed an assembly. `setup_class` is the
    "family" (colour, material, tooling) that sequence-dependent setups are keyed by.
    `release` is the operation's own earliest start (its material arrives then, its design
    is approved then); the later of it and its job's release holds.
    """

    key: str
    job: str
    modes: Sequence[Mode]
    predecessors: Sequence[str] = ()
    setup_class: str | None = None
    release: int = 0


@dataclass(frozen=True, slots=True)
class Resource:
    """A work centre with its own calendar and changeover behaviour.

    `calendar=None` means always available up to the horizon; otherwise it lists the working
    intervals [start, end); anything not listed (nights, holidays, maintenance) is closed.
    `interruptible` says whether an operation may pause over closed time (its processing then
    counts only working minutes) or must fit inside one working interval.
    `setup_times[(from_class, to_class)]` is the changeover gap in minutes between consecutive
    operations; pairs not listed cost `default_setup` when the classes differ and 0 otherwise.
    `initial_setup_class` is the state the resource is in at minute 0 (useful when replanning).
    """

    key: str
    calendar: Sequence[Interval] | None = None
    interruptible: bool = False
    setup_times: Mapping[tuple[str, str], int] = field(default_factory=dict)
    default_setup: int = 0
    initial_setup_class: str | None = None


@dataclass(frozen=True, slots=True)
class FrozenOperation:
    """An operation already started or finished: kept exactly as given, never moved."""

    operation: str
    resource: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Pin:
    """A planner's decision: run `operation` on `resource`, optionally not before a minute."""

    operation: str
    resource: str
    not_before: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledOperation:
    """Where and when one operation runs; `end` includes any closed time it spans."""

    operation: str
    resource: str
    start: int
    end: int


class Secondary(StrEnum):
    """What to minimise once weighted tardiness is settled."""

    MAKESPAN = "makespan"
    TOTAL_FLOW_TIME = "total_flow_time"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Objective:
    """How plans are ranked.

    Lexicographic (default): total weighted tardiness first; then
    `secondary_weight * secondary + stability_weight * stability`. Weighted: one sum
    `tardiness_weight * TWT + secondary_weight * secondary + stability_weight * stability`.
    Stability is, per operation of the reference plan, the minutes its start moved plus
    `resource_change_penalty` if it changed resource plus `move_penalty` if it moved at
    all (each move is a change the floor must hear of), so replans do not reshuffle it:
    an operation moves only when that gains the objective more than `move_penalty` plus
    the minutes it moves.

    `keep_reference_resource`: an operation of the reference plan whose slot is still
    open (its unit works then and nothing frozen sits there) may only move in time on its
    reference unit, never to another one. Work that lost its slot (a breakdown) and new
    work may use any eligible unit, but only the room others leave: displacing other
    orders onto alternative units is then not an option the search has.
    """

    secondary: Secondary = Secondary.MAKESPAN
    lexicographic: bool = True
    tardiness_weight: int = 1
    secondary_weight: int = 1
    stability_weight: int = 0
    resource_change_penalty: int = 60
    move_penalty: int = 0
    keep_reference_resource: bool = False


@dataclass(frozen=True, slots=True)
class ProblemData:
    """Everything the scheduler needs; `reference` is the previous plan, used for stability."""

    jobs: Sequence[Job]
    operations: Sequence[Operation]
    resources: Sequence[Resource]
    horizon: int
    frozen: Sequence[FrozenOperation] = ()
    pins: Sequence[Pin] = ()
    reference: Sequence[ScheduledOperation] = ()
    objective: Objective = field(default_factory=Objective)


@dataclass(frozen=True, slots=True)
class SolverSettings:
    """Explicit knobs so a run is reproducible (same seed, same workers, same limit).

    `backend`: "auto" (heuristic, then CP-SAT or LNS as size allows), "heuristic" or "cpsat".
    `max_monolithic_operations`: above this many free operations CP-SAT only sees
    neighbourhoods (LNS) because a whole-plant model would not even be built in time.
    """

    time_limit: float = 10.0
    num_workers: int = 2
    random_seed: int = 0
    backend: str = "auto"
    max_monolithic_operations: int = 1500
    use_hint: bool = True
    log_search: bool = False

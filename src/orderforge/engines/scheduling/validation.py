"""An independent feasibility check of any schedule against a ProblemData.

It re-derives every rule from the problem's string-keyed data with its own, deliberately
simple code (no solver module is imported), so a bug in a backend cannot hide itself.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from orderforge.engines.scheduling.problem import (
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule; `message` is a sentence naming the operation and the resource."""

    kind: str
    operation: str
    resource: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def validate(
    problem: ProblemData,
    schedule: Mapping[str, ScheduledOperation] | Iterable[ScheduledOperation],
) -> list[Violation]:
    """Return every violation; an empty list means the schedule is feasible."""
    entries = list(schedule.values()) if isinstance(schedule, Mapping) else list(schedule)
    ops = {o.key: o for o in problem.operations}
    resources = {r.key: r for r in problem.resources}
    calendars = {r.key: _working_intervals(r, problem.horizon) for r in problem.resources}
    found: list[Violation] = []
    placed: dict[str, ScheduledOperation] = {}
    for entry in entries:
        if entry.operation not in ops:
            found.append(
                _v("unknown", entry, f"Operation {entry.operation!r} is not in the problem.")
            )
        elif entry.operation in placed:
            found.append(
                _v(
                    "duplicate",
                    entry,
                    f"Operation {entry.operation!r} is scheduled more than once.",
                )
            )
        else:
            placed[entry.operation] = entry
    for key in ops:
        if key not in placed:
            found.append(Violation("missing", key, None, f"Operation {key!r} is not scheduled."))
    for entry in placed.values():
        found += _check_entry(problem, ops[entry.operation], entry, resources, calendars)
    found += _check_precedence(problem, placed)
    found += _check_sequences(problem, placed, resources)
    return found


def _v(kind: str, entry: ScheduledOperation, message: str) -> Violation:
    return Violation(kind, entry.operation, entry.resource, message)


def _check_entry(
    problem: ProblemData,
    op: Operation,
    entry: ScheduledOperation,
    resources: dict[str, Resource],
    calendars: dict[str, list[tuple[int, int]]],
) -> list[Violation]:
    name, res = f"Operation {op.key!r}", entry.resource
    frozen = next((f for f in problem.frozen if f.operation == op.key), None)
    if frozen is not None:
        if (frozen.resource, frozen.start, frozen.end) != (res, entry.start, entry.end):
            return [
                _v(
                    "frozen",
                    entry,
                    f"{name} is frozen on {frozen.resource!r} [{frozen.start}, {frozen.end}) "
                    f"but is scheduled on {res!r} [{entry.start}, {entry.end}).",
                )
            ]
        return []
    found: list[Violation] = []
    durations = {m.resource: m.duration for m in op.modes}
    if res not in durations or res not in resources:
        return [_v("eligibility", entry, f"{name} is scheduled on {res!r}, which is not eligible.")]
    found += _check_pin_and_release(problem, op, entry)
    if entry.end > problem.horizon:
        found.append(
            _v("horizon", entry, f"{name} on {res!r} ends at {entry.end}, after the horizon.")
        )
    found += _check_calendar(resources[res], entry, durations[res], calendars[res])
    return found


def _check_pin_and_release(
    problem: ProblemData, op: Operation, entry: ScheduledOperation
) -> list[Violation]:
    name, res = f"Operation {op.key!r}", entry.resource
    found: list[Violation] = []
    job = next(j for j in problem.jobs if j.key == op.job)
    if entry.start < job.release:
        found.append(
            _v(
                "release",
                entry,
                f"{name} starts on {res!r} at {entry.start}, before its job "
                f"{job.key!r} is released at {job.release}.",
            )
        )
    if entry.start < op.release:
        found.append(
            _v(
                "release",
                entry,
                f"{name} starts on {res!r} at {entry.start}, before its own release "
                f"at {op.release}.",
            )
        )
    for pin in problem.pins:
        if pin.operation != op.key:
            continue
        if pin.resource != res:
            found.append(
                _v("pin", entry, f"{name} is pinned to {pin.resource!r} but runs on {res!r}.")
            )
        if pin.not_before is not None and entry.start < pin.not_before:
            found.append(
                _v(
                    "pin",
                    entry,
                    f"{name} on {res!r} starts at {entry.start}, before its pinned "
                    f"earliest start {pin.not_before}.",
                )
            )
    return found


def _working_intervals(res: Resource, horizon: int) -> list[tuple[int, int]]:
    raw = sorted(res.calendar) if res.calendar is not None else [(0, horizon)]
    merged: list[tuple[int, int]] = []
    for a, b in raw:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _check_calendar(
    res: Resource, entry: ScheduledOperation, duration: int, calendar: list[tuple[int, int]]
) -> list[Violation]:
    name = f"Operation {entry.operation!r} on {res.key!r} [{entry.start}, {entry.end})"
    # only the intervals that can touch [start, end]: the calendar is sorted and merged
    first = max(0, bisect_right(calendar, (entry.start, entry.start)) - 1)
    work = []
    for a, b in calendar[first:]:
        if a > entry.end:
            break
        work.append((a, b))
    if not res.interruptible:
        if entry.end - entry.start != duration:
            return [
                _v(
                    "duration",
                    entry,
                    f"{name} lasts {entry.end - entry.start} min, not {duration}.",
                )
            ]
        if not any(a <= entry.start and entry.end <= b for a, b in work):
            return [_v("calendar", entry, f"{name} is not inside one working interval.")]
        return []
    worked = sum(max(0, min(b, entry.end) - max(a, entry.start)) for a, b in work)
    starts_working = any(a <= entry.start < b for a, b in work)
    ends_working = any(a < entry.end <= b for a, b in work)
    if worked != duration:
        return [_v("duration", entry, f"{name} covers {worked} working min, not {duration}.")]
    if not (starts_working and ends_working):
        return [_v("calendar", entry, f"{name} starts or ends in non-working time.")]
    return []


def _check_precedence(
    problem: ProblemData, placed: dict[str, ScheduledOperation]
) -> list[Violation]:
    found = []
    for op in problem.operations:
        after = placed.get(op.key)
        for pred in op.predecessors:
            before = placed.get(pred)
            if after is None or before is None or after.start >= before.end:
                continue
            found.append(
                _v(
                    "precedence",
                    after,
                    f"Operation {op.key!r} on {after.resource!r} starts at {after.start}, "
                    f"before its predecessor {pred!r} ends at {before.end}.",
                )
            )
    return found


def _setup(res: Resource, before: str | None, after: str | None) -> int:
    if before is None or after is None:
        return 0
    default = 0 if before == after else res.default_setup
    return res.setup_times.get((before, after), default)


def _check_sequences(
    problem: ProblemData,
    placed: dict[str, ScheduledOperation],
    resources: dict[str, Resource],
) -> list[Violation]:
    classes = {o.key: o.setup_class for o in problem.operations}
    per_resource: dict[str, list[ScheduledOperation]] = defaultdict(list)
    for entry in placed.values():
        per_resource[entry.resource].append(entry)
    found: list[Violation] = []
    for key, entries in per_resource.items():
        res = resources.get(key)
        if res is not None:
            found += _check_one_sequence(
                res, sorted(entries, key=lambda e: (e.start, e.end)), classes
            )
    return found


def _check_one_sequence(
    res: Resource, seq: Sequence[ScheduledOperation], classes: dict[str, str | None]
) -> list[Violation]:
    found = []
    if seq and seq[0].start < _setup(res, res.initial_setup_class, classes[seq[0].operation]):
        found.append(
            _v(
                "setup",
                seq[0],
                f"Operation {seq[0].operation!r} on {res.key!r} starts before "
                "the initial setup of the resource is done.",
            )
        )
    for a, b in itertools.pairwise(seq):
        gap = _setup(res, classes[a.operation], classes[b.operation])
        if b.start < a.end + gap:
            what = "overlaps" if b.start < a.end else f"leaves less than the {gap} min setup after"
            found.append(
                _v(
                    "overlap" if b.start < a.end else "setup",
                    b,
                    f"Operation {b.operation!r} on {res.key!r} [{b.start}, {b.end}) {what} "
                    f"operation {a.operation!r} [{a.start}, {a.end}).",
                )
            )
    return found

"""Routing of one module instance: operation keys, times and precedence links.

Keys are the module path plus the operation code ("BASE/LEG/MACH"; the product's own
operations are just their code), unique because codes cannot contain "/". An operation
left out by its `when` passes its own predecessors on, so "A -> B -> C" with B left out
still runs A before C. The first operations of a module wait for the last operations of
all its sub-modules; a module with no operations of its own hands its sub-modules' last
operations on to its parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from orderforge.engines.configurator.catalogue import Module, OperationTemplate
from orderforge.engines.configurator.evaluator import decimal_of

__all__ = ["MINUTE_PLACES", "ModuleRouting", "RoutedOperation", "route_module"]

MINUTE_PLACES = 2


@dataclass(frozen=True, slots=True)
class RoutedOperation:
    """One operation of the configured routing.

    `work_centres` are the eligible centres, preferred first; `setup_minutes` is paid
    once, `run_minutes` covers all `units` of the module; `predecessors` are keys.
    """

    key: str
    module_path: str
    code: str
    name: str
    work_centres: tuple[str, ...]
    setup_minutes: Decimal
    run_minutes: Decimal
    units: Decimal
    predecessors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModuleRouting:
    operations: tuple[RoutedOperation, ...]
    exits: tuple[str, ...]


def route_module(
    module: Module,
    path: str,
    times: dict[str, tuple[Fraction, Fraction]],
    units: Fraction,
    child_exits: tuple[str, ...],
) -> ModuleRouting:
    """Link the included operations (`times`: code -> (setup, run per unit)) of a module."""
    templates = {op.code: op for op in module.operations}
    before = {code: _included_before(code, templates, times) for code in times}
    used_as_before = {code for codes in before.values() for code in codes}

    def key(code: str) -> str:
        return f"{path}/{code}" if path else code

    operations: list[RoutedOperation] = []
    for code in _topological(module.operations, before):
        op = templates[code]
        setup, run = times[code]
        links = sorted(key(c) for c in before[code]) if before[code] else sorted(child_exits)
        operations.append(
            RoutedOperation(
                key(code),
                path,
                code,
                op.name,
                op.work_centres,
                decimal_of(setup, MINUTE_PLACES),
                decimal_of(run * units, MINUTE_PLACES),
                decimal_of(units, 4),
                tuple(links),
            )
        )
    exits = tuple(key(op.code) for op in operations if op.code not in used_as_before)
    return ModuleRouting(tuple(operations), exits)


def _included_before(
    code: str, templates: dict[str, OperationTemplate], times: dict[str, tuple[Fraction, Fraction]]
) -> frozenset[str]:
    """Included operations that must precede `code`, looking through left-out ones."""
    found: set[str] = set()
    stack = list(templates[code].after)
    seen: set[str] = set()
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        if item in times:
            found.add(item)
        else:
            stack.extend(templates[item].after)
    return frozenset(found)


def _topological(
    operations: tuple[OperationTemplate, ...], before: dict[str, frozenset[str]]
) -> list[str]:
    """Included codes in an order respecting `before`, ties in catalogue order."""
    done: list[str] = []
    placed: set[str] = set()
    remaining = [op.code for op in operations if op.code in before]
    while remaining:
        ready = next(code for code in remaining if before[code] <= placed)
        remaining.remove(ready)
        placed.add(ready)
        done.append(ready)
    return done

"""Reading the product structure: components, work centres, modules and the product.

A module is a reusable sub-assembly with BOM lines, operations and sub-module uses; the
`product` is the root module (final assembly). Every reference is resolved here and the
module graph must be acyclic, because a module that contains itself has no finite BOM.
"""

from __future__ import annotations

from collections.abc import Sequence

from orderforge.engines.configurator.catalogue import (
    BomLine,
    Component,
    Module,
    ModuleUse,
    OperationTemplate,
    WorkCentre,
)
from orderforge.engines.configurator.catalogue_reader import CatalogueReader, Data
from orderforge.engines.configurator.evaluator import Formula
from orderforge.engines.configurator.value_types import Kind

__all__ = ["read_structure"]

_MODULE_KEYS = ("code", "name", "bom", "operations", "uses")
_Structure = tuple[tuple[Component, ...], tuple[WorkCentre, ...], tuple[Module, ...], Module]


def read_structure(reader: CatalogueReader, root: Data, code: str, name: str) -> _Structure:
    """Components, work centres, the module library and the root product module."""
    components = _components(reader, reader.items(root.get("components"), "components"))
    centres = _centres(reader, reader.items(root.get("work_centres"), "work_centres"))
    known = _Known({c.code: c.unit for c in components}, {c.code for c in centres}, set())
    raw_modules = reader.items(root.get("modules"), "modules")
    for raw in raw_modules:
        if isinstance(raw, dict) and isinstance(raw.get("code"), str):
            known.modules.add(raw["code"])
    modules: list[Module] = []
    for index, raw in enumerate(raw_modules):
        data = reader.mapping(raw, f"modules[{index}]")
        module_code = None if data is None else reader.code(data, "code", f"modules[{index}]")
        if data is not None and module_code is not None:
            modules.append(_module(reader, data, module_code, known))
    reader.duplicates(((m.code, f"module '{m.code}'") for m in modules), "module")
    product_data = reader.mapping(root.get("product", {}), "product")
    product = _module(reader, product_data or {}, code or "PRODUCT", known, name)
    if not any((product_data or {}).get(key) for key in ("bom", "operations", "uses")):
        reader.add("product", "is empty: give it BOM lines, operations or modules to use")
    _check_cycles(reader, modules)  # the product cannot be used, so it is in no cycle
    return tuple(components), tuple(centres), tuple(modules), product


class _Known:
    def __init__(self, components: dict[str, str], centres: set[str], modules: set[str]) -> None:
        self.components = components
        self.centres = centres
        self.modules = modules


def _components(reader: CatalogueReader, items: Sequence[object]) -> list[Component]:
    components: list[Component] = []
    for index, raw in enumerate(items):
        where = f"components[{index}]"
        data = reader.mapping(raw, where)
        if data is None:
            continue
        reader.known_keys(data, ("code", "name", "unit", "unit_cost"), where)
        code = reader.code(data, "code", where)
        where = f"component '{code}'" if code else where
        unit = reader.text(data, "unit", where)
        cost = None
        if "unit_cost" not in data:
            reader.add(where, "'unit_cost' is missing")
        else:
            cost = reader.quantity(data["unit_cost"], "", f"{where}.unit_cost")
        if cost is not None and cost < 0:
            reader.add(f"{where}.unit_cost", "must not be negative")
            continue
        if code is not None and unit is not None and cost is not None:
            label = reader.text(data, "name", where, default=code) or code
            components.append(Component(code, label, unit, cost))
    reader.duplicates(((c.code, f"component '{c.code}'") for c in components), "component")
    return components


def _centres(reader: CatalogueReader, items: Sequence[object]) -> list[WorkCentre]:
    centres: list[WorkCentre] = []
    for index, raw in enumerate(items):
        where = f"work_centres[{index}]"
        data = reader.mapping(raw, where)
        if data is None:
            continue
        reader.known_keys(data, ("code", "name"), where)
        code = reader.code(data, "code", where)
        if code is not None:
            centres.append(WorkCentre(code, reader.text(data, "name", where, default=code) or code))
    reader.duplicates(((c.code, f"work centre '{c.code}'") for c in centres), "work centre")
    return centres


def _module(
    reader: CatalogueReader, data: Data, code: str, known: _Known, name: str | None = None
) -> Module:
    where = "product" if name is not None else f"module '{code}'"
    reader.known_keys(data, _MODULE_KEYS[1:] if name is not None else _MODULE_KEYS, where)
    label = name if name is not None else reader.text(data, "name", where, default=code) or code
    bom = [
        line
        for index, raw in enumerate(reader.items(data.get("bom"), f"{where}.bom"))
        if (line := _bom_line(reader, raw, f"{where}.bom[{index}]", known)) is not None
    ]
    operations = _operations(
        reader, reader.items(data.get("operations"), f"{where}.operations"), where, known
    )
    uses = _uses(reader, reader.items(data.get("uses"), f"{where}.uses"), where, known)
    return Module(code, label, tuple(bom), tuple(operations), tuple(uses))


def _optional(
    reader: CatalogueReader, data: Data, key: str, where: str, kind: Kind
) -> Formula | None:
    return None if data.get(key) is None else reader.formula(data[key], f"{where}.{key}", kind)


def _bom_line(reader: CatalogueReader, raw: object, where: str, known: _Known) -> BomLine | None:
    data = reader.mapping(raw, where)
    if data is None:
        return None
    reader.known_keys(data, ("component", "quantity", "unit", "when"), where)
    component = reader.text(data, "component", where)
    if component is not None and component not in known.components:
        reader.add(f"{where}.component", f"unknown component '{component}'")
        return None
    if component is not None and data.get("unit") not in (None, known.components[component]):
        reader.add(
            f"{where}.unit",
            f"'{data['unit']}' differs from the unit of {component}, {known.components[component]}",
        )
    quantity = reader.formula(data.get("quantity", 1), f"{where}.quantity", Kind.NUMBER)
    when = _optional(reader, data, "when", where, Kind.BOOL)
    if component is None or quantity is None:
        return None
    return BomLine(component, quantity, when)


def _operations(
    reader: CatalogueReader, items: Sequence[object], where: str, known: _Known
) -> list[OperationTemplate]:
    operations: list[OperationTemplate] = []
    keys = ("code", "name", "work_centres", "setup", "run", "after", "when")
    for index, raw in enumerate(items):
        place = f"{where}.operations[{index}]"
        data = reader.mapping(raw, place)
        if data is None:
            continue
        reader.known_keys(data, keys, place)
        code = reader.code(data, "code", place)
        place = f"{where}.operation '{code}'" if code else place
        centres = tuple(
            str(c) for c in reader.items(data.get("work_centres"), f"{place}.work_centres")
        )
        if not centres:
            reader.add(place, "needs at least one work centre")
        for centre in centres:
            if centre not in known.centres:
                reader.add(f"{place}.work_centres", f"unknown work centre '{centre}'")
        setup = reader.formula(data.get("setup", 0), f"{place}.setup", Kind.NUMBER)
        run = reader.formula(data.get("run", 0), f"{place}.run", Kind.NUMBER)
        after = tuple(str(a) for a in reader.items(data.get("after"), f"{place}.after"))
        when = _optional(reader, data, "when", place, Kind.BOOL)
        if code is not None and setup is not None and run is not None:
            label = reader.text(data, "name", place, default=code) or code
            operations.append(OperationTemplate(code, label, centres, setup, run, after, when))
    reader.duplicates(((op.code, f"{where}.operations") for op in operations), "operation")
    _check_after(reader, operations, where)
    return operations


def _check_after(reader: CatalogueReader, operations: list[OperationTemplate], where: str) -> None:
    """`after` names operations of the same module, and their order has no cycle."""
    codes = {op.code for op in operations}
    for op in operations:
        for before in op.after:
            if before not in codes:
                reader.add(f"{where}.operation '{op.code}'.after", f"unknown operation '{before}'")
    graph = {op.code: [a for a in op.after if a in codes] for op in operations}
    cycle = _find_cycle(graph)
    if cycle:
        reader.add(where, f"operations wait on each other in a cycle: {' -> '.join(cycle)}")


def _uses(
    reader: CatalogueReader, items: Sequence[object], where: str, known: _Known
) -> list[ModuleUse]:
    uses: list[ModuleUse] = []
    for index, raw in enumerate(items):
        place = f"{where}.uses[{index}]"
        data = reader.mapping(raw, place)
        if data is None:
            continue
        reader.known_keys(data, ("module", "name", "quantity", "when"), place)
        module = reader.text(data, "module", place)
        if module is not None and module not in known.modules:
            reader.add(f"{place}.module", f"unknown module '{module}'")
            module = None
        label = reader.code(data, "name", place) if "name" in data else module
        quantity = reader.formula(data.get("quantity", 1), f"{place}.quantity", Kind.NUMBER)
        when = _optional(reader, data, "when", place, Kind.BOOL)
        if module is not None and label is not None and quantity is not None:
            uses.append(ModuleUse(label, module, quantity, when))
    reader.duplicates(
        ((use.name, f"{where}.uses") for use in uses),
        "use (give repeated uses of a module distinct names)",
    )
    return uses


def _check_cycles(reader: CatalogueReader, modules: list[Module]) -> None:
    graph = {m.code: [use.module for use in m.uses] for m in modules}
    cycle = _find_cycle(graph)
    if cycle:
        reader.add(
            f"module '{cycle[0]}'", f"modules contain each other in a cycle: {' -> '.join(cycle)}"
        )


def _find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """One cycle of the graph as a closed path, or [] when it is acyclic."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in graph:
        if state.get(node) is None and (found := visit(node)):
            return found
    return []

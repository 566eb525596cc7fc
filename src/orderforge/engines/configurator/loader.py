"""`load_family`: catalogue data (a dict from YAML or JSON) -> a checked `Family`.

Loading is all-or-nothing: every problem is collected and reported in one
CatalogueError, and a Family is returned only when the whole catalogue is consistent,
including the two checks that need the solver (some valid product exists; the defaults
keep to the rules). Modules and routings are read in `structure.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from orderforge.engines.configurator.catalogue import (
    Choice,
    Computed,
    Family,
    Option,
    Parameter,
)
from orderforge.engines.configurator.catalogue_reader import CatalogueReader, Data
from orderforge.engines.configurator.errors import CatalogueError
from orderforge.engines.configurator.expression import ExpressionError, names_in, parse
from orderforge.engines.configurator.feasibility import check_family
from orderforge.engines.configurator.rule_reader import read_rules
from orderforge.engines.configurator.structure import read_structure
from orderforge.engines.configurator.value_types import Kind, ValueType

__all__ = ["FORMAT_VERSION", "load_family"]

FORMAT_VERSION = 1
MAX_GRID = 1_000_000
_TOP_KEYS = (
    "format",
    "family",
    "name",
    "version",
    "description",
    "options",
    "parameters",
    "computed",
    "rules",
    "components",
    "work_centres",
    "modules",
    "product",
    "design",
)
#: Who may be asked to approve a design revision (catalogue `design.approvals`).
DESIGN_APPROVERS = ("customer", "engineering", "quality")


def load_family(data: object) -> Family:
    """Check catalogue data and build the Family; raises CatalogueError listing all issues."""
    reader = CatalogueReader()
    root = reader.mapping(data, "catalogue")
    if root is None:
        raise CatalogueError(reader.issues)
    code, name, version, description = _header(reader, root)
    options = _options(reader, reader.items(root.get("options"), "options"))
    parameters = _parameters(reader, reader.items(root.get("parameters"), "parameters"))
    # A parameter refused above is still a number to formulas: its issue is reported
    # once, not again by every formula that reads it.
    reader.names = {code: ValueType(Kind.NUMBER) for code in _codes(root, "parameters")}
    reader.names.update({o.code: ValueType(Kind.TEXT, o.code, o.codes) for o in options})
    computed = _computed(reader, reader.items(root.get("computed"), "computed"))
    reader.duplicates(_variable_codes(root), "name")
    rules = read_rules(reader, reader.items(root.get("rules"), "rules"), parameters, computed)
    components, centres, modules, product = read_structure(reader, root, code, name)
    approvals = _design(reader, root.get("design"))
    prototype = _prototype(reader, root.get("design"))
    if reader.issues:
        raise CatalogueError(reader.issues, code)
    family = Family(
        code=code,
        name=name,
        version=version,
        description=description,
        options=tuple(options),
        parameters=tuple(parameters),
        computed=tuple(computed),
        rules=tuple(rules),
        components=components,
        work_centres=centres,
        modules=modules,
        product=product,
        design_approvals=approvals,
        prototype_required=prototype,
    )
    issues = check_family(family)
    if issues:
        raise CatalogueError(issues, code)
    return family


def _header(reader: CatalogueReader, root: Data) -> tuple[str, str, str, str]:
    """Code, name, version and description of the family."""
    reader.known_keys(root, _TOP_KEYS, "catalogue")
    if root.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        reader.add("catalogue.format", f"only format {FORMAT_VERSION} is understood")
    code = reader.code(root, "family", "catalogue") or ""
    name = reader.text(root, "name", "catalogue", default=code) or code
    version = reader.text(root, "version", "catalogue") or ""
    description = reader.text(root, "description", "catalogue", default="") or ""
    return code, name, version, description


def _design(reader: CatalogueReader, raw: object) -> tuple[str, ...]:
    """Who approves a design revision: the customer unless the catalogue says more."""
    if raw is None:
        return ("customer",)
    data = reader.mapping(raw, "design")
    if data is None:
        return ("customer",)
    reader.known_keys(data, ("approvals", "prototype"), "design")
    listed = data.get("approvals", ["customer"])
    if not isinstance(listed, list) or not listed:
        reader.add("design.approvals", f"a list of one or more of {', '.join(DESIGN_APPROVERS)}")
        return ("customer",)
    unknown = [str(a) for a in listed if a not in DESIGN_APPROVERS]
    if unknown:
        reader.add(
            "design.approvals",
            f"'{unknown[0]}' is not one of {', '.join(DESIGN_APPROVERS)}",
        )
        return ("customer",)
    # In a fixed order, so a revision always lists its approvals the same way.
    return tuple(a for a in DESIGN_APPROVERS if a in listed)


def _prototype(reader: CatalogueReader, raw: object) -> bool:
    """Whether a prototype must pass its inspection before the family's orders are
    released (`design.prototype`); a typo such as "yes" is refused, not read as false."""
    if not isinstance(raw, dict) or "prototype" not in raw:
        return False
    value = raw["prototype"]
    if not isinstance(value, bool):
        reader.add("design.prototype", "true or false")
        return False
    return value


def _codes(root: Data, section: str) -> list[str]:
    raw = root.get(section)
    items = raw if isinstance(raw, list) else []
    return [
        item["code"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("code"), str)
    ]


def _variable_codes(root: Data) -> list[tuple[str, str]]:
    """Codes shared by options, parameters and computed values: one namespace."""
    found: list[tuple[str, str]] = []
    for section in ("options", "parameters", "computed"):
        raw = root.get(section)
        for index, item in enumerate(raw if isinstance(raw, list) else ()):
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                found.append((item["code"], f"{section}[{index}]"))
    return found


def _options(reader: CatalogueReader, items: Sequence[object]) -> list[Option]:
    options: list[Option] = []
    for index, raw in enumerate(items):
        where = f"options[{index}]"
        data = reader.mapping(raw, where)
        if data is None:
            continue
        reader.known_keys(data, ("code", "label", "choices", "default"), where)
        code = reader.code(data, "code", where, identifier=True)
        if code is not None:
            where = f"option '{code}'"
        choices = _choices(reader, reader.items(data.get("choices"), f"{where}.choices"), where)
        default = reader.text(data, "default", where, default="") or None
        if default is not None and default not in {c.code for c in choices}:
            reader.add(f"{where}.default", f"'{default}' is not one of its choices")
        if code is not None and choices:
            label = reader.text(data, "label", where, default=code) or code
            options.append(Option(code, label, tuple(choices), default))
    return options


def _choices(reader: CatalogueReader, items: Sequence[object], where: str) -> list[Choice]:
    choices: list[Choice] = []
    for index, raw in enumerate(items):
        place = f"{where}.choices[{index}]"
        plain = isinstance(raw, str | int) and not isinstance(raw, bool)
        data = {"code": str(raw)} if plain else reader.mapping(raw, place)
        if data is None:
            continue
        reader.known_keys(data, ("code", "label"), place)
        code = reader.code(data, "code", place)
        if code is not None:
            label = reader.text(data, "label", place, default=code) or code
            choices.append(Choice(code, label))
    reader.duplicates(((c.code, f"{where}.choices") for c in choices), "choice")
    if not items:
        reader.add(where, "has no choices")
    return choices


def _parameters(reader: CatalogueReader, items: Sequence[object]) -> list[Parameter]:
    parameters: list[Parameter] = []
    for index, raw in enumerate(items):
        where = f"parameters[{index}]"
        data = reader.mapping(raw, where)
        if data is None:
            continue
        keys = ("code", "label", "unit", "min", "max", "step", "default")
        reader.known_keys(data, keys, where)
        code = reader.code(data, "code", where, identifier=True)
        where = f"parameter '{code}'" if code else where
        unit = reader.text(data, "unit", where, default="") or ""
        for key in ("min", "max"):
            if key not in data:
                reader.add(where, f"'{key}' is missing")
        low, high, step = (
            reader.quantity(data[key], unit, f"{where}.{key}") if key in data else None
            for key in ("min", "max", "step")
        )
        step = Decimal(1) if "step" not in data else step
        if code is None or low is None or high is None or step is None:
            continue
        parameter = _grid(reader, where, (code, data, unit), (low, high, step))
        if parameter is not None:
            parameters.append(parameter)
    return parameters


def _grid(
    reader: CatalogueReader,
    where: str,
    head: tuple[str, Data, str],
    bounds: tuple[Decimal, Decimal, Decimal],
) -> Parameter | None:
    """Check min <= max, step > 0, max on the grid, the default on the grid."""
    code, data, unit = head
    low, high, step = bounds
    if step <= 0 or high < low:
        reader.add(where, "needs step > 0 and min <= max")
        return None
    label = reader.text(data, "label", where, default=code) or code
    parameter = Parameter(code, label, unit, low, high, step)
    if parameter.index_of(high) is None:
        reader.add(where, f"max {high} is not min {low} plus a whole number of steps {step}")
        return None
    if parameter.count > MAX_GRID:
        reader.add(where, f"has {parameter.count} values; at most {MAX_GRID} are supported")
        return None
    if data.get("default") is None:
        return parameter
    default = reader.quantity(data["default"], unit, f"{where}.default")
    if default is not None and parameter.index_of(default) is None:
        reader.add(
            f"{where}.default",
            f"{default} is not a value of {label}: {low} to {high} {unit} in steps of {step}",
        )
        return None
    return Parameter(code, label, unit, low, high, step, default)


def _computed(reader: CatalogueReader, items: Sequence[object]) -> list[Computed]:
    """Read computed values in dependency order, so each is typed before its users."""
    pending: dict[str, tuple[str, Data, set[str]]] = {}
    for index, raw in enumerate(items):
        where = f"computed[{index}]"
        data = reader.mapping(raw, where)
        if data is None:
            continue
        reader.known_keys(data, ("code", "label", "unit", "formula"), where)
        code = reader.code(data, "code", where, identifier=True)
        text = reader.text(data, "formula", where)
        if code is None or text is None:
            continue
        try:
            uses = names_in(parse(text))
        except ExpressionError as error:
            reader.add(f"computed '{code}'.formula", str(error))
            continue
        pending[code] = (f"computed '{code}'", data, uses)
    order = _dependency_order(reader, {code: item[2] for code, item in pending.items()})
    computed: list[Computed] = []
    for code in order:
        where, data, _ = pending[code]
        formula = reader.formula(data["formula"], f"{where}.formula", Kind.NUMBER, Kind.BOOL)
        if formula is None:
            reader.names[code] = ValueType(Kind.NUMBER)  # reported once, see above
            continue
        reader.names[code] = ValueType(formula.kind)
        label = reader.text(data, "label", where, default=code) or code
        unit = reader.text(data, "unit", where, default="") or ""
        computed.append(Computed(code, label, unit, formula))
    return computed


def _dependency_order(reader: CatalogueReader, uses: dict[str, set[str]]) -> list[str]:
    """Topological order of computed values; a cycle is an issue naming its members."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "active":
            cycle = [*path[path.index(code) :], code]
            reader.add(
                f"computed '{code}'", f"computed values refer in a cycle: {' -> '.join(cycle)}"
            )
            return
        state[code] = "active"
        for used in sorted(uses[code] & uses.keys()):
            visit(used, [*path, code])
        state[code] = "done"
        order.append(code)

    for code in uses:
        visit(code, [])
    return [code for code in order if not _in_cycle(code, uses)]


def _in_cycle(code: str, uses: dict[str, set[str]]) -> bool:
    seen: set[str] = set()
    stack = list(uses[code] & uses.keys())
    while stack:
        item = stack.pop()
        if item == code:
            return True
        if item not in seen:
            seen.add(item)
            stack.extend(uses[item] & uses.keys())
    return False

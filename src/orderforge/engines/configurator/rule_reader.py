"""Reading configuration rules: requires (if/then), excludes, ranges and constraints.

Every rule becomes one truth-valued formula (`Rule.condition`) so the solver and the
evaluator each handle a single shape; the kind and the plain-word `message` are kept for
explanations. The parts are checked one by one first, so an error points into the part
the author wrote ("rule 'glass-length'.if"), not into the combined formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from orderforge.engines.configurator.catalogue import Computed, Parameter, Rule, RuleKind
from orderforge.engines.configurator.catalogue_reader import CatalogueReader, Data
from orderforge.engines.configurator.value_types import Kind

__all__ = ["read_rules"]

_FORMS = ("constraint", "then", "range", "excludes")
_KEYS = ("id", "if", "message", *_FORMS)


def read_rules(
    reader: CatalogueReader,
    items: Sequence[object],
    parameters: Sequence[Parameter],
    computed: Sequence[Computed],
) -> list[Rule]:
    """Read every rule; `names` of each rule are the options/parameters it depends on."""
    decisions = _decision_names(computed)
    units = {p.code: (p.label, p.unit) for p in parameters}
    units.update({c.code: (c.label, c.unit) for c in computed if c.formula.kind is Kind.NUMBER})
    rules: list[Rule] = []
    ids: list[tuple[str, str]] = []
    for index, raw in enumerate(items):
        data = reader.mapping(raw, f"rules[{index}]")
        if data is None:
            continue
        reader.known_keys(data, _KEYS, f"rules[{index}]")
        rule_id = reader.code(data, "id", f"rules[{index}]")
        if rule_id is None:
            continue
        ids.append((rule_id, f"rules[{index}]"))
        rule = _rule(reader, data, rule_id, units)
        if rule is not None:
            names = set()
            for name in rule.condition.names:
                names |= decisions.get(name, {name})
            rules.append(Rule(rule.id, rule.kind, rule.condition, rule.message, frozenset(names)))
    reader.duplicates(ids, "rule id")
    return rules


def _decision_names(computed: Sequence[Computed]) -> dict[str, set[str]]:
    """Computed code -> the options and parameters it depends on (transitively)."""
    found: dict[str, set[str]] = {}
    for item in computed:  # in dependency order, so users come after what they use
        names: set[str] = set()
        for name in item.formula.names:
            names |= found.get(name, {name})
        found[item.code] = names
    return found


def _rule(
    reader: CatalogueReader, data: Data, rule_id: str, units: dict[str, tuple[str, str]]
) -> Rule | None:
    where = f"rule '{rule_id}'"
    forms = [form for form in _FORMS if form in data]
    if len(forms) != 1:
        reader.add(where, "needs exactly one of: constraint, then (with if), range, excludes")
        return None
    form = forms[0]
    if "if" in data and form in ("constraint", "excludes"):
        reader.add(where, f"'if' goes with 'then' or 'range', not with '{form}'")
        return None
    if form == "then" and "if" not in data:
        reader.add(where, "'then' needs an 'if'")
        return None
    condition = None
    if "if" in data:
        condition = reader.formula(data["if"], f"{where}.if", Kind.BOOL)
        if condition is None:
            return None
    if form == "range":
        built = _range(reader, data["range"], where, units)
    elif form == "excludes":
        built = _excludes(reader, data["excludes"], where)
    else:
        part = reader.formula(data[form], f"{where}.{form}", Kind.BOOL)
        built = None if part is None else (part.text, f"{part.text} must hold")
    if built is None:
        return None
    text, message = built
    kind = RuleKind.REQUIRES if form == "then" else RuleKind(form)
    if condition is not None:
        if form == "then":
            message = f"{condition.text} requires {text}"
        else:
            message = f"when {condition.text}, {message}"
        text = f"not ({condition.text}) or ({text})"
    formula = reader.formula(text, where, Kind.BOOL)
    if formula is None:
        return None
    message = reader.text(data, "message", where, default=message) or message
    return Rule(rule_id, kind, formula, message, frozenset())


def _excludes(reader: CatalogueReader, raw: object, where: str) -> tuple[str, str] | None:
    items = reader.items(raw, f"{where}.excludes")
    if len(items) < 2:
        reader.add(f"{where}.excludes", "lists at least two conditions that exclude each other")
        return None
    parts = [
        reader.formula(item, f"{where}.excludes[{i}]", Kind.BOOL) for i, item in enumerate(items)
    ]
    texts = [part.text for part in parts if part is not None]
    if len(texts) != len(parts):
        return None
    joined = " and ".join(f"({text})" for text in texts)
    if len(texts) == 2:
        message = f"{texts[0]} excludes {texts[1]}"
    else:
        message = f"{', '.join(texts[:-1])} and {texts[-1]} cannot be combined"
    return f"not ({joined})", message


def _range(
    reader: CatalogueReader, raw: object, where: str, units: dict[str, tuple[str, str]]
) -> tuple[str, str] | None:
    place = f"{where}.range"
    data = reader.mapping(raw, place)
    if data is None:
        return None
    reader.known_keys(data, ("parameter", "min", "max"), place)
    code = reader.text(data, "parameter", place)
    if code is None:
        return None
    if code not in units:
        refused = code in reader.names and reader.names[code].kind is Kind.NUMBER
        if not refused:  # a refused parameter was reported already
            reader.add(
                f"{place}.parameter", f"'{code}' is not a parameter or numeric computed value"
            )
        return None
    label, unit = units[code]
    low, high = (
        reader.quantity(data[key], unit, f"{place}.{key}") if key in data else None
        for key in ("min", "max")
    )
    if low is None and high is None:
        if "min" not in data and "max" not in data:
            reader.add(place, "needs 'min', 'max' or both")
        return None
    if low is not None and high is not None and low > high:
        reader.add(place, f"min {low} is above max {high}")
        return None
    tests = [f"{code} >= {low}"] if low is not None else []
    tests += [f"{code} <= {high}"] if high is not None else []
    return " and ".join(tests), f"{label.lower()} must be {_bounds(low, high, unit)}"


def _bounds(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    tail = f" {unit}" if unit else ""
    if low is None:
        return f"at most {high}{tail}"
    if high is None:
        return f"at least {low}{tail}"
    return f"between {low} and {high}{tail}"

"""Property tests against independent oracles, never against the CP-SAT model itself.

Small random families are generated together with a plain-Python predicate for each rule
and checked by brute force over every product: remaining domains must be exactly the
values some valid product has (so every offered value completes, and nothing completable
is withheld), check_spec must agree with the predicates, and each conflict must be
infeasible and minimal. On the example table the rules are re-written by hand below, and
every value the engine offers during a simulated session is completed by a plain search.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.engines.configurator import (
    CatalogueError,
    Family,
    check_spec,
    configure,
    load_family,
    remaining_domains,
)
from orderforge.engines.configurator.examples import load_example

Product = dict[str, Any]
Predicate = Callable[[Product], bool]

OPTIONS = {"a": ["x0", "x1", "x2"], "b": ["x0", "x1"], "c": ["x0", "x1", "x2"]}
P_VALUES = list(range(0, 9))  # p: 0..8 step 1
Q_VALUES = list(range(10, 51, 5))  # q: 10..50 step 5
NAMES = [*OPTIONS, "p", "q"]


@dataclass(frozen=True)
class RandomRule:
    data: dict[str, Any]
    holds: Predicate


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


@st.composite
def random_rules(draw: st.DrawFn) -> RandomRule:
    """One random rule as catalogue data plus the same rule as a Python predicate."""
    kind = draw(st.integers(0, 15))
    x = draw(st.sampled_from(["x0", "x1", "x2"]))
    v = draw(st.integers(0, 60))
    if kind == 0:
        allowed = draw(st.sets(st.sampled_from(OPTIONS["b"]), min_size=1, max_size=1))
        listed = ", ".join(f"'{c}'" for c in sorted(allowed))
        return RandomRule(
            {"if": f"a = '{x}'", "then": f"b in [{listed}]"},
            lambda s: s["a"] != x or s["b"] in allowed,
        )
    if kind == 1:
        y = draw(st.sampled_from(OPTIONS["c"]))
        return RandomRule(
            {"excludes": [f"a = '{x}'", f"c = '{y}'"]},
            lambda s: not (s["a"] == x and s["c"] == y),
        )
    if kind == 2:
        bx = draw(st.sampled_from(OPTIONS["b"]))
        cut = v % 9
        return RandomRule(
            {"if": f"b = '{bx}'", "range": {"parameter": "p", "max": cut}},
            lambda s: s["b"] != bx or s["p"] <= cut,
        )
    if kind == 3:
        return RandomRule(
            {"constraint": f"p * 5 + q <= {v + 20}"}, lambda s: s["p"] * 5 + s["q"] <= v + 20
        )
    if kind == 4:
        return RandomRule({"constraint": f"p * q >= {v * 2}"}, lambda s: s["p"] * s["q"] >= v * 2)
    if kind == 5:
        return RandomRule(
            {"if": f"q > {v}", "then": f"c != '{x}'"}, lambda s: not s["q"] > v or s["c"] != x
        )
    if kind == 6:
        return RandomRule(
            {"constraint": f"floor(q / 7) != {v % 8}"}, lambda s: s["q"] // 7 != v % 8
        )
    if kind == 7:
        return RandomRule(
            {"constraint": f"s <= {v % 20}"}, lambda s: s["p"] + Fraction(s["q"], 5) <= v % 20
        )
    if kind == 8:
        return RandomRule(
            {"constraint": f"round(q / 10) != {v % 6}"},
            lambda s: _half_up(Fraction(s["q"], 10)) != v % 6,
        )
    if kind == 9:
        return RandomRule(
            {"constraint": f"max(p, q / 5) >= {v % 10}"},
            lambda s: max(Fraction(s["p"]), Fraction(s["q"], 5)) >= v % 10,
        )
    if kind == 10:
        return RandomRule(
            {"constraint": f"abs(p - q / 5) <= {v % 7}"},
            lambda s: abs(s["p"] - Fraction(s["q"], 5)) <= v % 7,
        )
    if kind == 11:
        points = sorted({v % 9, (v * 7) % 9, (v * 5) % 9})
        return RandomRule(
            {"constraint": f"p in [{', '.join(map(str, points))}] or a = 'x0'"},
            lambda s: s["p"] in points or s["a"] == "x0",
        )
    if kind == 12:
        return RandomRule(
            {"constraint": f"a = c or b = '{x if x != 'x2' else 'x1'}'"},
            lambda s: s["a"] == s["c"] or s["b"] == (x if x != "x2" else "x1"),
        )
    if kind == 14:
        return RandomRule(
            {"constraint": f"p < {v % 10} or c = '{x}'"}, lambda s: s["p"] < v % 10 or s["c"] == x
        )
    if kind == 15:
        return RandomRule(
            {"constraint": f"p = {v % 9} or q >= {v}"}, lambda s: s["p"] == v % 9 or s["q"] >= v
        )
    return RandomRule(
        {"if": f"c = '{x}'", "then": "ceil(p / 3) * 3 >= q / 5"},
        lambda s: s["c"] != x or -(-s["p"] // 3) * 3 >= Fraction(s["q"], 5),
    )


def random_families() -> st.SearchStrategy[list[RandomRule]]:
    return st.lists(random_rules(), min_size=1, max_size=6)


def catalogue(rules: list[RandomRule]) -> dict[str, Any]:
    return {
        "family": "RANDOM",
        "version": "1",
        "options": [{"code": name, "choices": choices} for name, choices in OPTIONS.items()],
        "parameters": [
            {"code": "p", "unit": "mm", "min": 0, "max": 8, "step": 1},
            {"code": "q", "unit": "mm", "min": 10, "max": 50, "step": 5},
        ],
        "computed": [{"code": "s", "formula": "p + q / 5"}],
        "rules": [{"id": f"r{i}", **rule.data} for i, rule in enumerate(rules)],
        "components": [{"code": "X", "unit": "pcs", "unit_cost": 1}],
        "product": {"bom": [{"component": "X"}]},
    }


def every_product() -> Iterator[Product]:
    domains: list[list[str] | list[int]] = [*OPTIONS.values(), P_VALUES, Q_VALUES]
    for values in itertools.product(*domains):
        yield dict(zip(NAMES, values, strict=True))


def valid_products(rules: list[RandomRule]) -> list[Product]:
    return [s for s in every_product() if all(rule.holds(s) for rule in rules)]


def load_or_none(rules: list[RandomRule], valid: list[Product]) -> Family | None:
    if not valid:
        with pytest.raises(CatalogueError, match="leave no valid product"):
            load_family(catalogue(rules))
        return None
    return load_family(catalogue(rules))


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rules=random_families(), data=st.data())
def test_domains_are_exactly_the_completable_values(
    rules: list[RandomRule], data: st.DataObject
) -> None:
    valid = valid_products(rules)
    family = load_or_none(rules, valid)
    if family is None:
        return
    for _ in range(3):
        chosen = data.draw(st.sets(st.sampled_from(NAMES)))
        spec = {name: data.draw(st.sampled_from(_values(name))) for name in sorted(chosen)}
        matching = [s for s in valid if all(s[k] == v for k, v in spec.items())]
        domains = remaining_domains(family, spec)
        assert domains.consistent == bool(matching)
        for name in OPTIONS:
            assert set(domains.options[name]) == {s[name] for s in matching}
        for name in ("p", "q"):
            offered = {int(v) for v in _expand(domains.parameters[name].ranges)}
            assert offered == {s[name] for s in matching}


def _values(name: str) -> list[Any]:
    return OPTIONS.get(name) or (P_VALUES if name == "p" else Q_VALUES)


def _expand(ranges: Any) -> Iterator[Any]:
    for r in ranges:
        value = r.minimum
        while value <= r.maximum:
            yield value
            value += r.step


@SETTINGS
@given(rules=random_families(), data=st.data())
def test_check_spec_agrees_and_conflicts_are_minimal(
    rules: list[RandomRule], data: st.DataObject
) -> None:
    valid = valid_products(rules)
    family = load_or_none(rules, valid)
    if family is None:
        return
    spec = {name: data.draw(st.sampled_from(_values(name))) for name in NAMES}
    validity = check_spec(family, spec)
    assert validity.valid == all(rule.holds(spec) for rule in rules)
    assert validity.valid == (not validity.conflicts)
    by_id = {f"r{i}": rule for i, rule in enumerate(rules)}
    for conflict in validity.conflicts:
        items = {item.name: spec[item.name] for item in conflict.items}
        checks = [by_id[rule_id] for rule_id in conflict.rules]
        assert not _satisfiable(items, checks), conflict.message
        for name in items:
            assert _satisfiable({k: v for k, v in items.items() if k != name}, checks)
        for rule in checks:
            assert _satisfiable(items, [r for r in checks if r is not rule])


def _satisfiable(items: dict[str, Any], rules: list[RandomRule]) -> bool:
    return any(
        all(s[k] == v for k, v in items.items()) and all(r.holds(s) for r in rules)
        for s in every_product()
    )


# -- the example table, with its rules re-written by hand --------------------------------

VENEERS = {"oak-veneer", "walnut-veneer", "ash-veneer"}


def _area(s: Product) -> Fraction:
    return Fraction(s["length"] * s["width"], 10**6)


TABLE_RULES: list[tuple[tuple[str, ...], Predicate]] = [
    (("top_material", "length"), lambda s: s["top_material"] != "glass" or s["length"] <= 1800),
    (("top_material", "width"), lambda s: s["top_material"] != "glass" or s["width"] <= 1000),
    (("top_material", "core"), lambda s: s["top_material"] != "glass" or s["core"] == "none"),
    (("top_material", "core"), lambda s: s["top_material"] != "solid-oak" or s["core"] == "none"),
    (
        ("top_material", "core"),
        lambda s: s["core"] != "none" or s["top_material"] in {"glass", "solid-oak"},
    ),
    (
        ("top_material", "finish"),
        lambda s: s["top_material"] not in {"glass", "hpl-white"} or s["finish"] == "factory",
    ),
    (
        ("top_material", "finish"),
        lambda s: s["finish"] != "factory" or s["top_material"] in {"glass", "hpl-white"},
    ),
    (
        ("finish", "colour"),
        lambda s: s["finish"] != "factory" or s["colour"] in {"natural", "white", "black"},
    ),
    (
        ("finish", "colour"),
        lambda s: (
            s["finish"] not in {"hardwax-oil", "natural-oil"}
            or s["colour"] in {"natural", "light", "dark"}
        ),
    ),
    (
        ("edge_profile", "core", "top_material"),
        lambda s: (
            s["edge_profile"] != "knife-edge"
            or s["core"] == "mdf"
            or s["top_material"] == "solid-oak"
        ),
    ),
    (
        ("top_material", "edge_profile"),
        lambda s: s["top_material"] != "glass" or s["edge_profile"] in {"eased-2mm", "square"},
    ),
    (("core", "length"), lambda s: s["core"] != "honeycomb" or s["length"] >= 1600),
    (("leg_style", "length"), lambda s: s["leg_style"] != "trestle" or s["length"] >= 1800),
    (("leg_style", "width"), lambda s: s["leg_style"] != "a-frame" or s["width"] >= 800),
    (
        ("top_material", "leg_style"),
        lambda s: s["top_material"] != "glass" or s["leg_style"] in {"steel-u-frame", "a-frame"},
    ),
    (
        ("top_material", "cable_management"),
        lambda s: not (s["top_material"] == "glass" and s["cable_management"] != "none"),
    ),
    (
        ("cable_management", "width"),
        lambda s: (
            s["cable_management"] not in {"power-box", "cable-tray-and-box"} or s["width"] >= 900
        ),
    ),
    (
        ("top_material", "width"),
        lambda s: s["top_material"] not in VENEERS | {"hpl-white"} or s["width"] <= 1300,
    ),
    (
        ("top_material", "length", "width"),
        lambda s: s["top_material"] != "solid-oak" or _area(s) <= Fraction(28, 10),
    ),
    (("length", "width"), lambda s: s["length"] >= s["width"]),
    (
        ("leg_style", "height"),
        lambda s: s["leg_style"] != "steel-u-frame" or s["height"] in {720, 740, 760},
    ),
]
TABLE_VALUES: dict[str, list[Any]] = {
    "top_material": [
        "oak-veneer",
        "walnut-veneer",
        "ash-veneer",
        "solid-oak",
        "hpl-white",
        "glass",
    ],
    "core": ["mdf", "honeycomb", "none"],
    "edge_profile": ["eased-2mm", "bevel-underside", "radius-5", "knife-edge", "square"],
    "leg_style": ["tapered", "four-square", "trestle", "a-frame", "steel-u-frame"],
    "finish": ["hardwax-oil", "natural-oil", "matt-lacquer", "satin-lacquer", "factory"],
    "colour": ["natural", "white", "light", "dark", "black", "ral-custom"],
    "cable_management": ["none", "grommet", "power-box", "cable-tray-and-box"],
    "length": list(range(800, 3001, 10)),
    "width": list(range(700, 1401, 10)),
    "height": list(range(650, 781, 5)),
}


def complete(fixed: Product) -> Product | None:
    """A full product extending `fixed` that keeps every hand-written rule, by plain search."""
    order = [name for name in TABLE_VALUES if name in fixed] + [
        name for name in TABLE_VALUES if name not in fixed
    ]
    product: Product = {}

    def search(depth: int) -> bool:
        if depth == len(order):
            return True
        name = order[depth]
        for value in [fixed[name]] if name in fixed else TABLE_VALUES[name]:
            product[name] = value
            if all(
                check(product)
                for names, check in TABLE_RULES
                if name in names and all(n in product for n in names)
            ) and search(depth + 1):
                return True
            del product[name]
        return False

    return dict(product) if search(0) else None


@pytest.fixture(scope="module")
def twin() -> Family:
    return load_example()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_session_on_the_table_never_reaches_a_dead_end(
    table: Family, twin: Family, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(list(TABLE_VALUES)))
    spec: Product = {}
    for name in order:
        domains = remaining_domains(table, spec)
        assert domains.consistent
        offered: dict[str, list[str] | list[int]] = {n: list(c) for n, c in domains.options.items()}
        offered.update(
            {n: [int(v) for v in _expand(d.ranges)] for n, d in domains.parameters.items()}
        )
        assert all(offered.values()), "an option with nothing left"
        probe = data.draw(st.sampled_from([n for n in TABLE_VALUES if n not in spec]))
        value = data.draw(st.sampled_from(offered[probe]))
        assert complete({**spec, probe: value}) is not None, f"{probe}={value} after {spec}"
        spec[name] = data.draw(st.sampled_from(offered[name]))
    assert all(check(spec) for _, check in TABLE_RULES)
    assert check_spec(table, spec).valid
    assert configure(table, spec) == configure(twin, spec)  # same spec, same BOM and routing


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_check_spec_on_the_table_agrees_with_the_hand_written_rules(
    table: Family, data: st.DataObject
) -> None:
    spec = {name: data.draw(st.sampled_from(values)) for name, values in TABLE_VALUES.items()}
    assert check_spec(table, spec).valid == all(check(spec) for _, check in TABLE_RULES)

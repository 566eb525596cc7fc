"""A seeded generator of large product families, for the benchmark and stress tests.

The family has `options` options of 3-6 choices, `parameters` numeric parameters, a few
computed values, `rules` rules of every kind and a module tree three levels deep. Rules
are drawn at random but each is kept only if a hidden reference product satisfies it, so
the family always has at least one valid product (the reference, which is also the
default spec). Same seed, same catalogue.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["synthetic_catalogue"]

Data = dict[str, object]


def synthetic_catalogue(
    seed: int = 1, options: int = 40, parameters: int = 8, rules: int = 160
) -> Data:
    """Catalogue data (as from YAML) of a synthetic family; pass it to load_family."""
    rng = random.Random(seed)
    opts = {f"o{i:02d}": [f"c{j}" for j in range(rng.randint(3, 6))] for i in range(options)}
    params: dict[str, tuple[int, int, int]] = {}
    for i in range(parameters):
        step = rng.choice((1, 5, 10))
        low = rng.randint(10, 50) * 10
        params[f"p{i}"] = (low, low + step * rng.randint(20, 200), step)
    reference: dict[str, str | int] = {name: rng.choice(c) for name, c in opts.items()}
    for name, (low, high, step) in params.items():
        reference[name] = low + step * rng.randint(0, (high - low) // step)
    return {
        "format": 1,
        "family": f"SYNTH-{seed}",
        "name": f"Synthetic family {seed}",
        "version": "1",
        **_variables(opts, params, reference),
        "rules": _rules(rng, opts, params, reference, rules),
        **_structure(rng, list(opts), list(params)),
    }


def _variables(
    opts: dict[str, list[str]],
    params: dict[str, tuple[int, int, int]],
    reference: dict[str, str | int],
) -> Data:
    """Options and parameters (defaults: the reference product) and computed values."""
    return {
        "options": [
            {
                "code": name,
                "label": f"Option {name}",
                "choices": choices,
                "default": reference[name],
            }
            for name, choices in opts.items()
        ],
        "parameters": [
            {
                "code": name,
                "label": f"Parameter {name}",
                "unit": "mm",
                "min": low,
                "max": high,
                "step": step,
                "default": reference[name],
            }
            for name, (low, high, step) in params.items()
        ],
        "computed": [
            {"code": "span", "formula": "p0 + p1", "unit": "mm"},
            {"code": "face", "formula": "p2 * p3 / 1e6", "unit": "m2"},
            {"code": "big", "formula": "p4 > " + str(_middle(params["p4"]))},
        ],
    }


def _middle(grid: tuple[int, int, int]) -> int:
    low, high, step = grid
    return low + step * ((high - low) // step // 2)


def _rules(
    rng: random.Random,
    opts: dict[str, list[str]],
    params: dict[str, tuple[int, int, int]],
    reference: dict[str, str | int],
    count: int,
) -> list[Data]:
    """Random rules of every kind, each satisfied by the reference product."""
    names = list(opts)
    pnames = list(params)
    found: list[Data] = []
    makers: list[Callable[[], Data | None]] = [
        lambda: _requires(rng, opts, reference, rng.sample(names, 2)),
        lambda: _excludes(rng, opts, reference, rng.sample(names, 2)),
        lambda: _range(rng, opts, params, reference, rng.choice(names), rng.choice(pnames)),
        lambda: _linear(rng, params, reference, rng.sample(pnames, 2)),
        lambda: _threshold(rng, opts, params, reference, rng.choice(names), rng.choice(pnames)),
    ]
    while len(found) < count:
        rule = rng.choice(makers)()
        if rule is not None:
            rule["id"] = f"r{len(found):03d}"
            found.append(rule)
    found.append({"id": "face-limit", "constraint": f"face <= {_face_limit(params, reference)}"})
    found.append({"id": "span-big", "if": "big", "then": f"span >= {_span_floor(reference)}"})
    return found


def _face_limit(params: dict[str, tuple[int, int, int]], reference: dict[str, str | int]) -> str:
    value = int(reference["p2"]) * int(reference["p3"]) / 1e6
    return f"{value * 1.5:.3f}"


def _span_floor(reference: dict[str, str | int]) -> int:
    return (int(reference["p0"]) + int(reference["p1"])) // 2


def _requires(
    rng: random.Random, opts: dict[str, list[str]], ref: dict[str, str | int], pair: list[str]
) -> Data:
    a, b = pair
    when = rng.choice(opts[a])
    allowed = set(rng.sample(opts[b], rng.randint(1, len(opts[b]) - 1)))
    if ref[a] == when:
        allowed.add(str(ref[b]))
    listed = ", ".join(f"'{c}'" for c in opts[b] if c in allowed)
    return {"if": f"{a} = '{when}'", "then": f"{b} in [{listed}]"}


def _excludes(
    rng: random.Random, opts: dict[str, list[str]], ref: dict[str, str | int], pair: list[str]
) -> Data | None:
    a, b = pair
    x, y = rng.choice(opts[a]), rng.choice(opts[b])
    if ref[a] == x and ref[b] == y:
        return None
    return {"excludes": [f"{a} = '{x}'", f"{b} = '{y}'"]}


def _range(
    rng: random.Random,
    opts: dict[str, list[str]],
    params: dict[str, tuple[int, int, int]],
    ref: dict[str, str | int],
    option: str,
    param: str,
) -> Data | None:
    low, high, step = params[param]
    choice = rng.choice(opts[option])
    cut = low + step * rng.randint(1, (high - low) // step)
    bound = {"max": cut} if rng.random() < 0.5 else {"min": cut}
    value = int(ref[param])
    if ref[option] == choice and not (value <= cut if "max" in bound else value >= cut):
        return None
    return {"if": f"{option} = '{choice}'", "range": {"parameter": param, **bound}}


def _linear(
    rng: random.Random,
    params: dict[str, tuple[int, int, int]],
    ref: dict[str, str | int],
    pair: list[str],
) -> Data:
    a, b = pair
    if rng.random() < 0.5:
        slack = rng.randint(0, params[a][1] - params[a][0] + 1)
        return {"constraint": f"{a} + {b} <= {int(ref[a]) + int(ref[b]) + slack}"}
    factor = rng.choice((1, 2, 3))
    return {"constraint": f"{a} * {factor} >= {b} - {max(0, int(ref[b]) - int(ref[a]) * factor)}"}


def _threshold(
    rng: random.Random,
    opts: dict[str, list[str]],
    params: dict[str, tuple[int, int, int]],
    ref: dict[str, str | int],
    option: str,
    param: str,
) -> Data | None:
    low, high, step = params[param]
    cut = low + step * rng.randint(0, (high - low) // step)
    banned = rng.choice(opts[option])
    if int(ref[param]) > cut and ref[option] == banned:
        return None
    return {"if": f"{param} > {cut}", "then": f"{option} != '{banned}'"}


def _structure(rng: random.Random, options: list[str], params: list[str]) -> Data:
    """Components, work centres, 30 modules three levels deep, and the product."""
    components = [
        {
            "code": f"C{i:03d}",
            "name": f"Component {i}",
            "unit": rng.choice(("pcs", "m", "m2")),
            "unit_cost": f"{rng.randint(50, 20000) / 100:.2f}",
        }
        for i in range(120)
    ]
    centres = [{"code": f"WC{i}", "name": f"Work centre {i}"} for i in range(8)]
    modules = [_module(rng, index, options, params) for index in range(30)]
    product = {
        "uses": [{"module": f"M{i:02d}", "when": _condition(rng, options)} for i in range(10)],
        "bom": [{"component": "C000", "quantity": 1}],
        "operations": [
            {"code": "ASSY", "work_centres": ["WC6"], "setup": 15, "run": "30 + face * 10"},
            {"code": "PACK", "work_centres": ["WC7"], "setup": 5, "run": 20, "after": ["ASSY"]},
        ],
    }
    return {
        "components": components,
        "work_centres": centres,
        "modules": modules,
        "product": product,
    }


def _module(rng: random.Random, index: int, options: list[str], params: list[str]) -> Data:
    """Module i uses modules of the next level only, so the module graph is acyclic."""
    level = index // 10
    quantities = [
        "1",
        "2",
        f"{rng.choice(params)} / 100",
        f"ceil({rng.choice(params)} / 250)",
        "face * 1.1",
        "span / 1000",
    ]
    bom = [
        {"component": f"C{rng.randint(1, 119):03d}", "quantity": rng.choice(quantities)}
        | ({"when": _condition(rng, options)} if rng.random() < 0.4 else {})
        for _ in range(rng.randint(1, 4))
    ]
    operations: list[Data] = []
    for number in range(rng.randint(1, 3)):
        operation: Data = {
            "code": f"OP{number}",
            "work_centres": rng.sample([f"WC{i}" for i in range(6)], rng.randint(1, 2)),
            "setup": rng.randint(5, 30),
            "run": f"{rng.randint(2, 20)} + {rng.choice(params)} / {rng.choice((50, 100, 200))}",
        }
        if number:
            operation["after"] = [f"OP{number - 1}"]
        operations.append(operation)
    uses = []
    if level < 2:
        for child in rng.sample(range((level + 1) * 10, (level + 2) * 10), 2):
            uses.append({"module": f"M{child:02d}", "when": _condition(rng, options)})
    return {
        "code": f"M{index:02d}",
        "name": f"Module {index}",
        "bom": bom,
        "operations": operations,
        "uses": uses,
    }


def _condition(rng: random.Random, options: list[str]) -> str:
    return f"{rng.choice(options)} != 'c{rng.randint(0, 2)}'"

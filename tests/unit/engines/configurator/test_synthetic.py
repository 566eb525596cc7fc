"""The synthetic family used by the benchmark: deterministic, large, and consistent."""

from __future__ import annotations

import random
from decimal import Decimal

from orderforge.engines.configurator import check_spec, configure, load_family, remaining_domains
from orderforge.engines.configurator.examples.synthetic import synthetic_catalogue
from orderforge.engines.configurator.spec import environment, read_spec


def test_same_seed_same_catalogue() -> None:
    assert synthetic_catalogue(3) == synthetic_catalogue(3)
    assert synthetic_catalogue(3) != synthetic_catalogue(4)


def test_a_full_session_ends_in_a_product_that_keeps_every_rule() -> None:
    family = load_family(synthetic_catalogue(5))
    assert len(family.options) >= 40 and len(family.rules) >= 150
    rng = random.Random(5)
    names = [o.code for o in family.options] + [p.code for p in family.parameters]
    rng.shuffle(names)
    spec: dict[str, object] = {}
    for name in names:
        domains = remaining_domains(family, spec)
        if name in domains.options:
            spec[name] = rng.choice(domains.options[name])
        else:
            r = rng.choice(domains.parameters[name].ranges)
            steps = int((r.maximum - r.minimum) / r.step)
            spec[name] = str(r.minimum + r.step * rng.randint(0, steps))
    env, _ = environment(family, read_spec(family, spec))
    assert all(rule.condition.evaluate(env) is True for rule in family.rules)
    assert check_spec(family, spec).valid
    configuration = configure(family, spec)
    keys = {op.key for op in configuration.routing}
    assert all(set(op.predecessors) <= keys for op in configuration.routing)
    assert all(item.quantity >= Decimal(0) for item in configuration.components)

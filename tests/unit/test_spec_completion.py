"""The one spec-completion rule (services.configuration.complete_in): every consistent
set of picks completes to a valid spec, picks are kept, and a default is used whenever
it still fits; inconsistent picks are refused with the conflict, never a guess."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.demo.catalogue import CATALOGUE_FILES, catalogue_text
from orderforge.engines.configurator import (
    Family,
    check_spec,
    load_family_text,
    remaining_domains,
)
from orderforge.services.configuration import complete_in

CODES = sorted(CATALOGUE_FILES)


@cache
def family(code: str) -> Family:
    return load_family_text(catalogue_text(code))


@st.composite
def picks(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A family and a few picks: choices of its options, values on its parameter grids."""
    code = draw(st.sampled_from(CODES))
    f = family(code)
    chosen: dict[str, str] = {}
    for option in draw(st.lists(st.sampled_from(f.options), max_size=3, unique=True)):
        chosen[option.code] = draw(st.sampled_from(option.codes))
    for p in draw(st.lists(st.sampled_from(f.parameters), max_size=2, unique=True)):
        steps = int((p.maximum - p.minimum) / p.step) if p.step else 0
        chosen[p.code] = str(p.minimum + p.step * draw(st.integers(0, steps)))
    return code, chosen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks())
def test_consistent_picks_complete_to_a_valid_spec(case: tuple[str, dict[str, str]]) -> None:
    code, chosen = case
    f = family(code)
    done = complete_in(f, chosen)
    if not remaining_domains(f, chosen).consistent:
        assert done.conflicts and not done.filled
        return
    assert not done.conflicts
    assert check_spec(f, done.spec).valid, (chosen, done.spec)
    assert all(done.spec[k] == v for k, v in chosen.items())
    assert set(done.filled) | set(chosen) == set(done.spec)
    for option in f.options:
        if option.code in done.filled and option.code not in done.off_default:
            assert done.spec[option.code] == option.default


def test_the_readme_table_fills_what_still_fits() -> None:
    done = complete_in(family("TABLE"), {"top": "solid", "length": "2200"})
    assert not done.conflicts and check_spec(family("TABLE"), done.spec).valid
    assert done.off_default, "the example exists because a default no longer fits"


def test_conflicting_picks_name_the_choices() -> None:
    f = family("TABLE")
    # Find two picks that cannot go together, then ask the rule to complete them.
    for option in f.options:
        for choice in option.codes:
            for other in f.options:
                if other is option:
                    continue
                for second in other.codes:
                    spec = {option.code: choice, other.code: second}
                    if not remaining_domains(f, spec).consistent:
                        done = complete_in(f, spec)
                        names = {n for c in done.conflicts for n in c.names}
                        assert names & set(spec)
                        return
    pytest.skip("the TABLE catalogue has no pair of conflicting choices")

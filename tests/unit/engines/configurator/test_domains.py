"""Remaining domains on the example table, checked by hand against its rules."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from orderforge.engines.configurator import Domains, Family, SpecError, remaining_domains
from orderforge.engines.configurator.examples import load_example


def ranges(domains: Domains, name: str) -> list[tuple[int, int]]:
    return [(int(r.minimum), int(r.maximum)) for r in domains.parameters[name].ranges]


def test_nothing_chosen_everything_is_possible(table: Family) -> None:
    domains = remaining_domains(table, {})
    assert domains.consistent
    for option in table.options:
        assert domains.options[option.code] == option.codes
    assert ranges(domains, "length") == [(800, 3000)]
    assert ranges(domains, "width") == [(700, 1400)]
    assert ranges(domains, "height") == [(650, 780)]


def test_glass_top_propagates_through_every_rule(table: Family) -> None:
    domains = remaining_domains(table, {"top_material": "glass"})
    assert domains.options == {
        "top_material": ("glass",),
        "core": ("none",),
        "edge_profile": ("eased-2mm", "square"),
        "leg_style": ("a-frame", "steel-u-frame"),
        "finish": ("factory",),
        "colour": ("natural", "white", "black"),
        "cable_management": ("none",),
    }
    assert ranges(domains, "length") == [(800, 1800)]
    assert ranges(domains, "width") == [(700, 1000)]


def test_glass_on_a_frames_needs_800_mm_width(table: Family) -> None:
    domains = remaining_domains(table, {"top_material": "glass", "leg_style": "a-frame"})
    assert ranges(domains, "width") == [(800, 1000)]
    assert ranges(domains, "height") == [(650, 780)]


def test_steel_frame_leaves_three_separate_heights(table: Family) -> None:
    domains = remaining_domains(table, {"leg_style": "steel-u-frame"})
    assert ranges(domains, "height") == [(720, 720), (740, 740), (760, 760)]
    assert Decimal(740) in domains.parameters["height"]
    assert Decimal(730) not in domains.parameters["height"]


def test_trestle_needs_a_long_wooden_top(table: Family) -> None:
    domains = remaining_domains(table, {"leg_style": "trestle"})
    assert ranges(domains, "length") == [(1800, 3000)]
    assert "glass" not in domains.options["top_material"]


def test_honeycomb_core(table: Family) -> None:
    domains = remaining_domains(table, {"core": "honeycomb"})
    assert ranges(domains, "length") == [(1600, 3000)]
    assert domains.options["top_material"] == (
        "oak-veneer",
        "walnut-veneer",
        "ash-veneer",
        "hpl-white",
    )
    assert "knife-edge" not in domains.options["edge_profile"]


def test_power_box_needs_width_and_so_length(table: Family) -> None:
    domains = remaining_domains(table, {"cable_management": "power-box"})
    assert ranges(domains, "width") == [(900, 1400)]
    assert ranges(domains, "length") == [(900, 3000)]
    assert "glass" not in domains.options["top_material"]


def test_solid_oak_area_limit_is_a_product_of_two_parameters(table: Family) -> None:
    domains = remaining_domains(table, {"top_material": "solid-oak", "width": "1400 mm"})
    assert ranges(domains, "length") == [(1400, 2000)]  # length >= width, length * 1.4 <= 2.8
    domains = remaining_domains(table, {"top_material": "solid-oak", "length": 2800})
    assert ranges(domains, "width") == [(700, 1000)]


def test_fixed_values_are_reported_as_chosen(table: Family) -> None:
    domains = remaining_domains(table, {"colour": "dark", "length": "2.4 m"})
    assert domains.options["colour"] == ("dark",)
    assert ranges(domains, "length") == [(2400, 2400)]
    assert "factory" not in domains.options["finish"]


def test_dead_end_partial_spec_is_explained(table: Family) -> None:
    domains = remaining_domains(table, {"top_material": "glass", "length": 2400})
    assert not domains.consistent
    assert all(not choices for choices in domains.options.values())
    assert all(not d.ranges for d in domains.parameters.values())
    assert [c.message for c in domains.conflicts] == [
        "Glass top excludes length 2400 mm: glass tops go up to 1800 mm."
    ]


def test_results_do_not_depend_on_what_was_asked_before() -> None:
    specs: list[dict[str, object]] = [
        {},
        {"top_material": "solid-oak"},
        {"top_material": "solid-oak", "width": 1400},
        {"leg_style": "steel-u-frame"},
        {"top_material": "glass", "leg_style": "steel-u-frame"},
        {"core": "honeycomb", "edge_profile": "square"},
    ]
    forward_family, backward_family = load_example(), load_example()
    forward = [remaining_domains(forward_family, spec) for spec in specs]
    backward = [remaining_domains(backward_family, spec) for spec in reversed(specs)]
    assert forward == list(reversed(backward))


def test_bad_partial_spec_is_refused(table: Family) -> None:
    with pytest.raises(SpecError, match="did you mean 'glass'"):
        remaining_domains(table, {"top_material": "glas"})


def test_rules_not_affine_in_a_long_grid(tiny: Callable[..., Family]) -> None:
    family = tiny(
        parameters=[{"code": "length", "unit": "mm", "min": 0, "max": 10000, "step": 1}],
        rules=[
            {"id": "steps", "constraint": "floor(length / 7) != 3"},
            {"id": "square", "constraint": "length * length <= 4000000"},
        ],
        product={"bom": [{"component": "BOARD"}]},
    )
    domains = remaining_domains(family, {})
    assert ranges(domains, "length") == [(0, 20), (28, 2000)]

"""Full specs: valid, or minimal conflicts explained in plain words."""

from __future__ import annotations

from orderforge.engines.configurator import Family, check_spec, remaining_domains


def test_the_defaults_are_a_valid_table(table: Family) -> None:
    validity = check_spec(table, {})
    assert validity.valid and not validity.conflicts
    assert len(validity.defaulted) == len(table.options) + len(table.parameters)


def test_glass_top_too_long(table: Family) -> None:
    validity = check_spec(table, {"top_material": "glass", "length": "2400 mm"})
    assert not validity.valid
    (conflict,) = validity.conflicts
    assert conflict.message == "Glass top excludes length 2400 mm: glass tops go up to 1800 mm."
    assert conflict.rules == ("glass-length",)
    assert conflict.names == ("top_material", "length")
    assert "glass-length" in validity.violated


def test_a_single_impossible_value(table: Family) -> None:
    validity = check_spec(
        table,
        {
            "top_material": "hpl-white",
            "finish": "factory",
            "leg_style": "steel-u-frame",
            "height": 700,
        },
    )
    (conflict,) = validity.conflicts
    assert conflict.message.startswith("Steel U-frame base excludes height 700 mm")
    assert conflict.rules == ("steel-heights",)


def test_defaults_in_a_conflict_are_marked(table: Family) -> None:
    validity = check_spec(table, {"finish": "factory"})
    (conflict,) = validity.conflicts
    assert conflict.message == (
        "Oak veneer top (default) excludes Factory surface finish: "
        "wooden tops need an oil or lacquer finish."
    )
    assert [item.defaulted for item in conflict.items] == [True, False]


def test_two_rules_in_one_conflict(table: Family) -> None:
    """No width is both >= 900 mm (power box) and <= the 800 mm length (proportions)."""
    domains = remaining_domains(table, {"cable_management": "power-box", "length": 800})
    (conflict,) = domains.conflicts
    assert set(conflict.rules) == {"power-width", "proportions"}
    assert conflict.names == ("cable_management", "length")
    assert conflict.message == (
        "Power box cable management excludes length 800 mm: a power box needs a top at "
        "least 900 mm wide; a table is at least as long as it is wide."
    )


def test_conflict_needing_three_choices(table: Family) -> None:
    spec = {
        "top_material": "solid-oak",
        "core": "none",
        "length": 2400,
        "width": 1300,
    }
    (conflict,) = check_spec(table, spec).conflicts
    assert conflict.rules == ("solid-oak-size",)
    assert conflict.names == ("top_material", "length", "width")
    assert conflict.message == (
        "Solid oak top, length 2400 mm and width 1300 mm cannot be combined: "
        "solid-oak tops are glued up to 2.8 m²."
    )


def test_conflicts_cannot_be_completed_and_drop_nothing_needed(table: Family) -> None:
    """A conflict's choices cannot be completed; without any one of them they can.

    (Minimality proper, with respect to the conflict's own rules, is checked by brute
    force in test_properties.py; on this table it also holds against all rules.)
    """
    spec = {
        "top_material": "glass",
        "leg_style": "trestle",
        "length": 2400,
        "colour": "dark",
        "cable_management": "grommet",
    }
    validity = check_spec(table, spec)
    assert validity.conflicts
    for conflict in validity.conflicts:
        chosen = {item.name: item.value for item in conflict.items}
        assert not remaining_domains(table, chosen).consistent
        for name in chosen:
            rest = {k: v for k, v in chosen.items() if k != name}
            assert remaining_domains(table, rest).consistent


def test_missing_values_without_defaults_are_listed() -> None:
    from orderforge.engines.configurator import load_family

    from .conftest import tiny_catalogue

    data = tiny_catalogue()
    data["options"][0].pop("default")
    validity = check_spec(load_family(data), {})
    assert not validity.valid and validity.missing == ("top",)

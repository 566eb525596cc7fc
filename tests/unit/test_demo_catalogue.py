"""The demo workshop's catalogues: they load, read like a shop, and fit the plant."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from orderforge.demo.catalogue import CATALOGUE_FILES, DIMENSIONS, catalogue_text, demo_specs
from orderforge.demo.plant import COLOUR_CLASSES, FAMILY_CODES, demo_plant_data
from orderforge.engines.configurator import (
    BomNode,
    Configuration,
    Family,
    MarginRule,
    RuleKind,
    check_spec,
    configure,
    load_family_text,
    parse_catalogue_text,
    price,
    remaining_domains,
)
from orderforge.plant.domain import ComponentStatus

CODES = list(CATALOGUE_FILES)
#: The furniture families share the workshop's character (painted wood, two CNCs, nested
#: modules); the examination couch is a bought frame with an upholstered top.
FURNITURE = [code for code in CODES if code != "COUCH"]
PLANT = demo_plant_data()
WORK_CENTRES = PLANT.work_centres
WORK_CENTRE_LIMITS = {w.code: w.limits for w in WORK_CENTRES if w.limits}
#: Item code -> (status, lead time) as the demo plant file has it.
COMPONENT_STATUS = {i.code: (i.status, i.lead_time_days) for i in PLANT.items}
RATES = {w.code: w.hourly_rate for w in WORK_CENTRES}
MARGIN = MarginRule(Decimal("0.30"))


@pytest.fixture(scope="module")
def families() -> dict[str, Family]:
    return {code: load_family_text(catalogue_text(code)) for code in CODES}


def _raw(code: str) -> dict[str, Any]:
    data = parse_catalogue_text(catalogue_text(code))
    assert isinstance(data, dict)
    return data


def _operations(family: Family) -> Iterator[tuple[str, tuple[str, ...]]]:
    for module in (*family.modules, family.product):
        for operation in module.operations:
            yield f"{module.code}/{operation.code}", operation.work_centres


def _depth(node: BomNode) -> int:
    return 1 + max((_depth(child) for child in node.children), default=0)


def _review(family: Family, spec: dict[str, str]) -> tuple[Configuration, set[str], list[str]]:
    """Configuration, non-approved components, operations no alternative can take."""
    validity = check_spec(family, spec)
    assert validity.valid, [c.message for c in validity.conflicts]
    configuration = configure(family, spec)
    dims = {name: validity.spec[name] for name in DIMENSIONS if name in validity.spec}
    flagged = {
        item.component
        for item in configuration.components
        if COMPONENT_STATUS[item.component][0] is not ComponentStatus.APPROVED
    }
    too_big = [
        op.key
        for op in configuration.routing
        if not any(_fits(centre, dims) for centre in op.work_centres)
    ]
    return configuration, flagged, too_big


def _fits(centre: str, dims: Mapping[str, object]) -> bool:
    limits = WORK_CENTRE_LIMITS.get(centre, {})
    return all(Decimal(str(dims[name])) <= limit for name, limit in limits.items() if name in dims)


# -- loading and shape -----------------------------------------------------------------


def test_every_demo_family_has_a_catalogue() -> None:
    assert set(CODES) == set(FAMILY_CODES)


@pytest.mark.parametrize("code", CODES)
def test_catalogue_loads_with_family_code_and_version(
    code: str, families: dict[str, Family]
) -> None:
    family = families[code]
    assert family.code == code
    assert family.version == "2026.1"
    assert _raw(code)["version"] == "2026.1"  # text in the file, not a float


def test_unknown_family_has_no_catalogue() -> None:
    with pytest.raises(KeyError, match="no demo catalogue for family 'SOFA'"):
        catalogue_text("SOFA")


@pytest.mark.parametrize("code", CODES)
def test_at_least_ten_rules_each_with_words(code: str, families: dict[str, Family]) -> None:
    rules = families[code].rules
    assert len(rules) >= 10
    assert all(rule["message"].strip() for rule in _raw(code)["rules"])
    assert {RuleKind.REQUIRES, RuleKind.RANGE} <= {rule.kind for rule in rules}


@pytest.mark.parametrize("code", CODES)
def test_at_least_one_conditional_range(code: str) -> None:
    conditional = [rule for rule in _raw(code)["rules"] if "range" in rule and "if" in rule]
    assert conditional


@pytest.mark.parametrize("code", CODES)
def test_quantities_and_times_follow_the_dimensions(code: str, families: dict[str, Family]) -> None:
    family = families[code]
    spec_names = {p.code for p in family.parameters} | {c.code for c in family.computed}
    modules = (*family.modules, family.product)
    quantities = [line.quantity for module in modules for line in module.bom]
    times = [op.run_minutes for module in modules for op in module.operations]
    assert any(formula.names & spec_names for formula in quantities)
    assert any(formula.names & spec_names for formula in times)


@pytest.mark.parametrize("code", FURNITURE)
def test_modules_nest_at_least_two_levels_below_the_product(
    code: str, families: dict[str, Family]
) -> None:
    family = families[code]

    def depth(module_code: str) -> int:
        module = family.module_by_code[module_code]
        return 1 + max((depth(use.module) for use in module.uses), default=0)

    assert max(depth(use.module) for use in family.product.uses) >= 2
    deepest = max(_depth(configure(family, spec).bom) for spec in demo_specs()[code])
    assert deepest >= 3  # product -> module -> sub-module


@pytest.mark.parametrize("code", CODES)
def test_operations_run_on_the_plants_work_centres(code: str, families: dict[str, Family]) -> None:
    plant = {w.code for w in WORK_CENTRES}
    family = families[code]
    assert {centre.code for centre in family.work_centres} <= plant
    for where, centres in _operations(family):
        assert set(centres) <= plant, where


def test_the_two_cncs_are_alternatives_somewhere_in_every_family(
    families: dict[str, Family],
) -> None:
    for code in FURNITURE:
        family = families[code]
        assert any({"CNC-5AX", "CNC-NEST"} <= set(c) for _, c in _operations(family)), code


@pytest.mark.parametrize("code", FURNITURE)
def test_colour_is_the_paint_booths_setup_classes(code: str, families: dict[str, Family]) -> None:
    family = families[code]
    assert any("PAINT-BOOTH" in centres for _, centres in _operations(family))
    assert family.option_by_code["colour"].codes == COLOUR_CLASSES


@pytest.mark.parametrize("code", CODES)
def test_dimensions_are_named_parameters_in_mm(code: str, families: dict[str, Family]) -> None:
    family = families[code]
    dims = [p for p in family.parameters if p.code in DIMENSIONS]
    assert len(dims) >= 2
    assert all(p.unit == "mm" for p in dims)


# -- plant facts -----------------------------------------------------------------------


def test_every_component_has_a_status_and_every_status_a_component(
    families: dict[str, Family],
) -> None:
    used = {c.code for family in families.values() for c in family.components}
    assert used <= set(COMPONENT_STATUS)  # the item master also holds stock not yet used
    assert all(days >= 0 for _, days in COMPONENT_STATUS.values())
    statuses = [status for status, _ in COMPONENT_STATUS.values()]
    assert statuses.count(ComponentStatus.NEW) >= 3
    assert 1 <= statuses.count(ComponentStatus.BLOCKED) <= 2
    assert statuses.count(ComponentStatus.APPROVED) > len(statuses) * 0.9


def test_a_component_shared_by_families_is_the_same_component(
    families: dict[str, Family],
) -> None:
    seen: dict[str, tuple[str, str, Decimal]] = {}
    for family in families.values():
        for c in family.components:
            assert seen.setdefault(c.code, (c.name, c.unit, c.unit_cost)) == (
                c.name,
                c.unit,
                c.unit_cost,
            ), c.code
    assert {unit for _, unit, _ in seen.values()} <= {"m2", "m", "pcs", "kg", "l", "set"}


def test_limits_name_known_work_centres_and_dimensions() -> None:
    plant = {w.code for w in WORK_CENTRES}
    assert set(WORK_CENTRE_LIMITS) <= plant
    for centre, limits in WORK_CENTRE_LIMITS.items():
        assert limits, centre
        assert set(limits) <= set(DIMENSIONS), centre
        assert all(isinstance(v, int) and v > 0 for v in limits.values()), centre


def test_limits_match_the_machines_named_in_the_plant() -> None:
    assert WORK_CENTRE_LIMITS["PRESS-VEN"]["width"] == 1300  # "3200 x 1300 mm"
    assert WORK_CENTRE_LIMITS["PRESS-VEN"]["length"] == 3200
    assert WORK_CENTRE_LIMITS["SAND-WIDE"]["width"] == 1350  # "Wide-belt sander, 1350 mm"


# -- domains ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_empty_spec_offers_every_choice_and_the_full_ranges(
    code: str, families: dict[str, Family]
) -> None:
    family = families[code]
    domains = remaining_domains(family, {})
    assert domains.consistent
    assert not domains.conflicts
    for option in family.options:
        assert domains.options[option.code] == option.codes, option.code  # no dead choice
    for parameter in family.parameters:
        ranges = domains.parameters[parameter.code].ranges
        assert ranges[0].minimum == parameter.minimum
        assert ranges[-1].maximum == parameter.maximum
        assert parameter.default in domains.parameters[parameter.code]


def test_choosing_narrows_the_domains(families: dict[str, Family]) -> None:
    table = remaining_domains(families["TABLE"], {"top": "solid"})
    assert table.options["core"] == ("none",)
    assert table.options["wood"] == ("oak", "walnut", "ash", "beech")
    assert table.parameters["length"].ranges[-1].maximum == 2800
    panel = remaining_domains(families["WALL-PANEL"], {"pattern": "slatted-27"})
    assert panel.options["acoustic"] == ("black-felt-9", "grey-felt-9")
    assert all(r.minimum % 40 == 0 for r in panel.parameters["width"].ranges)


# -- demo specs ------------------------------------------------------------------------


def test_demo_specs_cover_every_family_with_six_or_more() -> None:
    specs = demo_specs()
    assert set(specs) == set(CODES)
    assert all(len(specs[code]) >= 6 for code in CODES)
    assert all(isinstance(v, str) for ss in specs.values() for s in ss for v in s.values())
    specs["TABLE"][0]["wood"] = "changed"
    assert demo_specs()["TABLE"][0]["wood"] != "changed"  # fresh copies


@pytest.mark.parametrize("code", CODES)
def test_demo_specs_are_complete_valid_and_priced(code: str, families: dict[str, Family]) -> None:
    family = families[code]
    for spec in demo_specs()[code]:
        validity = check_spec(family, spec)
        assert validity.valid, (spec, [c.message for c in validity.conflicts])
        assert not validity.defaulted, spec  # a salesperson's spec names everything
        configuration = configure(family, spec)
        assert configuration.components
        assert configuration.routing
        assert configuration.version == "2026.1"
        costing = price(configuration, RATES, MARGIN)
        assert costing.material_cost > 0
        assert costing.labour_cost > 0
        assert costing.price >= costing.cost / (1 - MARGIN.margin)


@pytest.mark.parametrize("code", CODES)
def test_some_demo_specs_need_engineering_and_the_rest_are_plainly_feasible(
    code: str, families: dict[str, Family]
) -> None:
    needs_engineering = 0
    for spec in demo_specs()[code]:
        _, flagged, too_big = _review(families[code], spec)
        assert all(COMPONENT_STATUS[c][0] is not ComponentStatus.BLOCKED for c in flagged)
        needs_engineering += bool(flagged or too_big)
    assert 1 <= needs_engineering <= 2


def test_demo_specs_show_each_kind_of_engineering_flag(families: dict[str, Family]) -> None:
    new_component = beyond_all = beyond_preferred = 0
    for code, specs in demo_specs().items():
        for spec in specs:
            configuration, flagged, too_big = _review(families[code], spec)
            new_component += bool(flagged)
            beyond_all += bool(too_big)
            dims = {k: v for k, v in spec.items() if k in DIMENSIONS}
            beyond_preferred += any(
                not _fits(op.work_centres[0], dims)
                and any(_fits(c, dims) for c in op.work_centres[1:])
                for op in configuration.routing
            )
    assert new_component >= 2
    assert beyond_all >= 2
    assert beyond_preferred >= 1


def test_the_wide_boardroom_table_does_not_fit_the_veneer_press(
    families: dict[str, Family],
) -> None:
    wide = next(s for s in demo_specs()["TABLE"] if s["width"] == "1400")
    _, flagged, too_big = _review(families["TABLE"], wide)
    assert not flagged
    assert "TOP/VENEER-PANEL/PRESS" in too_big
    # the same table 1300 mm wide is plainly feasible
    _, _, fits = _review(families["TABLE"], {**wide, "width": "1300"})
    assert fits == []


@pytest.mark.parametrize(
    ("code", "spec", "component"),
    [
        ("WALL-PANEL", {"veneer": "eucalyptus"}, "VENEER-EUCALYPTUS"),
        (
            "CABINET",
            {"handle": "leather-pull", "front": "shaker-frame", "colour": "dark"},
            "HANDLE-LEATHER-PULL",
        ),
    ],
)
def test_blocked_components_are_reachable_by_a_valid_spec(
    code: str, spec: dict[str, str], component: str, families: dict[str, Family]
) -> None:
    assert COMPONENT_STATUS[component][0] is ComponentStatus.BLOCKED
    _, flagged, _ = _review(families[code], spec)
    assert component in flagged


# -- refusals --------------------------------------------------------------------------

INVALID = [
    ("COUCH", {"lift": "electric", "height": "700"}, "the electric column lowers 250 mm"),
    ("COUCH", {"cover": "pvc-black", "foam": "foam-70"}, "PVC is too stiff to wrap 70 mm"),
    ("COUCH", {"base": "castors", "lift": "fixed"}, "castors are built into the electric"),
    ("TABLE", {"top": "solid", "core": "none", "wood": "cherry"}, "stocked as veneer only"),
    ("TABLE", {"finish": "hardwax-oil", "colour": "black"}, "black and RAL colours need lacquer"),
    ("TABLE", {"top": "solid", "core": "none", "length": "3000"}, "glued tops go up to 2800 mm"),
    (
        "TABLE",
        {"leg_style": "trestle", "cable_management": "cable-tray-and-box"},
        "the trestle stretcher runs where the cable tray would hang",
    ),
    (
        "CABINET",
        {"front": "veneer-flat", "carcass": "white-melamine", "colour": "natural"},
        "veneered fronts are matched to an oak or walnut veneered carcass",
    ),
    (
        "CABINET",
        {"worktop": "oak-solid-40", "height": "2000"},
        "a worktop sits on base units up to 900 mm high",
    ),
    ("CABINET", {"shelves": "6", "height": "720"}, "each shelf needs 250 mm"),
    (
        "SEATING",
        {"fabric": "customer-own-material", "fire_rating": "en-1021-contract"},
        "customer's own material has no EN 1021 certificate from us",
    ),
    (
        "SEATING",
        {"back_style": "high-back", "height": "800"},
        "a high back stands 900 to 1400 mm high",
    ),
    ("SEATING", {"leg_style": "sled", "length": "3000"}, "sled runners are bent"),
    (
        "WALL-PANEL",
        {"pattern": "slatted-27", "acoustic": "none"},
        "slatted panels are built on a felt backing",
    ),
    (
        "WALL-PANEL",
        {"pattern": "slatted-27", "acoustic": "black-felt-9", "width": "610"},
        "whole slat pitches of 40 mm",
    ),
    (
        "WALL-PANEL",
        {"fire_class": "b-s2-d0", "finish": "hardwax-oil"},
        "certified with the fire-retardant lacquer system, not with oil",
    ),
]


@pytest.mark.parametrize(("code", "spec", "words"), INVALID)
def test_invalid_specs_are_refused_in_the_rules_words(
    code: str, spec: dict[str, str], words: str, families: dict[str, Family]
) -> None:
    validity = check_spec(families[code], spec)
    assert not validity.valid
    assert any(words in conflict.message for conflict in validity.conflicts), [
        c.message for c in validity.conflicts
    ]


def test_every_family_has_at_least_two_refusals_tested() -> None:
    assert all(sum(code == c for c, _, _ in INVALID) >= 2 for code in CODES)

"""Loading catalogues: every kind of bad input is refused with what and where."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from orderforge.engines.configurator import (
    CatalogueError,
    Family,
    RuleKind,
    load_family,
    load_family_text,
)
from orderforge.engines.configurator.examples import example_text

from .conftest import tiny_catalogue


def issues_of(data: Any) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_family(data)
    return [str(issue) for issue in caught.value.issues]


def one_issue(data: Any, *words: str) -> str:
    found = issues_of(data)
    matching = [text for text in found if all(word in text for word in words)]
    assert matching, f"no issue with {words} in {found}"
    return matching[0]


def test_the_example_table_loads(table: Family) -> None:
    assert table.code == "TABLE" and table.version == "2026.1"
    assert len(table.rules) >= 10
    assert {rule.kind for rule in table.rules} == set(RuleKind)
    glass = next(rule for rule in table.rules if rule.id == "glass-width")
    assert "width <= 1000" in glass.condition.text  # "100 cm" converted to the unit, mm
    assert table.parameter_by_code["length"].count == 221


def test_json_and_yaml_give_the_same_family() -> None:
    import yaml  # type: ignore[import-untyped]

    data = yaml.safe_load(example_text())
    from_json = load_family_text(json.dumps(data), "json")
    assert [r.condition.text for r in from_json.rules] == [
        r.condition.text for r in load_family(data).rules
    ]


def test_text_that_is_not_yaml_names_the_line() -> None:
    with pytest.raises(CatalogueError, match="line 2"):
        load_family_text("family: T\n  bad: [unclosed\n")


def test_not_a_mapping() -> None:
    assert issues_of(["family"]) == ["catalogue: must be a mapping of fields, not a list"]


def test_unknown_top_level_field_is_refused() -> None:
    one_issue(tiny_catalogue(colour="red"), "catalogue", "unknown field 'colour'")


def test_rule_naming_a_missing_option() -> None:
    rules = [{"id": "r1", "if": "finish = 'oil'", "then": "top = 'oak'"}]
    one_issue(tiny_catalogue(rules=rules), "rule 'r1'.if", "unknown name 'finish'", "column 1")


def test_rule_naming_a_missing_choice() -> None:
    rules = [{"id": "r1", "if": "top = 'glas'", "then": "base = 'legs'"}]
    one_issue(tiny_catalogue(rules=rules), "rule 'r1'.if", "'glas' is not a choice of top")


def test_formula_that_does_not_parse() -> None:
    rules = [{"id": "r1", "constraint": "length <= (1800"}]
    one_issue(tiny_catalogue(rules=rules), "rule 'r1'.constraint", "expected ')'", "column 16")


def test_formula_naming_an_unknown_parameter() -> None:
    computed = [{"code": "area", "formula": "length * widht / 1e6"}]
    one_issue(tiny_catalogue(computed=computed), "computed 'area'", "unknown name 'widht'")


def test_formula_of_the_wrong_type() -> None:
    rules = [{"id": "r1", "constraint": "length + 1"}]
    one_issue(tiny_catalogue(rules=rules), "rule 'r1'", "gives a number", "truth value")


def test_cyclic_module_reference() -> None:
    modules = [
        {"code": "A", "uses": [{"module": "B"}]},
        {"code": "B", "uses": [{"module": "C"}]},
        {"code": "C", "uses": [{"module": "A"}]},
    ]
    product = {"uses": [{"module": "A"}]}
    text = one_issue(tiny_catalogue(modules=modules, product=product), "cycle")
    assert "A -> B -> C -> A" in text


def test_module_using_itself() -> None:
    modules = [{"code": "A", "uses": [{"module": "A"}]}]
    one_issue(tiny_catalogue(modules=modules), "module 'A'", "A -> A")


def test_cyclic_computed_values() -> None:
    computed = [{"code": "a", "formula": "b + 1"}, {"code": "b", "formula": "a * 2"}]
    one_issue(tiny_catalogue(computed=computed), "computed", "cycle", "a -> b -> a")


def test_operations_waiting_on_each_other() -> None:
    product = {
        "operations": [
            {"code": "A", "work_centres": ["SAW"], "after": ["B"]},
            {"code": "B", "work_centres": ["SAW"], "after": ["A"]},
        ]
    }
    one_issue(tiny_catalogue(product=product), "product", "wait on each other in a cycle")


@pytest.mark.parametrize(
    ("section", "value", "words"),
    [
        (
            "options",
            [{"code": "top", "choices": ["a"]}, {"code": "top", "choices": ["b"]}],
            ("name 'top' is defined twice",),
        ),
        ("options", [{"code": "top", "choices": ["a", "a"]}], ("choice 'a' is defined twice",)),
        (
            "rules",
            [{"id": "r", "constraint": "true"}, {"id": "r", "constraint": "true"}],
            ("rule id 'r' is defined twice",),
        ),
        (
            "components",
            [
                {"code": "X", "unit": "m", "unit_cost": 1},
                {"code": "X", "unit": "m", "unit_cost": 2},
            ],
            ("component 'X' is defined twice",),
        ),
        ("modules", [{"code": "M"}, {"code": "M"}], ("module 'M' is defined twice",)),
        (
            "work_centres",
            [{"code": "SAW"}, {"code": "SAW"}],
            ("work centre 'SAW' is defined twice",),
        ),
    ],
)
def test_duplicate_codes(section: str, value: Any, words: tuple[str, ...]) -> None:
    one_issue(tiny_catalogue(**{section: value}), *words)


def test_parameter_and_option_share_one_namespace() -> None:
    params = [{"code": "top", "unit": "mm", "min": 1, "max": 2}]
    one_issue(tiny_catalogue(parameters=params), "parameters[0]", "name 'top' is defined twice")


@pytest.mark.parametrize(
    ("parameter", "words"),
    [
        ({"min": "80 cm", "max": "3 kg", "step": 10}, ("max", "kg", "does not convert to mm")),
        ({"min": 800, "max": 3005, "step": 10}, ("max 3005 is not min 800 plus a whole number",)),
        ({"min": 800, "max": 3000, "step": 0}, ("step > 0",)),
        ({"min": 800, "max": 3000, "step": 10, "default": 1805}, ("default", "1805")),
        ({"min": 800, "max": 3000, "step": 10, "default": 9000}, ("default", "9000")),
        ({"max": 3000}, ("'min' is missing",)),
        (
            {"min": "eight", "max": 3000},
            (
                "min",
                "'eight' is not a number",
            ),
        ),
    ],
)
def test_bad_parameters(parameter: dict[str, Any], words: tuple[str, ...]) -> None:
    params = [{"code": "length", "unit": "mm", **parameter}]
    one_issue(tiny_catalogue(parameters=params, product={"bom": [{"component": "BOARD"}]}), *words)


def test_parameter_bounds_convert_units() -> None:
    params = [{"code": "length", "unit": "mm", "min": "80 cm", "max": "3 m", "step": "1 cm"}]
    family = load_family(tiny_catalogue(parameters=params))
    length = family.parameter_by_code["length"]
    bounds = (length.minimum, length.maximum, length.step)
    assert bounds == (Decimal(800), Decimal(3000), Decimal(10))


def test_rules_leaving_no_valid_product() -> None:
    rules = [
        {"id": "short", "constraint": "length <= 1000", "message": "short tables only"},
        {"id": "long", "constraint": "length >= 2000", "message": "long tables only"},
        {"id": "harmless", "constraint": "top != 'glass' or base = 'legs'"},
    ]
    text = one_issue(tiny_catalogue(rules=rules), "rules", "leave no valid product")
    assert "short, long" in text and "harmless" not in text
    assert "short tables only; long tables only" in text


def test_a_rule_that_can_never_hold() -> None:
    one_issue(tiny_catalogue(rules=[{"id": "never", "constraint": "1 > 2"}]), "never")


def test_default_that_violates_the_rules() -> None:
    options = [
        {"code": "top", "choices": ["oak", "glass"], "default": "glass"},
        {"code": "base", "choices": ["legs", "trestle"], "default": "legs"},
    ]
    params = [{"code": "length", "unit": "mm", "min": 800, "max": 3000, "default": 2400}]
    text = one_issue(tiny_catalogue(options=options, parameters=params), "defaults", "break")
    assert "Glass top excludes length 2400 mm: glass tops go up to 1800 mm." in text


def test_default_not_among_the_choices() -> None:
    options = [{"code": "top", "choices": ["oak"], "default": "pine"}]
    one_issue(tiny_catalogue(options=options, rules=[]), "option 'top'.default", "'pine'")


def test_references_to_missing_components_work_centres_and_modules() -> None:
    product = {
        "bom": [{"component": "GLUE"}],
        "operations": [{"code": "X", "work_centres": ["LASER"]}],
        "uses": [{"module": "LEGS"}],
    }
    found = issues_of(tiny_catalogue(product=product))
    assert any("unknown component 'GLUE'" in text for text in found)
    assert any("unknown work centre 'LASER'" in text for text in found)
    assert any("unknown module 'LEGS'" in text for text in found)


def test_bom_line_unit_must_match_the_component() -> None:
    product = {"bom": [{"component": "BOARD", "quantity": 2, "unit": "pcs"}]}
    one_issue(tiny_catalogue(product=product), "product.bom[0].unit", "'pcs' differs")


def test_division_by_a_variable_inside_a_rule_is_refused_by_name() -> None:
    rules = [{"id": "ratio", "constraint": "length / metres <= 2000"}]
    one_issue(tiny_catalogue(rules=rules), "rule 'ratio'", "division by a value that depends")


@pytest.mark.parametrize("name", ["height", "top"])
def test_range_rule_on_something_that_is_not_a_number(name: str) -> None:
    rules = [{"id": "r", "if": "top = 'oak'", "range": {"parameter": name, "max": 5}}]
    one_issue(tiny_catalogue(rules=rules), "rule 'r'.range.parameter", f"'{name}'")


def test_a_refused_parameter_is_reported_once() -> None:
    params = [{"code": "length", "unit": "mm", "min": 800, "max": "3 kg"}]
    assert issues_of(tiny_catalogue(parameters=params)) == [
        "parameter 'length'.max: is in kg, which does not convert to mm"
    ]


def test_every_issue_is_reported_at_once() -> None:
    data = tiny_catalogue(
        rules=[{"id": "r1", "constraint": "nope > 1"}, {"id": "r2", "constraint": "1 +"}],
        product={"bom": [{"component": "GLUE"}]},
    )
    assert len(issues_of(data)) == 3


def test_nothing_is_half_loaded_and_the_input_is_not_changed() -> None:
    data = tiny_catalogue(rules=[{"id": "r1", "constraint": "nope > 1"}])
    before = copy.deepcopy(data)
    issues_of(data)
    assert data == before


def test_values_keep_their_exact_decimal_form(tiny: Callable[..., Family]) -> None:
    family = tiny(components=[{"code": "BOARD", "unit": "m", "unit_cost": 14.2}])
    assert family.component_by_code["BOARD"].unit_cost == Decimal("14.2")


def test_a_family_may_ask_for_a_prototype() -> None:
    assert load_family(tiny_catalogue()).prototype_required is False
    asked = load_family(tiny_catalogue(design={"approvals": ["customer"], "prototype": True}))
    assert asked.prototype_required is True
    # "yes" is not read as false: the catalogue says what it means
    one_issue(tiny_catalogue(design={"prototype": "yes"}), "design.prototype", "true or false")

"""Specs as people type them: numbers with or without units, and clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderforge.engines.configurator import Family, SpecError, check_spec


@pytest.mark.parametrize(
    "length", ["1800", 1800, 1800.0, Decimal("1800"), "1800 mm", "1800mm", "180 cm", "1.8 m"]
)
def test_lengths_in_any_form_and_convertible_unit(table: Family, length: object) -> None:
    validity = check_spec(table, {"length": length})
    assert validity.valid
    assert validity.spec["length"] == Decimal(1800)


@pytest.mark.parametrize(
    ("length", "words"),
    [
        ("1.8 kg", "is in kg, which does not convert to mm"),
        ("long", "'long' is not a number"),
        ("1805", "Length 1805 mm is not offered: 800 mm to 3000 mm in steps of 10 mm"),
        ("5 m", "Length 5000 mm is not offered"),
        (True, "must be a number, not true/false"),
        ([1800], "must be a number, not list"),
    ],
)
def test_bad_numbers_name_the_parameter(table: Family, length: object, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        check_spec(table, {"length": length})
    (issue,) = caught.value.issues
    assert issue.where == "spec.length"
    assert words in issue.message


def test_unknown_option_choice_and_computed_value(table: Family) -> None:
    with pytest.raises(SpecError) as caught:
        check_spec(table, {"colr": "white", "finish": "oiled", "area": 2})
    messages = {issue.where: issue.message for issue in caught.value.issues}
    assert "no option or parameter 'colr' (did you mean 'colour'?)" in messages["spec.colr"]
    assert "'oiled' is not a choice of Finish" in messages["spec.finish"]
    assert "computed from the spec, not chosen" in messages["spec.area"]


def test_empty_values_mean_not_chosen(table: Family) -> None:
    validity = check_spec(table, {"colour": None, "finish": ""})
    assert validity.valid
    assert {"colour", "finish"} <= set(validity.defaulted)

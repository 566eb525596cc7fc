"""Final inspection rules: a checklist from a plan file, the items of an order of
several families, and how facts and answers make an attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.errors import InvalidInput
from orderforge.quality.final import (
    GENERAL_ITEMS,
    WORK_DONE,
    CheckItem,
    FinalChecklist,
    Finding,
    checklist_from,
    items_for,
    judge,
)

AT = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
ITEMS = [CheckItem("labels", "Labels fitted"), CheckItem("clean", "Cleaned")]
GOOD_FACT = Finding(WORK_DONE, "Work done", True, fact=True)


def test_a_checklist_is_read_field_by_field() -> None:
    found = checklist_from(
        {"family": "couch", "items": [{"code": "labels", "text": " Labels fitted "}]}, "x"
    )
    assert found == FinalChecklist("COUCH", (CheckItem("labels", "Labels fitted"),))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"items": [{"code": "a", "text": "A"}]}, "x.family"),
        ({"family": "T", "items": []}, "x.items"),
        ({"family": "T", "items": [{"code": "Bad Code", "text": "A"}]}, "x.items[0].code"),
        ({"family": "T", "items": [{"code": "work_done", "text": "A"}]}, "x.items[0].code"),
        ({"family": "T", "items": [{"code": "a", "text": ""}]}, "x.items[0].text"),
        (
            {"family": "T", "items": [{"code": "a", "text": "A"}, {"code": "a", "text": "B"}]},
            "x.items",
        ),
    ],
)
def test_a_bad_checklist_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checklist_from(data, "x")
    assert refused.value.field == field


def test_an_order_of_two_families_gets_both_lists_once_each() -> None:
    table = FinalChecklist("TABLE", (CheckItem("as_approved", "As approved"), ITEMS[1]))
    couch = FinalChecklist("COUCH", (CheckItem("as_approved", "Same code"), ITEMS[0]))
    found = items_for(["TABLE", "COUCH"], {"TABLE": table, "COUCH": couch})
    assert [i.code for i in found] == ["as_approved", "clean", "labels"]
    assert items_for(["BENCH"], {}) == list(GENERAL_ITEMS)


def test_every_item_needs_a_verdict_and_a_failure_its_note() -> None:
    with pytest.raises(InvalidInput, match="missing: Cleaned") as missing:
        judge("SO-1", 1, [GOOD_FACT], ITEMS, {"labels": (True, "")}, inspector="q", at=AT)
    assert missing.value.field == "items"
    with pytest.raises(InvalidInput) as unexplained:
        judge(
            "SO-1",
            1,
            [GOOD_FACT],
            ITEMS,
            {"labels": (False, " "), "clean": (True, "")},
            inspector="q",
            at=AT,
        )
    assert unexplained.value.field == "items.labels.note"
    for code in ("nope", WORK_DONE):
        with pytest.raises(InvalidInput) as unknown:
            judge(
                "SO-1",
                1,
                [GOOD_FACT],
                ITEMS,
                {"labels": (True, ""), "clean": (True, ""), code: (True, "")},
                inspector="q",
                at=AT,
            )
        assert unknown.value.field == f"items.{code}"


@given(
    facts=st.lists(st.booleans(), min_size=0, max_size=3),
    answers=st.lists(st.booleans(), min_size=2, max_size=2),
)
def test_an_attempt_passes_exactly_when_every_fact_and_item_passes(
    facts: list[bool], answers: list[bool]
) -> None:
    found = [Finding(f"fact{i}", f"Fact {i}", ok, fact=True) for i, ok in enumerate(facts)]
    said = {item.code: (ok, "" if ok else "Wrong") for item, ok in zip(ITEMS, answers, strict=True)}
    attempt = judge("SO-1", 2, found, ITEMS, said, inspector="q", at=AT)
    assert attempt.passed is (all(facts) and all(answers))
    assert len(attempt.findings) == len(facts) + len(ITEMS)
    assert [f.code for f in attempt.failed_items] == [
        f.code for f in attempt.findings if not f.passed
    ]
    assert attempt.reason().startswith(
        "Final inspection passed" if attempt.passed else "Final inspection failed (attempt 2)"
    )


def test_an_item_with_an_unknown_key_is_refused() -> None:
    """A text with an unquoted comma in a YAML flow mapping reads as a second key."""
    with pytest.raises(InvalidInput, match="code and text only") as refused:
        checklist_from({"family": "T", "items": [{"code": "a", "text": "A", "b": None}]}, "x")
    assert refused.value.field == "x.items[0]"

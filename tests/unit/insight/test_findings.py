"""The product insight report's rules without a database: each proposal appears at its
threshold and not below it, says its evidence in words, and the same records give the
same report whatever order they come in."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.order import OrderState
from orderforge.insight import findings
from orderforge.insight.domain import Feedback
from orderforge.insight.findings import (
    Choice,
    FamilyInfo,
    OptionInfo,
    ParameterInfo,
    Records,
    report,
)
from orderforge.insight.ports import EngineeringCase, LineRecord, NcrRecord

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
TABLE = FamilyInfo(
    code="TABLE",
    name="Dining table",
    options=(
        OptionInfo("wood", "Wood", (Choice("oak", "Oak"), Choice("walnut", "Walnut"))),
        OptionInfo(
            "legs", "Legs", (Choice("tapered", "Tapered"), Choice("steel-u", "Steel U-frame"))
        ),
    ),
    parameters=(ParameterInfo("length", "Length", "mm", Decimal(1200), Decimal(3000)),),
)


def line(
    n: int,
    *,
    wood: str = "oak",
    legs: str = "tapered",
    length: str = "2000",
    confirmed: bool = True,
    state: OrderState = OrderState.DELIVERED,
    family: str = "TABLE",
) -> LineRecord:
    return LineRecord(
        order_number=f"SO-{n:04d}",
        customer="C-1",
        state=state,
        created_at=T0 + dt.timedelta(days=n),
        confirmed=confirmed,
        family=family,
        quantity=1,
        spec={"wood": wood, "legs": legs, "length": length},
    )


def rated(n: int, rating: int, comment: str = "") -> Feedback:
    return Feedback(f"SO-{n:04d}", 1, rating, comment, "c", "Customer", T0 + dt.timedelta(days=n))


def ncr(n: int, cause: str = "MATERIAL", disposition: str | None = "scrap") -> NcrRecord:
    return NcrRecord(f"NCR-{n}", f"SO-{n:04d}", "TABLE", cause, cause.title(), 2, T0, disposition)


def case(n: int, reason: str, outcome: str = "needs_engineering") -> EngineeringCase:
    return EngineeringCase(f"SO-{n:04d}", outcome, reason, "engineer", T0 + dt.timedelta(days=n))


def run(
    lines: list[LineRecord],
    feedback: Sequence[Feedback] = (),
    cases: Sequence[EngineeringCase] = (),
    ncrs: Sequence[NcrRecord] = (),
) -> dict[str, Any]:
    records = Records(
        tuple(lines), {f.order_number: f for f in feedback}, tuple(cases), tuple(ncrs)
    )
    return report(TABLE, records, T0)


def rules(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["rule"], c["subject"]) for c in result["changes"]]


# -- unused choices ------------------------------------------------------------------


def test_a_choice_nobody_took_is_proposed_once_enough_lines_answered() -> None:
    enough = [line(i) for i in range(findings.MIN_LINES)]
    result = run(enough)
    assert ("unused_choice", "wood=walnut") in rules(result)
    [walnut] = [c for c in result["changes"] if c["subject"] == "wood=walnut"]
    assert walnut["title"] == "Wood: drop or rethink “Walnut”"
    assert "None of the 10 ordered lines chose it" in walnut["evidence"]
    assert "Oak 10" in walnut["evidence"]
    assert ("unused_choice", "wood=walnut") not in rules(run(enough[:-1]))


def test_lost_quotes_do_not_count_as_choices() -> None:
    lines = [line(i) for i in range(findings.MIN_LINES)] + [
        line(99, wood="walnut", confirmed=False)
    ]
    result = run(lines)
    assert ("unused_choice", "wood=walnut") in rules(result)
    assert result["orders"] == {"requested": 11, "confirmed": 10, "delivered": 11}


# -- parameters ------------------------------------------------------------------------


def test_a_range_pushed_at_its_maximum_is_proposed_at_a_quarter() -> None:
    values = ["3000", "3000"] + ["2000"] * 6
    result = run([line(i, length=v) for i, v in enumerate(values)])
    assert ("range_edge", "length:maximum") in rules(result)
    [edge] = [c for c in result["changes"] if c["rule"] == "range_edge"]
    assert "2 of 8 ordered lines (25 %) ask for exactly the maximum, 3000 mm" in edge["evidence"]
    fewer = ["3000"] + ["2000"] * 7
    assert not [
        r
        for r in rules(run([line(i, length=v) for i, v in enumerate(fewer)]))
        if r[0] == "range_edge"
    ]


def test_parameter_figures_carry_units() -> None:
    result = run([line(i, length=v) for i, v in enumerate(["1200", "1800", "2500.5", "3000"])])
    [length] = result["parameters"]
    assert length["minimum"] == "1200 mm" and length["maximum"] == "3000 mm"
    assert length["median"] == "2150.25 mm"
    assert length["range"] == "1200 mm to 3000 mm" and length["values"] == 4


def test_a_parameter_named_in_engineering_reasons_is_proposed_from_two_orders() -> None:
    lines = [line(1, length="2900"), line(2, length="3000"), line(3)]
    reason = (
        "Line 1: 'Veneer press' cannot be done: press takes length up to 2600 mm, this needs {}."
    )
    two = [case(1, reason.format(2900)), case(2, reason.format(3000), outcome="infeasible")]
    result = run(lines, cases=two)
    assert ("parameter_limit", "length") in rules(result)
    [limit] = [c for c in result["changes"] if c["rule"] == "parameter_limit"]
    assert "2 orders went to engineering or were refused" in limit["evidence"]
    assert "asked: 2900 mm to 3000 mm" in limit["evidence"]
    assert ("parameter_limit", "length") not in rules(run(lines, cases=two[:1]))
    # a word that merely contains the code is no mention ("lengthwise")
    other = [case(1, "Cut lengthwise."), case(2, "Cut lengthwise.")]
    assert ("parameter_limit", "length") not in rules(run(lines, cases=other))
    assert [e["outcome_label"] for e in result["engineering"]] == [
        "Refused as infeasible",
        "Needed engineering",
    ]


# -- NCRs and ratings ---------------------------------------------------------------


def test_a_cause_of_three_ncrs_recurs_and_rework_is_counted() -> None:
    ncrs = [ncr(1), ncr(2, disposition="rework"), ncr(3, disposition=None), ncr(4, "SETUP")]
    result = run([line(i) for i in range(1, 5)], ncrs=ncrs)
    assert ("recurring_ncr", "MATERIAL") in rules(result)
    assert ("recurring_ncr", "SETUP") not in rules(result)
    causes = result["ncrs"]["causes"]
    assert causes[0] == {
        "cause": "MATERIAL",
        "label": "Material",
        "ncrs": 3,
        "units": 6,
        "reworked": 1,
    }
    assert result["ncrs"]["reworked"] == 1


def test_a_choice_rated_well_below_the_family_is_proposed() -> None:
    lines = [line(i) for i in range(6)] + [line(10 + i, legs="steel-u") for i in range(3)]
    feedback = [rated(i, 5) for i in range(6)] + [rated(10 + i, 2, "Wobbles.") for i in range(3)]
    result = run(lines, feedback)
    assert ("low_rating", "legs=steel-u") in rules(result)
    [low] = [c for c in result["changes"] if c["rule"] == "low_rating"]
    assert "3 rated orders with it average 2.0 of 5, against 4.0 for the family" in low["evidence"]
    # two rated orders are too few to blame the choice
    assert ("low_rating", "legs=steel-u") not in rules(run(lines, feedback[:-1]))


def test_ratings_distribution_average_and_newest_comments() -> None:
    feedback = [rated(i, 1 + i % 5, f"c{i}" if i % 2 else "") for i in range(12)]
    result = run([line(i) for i in range(12)], feedback)
    ratings = result["ratings"]
    assert ratings["count"] == 12 and ratings["average"] == 2.75
    assert [d["rating"] for d in ratings["distribution"]] == [5, 4, 3, 2, 1]
    comments = [c["comment"] for c in ratings["latest_comments"]]
    assert comments == ["c11", "c9", "c7", "c5", "c3"]


def test_codes_no_longer_in_the_catalogue_are_said_so() -> None:
    result = run([line(1, wood="teak")])
    wood = result["options"][0]
    assert wood["choices"][-1]["label"] == "teak (no longer in the catalogue)"


def test_other_families_records_are_left_out() -> None:
    result = run([line(1), line(2, family="SOFA")], ncrs=[ncr(1), ncr(2)])
    assert result["orders"]["requested"] == 1


# -- determinism ---------------------------------------------------------------------


@given(
    lengths=st.lists(st.sampled_from(["1200", "2000", "2600", "3000"]), min_size=1, max_size=30),
    ratings=st.lists(st.integers(1, 5), max_size=30),
    woods=st.lists(st.sampled_from(["oak", "walnut"]), min_size=30, max_size=30),
    causes=st.lists(st.sampled_from(["MATERIAL", "SETUP", "MACHINE"]), max_size=12),
    seed=st.integers(0, 1000),
)
def test_the_same_records_in_any_order_give_the_same_report(
    lengths: list[str],
    ratings: list[int],
    woods: list[str],
    causes: list[str],
    seed: int,
) -> None:
    lines = [line(i, length=v, wood=woods[i]) for i, v in enumerate(lengths)]
    feedback = [rated(i, r) for i, r in enumerate(ratings[: len(lines)])]
    ncrs = [ncr(i, c) for i, c in enumerate(causes)]
    cases = [case(i, "length beyond the press") for i in range(0, len(lines), 3)]
    first = run(lines, feedback, cases, ncrs)
    rng = random.Random(seed)
    for seq in (lines, feedback, ncrs, cases):
        rng.shuffle(seq)
    assert run(lines, feedback, cases, ncrs) == first
    shares = [c["share"] for c in first["options"][0]["choices"]]
    assert sum(shares) == pytest.approx(1.0, abs=1e-3)
    assert first["ratings"]["count"] == len(feedback)
    assert list(first["changes"]) == sorted(
        first["changes"],
        key=lambda c: (findings.RULES.index(c["rule"]), c["subject"]),
    )


def test_choices_rated_low_together_are_one_finding_led_by_the_one_the_comments_name() -> None:
    lines = [line(i) for i in range(6)] + [
        line(10 + i, legs="steel-u", wood="walnut") for i in range(3)
    ]
    feedback = [rated(i, 5) for i in range(6)] + [rated(10 + i, 2) for i in range(3)]
    result = run(lines, feedback)
    low = [c for c in result["changes"] if c["rule"] == "low_rating"]
    assert [c["subject"] for c in low] == ["legs=steel-u"]  # on as many orders: by subject
    assert "Its orders also chose Wood “Walnut”" in low[0]["evidence"]
    named = feedback[:6] + [rated(10 + i, 2, "The walnut top cracked.") for i in range(3)]
    low = [c for c in run(lines, named)["changes"] if c["rule"] == "low_rating"]
    assert [c["subject"] for c in low] == ["wood=walnut"]
    assert "3 of their comments name it" in low[0]["evidence"]
    assert "Legs “Steel U-frame”" in low[0]["evidence"]


def test_a_choice_rated_low_on_its_own_orders_too_stays_a_finding_of_its_own() -> None:
    lines = (
        [line(i) for i in range(6)]
        + [line(10 + i, legs="steel-u", wood="walnut") for i in range(3)]
        + [line(20 + i, wood="walnut") for i in range(3)]
        + [line(30 + i, legs="steel-u") for i in range(3)]
    )
    feedback = (
        [rated(i, 5) for i in range(6)]
        + [rated(10 + i, 1) for i in range(3)]
        + [rated(20 + i, 2) for i in range(3)]
        + [rated(30 + i, 1) for i in range(3)]
    )
    low = [c["subject"] for c in run(lines, feedback)["changes"] if c["rule"] == "low_rating"]
    assert low == ["legs=steel-u", "wood=walnut"]


def test_a_minimum_of_none_is_no_edge_to_lower() -> None:
    drawers = ParameterInfo("drawers", "Drawers", "pcs", Decimal(0), Decimal(4))
    info = FamilyInfo("TABLE", "Cabinet", (), (drawers,))
    values = ["0"] * 6 + ["4"] * 2  # findings.MIN_VALUES of them, both bounds pushed
    lines = [
        LineRecord(f"SO-{i}", "C", OrderState.DELIVERED, T0, True, "TABLE", 1, {"drawers": v})
        for i, v in enumerate(values)
    ]
    result = report(info, Records(tuple(lines), {}, (), ()), T0)
    assert [c["subject"] for c in result["changes"]] == ["drawers:maximum"]

"""The product insight report of one family, worked out from plain records: pure, so the
rules that propose catalogue changes are tested without a database.

Which orders count: those asked for in the period (created since `since`). Options and
parameters are counted over ordered lines (the customer confirmed: a lost quote says what
was asked, not what was bought), one count per line, because a line is one decision; the
units of a dining set of eight chairs are one choice of fabric.

The proposed catalogue changes are rules, each with a threshold below, so the same
records always propose the same changes, in the same order, with the evidence in words.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderforge.domain.order import OrderState
from orderforge.insight.domain import RATING_WORDS, Feedback
from orderforge.insight.ports import EngineeringCase, LineRecord, NcrRecord

#: a choice is "never chosen" only once this many ordered lines answered its option
MIN_LINES = 10
#: a parameter's range is "pushed" when this share of ordered values sits on a bound ...
EDGE_SHARE = 0.25
#: ... of at least this many values
MIN_VALUES = 8
#: a parameter is "asked beyond what the plant takes" when this many orders went to
#: engineering (or were refused) with it named in the reason
MIN_ENGINEERING = 2
#: a defect cause "recurs" with this many NCRs in the period
MIN_NCRS = 3
#: a choice's ratings are "low" with this many rated orders averaging this much below
#: the family's average
MIN_RATED, LOW_BY = 3, 0.75
LATEST_COMMENTS = 5

OUTCOME_WORDS = {
    "needs_engineering": "Needed engineering",
    "infeasible": "Refused as infeasible",
}
#: the order in which kinds of proposal are listed (the strongest evidence first)
RULES = ("parameter_limit", "recurring_ncr", "low_rating", "range_edge", "unused_choice")


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class OptionInfo:
    code: str
    label: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class ParameterInfo:
    code: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class FamilyInfo:
    """What the catalogue (its newest version) says of a family."""

    code: str
    name: str
    options: tuple[OptionInfo, ...] = ()
    parameters: tuple[ParameterInfo, ...] = ()


@dataclass(frozen=True)
class Records:
    """Everything of one family in the period."""

    lines: tuple[LineRecord, ...]
    feedback: Mapping[str, Feedback]
    engineering: tuple[EngineeringCase, ...]
    ncrs: tuple[NcrRecord, ...]


def show(value: Decimal, unit: str) -> str:
    """A number as people read it: "2400 mm", "0.75 m"."""
    value = value.quantize(Decimal("0.01")) if value != value.to_integral_value() else value
    text = format(value.normalize(), "f")
    return f"{text} {unit}".strip()


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


# -- the sections --------------------------------------------------------------------


def _orders(lines: Iterable[LineRecord]) -> dict[str, Any]:
    by_order = {line.order_number: line for line in lines}
    return {
        "requested": len(by_order),
        "confirmed": sum(1 for line in by_order.values() if line.confirmed),
        "delivered": sum(1 for line in by_order.values() if line.state is OrderState.DELIVERED),
    }


def _ratings(feedback: Iterable[Feedback]) -> dict[str, Any]:
    given = list(feedback)
    counts = Counter(f.rating for f in given)
    newest = sorted((f for f in given if f.comment), key=lambda f: (f.given_at, f.order_number))
    return {
        "count": len(given),
        "average": round(statistics.fmean(f.rating for f in given), 2) if given else None,
        "distribution": [
            {"rating": r, "words": RATING_WORDS[r], "count": counts.get(r, 0)}
            for r in sorted(RATING_WORDS, reverse=True)
        ],
        "latest_comments": [
            {
                "order": f.order_number,
                "rating": f.rating,
                "words": f.rating_words,
                "comment": f.comment,
                "given_by": f.given_by_name,
                "given_at": f.given_at.isoformat(),
            }
            for f in reversed(newest[-LATEST_COMMENTS:])
        ],
    }


def _ncrs(ncrs: Iterable[NcrRecord]) -> dict[str, Any]:
    found = list(ncrs)
    causes: dict[str, list[NcrRecord]] = defaultdict(list)
    for ncr in found:
        causes[ncr.cause].append(ncr)
    rows: list[dict[str, Any]] = [
        {
            "cause": cause,
            "label": group[0].cause_label,
            "ncrs": len(group),
            "units": sum(n.quantity for n in group),
            "reworked": sum(1 for n in group if n.disposition == "rework"),
        }
        for cause, group in causes.items()
    ]
    rows.sort(key=lambda r: (-r["ncrs"], -r["units"], r["cause"]))
    return {
        "count": len(found),
        "units": sum(n.quantity for n in found),
        "reworked": sum(1 for n in found if n.disposition == "rework"),
        "causes": rows,
    }


def _options(info: FamilyInfo, ordered: list[LineRecord]) -> list[dict[str, Any]]:
    out = []
    for option in info.options:
        counts = Counter(line.spec[option.code] for line in ordered if option.code in line.spec)
        answered = sum(counts.values())
        labels = {c.code: c.label for c in option.choices}
        codes = [c.code for c in option.choices] + sorted(set(counts) - set(labels))
        out.append(
            {
                "code": option.code,
                "label": option.label,
                "answered": answered,
                "choices": [
                    {
                        "code": code,
                        "label": labels.get(code, f"{code} (no longer in the catalogue)"),
                        "lines": counts.get(code, 0),
                        "share": _share(counts.get(code, 0), answered),
                    }
                    for code in codes
                ],
            }
        )
    return out


def _values(ordered: Iterable[LineRecord], code: str) -> list[Decimal]:
    return [v for line in ordered if (v := _number(line.spec.get(code, ""))) is not None]


def _parameters(info: FamilyInfo, ordered: list[LineRecord]) -> list[dict[str, Any]]:
    out = []
    for p in info.parameters:
        values = sorted(_values(ordered, p.code))
        out.append(
            {
                "code": p.code,
                "label": p.label,
                "unit": p.unit,
                "values": len(values),
                "minimum": show(values[0], p.unit) if values else None,
                "median": show(Decimal(statistics.median(values)), p.unit) if values else None,
                "maximum": show(values[-1], p.unit) if values else None,
                "range": f"{show(p.minimum, p.unit)} to {show(p.maximum, p.unit)}",
                "at_minimum": sum(1 for v in values if v == p.minimum),
                "at_maximum": sum(1 for v in values if v == p.maximum),
            }
        )
    return out


def _engineering(
    cases: Iterable[EngineeringCase], lines: Iterable[LineRecord]
) -> list[dict[str, Any]]:
    states = {line.order_number: line.state for line in lines}
    return [
        {
            "order": c.order_number,
            "outcome": c.outcome,
            "outcome_label": OUTCOME_WORDS.get(c.outcome, c.outcome),
            "reason": c.reason,
            "by": c.actor,
            "at": c.at.isoformat(),
            "state_label": states[c.order_number].label if c.order_number in states else "",
        }
        for c in sorted(cases, key=lambda c: (c.at, c.order_number), reverse=True)
    ]


# -- the proposals --------------------------------------------------------------------


def _proposal(rule: str, subject: str, title: str, evidence: str) -> dict[str, str]:
    return {"rule": rule, "subject": subject, "title": title, "evidence": evidence}


def _unused_choices(options: list[dict[str, Any]]) -> list[dict[str, str]]:
    found = []
    for option in options:
        if option["answered"] < MIN_LINES:
            continue
        chosen = [c for c in option["choices"] if c["lines"]]
        for choice in option["choices"]:
            if choice["lines"] or choice["label"].endswith("(no longer in the catalogue)"):
                continue
            popular = ", ".join(f"{c['label']} {c['lines']}" for c in chosen[:3])
            found.append(
                _proposal(
                    "unused_choice",
                    f"{option['code']}={choice['code']}",
                    f"{option['label']}: drop or rethink “{choice['label']}”",
                    f"None of the {option['answered']} ordered lines chose it "
                    f"(chosen instead: {popular}). A choice nobody takes still costs "
                    "catalogue upkeep, samples and stock of its material.",
                )
            )
    return found


def _range_edges(info: FamilyInfo, ordered: list[LineRecord]) -> list[dict[str, str]]:
    found = []
    for p in info.parameters:
        values = _values(ordered, p.code)
        if len(values) < MIN_VALUES:
            continue
        for bound, word, verb in (
            (p.maximum, "maximum", "raising"),
            (p.minimum, "minimum", "lowering"),
        ):
            if word == "minimum" and bound <= 0:
                continue  # none (no drawers, no shelves) is a choice, not a limit to lower
            at = sum(1 for v in values if v == bound)
            if at / len(values) >= EDGE_SHARE:
                found.append(
                    _proposal(
                        "range_edge",
                        f"{p.code}:{word}",
                        f"{p.label}: customers push against the {word}",
                        f"{at} of {len(values)} ordered lines ({_percent(at / len(values))}) "
                        f"ask for exactly the {word}, {show(bound, p.unit)}: some would "
                        f"likely have asked for more. Consider {verb} it (and check the "
                        "plant's limits first).",
                    )
                )
    return found


def _mentions(reason: str, p: ParameterInfo) -> bool:
    words = {p.code.lower(), p.label.lower()}
    text = reason.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text) for w in words if w)


def _parameter_limits(
    info: FamilyInfo, lines: list[LineRecord], cases: list[EngineeringCase]
) -> list[dict[str, str]]:
    found = []
    for p in info.parameters:
        hit = [c for c in cases if _mentions(c.reason, p)]
        orders = sorted({c.order_number for c in hit})
        if len(orders) < MIN_ENGINEERING:
            continue
        asked = sorted(_values([li for li in lines if li.order_number in set(orders)], p.code))
        values = f"{show(asked[0], p.unit)} to {show(asked[-1], p.unit)}" if asked else "unknown"
        example = hit[-1].reason
        example = example if len(example) <= 160 else example[:157] + "..."
        found.append(
            _proposal(
                "parameter_limit",
                p.code,
                f"{p.label}: often asked beyond what the plant takes",
                f"{len(orders)} orders went to engineering or were refused with "
                f"{p.label.lower()} in the reason (asked: {values}; the catalogue offers "
                f"{show(p.minimum, p.unit)} to {show(p.maximum, p.unit)}). Either narrow "
                f"the catalogue's range to what the plant makes, or extend the plant. "
                f"Latest reason: “{example}”",
            )
        )
    return found


def _recurring_ncrs(ncrs: dict[str, Any]) -> list[dict[str, str]]:
    return [
        _proposal(
            "recurring_ncr",
            row["cause"],
            f"Recurring defect: {row['label']}",
            f"{row['ncrs']} NCRs ({row['units']} units, {row['reworked']} reworked) give "
            f"“{row['label']}” as the cause. A cause that recurs is a design or process "
            "question: a note in the catalogue's routing, a jig, or a supplier's check.",
        )
        for row in ncrs["causes"]
        if row["ncrs"] >= MIN_NCRS
    ]


@dataclass(frozen=True)
class _LowChoice:
    option: OptionInfo
    choice: Choice
    #: order -> its rating
    ratings: Mapping[str, int]
    average: float
    #: rated orders whose comment names the choice ("push latches" names "Push latch")
    named: int

    @property
    def subject(self) -> str:
        return f"{self.option.code}={self.choice.code}"

    @property
    def orders(self) -> frozenset[str]:
        return frozenset(self.ratings)


def _low_candidates(
    info: FamilyInfo, rated: list[tuple[LineRecord, Feedback]], overall: float
) -> list[_LowChoice]:
    found = []
    for option in info.options:
        for choice in option.choices:
            orders = {
                f.order_number: f for line, f in rated if line.spec.get(option.code) == choice.code
            }
            if len(orders) < MIN_RATED:
                continue
            average = statistics.fmean(f.rating for f in orders.values())
            if average > overall - LOW_BY:
                continue
            label = choice.label.lower()
            named = sum(1 for f in orders.values() if label and label in f.comment.lower())
            ratings = {n: f.rating for n, f in orders.items()}
            found.append(_LowChoice(option, choice, ratings, average, named))
    # the choice the comments name, then the one on most orders, explains the others
    found.sort(key=lambda c: (-c.named, -len(c.orders), c.average, c.subject))
    return found


def _low_ratings(
    info: FamilyInfo, lines: list[LineRecord], feedback: Mapping[str, Feedback]
) -> list[dict[str, str]]:
    """Choices rated well below the family. Choices that came together (a minibar:
    paint-grade carcass, push latch, wall-hung) are one finding, not five: the first
    (named in the comments, or on the most orders) is proposed; another is listed with it
    when the orders it does not share with a finding already made are too few, or no
    longer rated low, because the ratings alone cannot tell them apart."""
    rated = [(line, feedback[line.order_number]) for line in lines if line.order_number in feedback]
    if not rated:
        return []
    overall = statistics.fmean(f.rating for f in {f.order_number: f for _, f in rated}.values())
    kept: list[tuple[_LowChoice, list[_LowChoice]]] = []
    for candidate in _low_candidates(info, rated, overall):
        explained = frozenset[str]().union(*(k[0].orders for k in kept))
        rest = [r for n, r in candidate.ratings.items() if n not in explained]
        if len(rest) >= MIN_RATED and statistics.fmean(rest) <= overall - LOW_BY:
            kept.append((candidate, []))
            continue
        home = max(kept, key=lambda k: len(k[0].orders & candidate.orders))
        home[1].append(candidate)
    found = []
    for c, covered in kept:
        also = ""
        if covered:
            names = ", ".join(f"{o.option.label} “{o.choice.label}”" for o in covered)
            also = (
                f" Its orders also chose {names}, rated low only with it: the ratings alone "
                "cannot tell these apart."
            )
        named = f" {c.named} of their comments name it." if c.named else ""
        found.append(
            _proposal(
                "low_rating",
                c.subject,
                f"{c.option.label}: “{c.choice.label}” is rated low",
                f"{len(c.orders)} rated orders with it average {c.average:.1f} of 5, against "
                f"{overall:.1f} for the family.{named}{also} Read their comments: the choice "
                "may need another material, supplier or finish.",
            )
        )
    return found


# -- the report -----------------------------------------------------------------------


def report(info: FamilyInfo, records: Records, since: dt.datetime) -> dict[str, Any]:
    """The family's insight report for the period from `since`."""
    lines = [line for line in records.lines if line.family == info.code]
    ordered = [line for line in lines if line.confirmed]
    numbers = {line.order_number for line in lines}
    feedback = {n: f for n, f in records.feedback.items() if n in numbers}
    cases = [c for c in records.engineering if c.order_number in numbers]
    ncrs = [n for n in records.ncrs if n.family == info.code]
    options = _options(info, ordered)
    ncr_view = _ncrs(ncrs)
    proposals = (
        _parameter_limits(info, lines, cases)
        + _recurring_ncrs(ncr_view)
        + _low_ratings(info, lines, feedback)
        + _range_edges(info, ordered)
        + _unused_choices(options)
    )
    proposals.sort(key=lambda p: (RULES.index(p["rule"]), p["subject"]))
    return {
        "family": info.code,
        "name": info.name,
        "since": since.date().isoformat(),
        "orders": _orders(lines),
        "ratings": _ratings(feedback.values()),
        "ncrs": ncr_view,
        "options": options,
        "parameters": _parameters(info, ordered),
        "engineering": _engineering(cases, lines),
        "changes": proposals,
    }


def headline(full: dict[str, Any]) -> dict[str, Any]:
    """The figures a list of families shows for one."""
    return {
        "family": full["family"],
        "name": full["name"],
        "since": full["since"],
        "orders": full["orders"]["requested"],
        "confirmed": full["orders"]["confirmed"],
        "delivered": full["orders"]["delivered"],
        "ratings": full["ratings"]["count"],
        "average_rating": full["ratings"]["average"],
        "ncrs": full["ncrs"]["count"],
        "engineering": len(full["engineering"]),
        "changes": len(full["changes"]),
    }

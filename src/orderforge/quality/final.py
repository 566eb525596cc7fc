"""Final inspection of an order before it may ship (pure domain).

When the last operation of an order's work is done the order waits in final inspection.
Quality then goes through a checklist: the facts the plant already holds (every work
order done with its quantity good, every inspection at the operations passed or accepted
as is, the design approved) and the family's own items that only a person can see (clean,
labelled, matches the approved mock-up). Every item gets a verdict; a failed item needs a
note, because the people who rework it read that note. Passing needs every item passed:
a failing fact cannot be ticked away. Each attempt is kept as recorded, never changed, so
the record shows that the order failed once, why, and who passed it later.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.text import check_text

MAX_ITEMS = 40
MAX_NOTE = 2000
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: Items the plant answers from its own records; a person does not tick them.
WORK_DONE = "work_done"
INSPECTIONS_PASSED = "inspections_passed"
DESIGN_APPROVED = "design_approved"
FACT_CODES = frozenset({WORK_DONE, INSPECTIONS_PASSED, DESIGN_APPROVED})


@dataclass(frozen=True)
class CheckItem:
    code: str
    text: str


#: What a family is checked for when it has no checklist of its own.
GENERAL_ITEMS = (CheckItem("as_ordered", "Product complete, as ordered and as approved"),)


@dataclass(frozen=True)
class FinalChecklist:
    """What a person checks on a family's finished product, item by item."""

    family: str
    items: tuple[CheckItem, ...]


def checklist_from(data: dict[str, Any], where: str) -> FinalChecklist:
    """A checklist as written under `final_checklists:` in a plan file."""
    family = data.get("family")
    if not isinstance(family, str) or not family.strip():
        raise InvalidInput(f"{where}: family is required.", field=f"{where}.family")
    raw = data.get("items")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ITEMS:
        raise InvalidInput(
            f"{where}: items is a list of 1 to {MAX_ITEMS} checks.", field=f"{where}.items"
        )
    items: list[CheckItem] = []
    for i, item in enumerate(raw):
        at = f"{where}.items[{i}]"
        if isinstance(item, dict) and set(item) - {"code", "text"}:
            extra = ", ".join(sorted(str(k) for k in set(item) - {"code", "text"}))
            raise InvalidInput(
                f"{at}: an item has code and text only, not {extra} (quote a text with a "
                "comma in it).",
                field=f"{at}",
            )
        code = item.get("code") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(code, str) or not _CODE.match(code):
            raise InvalidInput(
                f"{at}: code is 1-40 lower-case letters, digits or _ (like labels_fitted).",
                field=f"{at}.code",
            )
        if code in FACT_CODES:
            raise InvalidInput(
                f"{at}: {code} is checked from the plant's records; name the item otherwise.",
                field=f"{at}.code",
            )
        if not isinstance(text, str) or not 1 <= len(check_text(text, at).strip()) <= 200:
            raise InvalidInput(f"{at}: text is 1-200 characters.", field=f"{at}.text")
        items.append(CheckItem(code, text.strip()))
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise InvalidInput(f"{where}: an item code appears twice.", field=f"{where}.items")
    return FinalChecklist(family.strip().upper(), tuple(items))


def checklist_document(checklist: FinalChecklist) -> dict[str, Any]:
    return {
        "family": checklist.family,
        "items": [{"code": i.code, "text": i.text} for i in checklist.items],
    }


def items_for(families: list[str], checklists: dict[str, FinalChecklist]) -> list[CheckItem]:
    """The person's items for an order of these families: each family's list (the
    general item where a family has none), an item shared by two families once."""
    seen: dict[str, CheckItem] = {}
    for family in families:
        found = checklists.get(family)
        for item in found.items if found is not None else GENERAL_ITEMS:
            seen.setdefault(item.code, item)
    return list(seen.values())


@dataclass(frozen=True)
class Finding:
    """One item's verdict: a fact from the records, or what the inspector saw."""

    code: str
    text: str
    passed: bool
    note: str = ""
    #: True when the plant's records answered it (not ticked by a person)
    fact: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "passed": self.passed,
            "note": self.note,
            "fact": self.fact,
        }


def finding_from(data: dict[str, Any]) -> Finding:
    return Finding(
        code=str(data["code"]),
        text=str(data["text"]),
        passed=bool(data["passed"]),
        note=str(data.get("note", "")),
        fact=bool(data.get("fact", False)),
    )


@dataclass(frozen=True)
class FinalInspection:
    """One attempt at an order's final inspection: a fact, never changed."""

    order_number: str
    attempt: int
    findings: tuple[Finding, ...]
    passed: bool
    inspector: str
    inspected_at: dt.datetime
    note: str = ""

    @property
    def failed_items(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]

    def reason(self) -> str:
        """The order's reason for passing or failing, in words for the timeline."""
        if self.passed:
            return f"Final inspection passed (attempt {self.attempt})."
        failed = "; ".join(f"{f.text}: {f.note}" if f.note else f.text for f in self.failed_items)
        return f"Final inspection failed (attempt {self.attempt}): {failed}"[:MAX_NOTE]


def judge(
    order_number: str,
    attempt: int,
    facts: list[Finding],
    items: list[CheckItem],
    answers: dict[str, tuple[bool, str]],
    *,
    inspector: str,
    at: dt.datetime,
    note: str = "",
) -> FinalInspection:
    """Weigh the facts and the inspector's answers into one attempt. Every item must be
    answered and a failed one explained; an answer for an item not on the list, or for a
    fact, is refused rather than silently dropped."""
    known = {i.code for i in items}
    for code in answers:
        if code in FACT_CODES:
            raise InvalidInput(
                f"{code} is answered from the plant's records, not by hand.",
                field=f"items.{code}",
            )
        if code not in known:
            raise InvalidInput(
                f"The checklist has no item {code!r}; its items are "
                + ", ".join(sorted(known))
                + ".",
                field=f"items.{code}",
            )
    missing = [i.text for i in items if i.code not in answers]
    if missing:
        raise InvalidInput(
            "Give a verdict on every item; missing: " + "; ".join(missing) + ".", field="items"
        )
    ticked: list[Finding] = []
    for item in items:
        passed, said = answers[item.code]
        said = check_text(said, f"items.{item.code}.note").strip()[:MAX_NOTE]
        if not passed and not said:
            raise InvalidInput(
                f"Say what is wrong with “{item.text}”: rework starts from that note.",
                field=f"items.{item.code}.note",
            )
        ticked.append(Finding(item.code, item.text, passed, said))
    note = check_text(note, "note").strip()[:MAX_NOTE]
    findings = (*facts, *ticked)
    return FinalInspection(
        order_number=order_number,
        attempt=attempt,
        findings=findings,
        passed=all(f.passed for f in findings),
        inspector=inspector,
        inspected_at=at,
        note=note,
    )

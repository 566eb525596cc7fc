"""Each kind's rows: checked against stored data into a preview, and the steps that
apply them through the owning context's own use cases (customers: register and revise;
items: the plant file's `apply_document`; orders: see `order_rows`).

A row is checked with the same rules its use case applies (the domain constructors, the
plant file's reader and the configurator), without storing anything, so what the
preview calls "create" or "update" is what confirming does.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from orderforge.domain.customer import Customer
from orderforge.domain.errors import InvalidInput
from orderforge.imports.domain import (
    Action,
    ImportKind,
    Problem,
    Row,
    failed,
    outcome,
)
from orderforge.imports.services.order_rows import order_plan
from orderforge.imports.services.rows import Apply, Plan, Step, cell_problems, column_of, finish
from orderforge.plant.document import PlantFileInvalid
from orderforge.plant.services import apply_document, export_document, plant_settings
from orderforge.services import customers
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

_ITEM_PROBLEM = re.compile(r"^items\[(\d+)\](?:\.(\w+))?: (.*)$", re.DOTALL)


def plan(
    uow: UnitOfWork, me: Principal, kind: ImportKind, rows: list[Row], at: dt.datetime
) -> Plan:
    """Check every row against what is stored now; nothing is written."""
    if kind is ImportKind.CUSTOMERS:
        return _customers(uow, me, rows, at)
    if kind is ImportKind.ITEMS:
        return _items(uow, me, rows, at)
    return order_plan(uow, me, rows, at)


# -- customers -------------------------------------------------------------------------

CUSTOMER_FIELDS = ("name", "email", "country", "address", "price_group")


def _customer_fields(c: Customer) -> dict[str, str]:
    return {
        "name": c.name,
        "email": c.email,
        "country": c.country,
        "address": c.address,
        "price_group": c.price_group,
    }


def _customers(uow: UnitOfWork, me: Principal, rows: list[Row], at: dt.datetime) -> Plan:
    settings = plant_settings(uow)
    home = settings.country if settings is not None else "DE"
    found = Plan()
    keys: list[str] = []
    for row in rows:
        code = row.cells["code"].strip().upper()
        keys.append(code)
        problems = cell_problems(row)
        if problems:
            found.outcomes.append(failed(row.number, code, problems))
            continue
        stored = uow.customers.get(code) if code else None
        before = _customer_fields(stored) if stored is not None else None
        wanted = {
            name: row.cells[name] if name in row.cells else (before or {}).get(name, "")
            for name in CUSTOMER_FIELDS
        }
        if not wanted["country"].strip():
            # an empty country keeps the stored one; a new customer is the plant's own
            wanted["country"] = before["country"] if before else home
        try:
            checked = Customer.register(code=code, actor=me.username, at=at, **wanted)
        except InvalidInput as exc:
            problem = Problem(row.number, column_of(row, exc.field), exc.message)
            found.outcomes.append(failed(row.number, code, [problem]))
            continue
        after = _customer_fields(checked)
        result = outcome(row.number, checked.code, before, after)
        found.outcomes.append(result)
        if result.action is Action.CREATE:
            found.steps.append(Apply(row.number, _register(checked.code, after)))
        elif result.action is Action.UPDATE:
            found.steps.append(Apply(row.number, _revise_customer(checked.code, after)))
    return finish(found, keys)


def _register(code: str, fields: dict[str, str]) -> Step:
    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        customers.register_customer(ctx, me, customers.RegisterCustomer(code=code, **fields))

    return run


def _revise_customer(code: str, fields: dict[str, str]) -> Step:
    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        customers.revise_customer(ctx, me, code, customers.ReviseCustomer(**fields))

    return run


# -- items -----------------------------------------------------------------------------

ITEM_FIELDS = ("name", "unit", "status", "lead_time_days", "cost")


def _item_entry(row: Row, stored: dict[str, Any] | None) -> tuple[dict[str, Any], list[Problem]]:
    """The plant file's entry for a row: the stored entry with the row's columns put in
    (a column the file leaves out keeps its stored value); whole days as numbers."""
    entry: dict[str, Any] = dict(stored) if stored else {}
    problems: list[Problem] = []
    for name, value in row.cells.items():
        text = value.strip()
        if name == "lead_time_days":
            if not text:
                continue  # keep the stored lead time, or the default for a new item
            try:
                entry[name] = int(text)
            except ValueError:
                problems.append(
                    Problem(row.number, name, f"'{text[:20]}' is not a whole number of days.")
                )
        elif name in ("status", "cost") and not text:
            continue  # empty: keep the stored value, or the default for a new item
        else:
            entry[name] = text
    return entry, problems


def _items(uow: UnitOfWork, me: Principal, rows: list[Row], at: dt.datetime) -> Plan:
    stored = {e["code"]: e for e in export_document(uow)["items"]}
    problems: dict[int, list[Problem]] = {}
    entries: dict[int, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        code = row.cells["code"].strip()
        entry, found = _item_entry(row, stored.get(code))
        found = cell_problems(row) + found
        if found:
            problems[i] = found
        else:
            entries[i] = {**entry, "code": code}
    changes = _item_changes(uow, me, rows, entries, problems, at)
    result = Plan()
    keys = []
    for i, row in enumerate(rows):
        code = row.cells["code"].strip()
        keys.append(code)
        if i in problems:
            result.outcomes.append(failed(row.number, code, problems[i]))
            continue
        before = stored.get(code)
        after = changes.get(code, before)
        result.outcomes.append(
            outcome(
                row.number,
                code,
                _texts(before) if before is not None else None,
                _texts(after or {}),
            )
        )
    result = finish(result, keys)
    applying = [
        entries[i]
        for i, o in enumerate(result.outcomes)
        if o.action in (Action.CREATE, Action.UPDATE)
    ]
    if applying:
        result.steps.append(Apply(result.outcomes[0].row, _apply_items(applying)))
    return result


def _texts(entry: dict[str, Any]) -> dict[str, str]:
    return {k: str(entry[k]) for k in ITEM_FIELDS if k in entry}


def _item_changes(
    uow: UnitOfWork,
    me: Principal,
    rows: list[Row],
    entries: dict[int, dict[str, Any]],
    problems: dict[int, list[Problem]],
    at: dt.datetime,
) -> dict[str, dict[str, Any]]:
    """The plant's own check of the rows (a dry run of the plant file), repeated without
    the rows it refuses until the rest pass: the entries as they would be stored. Each
    refused round takes at least one row out, so the rounds end."""
    while entries:
        indexes = sorted(entries)
        document = {"items": [entries[i] for i in indexes]}
        try:
            changes = apply_document(uow, me.username, at, document, dry_run=True)
        except PlantFileInvalid as exc:
            for text in exc.problems:
                match = _ITEM_PROBLEM.match(text)
                position = indexes[int(match.group(1))] if match else indexes[0]
                column = (match.group(2) or "") if match else ""
                message = match.group(3) if match else text
                problem = Problem(rows[position].number, column_of(rows[position], column), message)
                problems.setdefault(position, []).append(problem)
                entries.pop(position, None)
            continue
        return {c.code: c.after for c in changes if c.section == "items"}
    return {}


def _apply_items(entries: list[dict[str, Any]]) -> Step:
    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        apply_document(uow, me.username, ctx.clock.now(), {"items": entries})

    return run

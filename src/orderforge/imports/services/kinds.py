"""Each kind's rows: checked against stored data into a preview, and the steps that
apply them through the owning context's own use cases (customers: register and revise;
items: the plant file's `apply_document`; orders: create and revise a quote, configured
and priced by the configurator exactly as when typed by hand).

A row is checked with the same rules its use case applies (the domain constructors and
the configurator), without storing anything, so what the preview calls "create" or
"update" is what confirming does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orderforge.domain.customer import Customer
from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import LineInput, Order, OrderState
from orderforge.domain.text import check_text
from orderforge.imports.domain import (
    MAX_CELL,
    SPEC_PREFIX,
    Action,
    ImportKind,
    Problem,
    Row,
    RowOutcome,
    duplicates,
    failed,
    outcome,
)
from orderforge.imports.ports import ORDER_REFERENCES, OrderReferenceRepository
from orderforge.plant.document import PlantFileInvalid
from orderforge.plant.services import apply_document, export_document, plant_settings
from orderforge.services import customers, orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

#: What a step gets: the context whose unit of work is the batch's one transaction, that
#: unit of work, and who confirms (known only then: the steps are made at preview time).
Step = Callable[[ServiceContext, UnitOfWork, Principal], None]
MAX_REFERENCE = 60
_ITEM_PROBLEM = re.compile(r"^items\[(\d+)\](?:\.(\w+))?: (.*)$", re.DOTALL)
_LINE_PREFIX = re.compile(r"^Line 1: ")


@dataclass(frozen=True)
class Apply:
    row: int
    run: Step


@dataclass
class Plan:
    """The preview of a file's rows and, for the rows that change something, the steps
    that apply them (in row order)."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    steps: list[Apply] = field(default_factory=list)


def plan(
    uow: UnitOfWork, me: Principal, kind: ImportKind, rows: list[Row], at: dt.datetime
) -> Plan:
    """Check every row against what is stored now; nothing is written."""
    if kind is ImportKind.CUSTOMERS:
        return _customers(uow, me, rows, at)
    if kind is ImportKind.ITEMS:
        return _items(uow, me, rows, at)
    return _orders(uow, me, rows, at)


def _cell_problems(row: Row) -> list[Problem]:
    return [
        Problem(row.number, name, f"is {len(value)} characters long; at most {MAX_CELL} fit.")
        for name, value in row.cells.items()
        if len(value) > MAX_CELL
    ]


def _column(row: Row, name: str | None) -> str:
    """The column a use case's field error is about, when the file has it."""
    if not name:
        return ""
    return name if name in row.cells else ""


def _finish(found: Plan, keys: list[str]) -> Plan:
    """Duplicate keys become errors, and their steps are dropped with them."""
    outcomes = duplicates(found.outcomes, keys)
    bad = {o.row for o in outcomes if o.action is Action.ERROR}
    return Plan(outcomes, [s for s in found.steps if s.row not in bad])


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
        problems = _cell_problems(row)
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
            problem = Problem(row.number, _column(row, exc.field), exc.message)
            found.outcomes.append(failed(row.number, code, [problem]))
            continue
        after = _customer_fields(checked)
        result = outcome(row.number, checked.code, before, after)
        found.outcomes.append(result)
        if result.action is Action.CREATE:
            found.steps.append(Apply(row.number, _register(checked.code, after)))
        elif result.action is Action.UPDATE:
            found.steps.append(Apply(row.number, _revise_customer(checked.code, after)))
    return _finish(found, keys)


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
        found = _cell_problems(row) + found
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
    result = _finish(result, keys)
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
                problem = Problem(rows[position].number, _column(rows[position], column), message)
                problems.setdefault(position, []).append(problem)
                entries.pop(position, None)
            continue
        return {c.code: c.after for c in changes if c.section == "items"}
    return {}


def _apply_items(entries: list[dict[str, Any]]) -> Step:
    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        apply_document(uow, me.username, ctx.clock.now(), {"items": entries})

    return run


# -- orders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _OrderRow:
    reference: str
    customer: Customer
    line: LineInput
    requested_date: dt.date | None
    #: None: the file has no notes column (an update keeps the notes)
    notes: str | None


class _RowRefused(Exception):
    """Every problem of a row's own fields, found before the configurator sees it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.sentence() for p in problems))
        self.problems = problems


def _reference(text: str) -> str:
    reference = check_text(text, "external_ref").strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise InvalidInput(
            f"The external reference (e.g. the customer's PO number) is 1-{MAX_REFERENCE} "
            "characters.",
            field="external_ref",
        )
    return reference


def _customer_of(uow: UnitOfWork, text: str) -> Customer:
    code = check_text(text, "customer").strip().upper()
    customer = uow.customers.get(code) if code else None
    if customer is None or customer.id is None:
        raise InvalidInput(f"There is no customer with code '{code[:30]}'.", field="customer")
    return customer


def _quantity(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"'{text[:20]}' is not a whole number.", field="quantity") from None


def _date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"'{text[:20]}' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31.",
            field="requested_date",
        ) from None


def _order_row(uow: UnitOfWork, row: Row) -> _OrderRow:
    """The row's fields, each checked; every field that is wrong is named at once."""
    c = row.cells
    problems: list[Problem] = []
    found: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("reference", lambda: _reference(c["external_ref"])),
        ("customer", lambda: _customer_of(uow, c["customer"])),
        ("quantity", lambda: _quantity(c["quantity"])),
        ("requested", lambda: _date(c.get("requested_date", ""))),
        ("family", lambda: check_text(c["product_family"], "product_family").strip()),
    ]
    for name, check in checks:
        try:
            found[name] = check()
        except InvalidInput as exc:
            problems.append(Problem(row.number, _column(row, exc.field), exc.message))
    if problems:
        raise _RowRefused(problems)
    spec = {
        name.removeprefix(SPEC_PREFIX): value.strip()
        for name, value in c.items()
        if name.startswith(SPEC_PREFIX) and value.strip()
    }
    line = LineInput(product_family=found["family"], quantity=found["quantity"], spec=spec)
    notes = c["notes"].strip() if "notes" in c else None
    return _OrderRow(found["reference"], found["customer"], line, found["requested"], notes)


def _order_column(row: Row, field_name: str | None) -> str:
    """A use case's field ("lines[0].spec.wood") as the file's column ("spec.wood")."""
    if not field_name:
        return ""
    name = re.sub(r"^lines\[0\]\.", "", field_name)
    if name.startswith("spec."):
        return name if name in row.cells else ""
    return _column(row, name)


def _order_fields(
    line: LineInput, requested: dt.date | None, notes: str, before: dict[str, str] | None
) -> dict[str, str]:
    fields = {
        "product_family": line.product_family,
        "quantity": str(line.quantity),
        "requested_date": requested.isoformat() if requested else "",
        "notes": notes,
        **{f"{SPEC_PREFIX}{k}": str(v) for k, v in sorted(line.spec.items())},
    }
    for name in before or {}:
        fields.setdefault(name, "")  # an option the new spec no longer has
    return fields


def _stored_fields(order: Order) -> dict[str, str]:
    line = order.lines[0]
    return _order_fields(
        LineInput(line.product_family, line.quantity, dict(line.spec)),
        order.requested_date,
        order.notes,
        None,
    )


def _orders(uow: UnitOfWork, me: Principal, rows: list[Row], at: dt.datetime) -> Plan:
    refs = uow.repository(ORDER_REFERENCES)
    found = Plan()
    keys: list[str] = []
    for row in rows:
        key = f"{row.cells['customer'].strip().upper()}/{row.cells['external_ref'].strip()}"
        keys.append(key)
        problems = _cell_problems(row)
        if problems:
            found.outcomes.append(failed(row.number, key, problems))
            continue
        try:
            result, step = _order_outcome(uow, refs, me, row, at)
        except _RowRefused as refused:
            found.outcomes.append(failed(row.number, key, refused.problems))
            continue
        except InvalidInput as exc:
            message = _LINE_PREFIX.sub("", exc.message)
            problem = Problem(row.number, _order_column(row, exc.field), message)
            found.outcomes.append(failed(row.number, key, [problem]))
            continue
        found.outcomes.append(result)
        if step is not None:
            found.steps.append(Apply(row.number, step))
    return _finish(found, keys)


def _order_outcome(
    uow: UnitOfWork, refs: OrderReferenceRepository, me: Principal, row: Row, at: dt.datetime
) -> tuple[RowOutcome, Step | None]:
    r = _order_row(uow, row)
    key = f"{r.customer.code}/{r.reference}"
    configured = orders.configure_lines(uow, (r.line,), r.customer)[0]
    customer_id = r.customer.id or 0
    number = refs.order_for(customer_id, r.reference)
    stored = uow.orders.get(number) if number else None
    if stored is None:
        # the order's own checks (dates, text), on an order that is never stored
        Order.open_quote(
            number="(preview)",
            customer_id=customer_id,
            lines=[configured],
            requested_date=r.requested_date,
            notes=r.notes or "",
            actor=me.username,
            at=at,
        )
        step = _create_order(r, customer_id)
        return outcome(row.number, key, None, {}), step
    if len(stored.lines) != 1:
        raise InvalidInput(
            f"Order {stored.number} has {len(stored.lines)} lines; an import keeps orders "
            "of one line. Edit it on its page.",
            field="external_ref",
        )
    before = _stored_fields(stored)
    notes = stored.notes if r.notes is None else r.notes
    requested = r.requested_date if "requested_date" in row.cells else stored.requested_date
    after = _order_fields(configured, requested, notes, before)
    result = outcome(row.number, key, before, after, target=stored.number)
    if result.action is not Action.UPDATE:
        return result, None
    if stored.state is not OrderState.QUOTE:
        raise InvalidInput(
            f"Order {stored.number} is {stored.state.label.lower()}: its lines and dates "
            "change only through a change request, not an import.",
            field="external_ref",
        )
    if requested != stored.requested_date:
        # the date's own checks (past, too far ahead), as revising the quote makes them
        Order.open_quote(
            number="(preview)",
            customer_id=customer_id,
            lines=[configured],
            requested_date=requested,
            notes=notes,
            actor=me.username,
            at=at,
        )
    revise = orders.ReviseOrder(
        lines=(r.line,), notes=notes, change_requested_date=True, requested_date=requested
    )
    return result, _revise_order(stored.number, revise)


def _create_order(r: _OrderRow, customer_id: int) -> Step:
    cmd = orders.CreateOrder(
        customer_code=r.customer.code,
        lines=(r.line,),
        requested_date=r.requested_date,
        notes=r.notes or "",
    )

    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        created = orders.create_order(ctx, me, cmd)
        refs = uow.repository(ORDER_REFERENCES)
        refs.add(customer_id, r.reference, created.view.number, ctx.clock.now())

    return run


def _revise_order(number: str, cmd: orders.ReviseOrder) -> Step:
    def run(ctx: ServiceContext, uow: UnitOfWork, me: Principal) -> None:
        orders.revise_order(ctx, me, number, cmd)

    return run

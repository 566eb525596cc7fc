"""Order rows: quotes matched on the customer and its own reference (its PO number),
each field checked, the spec completed, checked and priced by the configurator through
the orders context's own `configure_lines`, and applied by `create_order` or
`revise_order`, exactly as a quote typed by hand."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderforge.domain.customer import Customer
from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import LineInput, Order, OrderState
from orderforge.domain.text import check_text
from orderforge.imports.domain import (
    SPEC_PREFIX,
    Action,
    Problem,
    Row,
    RowOutcome,
    failed,
    outcome,
)
from orderforge.imports.ports import ORDER_REFERENCES, OrderReferenceRepository
from orderforge.imports.services.rows import Apply, Plan, Step, cell_problems, column_of, finish
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

MAX_REFERENCE = 60
_LINE_PREFIX = re.compile(r"^Line 1: ")


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
            problems.append(Problem(row.number, column_of(row, exc.field), exc.message))
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


def _ordercolumn_of(row: Row, field_name: str | None) -> str:
    """A use case's field ("lines[0].spec.wood") as the file's column ("spec.wood")."""
    if not field_name:
        return ""
    name = re.sub(r"^lines\[0\]\.", "", field_name)
    if name.startswith("spec."):
        return name if name in row.cells else ""
    return column_of(row, name)


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


def order_plan(uow: UnitOfWork, me: Principal, rows: list[Row], at: dt.datetime) -> Plan:
    refs = uow.repository(ORDER_REFERENCES)
    found = Plan()
    keys: list[str] = []
    for row in rows:
        key = f"{row.cells['customer'].strip().upper()}/{row.cells['external_ref'].strip()}"
        keys.append(key)
        problems = cell_problems(row)
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
            problem = Problem(row.number, _ordercolumn_of(row, exc.field), message)
            found.outcomes.append(failed(row.number, key, [problem]))
            continue
        found.outcomes.append(result)
        if step is not None:
            found.steps.append(Apply(row.number, step))
    return finish(found, keys)


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

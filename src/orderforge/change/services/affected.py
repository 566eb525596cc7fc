"""Which open orders a catalogue change reaches.

When engineering redesigns a module or withdraws an option, the orders already sold with
it must be found before the new catalogue version lands: each may need an engineering
change of its own (or be made to the old design on purpose). An order line is reached when
its configuration (at the catalogue version it was sold with) uses the module, or when its
spec has the option (with the value, when one is given).
"""

from __future__ import annotations

from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.order import OrderState
from orderforge.engines.configurator import ConfigurationError, configure
from orderforge.engines.configurator.bom import BomNode
from orderforge.production.domain import OperationStatus
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.ports import OrderFilter, UnitOfWork

#: Orders still to be made (or quoted): a catalogue change can still reach them.
OPEN_STATES = (
    OrderState.QUOTE,
    OrderState.CONFIRMED,
    OrderState.FEASIBLE,
    OrderState.NEEDS_ENGINEERING,
    OrderState.PLANNED,
    OrderState.AWAITING_DESIGN_APPROVAL,
    OrderState.RELEASED,
    OrderState.IN_PRODUCTION,
    OrderState.ON_HOLD,
    OrderState.CHANGE_REQUESTED,
)


_NOT_STARTED = frozenset({OperationStatus.WAITING, OperationStatus.READY})


def _modules(node: BomNode) -> set[str]:
    found = {node.module}
    for child in node.children:
        found |= _modules(child)
    return found


def affected(
    uow: UnitOfWork,
    family_code: str,
    module: str | None,
    option: str | None,
    value: str | None,
) -> dict[str, Any]:
    family = family_of(entry_for(uow, family_code))
    code = family.code
    module = (module or "").strip() or None
    option = (option or "").strip() or None
    value = (value or "").strip() or None
    if module is None and option is None:
        raise InvalidInput(
            "Name the module that changes, or the option (and value).", field="module"
        )
    if value is not None and option is None:
        raise InvalidInput("A value belongs to an option: name the option.", field="option")
    if option is not None and option not in {o.code for o in family.options} | {
        p.code for p in family.parameters
    }:
        known = ", ".join(sorted(o.code for o in family.options))
        raise InvalidInput(
            f"{family.name} has no option {option!r}; its options are {known}.", field="option"
        )
    if module is not None:
        modules = {m.code for m in family.modules}
        if module not in modules:
            raise InvalidInput(
                f"{family.name} has no module {module!r}; its modules are "
                f"{', '.join(sorted(modules))}.",
                field="module",
            )
    found: list[dict[str, Any]] = []
    customers: dict[int, str] = {}
    for state in OPEN_STATES:
        for order in uow.orders.list(OrderFilter(state=state, limit=100_000)):
            for line in order.lines:
                if line.product_family != code:
                    continue
                if option is not None and (
                    option not in line.spec or (value is not None and line.spec[option] != value)
                ):
                    continue
                if module is not None and module not in _line_modules(uow, line):
                    continue
                if order.customer_id not in customers:
                    customer = uow.customers.get_by_id(order.customer_id)
                    customers[order.customer_id] = customer.name if customer else "?"
                found.append(
                    {
                        "order_number": order.number,
                        "customer": customers[order.customer_id],
                        "state": order.state.value,
                        "state_label": order.state.label,
                        "line_no": line.line_no,
                        "quantity": line.quantity,
                        "catalogue_version": line.catalogue_version,
                        "promise_date": (
                            order.promise_date.isoformat() if order.promise_date else None
                        ),
                        "work_started": _started(uow, order.number, line.line_no),
                    }
                )
    found.sort(
        key=lambda f: (f["state"] == "quote", f["promise_date"] or "9999", f["order_number"])
    )
    return {
        "family": code,
        "family_name": family.name,
        "module": module,
        "option": option,
        "value": value,
        "orders": found,
        "count": len({f["order_number"] for f in found}),
    }


def _line_modules(uow: UnitOfWork, line: Any) -> set[str]:
    try:
        configuration = configure(
            family_of(entry_for(uow, line.product_family, line.catalogue_version)), line.spec
        )
    except (ConfigurationError, NotFound):
        return set()
    return _modules(configuration.bom)


def _started(uow: UnitOfWork, order_number: str, line_no: int) -> bool:
    with uow.repository(WORK_ORDERS).deferred_writes():
        for wo in uow.repository(WORK_ORDERS).current_for([order_number]):
            if wo.line_no == line_no:
                return any(
                    o.status is not OperationStatus.WAITING
                    and o.status is not OperationStatus.READY
                    for o in wo.operations
                )
    return False

"""Mock-ups of configured products: the engine's drawing, fed from the catalogue.

The customer sees what will be built before anyone cuts material: on the configurator
while a salesperson chooses, on the order page, and in the quote and the order
confirmation. A line is drawn with the labels and units of the catalogue version it was
configured with (like its description in words, `spec_text`), so a later catalogue
that renames a choice never redraws an old quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.order import OrderLine
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.mockup import Choice, Measure, MockupInput, draw
from orderforge.services.access import load_visible
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.configuration import complete_in
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

MAX_QUANTITY = 10_000


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _humanise(code: str) -> str:
    return code.replace("_", " ").capitalize()


def mockup_input(
    family: Family | None, family_code: str, spec: Mapping[str, str], quantity: int = 1
) -> MockupInput:
    """The engine's input for a spec: options and parameters in the catalogue's order
    with its labels and units; keys the catalogue does not know are kept as stored."""
    options: dict[str, Choice] = {}
    parameters: dict[str, Measure] = {}
    if family is not None:
        for option in family.options:
            if option.code in spec:
                code = spec[option.code]
                labels = {c.code: c.label for c in option.choices}
                options[option.code] = Choice(code, labels.get(code, code), option.label)
        for parameter in family.parameters:
            value = _number(spec.get(parameter.code, ""))
            if value is not None:
                parameters[parameter.code] = Measure(value, parameter.unit, parameter.label)
    for key, text in spec.items():
        if key in options or key in parameters:
            continue
        value = _number(text)
        if value is not None:
            parameters[key] = Measure(value, "", _humanise(key))
        else:
            options[key] = Choice(text, text, _humanise(key))
    name = family.name if family is not None else family_code
    return MockupInput(family_code, name, options, parameters, max(1, quantity))


def line_svg(family: Family | None, line: OrderLine) -> str:
    """The mock-up of one order line; `family` is the catalogue version it was
    configured with (None for a line configured before the catalogue)."""
    return draw(mockup_input(family, line.product_family, line.spec, line.quantity))


def order_line_mockup(ctx: ServiceContext, actor: Principal, number: str, line_no: int) -> str:
    """The mock-up of an order's line, for whoever may see the order (a customer only
    their own: another customer's order is missing, like every order read)."""
    require(actor.role, Resource.ORDER, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        line = next((li for li in order.lines if li.line_no == line_no), None)
        if line is None:
            raise NotFound(f"Order {order.number} has no line {line_no}.", field="line_no")
        entry = (
            uow.catalogue.get(line.product_family, line.catalogue_version)
            if line.catalogue_version is not None
            else None
        )
        family = family_of(entry) if entry is not None else None
        return line_svg(family, line)


def spec_mockup(
    ctx: ServiceContext,
    actor: Principal,
    family_code: str,
    picks: dict[str, str],
    quantity: int = 1,
) -> str:
    """The mock-up of a spec being configured on the newest catalogue version: the
    picks completed by the one completion rule (what the price is for); a parameter
    still open while the picks conflict is drawn at its default."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"Quantity must be 1 to {MAX_QUANTITY}.", field="quantity")
    with ctx.uow() as uow:
        entry = entry_for(uow, family_code)
        family = family_of(entry)
    spec = dict(complete_in(family, picks).spec)
    for parameter in family.parameters:
        if parameter.code not in spec and parameter.default is not None:
            spec[parameter.code] = str(parameter.default)
    return draw(mockup_input(family, family.code, spec, quantity))

"""Configuring a product: remaining choices, validity with explanations, BOM, routing, price.

One engine call per question; the plant's hourly rates and its pricing policy's margin
rule are read here so the quote screen, the order form and the CLI price alike. A plant
without a pricing policy quotes "price on request" (no costing).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.domain.text import check_text
from orderforge.domain.user import Role
from orderforge.engines.configurator import (
    Configuration,
    Conflict,
    Costing,
    Domains,
    Family,
    MarginRule,
    SpecError,
    Validity,
    ValueRange,
    check_spec,
    configure,
    price,
    remaining_domains,
)
from orderforge.plant import services as plant
from orderforge.services import configuration_views as views
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.configuration_views import (
    CompletionView,
    EvaluationView,
    RemainingView,
    conflict_view,
    remaining_view,
)
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

MAX_SPEC_ITEMS = 200
MAX_VALUE_LENGTH = 100


@dataclass(frozen=True)
class Evaluation:
    """A full spec checked and, when valid, configured and priced."""

    family: str
    version: int
    validity: Validity
    configuration: Configuration | None
    costing: Costing | None
    completion: Completion


def _clean(spec: dict[str, str], where: str = "spec") -> dict[str, str]:
    if len(spec) > MAX_SPEC_ITEMS:
        raise InvalidInput(f"At most {MAX_SPEC_ITEMS} options per spec.", field=where)
    for key, value in spec.items():
        check_text(key, where)
        check_text(value, f"{where}.{key}")
        _check_number_text(value, f"{where}.{key}")
    return {k: v for k, v in spec.items() if v != ""}


def _check_number_text(value: str, field: str) -> None:
    """A value that reads as a number must be one the arithmetic can carry: finite,
    within +-10^15 and at most 30 digits. Checked before any rule sees it, so 1e1000000
    is a short refusal, not an overflow (or a million-digit echo)."""
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidInput(f"{field} must be at most {MAX_VALUE_LENGTH} characters.", field=field)
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return  # text: a choice, checked against the option's choices
    digits = number.as_tuple().digits
    if not number.is_finite() or len(digits) > 30 or abs(number.adjusted()) > 15:
        raise InvalidInput(
            f"{field} must be a number between -10^15 and 10^15 with at most 30 digits.",
            field=field,
        )


def spec_error(exc: SpecError, where: str) -> InvalidInput:
    first = exc.issues[0] if exc.issues else None
    field = f"{where}.{first.where.removeprefix('spec.')}" if first else where
    return InvalidInput("; ".join(i.message for i in exc.issues) or str(exc), field=field)


def remaining(
    ctx: ServiceContext, actor: Principal, family_code: str, partial: dict[str, str]
) -> RemainingView:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entry = entry_for(uow, family_code)
        family, code, version = family_of(entry), entry.family_code, entry.version
    return remaining_view(code, version, _domains(family, _clean(partial), "spec"))


def _domains(family: Family, spec: dict[str, str], where: str) -> Domains:
    try:
        return remaining_domains(family, spec)
    except SpecError as exc:
        raise spec_error(exc, where) from None


@dataclass(frozen=True)
class Completion:
    """Picks plus a value for everything not picked, or why the picks cannot be completed."""

    picks: dict[str, str]
    spec: dict[str, str]
    #: Every unpicked value the rule filled in.
    filled: dict[str, str]
    #: The filled values that are not the catalogue default (it no longer fit).
    off_default: dict[str, str]
    conflicts: tuple[Conflict, ...] = ()


def _plain(value: Decimal) -> str:
    """800, 0.5 - never 8E+2."""
    return format(value.normalize(), "f")


def _nearest(value: Decimal, ranges: tuple[ValueRange, ...]) -> Decimal | None:
    """The possible value closest to `value` (ties: the lower one); itself if possible."""
    best: Decimal | None = None
    for r in ranges:
        clamped = min(max(value, r.minimum), r.maximum)
        if r.step > 0:
            clamped = r.minimum + ((clamped - r.minimum) // r.step) * r.step
            if clamped + r.step <= r.maximum and (clamped + r.step - value) < (value - clamped):
                clamped += r.step
        if best is None or abs(clamped - value) < abs(best - value):
            best = clamped
    return best


def complete_in(family: Family, picks: dict[str, str], where: str = "spec") -> Completion:
    """THE completion rule (page, script, API, CLI and orders all use it): every unpicked
    option takes the catalogue default while it still fits, else the first possible
    choice; every unpicked parameter its default (or minimum) while it fits, else the
    nearest possible value. Each fill narrows the domains before the next one, so the
    result is always a valid spec when the picks themselves are consistent."""
    spec = _clean(picks, where)
    picked = dict(spec)
    filled: dict[str, str] = {}
    off_default: dict[str, str] = {}
    domains = _domains(family, spec, where)
    if not domains.consistent:
        return Completion(picked, spec, {}, {}, domains.conflicts)
    for option in family.options:
        if option.code in spec:
            continue
        possible = domains.options.get(option.code, ())
        if not possible:
            continue
        value = option.default if option.default in possible else possible[0]
        spec[option.code] = filled[option.code] = value
        if value != option.default:
            off_default[option.code] = value
        if len(possible) > 1:
            domains = _domains(family, spec, where)
    for parameter in family.parameters:
        if parameter.code in spec or parameter.code not in domains.parameters:
            continue
        wanted = parameter.default if parameter.default is not None else parameter.minimum
        near = _nearest(wanted, domains.parameters[parameter.code].ranges)
        if near is None:
            continue
        spec[parameter.code] = filled[parameter.code] = _plain(near)
        if near != wanted:
            off_default[parameter.code] = _plain(near)
        domains = _domains(family, spec, where)
    return Completion(picked, spec, filled, off_default)


def evaluate_in(
    uow: UnitOfWork,
    family_code: str,
    spec: dict[str, str],
    where: str = "spec",
    price_group: str | None = None,
) -> Evaluation:
    """Complete (by the one rule), check, configure and price a spec against the newest
    catalogue version, with the margin rule of the customer's price group."""
    entry = entry_for(uow, family_code)
    family = family_of(entry)
    completion = complete_in(family, spec, where)
    rates = {w.code: w.hourly_rate for w in plant.active_work_centres(uow)}
    rule = plant.pricing_policy(uow).rule_for(entry.family_code, price_group or None)
    try:
        validity = check_spec(family, completion.spec)
    except SpecError as exc:
        raise spec_error(exc, where) from None
    if not validity.valid:
        return Evaluation(entry.family_code, entry.version, validity, None, None, completion)
    configuration = configure(family, validity.spec)
    missing_rates = {w for op in configuration.routing for w in op.work_centres[:1]} - set(rates)
    costing = (
        None
        if missing_rates or rule is None
        else price(configuration, rates, MarginRule(rule.margin, rule.step, rule.rounding))
    )
    return Evaluation(
        entry.family_code, entry.version, validity, configuration, costing, completion
    )


def evaluate(
    ctx: ServiceContext, actor: Principal, family_code: str, spec: dict[str, str]
) -> EvaluationView:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        result = evaluate_in(uow, family_code, spec, price_group=_own_group(uow, actor))
    return evaluation_view(result, actor.role)


def complete(
    ctx: ServiceContext, actor: Principal, family_code: str, picks: dict[str, str]
) -> CompletionView:
    """The picks completed by the one rule, with the completed spec checked and priced."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        result = evaluate_in(uow, family_code, picks, price_group=_own_group(uow, actor))
    done = result.completion
    return CompletionView(
        family=result.family,
        version=result.version,
        picks=done.picks,
        complete=not done.conflicts,
        spec=done.spec,
        filled=done.off_default,
        conflicts=[conflict_view(c) for c in done.conflicts],
        evaluation=evaluation_view(result, actor.role) if not done.conflicts else None,
    )


def resolved_spec(validity: Validity) -> dict[str, str]:
    return {k: str(v) for k, v in validity.spec.items()}


def explain_invalid(validity: Validity) -> str:
    if validity.missing:
        return "Choose a value for: " + ", ".join(validity.missing) + "."
    return " ".join(c.message for c in validity.conflicts) or "The spec breaks a rule."


def evaluation_view(result: Evaluation, role: Role) -> EvaluationView:
    v = result.validity
    fields: dict[str, Any] = {
        "family": result.family,
        "version": result.version,
        "valid": v.valid,
        "spec": resolved_spec(v),
        "defaulted": sorted(set(v.defaulted) | set(result.completion.filled)),
        "missing": list(v.missing),
        "violated": list(v.violated),
        "conflicts": [conflict_view(c) for c in v.conflicts],
        "configuration": result.configuration,
        "costing": result.costing,
    }
    return views.evaluation_view(fields, role)


def _own_group(uow: UnitOfWork, actor: Principal) -> str | None:
    """A customer configuring sees the price their order will get (their price group);
    staff see the list price until they quote for a customer."""
    if actor.customer_id is None:
        return None
    customer = uow.customers.get_by_id(actor.customer_id)
    return customer.price_group or None if customer is not None else None

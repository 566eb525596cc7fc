"""Configuring a product: remaining choices, validity with explanations, BOM, routing, price.

One engine call per question; the plant's hourly rates and its pricing policy's margin
rule are read here so the quote screen, the order form and the CLI price alike. A plant
without a pricing policy quotes "price on request" (no costing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.domain.text import check_text
from orderforge.engines.configurator import (
    Configuration,
    Conflict,
    Costing,
    MarginRule,
    SpecError,
    Validity,
    check_spec,
    configure,
    price,
    remaining_domains,
)
from orderforge.plant import services as plant
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

MAX_SPEC_ITEMS = 200


@dataclass(frozen=True)
class Evaluation:
    """A full spec checked and, when valid, configured and priced."""

    family: str
    version: int
    validity: Validity
    configuration: Configuration | None
    costing: Costing | None


def _clean(spec: dict[str, str], where: str = "spec") -> dict[str, str]:
    if len(spec) > MAX_SPEC_ITEMS:
        raise InvalidInput(f"At most {MAX_SPEC_ITEMS} options per spec.", field=where)
    for key, value in spec.items():
        check_text(key, where)
        check_text(value, f"{where}.{key}")
    return {k: v for k, v in spec.items() if v != ""}


def spec_error(exc: SpecError, where: str) -> InvalidInput:
    first = exc.issues[0] if exc.issues else None
    field = f"{where}.{first.where.removeprefix('spec.')}" if first else where
    return InvalidInput("; ".join(i.message for i in exc.issues) or str(exc), field=field)


def conflict_view(conflict: Conflict) -> dict[str, Any]:
    return {
        "message": conflict.message,
        "rules": list(conflict.rules),
        "names": sorted(conflict.names),
    }


def remaining(
    ctx: ServiceContext, actor: Principal, family_code: str, partial: dict[str, str]
) -> dict[str, Any]:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entry = entry_for(uow, family_code)
        family, code, version = family_of(entry), entry.family_code, entry.version
    try:
        domains = remaining_domains(family, _clean(partial))
    except SpecError as exc:
        raise spec_error(exc, "spec") from None
    return {
        "family": code,
        "version": version,
        "consistent": domains.consistent,
        "options": {k: list(v) for k, v in domains.options.items()},
        "parameters": {
            k: {
                "unit": d.unit,
                "ranges": [
                    {"min": str(r.minimum), "max": str(r.maximum), "step": str(r.step)}
                    for r in d.ranges
                ],
            }
            for k, d in domains.parameters.items()
        },
        "conflicts": [conflict_view(c) for c in domains.conflicts],
    }


def evaluate_in(
    uow: UnitOfWork, family_code: str, spec: dict[str, str], where: str = "spec"
) -> Evaluation:
    """Check, configure and price a spec against the newest catalogue version."""
    entry = entry_for(uow, family_code)
    family = family_of(entry)
    rates = {w.code: w.hourly_rate for w in plant.active_work_centres(uow)}
    rule = plant.pricing_policy(uow).rule_for(entry.family_code)
    try:
        validity = check_spec(family, _clean(spec, where))
    except SpecError as exc:
        raise spec_error(exc, where) from None
    if not validity.valid:
        return Evaluation(entry.family_code, entry.version, validity, None, None)
    configuration = configure(family, validity.spec)
    missing_rates = {w for op in configuration.routing for w in op.work_centres[:1]} - set(rates)
    costing = (
        None
        if missing_rates or rule is None
        else price(configuration, rates, MarginRule(rule.margin, rule.step, rule.rounding))
    )
    return Evaluation(entry.family_code, entry.version, validity, configuration, costing)


def evaluate(
    ctx: ServiceContext, actor: Principal, family_code: str, spec: dict[str, str]
) -> dict[str, Any]:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        result = evaluate_in(uow, family_code, spec)
    return evaluation_view(result)


def resolved_spec(validity: Validity) -> dict[str, str]:
    return {k: str(v) for k, v in validity.spec.items()}


def explain_invalid(validity: Validity) -> str:
    if validity.missing:
        return "Choose a value for: " + ", ".join(validity.missing) + "."
    return " ".join(c.message for c in validity.conflicts) or "The spec breaks a rule."


def evaluation_view(result: Evaluation) -> dict[str, Any]:
    v = result.validity
    view: dict[str, Any] = {
        "family": result.family,
        "version": result.version,
        "valid": v.valid,
        "spec": resolved_spec(v),
        "defaulted": list(v.defaulted),
        "missing": list(v.missing),
        "violated": list(v.violated),
        "conflicts": [conflict_view(c) for c in v.conflicts],
        "bom": [],
        "routing": [],
        "computed": {},
        "costing": None,
    }
    if result.configuration is not None:
        c = result.configuration
        view["computed"] = {k: str(x) for k, x in c.computed.items()}
        view["bom"] = [
            {
                "component": i.component,
                "name": i.name,
                "quantity": str(i.quantity),
                "unit": i.unit,
                "unit_cost": str(i.unit_cost),
            }
            for i in c.components
        ]
        view["routing"] = [
            {
                "key": o.key,
                "code": o.code,
                "name": o.name,
                "work_centres": list(o.work_centres),
                "setup_minutes": str(o.setup_minutes),
                "run_minutes": str(o.run_minutes),
                "predecessors": list(o.predecessors),
            }
            for o in c.routing
        ]
    if result.costing is not None:
        k = result.costing
        view["costing"] = {
            "material_cost": str(k.material_cost),
            "labour_cost": str(k.labour_cost),
            "cost": str(k.cost),
            "price": str(k.price),
            "margin": str(k.margin),
        }
    return view

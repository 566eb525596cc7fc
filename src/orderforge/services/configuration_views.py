"""Read models of the configurator: remaining choices, a priced configuration and a
completed spec, cut to what the viewer may see (`services.visibility`).

A customer sees the price, never cost, margin, BOM or routing: those fields are left
unset and `views.plain` drops them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from orderforge.domain.user import Role
from orderforge.engines.configurator import Configuration, Conflict, Costing, Domains
from orderforge.services.visibility import hidden_configuration_fields


class ConflictView(BaseModel):
    message: str
    rules: list[str]
    names: list[str]


class RangeView(BaseModel):
    min: str
    max: str
    step: str


class ParameterDomainView(BaseModel):
    unit: str
    ranges: list[RangeView]


class RemainingView(BaseModel):
    family: str
    version: int
    consistent: bool
    options: dict[str, list[str]]
    parameters: dict[str, ParameterDomainView]
    conflicts: list[ConflictView]


class BomItemView(BaseModel):
    component: str
    name: str
    quantity: str
    unit: str
    unit_cost: str


class OperationView(BaseModel):
    key: str
    code: str
    name: str
    work_centres: list[str]
    setup_minutes: str
    run_minutes: str
    predecessors: list[str]


class CostingView(BaseModel):
    price: str
    material_cost: str | None = Field(default=None, description="Staff only")
    labour_cost: str | None = Field(default=None, description="Staff only")
    cost: str | None = Field(default=None, description="Staff only")
    margin: str | None = Field(default=None, description="Staff only")


class EvaluationView(BaseModel):
    family: str
    version: int
    valid: bool
    spec: dict[str, str]
    defaulted: list[str]
    missing: list[str]
    violated: list[str]
    conflicts: list[ConflictView]
    computed: dict[str, str]
    bom: list[BomItemView] | None = Field(default=None, description="Staff only")
    routing: list[OperationView] | None = Field(default=None, description="Staff only")
    costing: CostingView | None


class CompletionView(BaseModel):
    """The one completion rule's answer: the picks, the completed spec, what was filled
    differently from the catalogue default, and the completed spec checked and priced."""

    family: str
    version: int
    picks: dict[str, str]
    complete: bool = Field(description="False when the picks themselves conflict")
    spec: dict[str, str]
    filled: dict[str, str] = Field(description="Unpicked values not at the default")
    conflicts: list[ConflictView] = Field(description="Why the picks cannot be completed")
    evaluation: EvaluationView | None


def conflict_view(conflict: Conflict) -> ConflictView:
    return ConflictView(
        message=conflict.message, rules=list(conflict.rules), names=sorted(conflict.names)
    )


def remaining_view(code: str, version: int, domains: Domains) -> RemainingView:
    return RemainingView(
        family=code,
        version=version,
        consistent=domains.consistent,
        options={k: list(v) for k, v in domains.options.items()},
        parameters={
            k: ParameterDomainView(
                unit=d.unit,
                ranges=[
                    RangeView(min=str(r.minimum), max=str(r.maximum), step=str(r.step))
                    for r in d.ranges
                ],
            )
            for k, d in domains.parameters.items()
        },
        conflicts=[conflict_view(c) for c in domains.conflicts],
    )


def _costing(costing: Costing, hidden: frozenset[str]) -> CostingView:
    fields = {
        "price": str(costing.price),
        "material_cost": str(costing.material_cost),
        "labour_cost": str(costing.labour_cost),
        "cost": str(costing.cost),
        "margin": str(costing.margin),
    }
    return CostingView(**{k: v for k, v in fields.items() if k not in hidden})


def _engineering(c: Configuration) -> dict[str, Any]:
    return {
        "bom": [
            BomItemView(
                component=i.component,
                name=i.name,
                quantity=str(i.quantity),
                unit=i.unit,
                unit_cost=str(i.unit_cost),
            )
            for i in c.components
        ],
        "routing": [
            OperationView(
                key=o.key,
                code=o.code,
                name=o.name,
                work_centres=list(o.work_centres),
                setup_minutes=str(o.setup_minutes),
                run_minutes=str(o.run_minutes),
                predecessors=list(o.predecessors),
            )
            for o in c.routing
        ],
    }


def evaluation_view(fields: dict[str, Any], role: Role) -> EvaluationView:
    """`fields`: the evaluation's public fields plus `configuration` and `costing`."""
    hidden = hidden_configuration_fields(role)
    configuration: Configuration | None = fields.pop("configuration")
    costing: Costing | None = fields.pop("costing")
    engineering: dict[str, Any] = {"bom": [], "routing": []}
    if configuration is not None:
        fields["computed"] = {k: str(x) for k, x in configuration.computed.items()}
        engineering = _engineering(configuration)
    fields.setdefault("computed", {})
    for name, value in engineering.items():
        if name not in hidden:
            fields[name] = value
    fields["costing"] = _costing(costing, hidden) if costing is not None else None
    return EvaluationView(**fields)

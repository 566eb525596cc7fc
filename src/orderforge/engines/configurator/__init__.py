"""Product configuration engine: families as data, exact option domains, BOM, routing, price.

Pure like the scheduling engine (no framework, no storage): standard library and OR-Tools
only (PyYAML only when a YAML text is loaded), plain data in, plain data out.

    family = load_family(data)                      # or load_family_text(yaml_text)
    domains = remaining_domains(family, {"top_material": "glass"})
    validity = check_spec(family, spec)             # valid, or minimal conflicts in words
    configuration = configure(family, spec)         # multi-level BOM + routing DAG
    costing = price(configuration, rates, MarginRule(Decimal("0.35")))

See docs/configurator.md for the catalogue format and the guarantees.
"""

from orderforge.engines.configurator.bom import BomItem, BomNode, Configuration, configure
from orderforge.engines.configurator.catalogue import (
    BomLine,
    Choice,
    Component,
    Computed,
    Family,
    Module,
    ModuleUse,
    OperationTemplate,
    Option,
    Parameter,
    Rule,
    RuleKind,
    WorkCentre,
)
from orderforge.engines.configurator.catalogue_text import load_family_text, parse_catalogue_text
from orderforge.engines.configurator.conflicts import Conflict, SpecItem
from orderforge.engines.configurator.domains import (
    Domains,
    ParameterDomain,
    ValueRange,
    remaining_domains,
)
from orderforge.engines.configurator.errors import (
    CatalogueError,
    ConfigurationError,
    Issue,
    SolverLimitError,
    SpecError,
)
from orderforge.engines.configurator.expression import ExpressionError, parse
from orderforge.engines.configurator.loader import load_family
from orderforge.engines.configurator.pricing import (
    Costing,
    LabourCost,
    MarginRule,
    MaterialCost,
    PricingError,
    price,
)
from orderforge.engines.configurator.routing import RoutedOperation
from orderforge.engines.configurator.validity import Validity, check_spec

__all__ = [
    "BomItem",
    "BomLine",
    "BomNode",
    "CatalogueError",
    "Choice",
    "Component",
    "Computed",
    "Configuration",
    "ConfigurationError",
    "Conflict",
    "Costing",
    "Domains",
    "ExpressionError",
    "Family",
    "Issue",
    "LabourCost",
    "MarginRule",
    "MaterialCost",
    "Module",
    "ModuleUse",
    "OperationTemplate",
    "Option",
    "Parameter",
    "ParameterDomain",
    "PricingError",
    "RoutedOperation",
    "Rule",
    "RuleKind",
    "SolverLimitError",
    "SpecError",
    "SpecItem",
    "Validity",
    "ValueRange",
    "WorkCentre",
    "check_spec",
    "configure",
    "load_family",
    "load_family_text",
    "parse",
    "parse_catalogue_text",
    "price",
    "remaining_domains",
]

"""Example catalogues shipped with the engine, for tests, docs and the benchmark.

`dining_table.yaml` is the demo workshop's table; `synthetic.py` generates large seeded
families for the benchmark and property tests.
"""

from __future__ import annotations

from importlib import resources

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.catalogue_text import load_family_text

__all__ = ["example_text", "load_example"]


def example_text(name: str = "dining_table") -> str:
    """The YAML text of an example catalogue shipped in this package."""
    return resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_example(name: str = "dining_table") -> Family:
    """Load an example family (a fresh Family object on every call)."""
    return load_family_text(example_text(name))

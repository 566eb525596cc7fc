"""Catalogue documents: YAML or JSON text -> catalogue data -> `load_family`.

YAML is read with `yaml.safe_load` only (plain data, never arbitrary objects), and the
import is local so the rest of the engine works without PyYAML installed.
"""

from __future__ import annotations

import importlib
import json

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.errors import CatalogueError, Issue
from orderforge.engines.configurator.loader import load_family

__all__ = ["load_family_text", "parse_catalogue_text"]


def parse_catalogue_text(text: str, format: str = "yaml") -> object:
    """The plain data of a YAML or JSON catalogue; CatalogueError if it does not parse."""
    if format == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CatalogueError([Issue(f"line {error.lineno}", error.msg)]) from None
    if format != "yaml":
        raise CatalogueError([Issue("format", f"'{format}' is not yaml or json")])
    yaml = importlib.import_module("yaml")  # optional dependency, only for YAML text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        raise CatalogueError([Issue(where, str(getattr(error, "problem", error)))]) from None


def load_family_text(text: str, format: str = "yaml") -> Family:
    """Parse YAML/JSON text and load the family it describes."""
    return load_family(parse_catalogue_text(text, format))

"""Shared fixtures: the example table family, loaded once per test module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from orderforge.engines.configurator import Family, load_family
from orderforge.engines.configurator.examples import load_example


@pytest.fixture(scope="module")
def table() -> Family:
    return load_example("dining_table")


def tiny_catalogue(**overrides: Any) -> dict[str, Any]:
    """A small valid catalogue; keyword arguments replace top-level sections."""
    data: dict[str, Any] = {
        "family": "TINY",
        "version": "1",
        "options": [
            {"code": "top", "label": "Top", "choices": ["oak", "glass"], "default": "oak"},
            {"code": "base", "label": "Base", "choices": ["legs", "trestle"], "default": "legs"},
        ],
        "parameters": [
            {
                "code": "length",
                "label": "Length",
                "unit": "mm",
                "min": 800,
                "max": 3000,
                "step": 10,
                "default": 1800,
            },
        ],
        "computed": [{"code": "metres", "formula": "length / 1000", "unit": "m"}],
        "rules": [
            {
                "id": "glass-length",
                "if": "top = 'glass'",
                "range": {"parameter": "length", "max": 1800},
                "message": "glass tops go up to 1800 mm",
            },
        ],
        "components": [{"code": "BOARD", "unit": "m", "unit_cost": "10"}],
        "work_centres": [{"code": "SAW"}],
        "modules": [],
        "product": {
            "bom": [{"component": "BOARD", "quantity": "metres"}],
            "operations": [{"code": "CUT", "work_centres": ["SAW"], "setup": 5, "run": 10}],
        },
    }
    data.update(overrides)
    return data


@pytest.fixture
def tiny() -> Callable[..., Family]:
    return lambda **overrides: load_family(tiny_catalogue(**overrides))

"""Response shapes of the catalogue API (the configurator's own read models live in
services.configuration_views)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class VersionOut(BaseModel):
    family: str
    name: str
    version: int
    label: str
    format: str
    checksum: str
    imported_at: dt.datetime
    imported_by: str


class FamilyOut(VersionOut):
    description: str


class ImportOut(VersionOut):
    created: bool


class ChoiceOut(BaseModel):
    code: str
    label: str


class OptionOut(BaseModel):
    code: str
    label: str
    default: str | None
    choices: list[ChoiceOut]


class ParameterOut(BaseModel):
    code: str
    label: str
    unit: str
    min: str
    max: str
    step: str
    default: str | None


class ComputedOut(BaseModel):
    code: str
    label: str
    unit: str
    formula: str


class RuleOut(BaseModel):
    id: str
    kind: str
    message: str
    formula: str


class FamilySchemaOut(VersionOut):
    code: str
    description: str
    options: list[OptionOut]
    parameters: list[ParameterOut]
    computed: list[ComputedOut]
    rules: list[RuleOut]

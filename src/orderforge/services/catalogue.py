"""Catalogue use cases: import a family's catalogue as a new version, read it back.

Catalogue versions are immutable; an import whose text is identical to the newest
version changes nothing. Parsed families are cached by checksum, because parsing and
the load-time solver checks take tens of milliseconds and a version never changes.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion, catalogue_checksum
from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import IMPORT, VIEW, Resource, require
from orderforge.engines.configurator import CatalogueError, Family, load_family_text
from orderforge.plant import services as plant
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

_cache: dict[str, Family] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 64


def parse_family(text: str, fmt: CatalogueFormat) -> Family:
    """The engine's Family for a catalogue text, or InvalidInput listing every problem."""
    key = f"{fmt.value}:{catalogue_checksum(text)}"
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        family = load_family_text(text, format=fmt.value)
    except CatalogueError as exc:
        raise InvalidInput(str(exc), field="catalogue") from None
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = family
    return family


def family_of(entry: CatalogueVersion) -> Family:
    return parse_family(entry.document, entry.format)


def family_at(uow: UnitOfWork, family_code: str, version: int) -> Family | None:
    """The parsed family of a stored version (None: no such version)."""
    return families_at(uow, [(family_code, version)])[(family_code, version)]


def families_at(
    uow: UnitOfWork, versions: Collection[tuple[str, int]]
) -> dict[tuple[str, int], Family | None]:
    """The parsed family of each stored (family code, version); None for one not stored.
    Their checksums come in one query, and a text (tens of kilobytes) is read only when
    its parse is not cached yet: the floor's queue asks for the families of the rows it
    shows at every report."""
    wanted = set(versions)
    found = uow.catalogue.checksums(wanted)
    families: dict[tuple[str, int], Family | None] = {}
    for key in wanted:
        if key not in found:
            families[key] = None
            continue
        fmt, checksum = found[key]
        with _cache_lock:
            cached = _cache.get(f"{fmt.value}:{checksum}")
        if cached is None:
            entry = uow.catalogue.get(*key)
            cached = family_of(entry) if entry is not None else None
        families[key] = cached
    return families


@dataclass(frozen=True)
class ImportCatalogue:
    text: str
    format: str = "yaml"


def _format(value: str) -> CatalogueFormat:
    try:
        return CatalogueFormat(value.lower())
    except ValueError:
        raise InvalidInput(
            f"Unknown catalogue format '{value}'; use yaml or json.", field="format"
        ) from None


def import_catalogue(ctx: ServiceContext, actor: Principal, cmd: ImportCatalogue) -> dict[str, Any]:
    require(actor.role, Resource.CATALOGUE, IMPORT)
    fmt = _format(cmd.format)
    if not cmd.text.strip():
        raise InvalidInput("The catalogue file is empty.", field="catalogue")
    family = parse_family(cmd.text, fmt)
    with ctx.uow() as uow:
        _check_plant_knows(uow, family)
        latest = uow.catalogue.latest(family.code)
        if latest is not None and latest.checksum == catalogue_checksum(cmd.text):
            return {**version_view(latest), "created": False}
        entry = CatalogueVersion.imported(
            family_code=family.code,
            previous=latest.version if latest else 0,
            label=family.version,
            name=family.name,
            document=cmd.text,
            format=fmt,
            actor=actor.username,
            at=ctx.clock.now(),
        )
        uow.catalogue.add(entry)
        uow.commit()
        return {**version_view(entry), "created": True}


def _check_plant_knows(uow: UnitOfWork, family: Family) -> None:
    """Operations must run on work centres this plant has, or the plan cannot place them."""
    known = {w.code for w in plant.active_work_centres(uow)}
    unknown = sorted(w.code for w in family.work_centres if w.code not in known)
    if known and unknown:
        raise InvalidInput(
            f"Catalogue {family.code} names work centres this plant does not have: "
            + ", ".join(unknown)
            + ". Add them to the plant first.",
            field="work_centres",
        )


def version_view(entry: CatalogueVersion) -> dict[str, Any]:
    return {
        "family": entry.family_code,
        "name": entry.name,
        "version": entry.version,
        "label": entry.label,
        "format": entry.format.value,
        "checksum": entry.checksum,
        "imported_at": entry.imported_at.isoformat(),
        "imported_by": entry.imported_by,
    }


def entry_for(uow: UnitOfWork, family_code: str, version: int | None = None) -> CatalogueVersion:
    code = family_code.strip().upper()
    entry = uow.catalogue.latest(code) if version is None else uow.catalogue.get(code, version)
    if entry is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"There is no product family {family_code}{which} in the catalogue.")
    return entry


def list_families(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entries = uow.catalogue.latest_all()
        return [{**version_view(e), "description": family_of(e).description} for e in entries]


def family_history(ctx: ServiceContext, actor: Principal, code: str) -> list[dict[str, Any]]:
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entry_for(uow, code)
        return [version_view(e) for e in uow.catalogue.history(code.strip().upper())]


def export_catalogue(
    ctx: ServiceContext, actor: Principal, code: str, version: int | None = None
) -> tuple[str, CatalogueFormat]:
    """The catalogue exactly as imported, to edit and import again."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entry = entry_for(uow, code, version)
        return entry.document, entry.format


def family_schema(
    ctx: ServiceContext, actor: Principal, code: str, version: int | None = None
) -> dict[str, Any]:
    """What a configurator screen needs: options, parameters, computed values, rules."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        entry = entry_for(uow, code, version)
        family, header = family_of(entry), version_view(entry)
    return {
        **header,
        "code": family.code,
        "description": family.description,
        "options": [
            {
                "code": o.code,
                "label": o.label,
                "default": o.default,
                "choices": [{"code": c.code, "label": c.label} for c in o.choices],
            }
            for o in family.options
        ],
        "parameters": [
            {
                "code": p.code,
                "label": p.label,
                "unit": p.unit,
                "min": str(p.minimum),
                "max": str(p.maximum),
                "step": str(p.step),
                "default": None if p.default is None else str(p.default),
            }
            for p in family.parameters
        ],
        "computed": [
            {"code": c.code, "label": c.label, "unit": c.unit, "formula": c.formula.text}
            for c in family.computed
        ],
        "rules": [
            {"id": r.id, "kind": r.kind.value, "message": r.message, "formula": r.condition.text}
            for r in family.rules
        ],
    }


def family_schemas(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """Every family's newest schema, for order forms that offer all products."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    with ctx.uow() as uow:
        codes = [e.family_code for e in uow.catalogue.latest_all()]
    return [family_schema(ctx, actor, code) for code in codes]

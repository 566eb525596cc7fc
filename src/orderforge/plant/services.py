"""Plant use cases: read, create, edit and retire master data; import and export the file.

Every write goes one way: the wanted master data (what is stored, overlaid with the
file or the one edited entry) is checked as a whole, the differences become changes,
and the changes are stored in one transaction with one audit event each. So a bad
entry anywhere refuses the whole change and nothing half-applied is ever stored.
Entries a file does not mention are kept: nothing is deleted; retiring is a status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped]

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.events import DomainEvent
from orderforge.domain.permissions import EDIT, VIEW, Resource, require
from orderforge.engines.configurator import load_family_text
from orderforge.plant.document import PlantData, PlantFileInvalid, read_plant, write_plant
from orderforge.plant.domain import Calendar, Component, PlantSettings, PricingPolicy, WorkCentre
from orderforge.plant.ports import PLANT, WORK_CENTRE_USE
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

SECTION_OF = {"calendars": "calendar", "work_centres": "work_centre", "items": "item"}
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Change:
    """One entry that differs: created or changed, with the fields before and after."""

    section: str
    code: str
    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any]

    def describe(self) -> str:
        if self.before is None:
            return f"{self.section} {self.code}: created"
        fields = sorted(k for k in self.after if self.after[k] != self.before.get(k))
        return f"{self.section} {self.code}: {', '.join(fields)} changed"


def stored_plant(uow: UnitOfWork) -> PlantData:
    repo = uow.repository(PLANT)
    return PlantData(
        settings=repo.settings(),
        calendars=repo.calendars(),
        work_centres=repo.work_centres(),
        items=repo.components(),
        pricing=repo.pricing(),
    )


def _entries(doc: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {e["code"]: e for e in doc.get(section, [])}


def changes_between(current: PlantData, wanted: PlantData) -> list[Change]:
    """What storing `wanted` over `current` changes, in file order (sorted, stable)."""
    now, then = write_plant(current), write_plant(wanted)
    out: list[Change] = []
    if "settings" in then and then["settings"] != now.get("settings"):
        out.append(Change("settings", "plant", "settings", now.get("settings"), then["settings"]))
    for section in ("calendars", "work_centres", "items"):
        before = _entries(now, section)
        for code, after in _entries(then, section).items():
            if before.get(code) != after:
                out.append(Change(section, code, SECTION_OF[section], before.get(code), after))
    if then["pricing"] != now["pricing"]:
        rules = {"rules": now["pricing"]} if now["pricing"] else None
        out.append(Change("pricing", "policy", "pricing", rules, {"rules": then["pricing"]}))
    return out


def overlay(current: PlantData, incoming: PlantData) -> PlantData:
    """Stored master data with the incoming entries put in (by code); others kept."""

    def merged(old: list[Any], new: list[Any]) -> list[Any]:
        by_code = {x.code: x for x in old}
        by_code.update({x.code: x for x in new})
        return sorted(by_code.values(), key=lambda x: x.code)

    return PlantData(
        settings=incoming.settings or current.settings,
        calendars=merged(current.calendars, incoming.calendars),
        work_centres=merged(current.work_centres, incoming.work_centres),
        items=merged(current.items, incoming.items),
        pricing=incoming.pricing if incoming.pricing.rules else current.pricing,
    )


def _catalogue_use(uow: UnitOfWork) -> tuple[dict[str, set[str]], dict[str, tuple[str, str]]]:
    """Work centre -> families whose newest catalogue routes through it; component ->
    (unit, family) as the newest catalogues count it."""
    centres: dict[str, set[str]] = {}
    units: dict[str, tuple[str, str]] = {}
    for entry in uow.catalogue.latest_all():
        family = load_family_text(entry.document, format=entry.format.value)
        for centre in family.work_centres:
            centres.setdefault(centre.code, set()).add(entry.family_code)
        for part in family.components:
            units.setdefault(part.code, (part.unit, entry.family_code))
    return centres, units


def _refusals(
    uow: UnitOfWork, current: PlantData, wanted: PlantData, where: dict[str, str]
) -> list[str]:
    """Cross-checks the file alone cannot make: catalogues, open orders, references."""
    problems: list[str] = []
    before = {w.code: w for w in current.work_centres}
    catalogue_centres, units = _catalogue_use(uow)
    retiring: set[str] = set()
    for w in wanted.work_centres:
        path = where.get(f"work_centres/{w.code}", f"work_centres.{w.code}")
        if w.status.value == "retired" and w.code in catalogue_centres:
            families = ", ".join(sorted(catalogue_centres[w.code]))
            problems.append(
                f"{path}.status: work centre {w.code} cannot be retired: the catalogue of "
                f"{families} routes operations through it"
            )
        elif (
            w.status.value == "retired"
            and w.code in before
            and before[w.code].status.value != "retired"
        ):
            retiring.add(w.code)
    if retiring:
        for code, order in sorted(
            uow.repository(WORK_CENTRE_USE).open_work_using(retiring).items()
        ):
            path = where.get(f"work_centres/{code}", f"work_centres.{code}")
            problems.append(
                f"{path}.status: work centre {code} cannot be retired: open order {order} "
                "has unfinished operations that need it"
            )
    for item in wanted.items:
        if item.code in units and units[item.code][0] != item.unit:
            unit, family = units[item.code]
            path = where.get(f"items/{item.code}", f"items.{item.code}")
            problems.append(
                f"{path}.unit: unit of measure '{item.unit}' does not match '{unit}', "
                f"in which the catalogue of {family} counts {item.code}"
            )
    return problems


def _paths(document: object) -> dict[str, str]:
    """section/code -> the entry's path in the file, for naming problems."""
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for section in ("calendars", "work_centres", "items"):
            for i, raw in enumerate(document.get(section) or []):
                if isinstance(raw, dict) and isinstance(raw.get("code"), str):
                    found.setdefault(f"{section}/{raw['code']}", f"{section}[{i}]")
    return found


def _events(
    changes: list[Change], actor: str, at: dt.datetime, reason: str | None = None
) -> list[DomainEvent]:
    events = []
    for c in changes:
        verb = "created" if c.before is None else "changed"
        if c.before is not None and c.after.get("status") != c.before.get("status"):
            verb = "retired" if c.after.get("status") in ("retired", "blocked") else "changed"
        data: dict[str, Any] = {"before": c.before, "after": c.after}
        if reason:
            data["reason"] = reason
        if c.section == "settings":
            data = {k: {**v, "logo": bool(v.get("logo"))} if v else v for k, v in data.items()}
        events.append(
            DomainEvent(f"plant_{c.kind}", c.code, f"plant_{c.kind}_{verb}", actor, at, data)
        )
    return events


def _store(uow: UnitOfWork, wanted: PlantData, changes: list[Change]) -> None:
    repo = uow.repository(PLANT)
    touched = {(c.section, c.code) for c in changes}
    if ("settings", "plant") in touched and wanted.settings is not None:
        repo.save_settings(wanted.settings)
    for c in wanted.calendars:
        if ("calendars", c.code) in touched:
            repo.save_calendar(c)
    for w in wanted.work_centres:
        if ("work_centres", w.code) in touched:
            repo.save_work_centre(w)
    for i in wanted.items:
        if ("items", i.code) in touched:
            repo.save_component(i)
    if ("pricing", "policy") in touched:
        repo.save_pricing(wanted.pricing)


def apply_document(
    uow: UnitOfWork,
    actor: str,
    at: dt.datetime,
    document: object,
    dry_run: bool = False,
    reason: str | None = None,
) -> list[Change]:
    """Check `document` against stored data and, unless a dry run, store its changes in
    this unit of work (the caller commits). Refuses with every problem by path.
    `reason` (why someone retired an entry) travels into the audit events."""
    current = stored_plant(uow)
    incoming = read_plant(document, known_calendars={c.code for c in current.calendars})
    wanted = overlay(current, incoming)
    problems = _refusals(uow, current, wanted, _paths(document))
    if problems:
        raise PlantFileInvalid(problems)
    changes = changes_between(current, wanted)
    if not dry_run and changes:
        _store(uow, wanted, changes)
        uow.events.append(_events(changes, actor, at, reason))
    return changes


def parse_yaml(text: str) -> object:
    if len(text.encode()) > MAX_FILE_BYTES:
        raise InvalidInput(f"A plant file may be at most {MAX_FILE_BYTES} bytes.", field="file")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The plant file is not valid YAML: {exc}", field="file") from None


def import_plant(
    ctx: ServiceContext, actor: Principal, text: str, dry_run: bool = False
) -> dict[str, Any]:
    """Bring the plant file in as one change (or, dry run, say what it would change)."""
    require(actor.role, Resource.PLANT, EDIT)
    document = parse_yaml(text)
    with ctx.uow() as uow:
        changes = apply_document(uow, actor.username, ctx.clock.now(), document, dry_run)
        if not dry_run:
            uow.commit()
    return {"dry_run": dry_run, "changes": [c.describe() for c in changes]}


def export_document(uow: UnitOfWork) -> dict[str, Any]:
    return write_plant(stored_plant(uow))


def export_plant(ctx: ServiceContext, actor: Principal) -> str:
    """The whole master data as the plant file (YAML), sorted so exports diff cleanly."""
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        document = export_document(uow)
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))


# -- one entry at a time (API, pages) ---------------------------------------------------

SECTIONS = ("calendars", "work_centres", "items")


def _one(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {section: [entry]}


def _as_fields(exc: PlantFileInvalid, prefix: str) -> InvalidInput:
    """Problems of a one-entry document, named by the entry's own fields."""
    return PlantFileInvalid([p.removeprefix(prefix) for p in exc.problems])


def _write(
    ctx: ServiceContext,
    actor: Principal,
    document: dict[str, Any],
    prefix: str,
    reason: str | None = None,
) -> list[Change]:
    require(actor.role, Resource.PLANT, EDIT)
    with ctx.uow() as uow:
        try:
            changes = apply_document(uow, actor.username, ctx.clock.now(), document, reason=reason)
        except PlantFileInvalid as exc:
            raise _as_fields(exc, prefix) from None
        uow.commit()
    return changes


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise NotFound(f"There is no kind of plant data called {section!r}.")
    return section


def _existing(ctx: ServiceContext, section: str, code: str) -> dict[str, Any] | None:
    with ctx.uow() as uow:
        return _entries(export_document(uow), section).get(code)


def create_entry(
    ctx: ServiceContext, actor: Principal, section: str, entry: dict[str, Any]
) -> dict[str, Any]:
    """Add a calendar, work centre or item; its code must be new."""
    require(actor.role, Resource.PLANT, EDIT)
    code = entry.get("code")
    if isinstance(code, str) and _existing(ctx, _section(section), code) is not None:
        raise InvalidInput(f"duplicate code: {code} already exists; edit it instead.", field="code")
    _write(ctx, actor, _one(section, entry), f"{section}[0].")
    return get_entry(ctx, actor, section, str(code))


def edit_entry(
    ctx: ServiceContext,
    actor: Principal,
    section: str,
    code: str,
    fields: dict[str, Any],
    reason: str | None = None,
) -> dict[str, Any]:
    """Change some fields of an entry (the code stays)."""
    require(actor.role, Resource.PLANT, EDIT)
    before = _existing(ctx, _section(section), code)
    if before is None:
        raise NotFound(f"There is no {SECTION_OF[section].replace('_', ' ')} {code}.")
    if "code" in fields and fields["code"] != code:
        raise InvalidInput("The code of an entry cannot change.", field="code")
    _write(ctx, actor, _one(section, {**before, **fields}), f"{section}[0].", reason)
    return get_entry(ctx, actor, section, code)


def retire_entry(
    ctx: ServiceContext, actor: Principal, section: str, code: str, reason: str | None = None
) -> dict[str, Any]:
    """Retire a work centre (status retired) or block an item; nothing is deleted. The
    reason, when given, is kept in the audit event so later readers know why."""
    if section not in ("work_centres", "items"):
        raise InvalidInput("Only work centres and items are retired.", field="kind")
    if reason is not None and len(reason) > 500:
        raise InvalidInput("Say why in at most 500 characters.", field="reason")
    status = "retired" if section == "work_centres" else "blocked"
    return edit_entry(ctx, actor, section, code, {"status": status}, reason=reason)


def get_entry(ctx: ServiceContext, actor: Principal, section: str, code: str) -> dict[str, Any]:
    require(actor.role, Resource.PLANT, VIEW)
    found = _existing(ctx, _section(section), code)
    if found is None:
        raise NotFound(f"There is no {SECTION_OF[section].replace('_', ' ')} {code}.")
    return found


def list_entries(ctx: ServiceContext, actor: Principal, section: str) -> list[dict[str, Any]]:
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        return list(export_document(uow)[_section(section)])


def get_settings(ctx: ServiceContext, actor: Principal) -> dict[str, Any] | None:
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        found: dict[str, Any] | None = export_document(uow).get("settings")
        return found


def save_settings(ctx: ServiceContext, actor: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    """Set the plant's settings (first time: name, country and currency are required)."""
    before = get_settings(ctx, actor) or {}
    _write(ctx, actor, {"settings": {**before, **fields}}, "settings.")
    return get_settings(ctx, actor) or {}


def get_pricing(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        return list(export_document(uow)["pricing"])


def save_pricing(
    ctx: ServiceContext, actor: Principal, rules: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replace the pricing policy (the margin rules) as a whole; one must be the default."""
    if not rules:
        raise InvalidInput("Give at least the default rule.", field="pricing")
    _write(ctx, actor, {"pricing": rules}, "")
    return get_pricing(ctx, actor)


# -- what other contexts read -----------------------------------------------------------


def plant_settings(uow: UnitOfWork) -> PlantSettings | None:
    return uow.repository(PLANT).settings()


def pricing_policy(uow: UnitOfWork) -> PricingPolicy:
    return uow.repository(PLANT).pricing()


def active_work_centres(uow: UnitOfWork) -> list[WorkCentre]:
    """The work centres the planner may use (retired ones are kept for history only)."""
    return [w for w in uow.repository(PLANT).work_centres() if w.status.value == "active"]


def active_work_centre(uow: UnitOfWork, code: str) -> WorkCentre | None:
    """The active work centre of exactly this code (one row, where a page needs one)."""
    found = uow.repository(PLANT).work_centre(code)
    return found if found is not None and found.status.value == "active" else None


def calendars_by_code(uow: UnitOfWork) -> dict[str, Calendar]:
    return {c.code: c for c in uow.repository(PLANT).calendars()}


def components_by_code(uow: UnitOfWork) -> dict[str, Component]:
    return {c.code: c for c in uow.repository(PLANT).components()}


def plant_overview(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    """What the planner really uses: work centres, calendars, items, settings, pricing."""
    require(actor.role, Resource.PLANT, VIEW)
    with ctx.uow() as uow:
        document = export_document(uow)
    settings = document.get("settings")
    if settings is not None:
        settings = {**settings, "logo": bool(settings.get("logo"))}
    return {
        "settings": settings,
        "calendars": document["calendars"],
        "work_centres": document["work_centres"],
        "items": document["items"],
        "pricing": document["pricing"],
    }

"""Plant use cases against in-memory ports: import/export, edits, refusals that change
nothing, audit events, and the pricing policy reaching the configurator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.user import Role
from orderforge.plant import services as plant
from orderforge.plant.document import PlantFileInvalid
from orderforge.plant.ports import WORK_CENTRE_USE
from orderforge.services import configuration
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, FakeWorkCentreUse, PlainHasher

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "docs" / "examples" / "plant.yaml").read_text("utf-8")
TABLE = (ROOT / "src/orderforge/engines/configurator/examples/dining_table.yaml").read_text()
ADMIN = Principal(1, "admin", Role.ADMIN, "Admin")
PLANNER = Principal(2, "planner", Role.PLANNER, "Planner")
AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    context = ServiceContext(uow=uow, clock=FixedClock(), hasher=PlainHasher())
    plant.import_plant(context, ADMIN, EXAMPLE)
    return context


def add_catalogue(uow: FakeUnitOfWork, text: str, version: int = 1) -> None:
    uow.catalogue.add(
        CatalogueVersion.imported(
            family_code="TABLE",
            previous=version - 1,
            label=str(version),
            name="Table",
            document=text,
            format=CatalogueFormat.YAML,
            actor="t",
            at=AT,
        )
    )


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(EXAMPLE)
    doc.update(changes)
    return doc


def test_an_import_of_the_export_changes_nothing(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    exported = plant.export_plant(ctx, ADMIN)
    events = len(uow.events.rows)
    assert plant.import_plant(ctx, ADMIN, exported)["changes"] == []
    assert plant.export_plant(ctx, ADMIN) == exported
    assert len(uow.events.rows) == events


def test_every_entry_created_is_an_audit_event(uow: FakeUnitOfWork, ctx: ServiceContext) -> None:
    kinds = [e.kind for e in uow.events.rows]
    doc = document()
    assert kinds.count("plant_work_centre_created") == len(doc["work_centres"])
    assert kinds.count("plant_item_created") == len(doc["items"])
    assert "plant_settings_created" in kinds and "plant_pricing_created" in kinds


def test_a_dry_run_lists_changes_and_stores_nothing(ctx: ServiceContext) -> None:
    before = plant.export_plant(ctx, ADMIN)
    changed = before.replace("hourly_rate: '68.00'", "hourly_rate: '71.50'")
    result = plant.import_plant(ctx, ADMIN, changed, dry_run=True)
    assert result == {"dry_run": True, "changes": ["work_centres SAW-BEAM: hourly_rate changed"]}
    assert plant.export_plant(ctx, ADMIN) == before
    assert plant.import_plant(ctx, ADMIN, changed)["changes"] == result["changes"]
    assert "hourly_rate: '71.50'" in plant.export_plant(ctx, ADMIN)


def test_a_bad_file_changes_nothing(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    before, events = plant.export_plant(ctx, ADMIN), len(uow.events.rows)
    doc = yaml.safe_load(before)
    doc["items"][0]["cost"] = "99.00"  # a good change ...
    doc["work_centres"][3]["calendar"] = "NIGHT"  # ... and a bad one
    with pytest.raises(PlantFileInvalid) as caught:
        plant.import_plant(ctx, ADMIN, yaml.safe_dump(doc))
    assert caught.value.problems == ["work_centres[3].calendar: unknown calendar 'NIGHT'"]
    assert plant.export_plant(ctx, ADMIN) == before
    assert len(uow.events.rows) == events


def test_only_an_admin_edits_the_plant(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDenied):
        plant.import_plant(ctx, PLANNER, EXAMPLE)
    with pytest.raises(PermissionDenied):
        plant.edit_entry(ctx, PLANNER, "items", "MDF-25", {"cost": "1.00"})
    assert plant.get_entry(ctx, PLANNER, "items", "MDF-25")["cost"] == "14.20"


def test_create_edit_and_refusals_by_field(ctx: ServiceContext) -> None:
    item = {"code": "GLUE-PU", "name": "PU glue", "unit": "kg", "cost": "12.40"}
    assert plant.create_entry(ctx, ADMIN, "items", item)["lead_time_days"] == 0
    with pytest.raises(InvalidInput, match="duplicate code") as caught:
        plant.create_entry(ctx, ADMIN, "items", item)
    assert caught.value.field == "code"
    with pytest.raises(PlantFileInvalid) as bad:
        plant.edit_entry(ctx, ADMIN, "items", "GLUE-PU", {"unit": "bucket", "colour": "red"})
    assert [p.split(":")[0] for p in bad.value.problems] == ["colour", "unit"]
    with pytest.raises(NotFound):
        plant.edit_entry(ctx, ADMIN, "items", "NOPE", {"cost": "1"})
    edited = plant.edit_entry(ctx, ADMIN, "items", "GLUE-PU", {"lead_time_days": 10})
    assert edited["lead_time_days"] == 10 and edited["cost"] == "12.40"


def test_a_calendar_without_working_time_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(PlantFileInvalid) as caught:
        plant.edit_entry(ctx, ADMIN, "calendars", "DAY", {"shifts": []})
    assert caught.value.field == "shifts"
    assert plant.get_entry(ctx, ADMIN, "calendars", "DAY")["shifts"]


def test_an_item_unit_must_match_the_catalogue(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    add_catalogue(uow, TABLE)
    with pytest.raises(PlantFileInvalid) as caught:
        plant.edit_entry(ctx, ADMIN, "items", "MDF-25", {"unit": "pcs"})
    assert caught.value.field == "unit"
    assert "catalogue of TABLE counts MDF-25" in caught.value.message


def test_a_work_centre_a_catalogue_routes_through_cannot_be_retired(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    add_catalogue(uow, TABLE)
    with pytest.raises(PlantFileInvalid, match="catalogue of TABLE routes") as caught:
        plant.retire_entry(ctx, ADMIN, "work_centres", "PACKING")
    assert caught.value.field == "status"
    assert plant.get_entry(ctx, ADMIN, "work_centres", "PACKING")["status"] == "active"


def test_a_work_centre_open_work_needs_cannot_be_retired(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    # production answers who still needs a centre (WORK_CENTRE_USE); here, a fake
    use = uow.repository(WORK_CENTRE_USE)
    assert isinstance(use, FakeWorkCentreUse)
    use.open["PACKING"] = "SO-2026-0007"
    with pytest.raises(PlantFileInvalid, match="open order SO-2026-0007 has unfinished") as caught:
        plant.retire_entry(ctx, ADMIN, "work_centres", "PACKING")
    assert caught.value.field == "status"
    assert plant.get_entry(ctx, ADMIN, "work_centres", "PACKING")["status"] == "active"
    use.open.clear()
    assert plant.retire_entry(ctx, ADMIN, "work_centres", "PACKING")["status"] == "retired"
    assert "PACKING" not in {w.code for w in plant.active_work_centres(uow)}


def test_the_configurator_prices_with_the_pricing_policy(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    add_catalogue(uow, TABLE)
    priced = configuration.evaluate_in(uow, "TABLE", {})
    assert priced.costing is not None and priced.costing.margin == Decimal("0.32")
    assert priced.costing.price % 5 == 0  # the TABLE rule rounds to 5
    plant.save_pricing(ctx, ADMIN, [{"margin": "0.10", "step": "1"}])
    cheaper = configuration.evaluate_in(uow, "TABLE", {})
    assert cheaper.costing is not None and cheaper.costing.margin == Decimal("0.10")
    assert cheaper.costing.price < priced.costing.price
    with pytest.raises(PlantFileInvalid, match="default"):
        plant.save_pricing(ctx, ADMIN, [{"family": "TABLE", "margin": "0.2"}])


def test_settings_edit_keeps_the_rest(ctx: ServiceContext) -> None:
    saved = plant.save_settings(ctx, ADMIN, {"quote_validity_days": 60})
    assert saved["quote_validity_days"] == 60 and saved["currency"] == "CHF"
    assert saved["design_approval_days"] == 5  # the default, until the plant says
    saved = plant.save_settings(ctx, ADMIN, {"design_approval_days": 3})
    assert saved["design_approval_days"] == 3 and saved["quote_validity_days"] == 60
    for bad in (-1, 61, "soon"):
        with pytest.raises((PlantFileInvalid, InvalidInput)) as refused:
            plant.save_settings(ctx, ADMIN, {"design_approval_days": bad})
        assert getattr(refused.value, "field", "") == "design_approval_days"
    assert plant.get_settings(ctx, ADMIN)["design_approval_days"] == 3  # type: ignore[index]
    with pytest.raises(PlantFileInvalid) as caught:
        plant.save_settings(ctx, ADMIN, {"currency": "Swiss francs"})
    assert caught.value.field == "currency"

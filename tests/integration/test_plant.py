"""Plant master data on SQLite and PostgreSQL: the plant file round trip, one change or
none, and the set-up walk of docs/plant-setup.md with the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml  # type: ignore[import-untyped]
from typer.testing import CliRunner

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.user import Role
from orderforge.entrypoints.cli.main import app as cli_app
from orderforge.plant import services as plant
from orderforge.plant import storage
from orderforge.plant.document import PlantFileInvalid
from orderforge.plant.ports import WORK_CENTRE_USE
from orderforge.production.domain import OperationStatus
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "plant.yaml"
CATALOGUE = ROOT / "src/orderforge/engines/configurator/examples/dining_table.yaml"
ADMIN = Principal(0, "admin", Role.ADMIN, "Admin")


def _rows(application: Application) -> dict[str, list[tuple[object, ...]]]:
    tables = (storage.plant_settings, storage.calendars, storage.work_centres)
    with application.engine.connect() as conn:
        found = {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(t.c.id))]
            for t in (*tables, storage.components, storage.pricing_rules)
        }
        found["events"] = [tuple(r) for r in conn.execute(sa.text("SELECT id FROM events"))]
    return found


def test_the_plant_file_round_trips(application: Application) -> None:
    text = EXAMPLE.read_text("utf-8")
    first = plant.import_plant(application.ctx, ADMIN, text)["changes"]
    assert len(first) == 1 + 2 + 13 + len(yaml.safe_load(text)["items"]) + 1
    exported = plant.export_plant(application.ctx, ADMIN)
    assert plant.import_plant(application.ctx, ADMIN, exported)["changes"] == []
    assert plant.import_plant(application.ctx, ADMIN, text)["changes"] == []
    assert plant.export_plant(application.ctx, ADMIN) == exported
    data = yaml.safe_load(exported)
    assert data["settings"]["tax_rate"] == "0.081"
    assert [c["code"] for c in data["calendars"]] == ["ALWAYS", "DAY"]
    booth = next(w for w in data["work_centres"] if w["code"] == "PAINT-BOOTH")
    assert booth["setup_attribute"] == "finish" and booth["changeover"]["matt-lacquer"]


def test_a_bad_file_changes_nothing(application: Application) -> None:
    plant.import_plant(application.ctx, ADMIN, EXAMPLE.read_text("utf-8"))
    before = _rows(application)
    doc = yaml.safe_load(plant.export_plant(application.ctx, ADMIN))
    doc["settings"]["name"] = "Renamed AG"
    doc["items"][0]["cost"] = "1.00"
    doc["items"].append({"code": "NEW-ITEM", "name": "New", "unit": "pcs"})
    doc["work_centres"][0]["units"] = 0
    with pytest.raises(PlantFileInvalid) as caught:
        plant.import_plant(application.ctx, ADMIN, yaml.safe_dump(doc))
    assert caught.value.problems[0].startswith("work_centres[0].units: ")
    assert _rows(application) == before


def test_a_failure_while_storing_rolls_the_whole_change_back(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant.import_plant(application.ctx, ADMIN, EXAMPLE.read_text("utf-8"))
    before = _rows(application)
    doc = yaml.safe_load(plant.export_plant(application.ctx, ADMIN))
    for item in doc["items"]:
        item["cost"] = "2.00"
    original = storage.SqlPlantRepository.save_component
    calls = {"n": 0}

    def failing(self: storage.SqlPlantRepository, component: object) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        original(self, component)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.SqlPlantRepository, "save_component", failing)
    with pytest.raises(RuntimeError):
        plant.import_plant(application.ctx, ADMIN, yaml.safe_dump(doc))
    assert _rows(application) == before


def test_the_demo_plant_comes_from_its_plant_file(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=5)
    exported = yaml.safe_load(plant.export_plant(application.ctx, ADMIN))
    assert exported["settings"]["name"] == "Holzwerk Nordlicht"
    assert exported["settings"]["currency"] == "EUR"
    dry = next(w for w in exported["work_centres"] if w["code"] == "DRY-CURE")
    assert dry["batch_capacity"] > 1
    text = demo.plant.plant_file_text()
    assert plant.import_plant(application.ctx, ADMIN, text, dry_run=True)["changes"] == []


def test_production_tells_the_plant_which_open_work_needs_a_centre(
    application: Application,
) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    with application.ctx.uow() as uow:
        needed = uow.repository(WORK_CENTRE_USE).open_work_using({"PACKING", "NO-SUCH"})
        assert set(needed) == {"PACKING"}
        order = uow.orders.get(needed["PACKING"])
        assert order is not None
        current = uow.repository(WORK_ORDERS).current_for([order.number])
        assert any(
            "PACKING" in op.work_centres and op.status is not OperationStatus.DONE
            for wo in current
            for op in wo.operations
        )


def test_demo_logins_are_advertised_only_for_the_demo(application: Application) -> None:
    ctx = application.ctx
    plant.import_plant(ctx, ADMIN, demo.plant.plant_file_text())
    # a plant of its own (even the demo's data) is not the demo: no logins to print
    assert demo.is_loaded(ctx)
    assert not demo.demo_logins_work(ctx, DEMO_PASSWORD)


def test_demo_logins_stop_once_the_admin_password_changes(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=3)
    assert demo.demo_logins_work(application.ctx, DEMO_PASSWORD)
    assert not demo.demo_logins_work(application.ctx, "something-else")


# -- docs/plant-setup.md, step by step -----------------------------------------------------


def _commands() -> list[list[str]]:
    """The `orderforge ...` lines of the guide's set-up walk, in order."""
    guide = (ROOT / "docs" / "plant-setup.md").read_text("utf-8")
    walk = guide.split("<!-- walk -->")[1]
    lines = re.findall(r"^orderforge (.+)$", walk, flags=re.M)
    return [line.split() for line in lines]


def test_set_up_a_plant_from_nothing_with_the_guide(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ORDERFORGE_DATABASE_URL", database_url)
    monkeypatch.setenv("ORDERFORGE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ORDERFORGE_NEW_PASSWORD", "a-long-password-1")
    monkeypatch.delenv("ORDERFORGE_USER", raising=False)
    runner = CliRunner()
    commands = _commands()
    assert [c[:2] for c in commands] == [
        ["db", "upgrade"],
        ["plant", "import"],
        ["catalog", "import"],
        ["user", "add"],
        ["customer", "add"],
        ["order", "create"],
        ["order", "advance"],
        ["order", "advance"],
        ["plan", "run"],
    ]
    outputs: list[str] = []
    number = "SO-2026-0001"  # the guide's example; the year is the clock's
    for args in commands:
        args = [number if a == "SO-2026-0001" else a for a in args]
        result = runner.invoke(cli_app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
        number = next(iter(re.findall(r"SO-\d{4}-\d{4}", result.output)), number)
    assert "change(s) stored" in outputs[1]
    assert "TABLE imported as version 1" in outputs[2]
    assert "is now planned" in outputs[7]
    shown = runner.invoke(cli_app, ["plan", "show", "--json"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["orders"]

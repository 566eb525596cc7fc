"""The `orderforge` command line, run in a folder with its own ./var/ database."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app

BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_USER"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def test_uses_the_folders_var_database_and_walks_an_order(cli: CliRunner, tmp_path: Path) -> None:
    assert "Database schema is current" in run(cli, "db", "upgrade")
    assert (tmp_path / "var" / "orderforge.db").exists()
    assert "60 orders" in run(cli, "demo", "load", "--history-weeks", "0")
    assert "nothing loaded" in run(cli, "demo", "load", "--if-empty", "--history-weeks", "0")
    created = json.loads(
        run(
            cli,
            "order",
            "create",
            "--customer",
            "C-HOTEL-ALPINA",
            "--line",
            "TABLE:2:wood=walnut,length=2000",
            "--json",
        )
    )
    number = created["number"]
    assert created["state"] == "quote" and created["lines"][0]["spec"]["wood"] == "walnut"
    assert "is now feasible" in run(cli, "order", "advance", number, "confirm", "--as", "sales")
    # An operator may not confirm, and sales may not release: exit 1 with the sentence.
    refused = run(cli, "order", "advance", number, "mark_feasible", "--as", "operator", code=1)
    assert "may not mark feasible" in refused
    # Shipping is done with shipments, never the order's own button.
    refused = run(cli, "order", "advance", number, "ship", code=1)
    assert "on the order's shipping page" in " ".join(refused.split())
    shown = json.loads(run(cli, "order", "show", number, "--json"))
    # Confirmation runs the feasibility review at once (the default installation) and
    # commits the delivery promise.
    assert [e["kind"] for e in shown["events"]] == [
        "order_created",
        "order_confirm",
        "order_mark_feasible",
        "order_promised",
    ]
    assert shown["promise_date"] is not None
    listed = json.loads(run(cli, "order", "list", "--state", "feasible", "--json"))
    assert number in {o["number"] for o in listed}
    assert all(o["state"] == "feasible" for o in listed)
    written = run(cli, "order", "document", number, "--confirmation", "-o", "c.pdf")
    assert f"Order confirmation of {number} written to c.pdf" in written
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")


def test_customer_address_reaches_the_quote(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "db", "upgrade")
    run(cli, "demo", "load", "--history-weeks", "0")
    run(
        cli,
        "customer",
        "add",
        "C-ZOE",
        "Zoë Łukasiewicz",
        "--country",
        "PL",
        "--address",
        "ul. Długa 5",
        "--address",
        "80-827 Gdańsk",
    )
    number = json.loads(
        run(cli, "order", "create", "--customer", "C-ZOE", "--line", "TABLE:1", "--json")
    )["number"]
    run(cli, "order", "document", number, "-o", "q.pdf")
    text = pypdf.PdfReader(tmp_path / "q.pdf").pages[0].extract_text()
    assert "Zoë Łukasiewicz" in text and "ul. Długa 5" in text and "80-827 Gdańsk" in text
    refused = run(cli, "order", "document", number, "--confirmation", code=1)
    assert "no order confirmation until the customer confirms" in refused
    too_long = ["--address", "x"] * 7
    refused = run(cli, "customer", "add", "C-LONG", "Long", *too_long, code=1)
    assert "at most 6 lines" in refused


def test_user_add_and_token(cli: CliRunner) -> None:
    run(cli, "db", "upgrade")
    out = run(cli, "user", "add", "maria", "--role", "planner", "--password", "long-enough-1")
    assert "maria (planner) created" in out
    refused = run(cli, "user", "add", "maria", "--role", "planner", "--password", "x" * 9, code=1)
    assert "already exists" in refused
    refused = run(cli, "user", "add", "bob", "--role", "wizard", "--password", "x" * 9, code=1)
    assert "Unknown role 'wizard'" in refused
    assert run(cli, "user", "token", "maria").strip().startswith("ofk_")


def test_tokens_are_listed_revoked_and_users_deactivated(cli: CliRunner) -> None:
    from orderforge.bootstrap import build
    from orderforge.domain.errors import AuthenticationFailed
    from orderforge.services import credentials

    run(cli, "db", "upgrade")
    run(cli, "user", "add", "maria", "--role", "planner", "--password", "long-enough-1")
    first = run(cli, "user", "token", "maria", "--name", "erp", "--days", "30").strip()
    second = run(cli, "user", "token", "maria", "--name", "mes").strip()
    listed = run(cli, "user", "tokens", "maria")
    assert "erp" in listed and "mes" in listed and first not in listed
    assert "active" in listed
    application = build()
    try:
        [erp] = [t for t in credentials.list_tokens(application.ctx, None) if t.name == "erp"]
        assert "Token" in run(cli, "user", "revoke-token", str(erp.id))
        assert "revoked" in run(cli, "user", "tokens")
        with pytest.raises(AuthenticationFailed):
            credentials.principal_by_token(application.ctx, first)
        assert credentials.principal_by_token(application.ctx, second).username == "maria"
        assert "can no longer sign in" in run(cli, "user", "deactivate", "maria")
        with pytest.raises(AuthenticationFailed):
            credentials.principal_by_token(application.ctx, second)
        assert "can sign in again" in run(cli, "user", "activate", "maria")
    finally:
        application.close()
    assert "There is no token 999" in run(cli, "user", "revoke-token", "999", code=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["order", "show", "SO-1999-0001"], "There is no order SO-1999-0001"),
        (["order", "list", "--state", "flying"], "Unknown state 'flying'"),
        (
            ["order", "create", "--customer", "C-HOTEL-ALPINA", "--line", "TABLE:two"],
            "is not a whole number",
        ),
        (
            ["order", "create", "--customer", "C-HOTEL-ALPINA", "--line", "TABLE:1:wood"],
            "'wood' is not key=value",
        ),
        (["order", "list", "--as", "ghost"], "There is no user 'ghost'"),
    ],
)
def test_bad_input_exits_1_with_a_sentence(cli: CliRunner, args: list[str], message: str) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    assert message in " ".join(run(cli, *args, code=1).split())


def test_solve_prints_the_benchmark_json(cli: CliRunner) -> None:
    ft06 = BENCHMARKS / "jssp" / "ft06.txt"
    if not ft06.exists():
        pytest.skip(f"shared benchmarks not found at {BENCHMARKS}")
    result = json.loads(
        run(cli, "solve", str(ft06), "--format", "jssp", "--time-limit", "10", "--json")
    )
    assert result["instance"] == "ft06" and result["objective"] == 55
    assert len(result["operations"]) == 36


def test_solve_refuses_a_missing_or_malformed_file(cli: CliRunner, tmp_path: Path) -> None:
    assert "no instance file" in run(cli, "solve", "nope.txt", "--format", "jssp", code=1)
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 5 1\n")
    assert "bad.txt" in run(cli, "solve", str(bad), "--format", "jssp", code=1)


def test_catalog_import_configure_and_review(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    from orderforge.demo.catalogue import catalogue_text

    edited = tmp_path / "table.yaml"
    edited.write_text(catalogue_text("TABLE").replace('version: "2026.1"', 'version: "2027.1"'))
    assert "imported as version 2 (2027.1)" in run(cli, "catalog", "import", str(edited))
    assert "unchanged, still version 2" in run(cli, "catalog", "import", str(edited))
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: [")
    assert "Error" in run(cli, "catalog", "import", str(bad), code=1)
    shown = json.loads(run(cli, "configure", "TABLE", "top=solid", "--json"))
    assert "mdf" not in shown["domains"]["options"]["core"]
    refused = " ".join(run(cli, "configure", "TABLE", "top=solid", "core=mdf", code=1).split())
    assert "no core" in refused and "Change one of these choices: core, top." in refused
    # Unpicked values are completed by the one rule: what still fits, then the price.
    completed = json.loads(run(cli, "configure", "TABLE", "top=solid", "length=2200", "--json"))
    assert completed["completion"]["evaluation"]["valid"]
    assert completed["completion"]["spec"]["core"] == "none"
    assert "price" in run(cli, "configure", "TABLE", "top=solid", "length=2200")
    created = json.loads(
        run(
            cli,
            "order",
            "create",
            "--customer",
            "C-HOTEL-ALPINA",
            "--line",
            "TABLE:1:top=veneered,length=3000,width=1400",
            "--json",
        )
    )
    assert "needs engineering" in run(cli, "order", "advance", created["number"], "confirm")
    shown = json.loads(run(cli, "order", "show", created["number"], "--json"))
    review = [e for e in shown["events"] if e["kind"] == "order_flag_needs_engineering"]
    assert "1300 mm" in review[-1]["reason"]
    # Reviewing again re-checks and reports; the state stays (no way back to confirmed).
    again = " ".join(run(cli, "order", "review", created["number"], "--as", "engineer").split())
    assert "1300 mm" in again and "stays needs engineering" in again
    quote = json.loads(
        run(cli, "order", "create", "--customer", "C-HOTEL-ALPINA", "--line", "TABLE", "--json")
    )
    refused = run(cli, "order", "review", quote["number"], "--as", "engineer", code=1)
    assert "runs on confirmed, feasible or needs-engineering orders" in " ".join(refused.split())


def test_plan_run_replan_show_pin_and_worker(cli: CliRunner) -> None:
    run(cli, "db", "upgrade")
    run(cli, "demo", "load", "--history-weeks", "0")
    stored = json.loads(run(cli, "plan", "run", "--time-limit", "1", "--json"))
    assert stored["status"] == "done" and stored["plan_version"] == 1
    second = run(
        cli, "plan", "run", "--time-limit", "1", "--displace", "--min-gain", "45"
    )  # fmt: skip
    assert "Plan version 2 stored" in second
    detail = json.loads(run(cli, "plan", "show", "2", "--json"))
    moved, of = detail["moved_operations"], detail["comparable_operations"]
    assert of > 0 and detail["moved"] == f"moved {moved} of {of} operations since version 1"
    assert json.loads(run(cli, "plan", "versions", "--json"))[0]["comparable_operations"] == of
    bad = run(cli, "plan", "run", "--min-gain", "-5", code=1)
    assert "[min_gain_minutes]" in bad and "between 0 and" in " ".join(bad.split())
    shown = json.loads(run(cli, "plan", "show", "1", "--json"))
    op = max(shown["operations"], key=lambda o: o["start"])
    assert "Pinned" in run(cli, "plan", "pin", op["key"], op["resource"], "--as", "planner")
    refused = run(cli, "plan", "pin", op["key"], "NOWHERE", code=1)
    assert "[resource]" in refused and op["resource"] in refused
    replanned = run(
        cli, "plan", "replan", "--reason", "saw blade broke", "--machine-down", "SAW-BEAM",
        "--from", "2026-12-01T06:00Z", "--to", "2026-12-01T14:00Z", "--time-limit", "1",
    )  # fmt: skip
    assert "Plan version 3 stored" in replanned
    # No offset: the plant's wall clock (the demo plant is in Berlin, CET in winter).
    replanned = run(
        cli, "plan", "replan", "--reason", "spindle broke", "--machine-down", "CNC-5AX",
        "--from", "2026-11-26T06:00", "--to", "2026-11-26T14:00", "--time-limit", "1", "--json",
    )  # fmt: skip
    trigger = json.loads(replanned)["trigger"]
    assert trigger["start"] == "2026-11-26T06:00:00+01:00"  # 05:00 UTC
    assert trigger["end"] == "2026-11-26T14:00:00+01:00"
    said = run(
        cli, "plan", "replan", "--reason", "again", "--machine-down", "CNC-5AX",
        "--from", "2026-11-27T06:00", "--to", "2026-11-27T08:00", "--time-limit", "1",
    )  # fmt: skip
    assert "CNC-5AX down from 2026-11-27 06:00 to 2026-11-27 08:00 Europe/Berlin" in said
    gap = run(
        cli, "plan", "replan", "--reason", "x", "--machine-down", "CNC-5AX",
        "--from", "2027-03-28T02:30", "--to", "2027-03-28T06:00", code=1,
    )  # fmt: skip
    assert "does not exist in Europe/Berlin" in " ".join(gap.split())
    bad = run(
        cli, "plan", "replan", "--reason", "x", "--machine-down", "CNC-5AX",
        "--from", "at six", "--to", "2027-03-28T06:00", code=1,
    )  # fmt: skip
    assert "[from]" in bad and "2026-11-26T06:00 (plant time)" in " ".join(bad.split())
    pinned = run(cli, "plan", "pin", op["key"], op["resource"], "--not-before", "2026-12-01T08:00")
    # shown back from the stored instant (07:00 UTC); read as UTC it would say 09:00
    assert "not before 2026-12-01 08:00 Europe/Berlin" in pinned
    versions = json.loads(run(cli, "plan", "versions", "--json"))
    assert [v["number"] for v in versions] == [5, 4, 3, 2, 1]
    assert "SAW-BEAM down" in versions[2]["reason"]
    bad = run(cli, "plan", "replan", "--reason", "x", "--machine-down", "SAW-BEAM", code=1)
    assert "start and an end" in bad
    bad = run(cli, "plan", "replan", "--reason", "x", code=1)
    assert "exactly one of" in bad
    assert "may not run schedules" in run(cli, "plan", "run", "--as", "sales", code=1)
    # the embedded SQLite installation runs plan jobs inside `serve`, not in a worker
    assert "needs the PostgreSQL job queue" in run(cli, "worker", code=1)


def test_demo_load_adds_the_weeks_of_history_asked_for(cli: CliRunner) -> None:
    run(cli, "db", "upgrade")
    output = run(cli, "demo", "load", "--history-weeks", "3")
    assert "60 orders" in output and "History: 4 weeks" in output
    assert "nothing loaded" in run(cli, "demo", "load", "--if-empty")

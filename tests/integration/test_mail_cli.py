"""`orderforge mail` and `orderforge user email` in a folder with its own database: an
address is set and refused like the API does; a pass without an SMTP server holds the
mail and says so; the log lists it; a bad filter is a sentence and exit 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orderforge.bootstrap import build
from orderforge.domain.events import DomainEvent
from orderforge.entrypoints.cli.main import app
from tests.integration.smtp_server import smtp_server


@pytest.fixture
def cli(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(str(tmp_path))
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_USER"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HOST", "PORT", "USERNAME", "PASSWORD", "STARTTLS"):
        monkeypatch.delenv(f"ORDERFORGE_SMTP_{name}", raising=False)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0, env: dict[str, str] | None = None) -> str:
    result = cli.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    assert result.exit_code == code, result.output
    return result.output


def _event() -> None:
    """A notify event written through the real event log, as another room would."""
    application = build()
    try:
        data = {"order": "SO-2026-0001", "body": "Hello", "notify": {"users": ["erin"]}}
        event = DomainEvent(
            "order", "SO-2026-0001", "order_message_posted", "admin",
            application.ctx.clock.now(), data,
        )  # fmt: skip
        with application.ctx.uow() as uow:
            uow.events.append([event])
            uow.commit()
    finally:
        application.close()


def test_addresses_hold_deliver_and_log(cli: CliRunner) -> None:
    run(cli, "db", "upgrade")
    run(cli, "user", "add", "admin", "--role", "admin", "--password", "long-enough-1")
    run(cli, "user", "add", "erin", "--role", "engineer", "--password", "long-enough-1")
    assert "is not an e-mail address" in run(cli, "user", "email", "erin", "erin@", code=1)
    assert "goes to erin@plant.example" in run(cli, "user", "email", "erin", "erin@plant.example")
    _event()
    held = run(cli, "mail", "deliver")
    assert "1 mail(s) queued" in held and "No SMTP server configured" in held
    assert "1 mail(s) held" in held
    listed = run(cli, "mail", "list", "--status", "held")
    assert "erin@plant.example" in listed and "no SMTP server configured" in listed
    assert "Unknown status 'lost'" in run(cli, "mail", "list", "--status", "lost", code=1)
    with smtp_server() as server:
        smtp = {
            "ORDERFORGE_SMTP_HOST": "127.0.0.1",
            "ORDERFORGE_SMTP_PORT": str(server.port),
            "ORDERFORGE_SMTP_STARTTLS": "false",
            "ORDERFORGE_MAIL_FROM": "Plant <plant@plant.example>",
        }
        assert "1 sent" in run(cli, "mail", "deliver", env=smtp)
    [received] = server.received
    assert received.recipients == ["erin@plant.example"]
    assert received.message["From"] == "Plant <plant@plant.example>"
    assert "SO-2026-0001" in run(cli, "mail", "list", "--order", "so-2026-0001")
    assert "erin@plant.example" not in run(cli, "mail", "list", "--status", "held")
    bad = run(cli, "mail", "deliver", env={"ORDERFORGE_SMTP_PORT": "99999"}, code=2)
    assert "ORDERFORGE_SMTP_PORT" in bad

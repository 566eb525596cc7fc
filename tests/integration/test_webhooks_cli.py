"""`orderforge webhooks` in a folder with its own database: add a receiver, let an event
happen, deliver by hand, read the log, deactivate; refusals are a sentence and exit 1."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app
from tests.integration.webhook_receiver import receiver


@pytest.fixture
def cli(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(str(tmp_path))
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_USER"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def test_add_deliver_log_and_deactivate(cli: CliRunner) -> None:
    run(cli, "db", "upgrade")
    run(cli, "user", "add", "admin", "--role", "admin", "--password", "long-enough-1")
    refused = run(cli, "webhooks", "add", "ftp://example.com/x", "--event", "*", code=1)
    assert "must start with http:// or https://" in refused
    assert "Name at least one event type" in run(
        cli, "webhooks", "add", "https://x.example/h", code=1
    )
    with receiver() as hook:
        added = run(cli, "webhooks", "add", hook.url, "--event", "customer_registered")
        assert "Webhook 1 added for customer_registered" in added
        secret = added.strip().splitlines()[-1]
        assert secret.startswith("whsec_")
        listed = run(cli, "webhooks", "list")
        assert hook.url in listed and "whsec_" not in listed
        run(cli, "customer", "add", "C-CLI", "Firm from the CLI")
        assert "1 delivered, 0 to retry, 0 failed" in run(cli, "webhooks", "deliver")
        [request] = hook.requests
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "customer_registered"
    log = run(cli, "webhooks", "deliveries", "1")
    assert "customer_registered" in log and "delivered" in log and "200" in log
    rotated = run(cli, "webhooks", "rotate", "1").strip().splitlines()[-1]
    assert rotated.startswith("whsec_") and rotated != secret
    assert "deactivated" in run(cli, "webhooks", "deactivate", "1")
    assert "no" in run(cli, "webhooks", "list")
    assert "There is no webhook 9" in run(cli, "webhooks", "deliveries", "9", code=1)

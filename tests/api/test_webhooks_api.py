"""Webhooks over HTTP: bad input answers 422 naming the field and stores nothing; an
unknown id is 404; the secret appears once; the delivery log shows every attempt."""

from __future__ import annotations

from typing import Any

import pytest

from orderforge.webhooks.sender import HttpSender
from orderforge.webhooks.services import deliver_due
from tests.api.support import API, ApiSession
from tests.integration.webhook_receiver import receiver

GOOD: dict[str, Any] = {"url": "https://erp.example.com/hooks", "event_types": ["*"]}


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"url": "ftp://example.com/x"}, "url", id="scheme"),
        pytest.param({"url": "https://u:p@example.com/x"}, "url", id="credentials"),
        pytest.param({"url": "https://example.com/" + "a" * 2000}, "url", id="too-long"),
        pytest.param({"url": "not a url"}, "url", id="not-a-url"),
        pytest.param({"url": 42}, "url", id="wrong-type"),
        pytest.param({"event_types": []}, "event_types", id="no-types"),
        pytest.param({"event_types": "order_confirmed"}, "event_types", id="not-a-list"),
        pytest.param({"event_types": ["<script>x</script>"]}, "event_types", id="markup"),
        pytest.param({"event_types": ["*", "order_confirmed"]}, "event_types", id="star-and"),
        pytest.param({"description": "x" * 201}, "description", id="long-description"),
        pytest.param({"secret": "whsec_mine"}, "secret", id="own-secret"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    api: ApiSession, changes: dict[str, Any], field: str
) -> None:
    admin = api.auth("admin")
    before = api.client.get(f"{API}/webhooks", headers=admin).json()
    response = api.client.post(f"{API}/webhooks", json={**GOOD, **changes}, headers=admin)
    problem(response, 422, field)
    assert api.client.get(f"{API}/webhooks", headers=admin).json() == before


def test_missing_fields_and_unknown_ids(api: ApiSession) -> None:
    admin = api.auth("admin")
    problem(api.client.post(f"{API}/webhooks", json={}, headers=admin), 422, "url")
    for path in ("/999999", "/999999/deliveries"):
        problem(api.client.get(f"{API}/webhooks{path}", headers=admin), 404)
    for path in ("/999999/deactivate", "/999999/test"):
        problem(api.client.post(f"{API}/webhooks{path}", headers=admin), 404)
    problem(api.client.get(f"{API}/webhooks/abc", headers=admin), 422)


def test_no_token_is_401(api: ApiSession) -> None:
    assert api.client.get(f"{API}/webhooks").status_code == 401


def test_secret_once_and_the_delivery_log(api: ApiSession) -> None:
    admin = api.auth("admin")
    ctx = api.application.ctx
    with receiver(status=500) as hook:
        made = api.client.post(
            f"{API}/webhooks",
            json={"url": hook.url, "event_types": ["order_shipped"], "description": "ERP"},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        created = made.json()
        assert created["secret"].startswith("whsec_") and created["created_by"] == "admin"
        hook_id = created["id"]
        shown = api.client.get(f"{API}/webhooks/{hook_id}", headers=admin).json()
        assert "secret" not in shown and shown["description"] == "ERP"
        assert api.client.post(f"{API}/webhooks/{hook_id}/test", headers=admin).status_code == 202
        deliver_due(ctx, ctx.clock.now(), HttpSender())
        assert len(hook.requests) == 1
    [delivery] = api.client.get(f"{API}/webhooks/{hook_id}/deliveries", headers=admin).json()
    assert delivery["type"] == "webhook_test" and delivery["status"] == "pending"
    assert [a["status_code"] for a in delivery["attempts"]] == [500]
    assert delivery["event_id"] == hook.requests[0].headers["webhook-id"]
    stopped = api.client.post(f"{API}/webhooks/{hook_id}/deactivate", headers=admin)
    assert stopped.json()["active"] is False
    # deactivated: kept for the audit, and a test is refused
    assert api.client.get(f"{API}/webhooks/{hook_id}", headers=admin).status_code == 200
    problem(api.client.post(f"{API}/webhooks/{hook_id}/test", headers=admin), 422)

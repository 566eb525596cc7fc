"""The plant over HTTP: each kind read and written, bad input named by its path with
nothing stored, the plant file in (with a dry run) and out."""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]

from tests.api.support import API, ApiSession, unique

PLANT = f"{API}/plant"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    body["field"] = body["errors"][0]["field"] if body.get("errors") else None
    return body


def test_the_overview_shows_what_the_planner_uses(api: ApiSession) -> None:
    body = api.client.get(PLANT, headers=api.auth("planner")).json()
    booth = next(w for w in body["work_centres"] if w["code"] == "PAINT-BOOTH")
    assert booth["setup_attribute"] == "colour" and booth["units"] >= 1
    assert any(w["batch_capacity"] > 1 for w in body["work_centres"])
    assert {c["code"] for c in body["calendars"]} >= {"DAY", "DRYING"}
    assert body["settings"]["name"] == "Holzwerk Nordlicht" and body["settings"]["logo"] is False
    assert body["items"] and body["pricing"][0]["margin"] == "0.30"


def test_items_are_created_edited_and_retired(api: ApiSession) -> None:
    code = unique("HINGE-")
    admin = api.auth("admin")
    created = api.client.post(
        f"{PLANT}/items",
        json={"code": code, "name": "Hinge", "unit": "pcs", "cost": "2.5", "lead_time_days": 7},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["cost"] == "2.50"
    edited = api.client.patch(f"{PLANT}/items/{code}", json={"cost": "2.90"}, headers=admin)
    assert edited.status_code == 200 and edited.json()["cost"] == "2.90"
    retired = api.client.post(f"{PLANT}/items/{code}/retire", headers=admin)
    assert retired.json()["status"] == "blocked"
    assert api.client.get(f"{PLANT}/items/{code}", headers=admin).json()["status"] == "blocked"


def test_bad_input_names_the_field_and_stores_nothing(api: ApiSession) -> None:
    admin = api.auth("admin")
    before = api.client.get(f"{PLANT}/export", headers=admin).text
    cases = [
        ("post", f"{PLANT}/items", {"code": "X1", "name": "X", "unit": "bucket"}, "unit"),
        ("post", f"{PLANT}/items", {"code": "MDF-19", "name": "Dup", "unit": "m2"}, "code"),
        ("patch", f"{PLANT}/work-centres/SAW-BEAM", {"calendar": "NIGHT"}, "calendar"),
        ("patch", f"{PLANT}/work-centres/SAW-BEAM", {"units": "two"}, "units"),
        ("patch", f"{PLANT}/work-centres/SAW-BEAM", {"speed": 3}, "speed"),
        ("patch", f"{PLANT}/calendars/DAY", {"shifts": []}, "shifts"),
        ("patch", f"{PLANT}/settings", {"currency": "€"}, "currency"),
        ("put", f"{PLANT}/pricing", [{"family": "TABLE", "margin": "0.2"}], "pricing"),
        ("put", f"{PLANT}/pricing", [{"margin": "1.5"}], "pricing[0].margin"),
    ]
    for method, url, body, field in cases:
        response = getattr(api.client, method)(url, json=body, headers=admin)
        problem = _problem(response, 422)
        assert problem.get("field") == field, (url, body, problem)
    retire = api.client.post(f"{PLANT}/work-centres/PAINT-BOOTH/retire", headers=admin)
    assert _problem(retire, 422)["field"] == "status"
    assert _problem(api.client.get(f"{PLANT}/items/NOPE", headers=admin), 404)
    assert api.client.get(f"{PLANT}/export", headers=admin).text == before


def test_import_dry_run_then_apply_and_export_again(api: ApiSession) -> None:
    admin = api.auth("admin")
    exported = api.client.get(f"{PLANT}/export", headers=admin)
    assert exported.headers["content-type"].startswith("application/yaml")
    same = api.client.post(f"{PLANT}/import", content=exported.text, headers=admin)
    assert same.json() == {"dry_run": False, "changes": []}
    doc = yaml.safe_load(exported.text)
    doc["settings"]["quote_validity_days"] = 21
    changed = yaml.safe_dump(doc, allow_unicode=True)
    dry = api.client.post(f"{PLANT}/import?dry_run=true", content=changed, headers=admin)
    assert dry.json() == {
        "dry_run": True,
        "changes": ["settings plant: quote_validity_days changed"],
    }
    assert api.client.get(f"{PLANT}/settings", headers=admin).json()["quote_validity_days"] == 30
    applied = api.client.post(f"{PLANT}/import", content=changed, headers=admin)
    assert applied.json()["changes"] == dry.json()["changes"]
    assert api.client.get(f"{PLANT}/settings", headers=admin).json()["quote_validity_days"] == 21
    back = api.client.post(f"{PLANT}/import", content=exported.text, headers=admin)
    assert back.status_code == 200


def test_a_bad_plant_file_names_every_problem(api: ApiSession) -> None:
    admin = api.auth("admin")
    doc = yaml.safe_load(api.client.get(f"{PLANT}/export", headers=admin).text)
    doc["work_centres"][3]["calendar"] = "X"
    doc["items"][0]["unit"] = "sqm"
    response = api.client.post(f"{PLANT}/import", content=yaml.safe_dump(doc), headers=admin)
    problem = _problem(response, 422)
    assert problem["field"] == "work_centres[3].calendar"
    assert "work_centres[3].calendar: unknown calendar 'X'" in problem["detail"]
    assert "items[0].unit" in problem["detail"]
    broken = api.client.post(f"{PLANT}/import", content="settings: [unclosed", headers=admin)
    assert _problem(broken, 422)["field"] == "file"


def test_a_planner_reads_but_does_not_write(api: ApiSession) -> None:
    planner = api.auth("planner")
    assert api.client.get(f"{PLANT}/work-centres", headers=planner).status_code == 200
    denied = api.client.patch(f"{PLANT}/items/MDF-19", json={"cost": "0"}, headers=planner)
    assert _problem(denied, 403)

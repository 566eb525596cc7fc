"""Security over HTTP on both databases: headers, lockout, sessions that end, tokens
that expire and can be revoked, user management, links from the base URL, the actor's
id on events."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import httpx
import pytest
import sqlalchemy as sa

from orderforge.adapters.db import tables
from orderforge.entrypoints.api.app import create_app
from orderforge.services import plan_runs, users
from tests.api.support import API, ApiSession, TestClient, order_body
from tests.conftest import DEMO_PASSWORD, FixedClock

SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:300]
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    csrf = csrf_of(client.get("/login"))
    response: httpx.Response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf},
        follow_redirects=False,
    )
    return response


def new_user(api: ApiSession, role: str = "sales", password: str = "first-password") -> str:
    name = "u" + uuid.uuid4().hex[:10]
    body = {"username": name, "role": role, "password": password}
    response = api.client.post(f"{API}/users", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return name


def token_for(api: ApiSession, username: str, password: str, **extra: object) -> str:
    body = {"username": username, "password": password, **extra}
    response = api.client.post(f"{API}/auth/token", json=body)
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/login", f"{API}/me", f"{API}/openapi.json", "/static/x"])
def test_every_response_carries_the_security_headers(api: ApiSession, path: str) -> None:
    response = api.client.get(path, headers=api.auth("admin"))
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None and script_src.group(1) == "'self'"
    assert "frame-ancestors 'none'" in csp


def test_session_cookie_is_httponly_lax_and_secure_behind_https(api: ApiSession) -> None:
    plain = TestClient(api.client.app)
    cookie = sign_in(plain, "sales").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    ctx = api.application.ctx
    https_app = create_app(ctx, secret_key="k", base_url="https://mto.example.com")
    with TestClient(https_app, base_url="https://mto.example.com") as secure:
        cookie = sign_in(secure, "sales").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie
    assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_links_come_from_the_base_url_not_the_host_header(api: ApiSession) -> None:
    forged = api.client.get("/login", headers={"Host": "evil.example"})
    assert "evil.example" not in forged.text
    assert 'href="/static/orderforge.css"' in forged.text
    app = create_app(api.application.ctx, secret_key="k", base_url="https://mto.example.com")
    with TestClient(app) as client:
        page = client.get("/login", headers={"Host": "evil.example"})
    assert 'href="https://mto.example.com/static/orderforge.css"' in page.text


def test_a_session_cookie_replayed_after_sign_out_is_refused(api: ApiSession) -> None:
    browser = TestClient(api.client.app)
    assert sign_in(browser, "sales").status_code == 303
    saved = dict(browser.cookies)
    assert browser.get(f"{API}/me").status_code == 200
    csrf = csrf_of(browser.get("/orders"))
    assert browser.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    replay = TestClient(api.client.app, cookies=saved)
    assert replay.get(f"{API}/me").status_code == 401
    page = replay.get("/orders", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_an_idle_session_expires(api: ApiSession, clock: FixedClock) -> None:
    browser = TestClient(api.client.app)
    sign_in(browser, "sales")
    clock.advance(hours=7)
    assert browser.get(f"{API}/me").status_code == 200
    clock.advance(hours=8, minutes=1)
    assert browser.get(f"{API}/me").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_with_retry_after(api: ApiSession) -> None:
    name = new_user(api)
    for _ in range(5):
        wrong = api.client.post(f"{API}/auth/token", json={"username": name, "password": "nope"})
        assert wrong.status_code == 401
    locked = api.client.post(
        f"{API}/auth/token", json={"username": name, "password": "first-password"}
    )
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert locked.json()["reason"] == "account_locked"
    page = sign_in(TestClient(api.client.app), name, "first-password")
    assert page.status_code == 429 and "Too many failed attempts" in page.text
    assert int(page.headers["retry-after"]) >= 1


def test_tokens_expire_list_and_revoke(api: ApiSession, clock: FixedClock) -> None:
    name = new_user(api)
    short = token_for(api, name, "first-password", name="short", expires_in_days=2)
    kept = token_for(api, name, "first-password", name="kept")
    listed = api.client.get(f"{API}/auth/tokens", headers=bearer(kept)).json()
    assert {t["name"] for t in listed} == {"short", "kept"}
    assert all("token" not in key for t in listed for key in t if key != "name")
    clock.advance(days=2)
    assert api.client.get(f"{API}/me", headers=bearer(short)).status_code == 401
    assert api.client.get(f"{API}/me", headers=bearer(kept)).status_code == 200
    [kept_id] = [t["id"] for t in listed if t["name"] == "kept"]
    other = api.client.delete(f"{API}/auth/tokens/{kept_id}", headers=api.auth("sales"))
    assert other.status_code == 404
    gone = api.client.delete(f"{API}/auth/tokens/{kept_id}", headers=api.auth("admin"))
    assert gone.status_code == 204
    assert api.client.get(f"{API}/me", headers=bearer(kept)).status_code == 401


def test_a_deactivated_user_is_refused_everywhere(api: ApiSession) -> None:
    name = new_user(api)
    token = token_for(api, name, "first-password")
    browser = TestClient(api.client.app)
    sign_in(browser, name, "first-password")
    change = api.client.patch(
        f"{API}/users/{name}", json={"active": False}, headers=api.auth("admin")
    )
    assert change.status_code == 200 and change.json()["active"] is False
    assert api.client.get(f"{API}/me", headers=bearer(token)).status_code == 401
    assert browser.get(f"{API}/me").status_code == 401
    again = api.client.post(
        f"{API}/auth/token", json={"username": name, "password": "first-password"}
    )
    assert again.status_code == 401
    forbidden = api.client.patch(
        f"{API}/users/{name}", json={"active": True}, headers=api.auth("sales")
    )
    assert forbidden.status_code == 403


def test_changing_ones_password_needs_the_old_one(api: ApiSession) -> None:
    name = new_user(api)
    token = token_for(api, name, "first-password")
    body = {"old_password": "wrong-one", "new_password": "second-password"}
    refused = api.client.post(f"{API}/me/password", json=body, headers=bearer(token))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "old_password"
    body["old_password"] = "first-password"
    ok = api.client.post(f"{API}/me/password", json=body, headers=bearer(token))
    assert ok.status_code == 204
    assert api.client.get(f"{API}/me", headers=bearer(token)).status_code == 401
    token_for(api, name, "second-password")


def test_admins_manage_users_in_a_page(api: ApiSession) -> None:
    name = new_user(api)
    admin = TestClient(api.client.app)
    sign_in(admin, "admin")
    page = admin.get("/users")
    assert page.status_code == 200 and name in page.text
    csrf = csrf_of(page)
    admin.post(f"/users/{name}/role", data={"role": "planner", "csrf": csrf})
    admin.post(f"/users/{name}/active", data={"active": "no", "csrf": csrf})
    admin.post(f"/users/{name}/password", data={"password": "reset-password", "csrf": csrf})
    [row] = [
        u
        for u in api.client.get(f"{API}/users", headers=api.auth("admin")).json()
        if u["username"] == name
    ]
    assert row["role"] == "planner" and row["active"] is False
    sales = TestClient(api.client.app)
    sign_in(sales, "sales")
    assert sales.get("/users").status_code == 403


def test_the_account_page_shows_a_new_token_once_and_revokes_it(api: ApiSession) -> None:
    name = new_user(api)
    browser = TestClient(api.client.app)
    sign_in(browser, name, "first-password")
    csrf = csrf_of(browser.get("/account"))
    made = browser.post("/account/tokens", data={"name": "erp", "days": "30", "csrf": csrf})
    secret = re.search(r'id="new-token">([^<]+)<', made.text)
    assert made.status_code == 201 and secret is not None
    assert api.client.get(f"{API}/me", headers=bearer(secret.group(1))).status_code == 200
    assert secret.group(1) not in browser.get("/account").text
    [listed] = browser.get(f"{API}/auth/tokens").json()
    browser.post(f"/account/tokens/{listed['id']}/revoke", data={"csrf": csrf})
    assert api.client.get(f"{API}/me", headers=bearer(secret.group(1))).status_code == 401


def test_events_record_the_actors_id(api: ApiSession) -> None:
    created = api.client.post(f"{API}/orders", json=order_body(), headers=api.auth("sales"))
    assert created.status_code == 201, created.text
    with api.application.engine.connect() as conn:
        sales_id = conn.scalar(
            sa.select(tables.users.c.id).where(tables.users.c.username == "sales")
        )
        rows = conn.execute(
            sa.select(tables.events.c.actor, tables.events.c.actor_id).where(
                tables.events.c.aggregate_key == created.json()["number"]
            )
        ).all()
    assert rows and all(r.actor == "sales" and r.actor_id == sales_id for r in rows)


def test_the_board_withdraws_a_downtime(api: ApiSession) -> None:
    ctx = replace(api.application.ctx, jobs=None)  # a plan made in the foreground
    planner = users.authenticate(ctx, "planner", DEMO_PASSWORD)
    run = plan_runs.request_run(ctx, planner, time_limit=0.5)
    assert plan_runs.execute_run(ctx, run["id"])["status"] == "done"
    body = {
        "event": {
            "kind": "machine_down",
            "work_centre": "PAINT-BOOTH",
            "start": "2026-11-28T06:00Z",
            "end": "2026-11-28T08:00Z",
            "reason": "entered by mistake",
        },
        "time_limit": 0.5,
    }
    made = api.client.post(f"{API}/plans/replan", json=body, headers=api.auth("planner"))
    assert made.status_code in (201, 202), made.text
    listed = api.client.get(f"{API}/plans/downtimes", headers=api.auth("planner")).json()
    [mine] = [d for d in listed if d["reason"] == "entered by mistake"]
    browser = TestClient(api.client.app)
    sign_in(browser, "planner")
    board = browser.get("/schedule")
    assert f"/schedule/downtimes/{mine['id']}/withdraw" in board.text
    browser.post(f"/schedule/downtimes/{mine['id']}/withdraw", data={"csrf": csrf_of(board)})
    after = api.client.get(f"{API}/plans/downtimes", headers=api.auth("planner")).json()
    assert mine["id"] not in [d["id"] for d in after]

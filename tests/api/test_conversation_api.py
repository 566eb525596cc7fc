"""The order conversation over HTTP and on the order page: a customer never reads or
writes an internal note, another customer's order is a 404, bad input is a 422 naming
the field with nothing stored, attachments download sandboxed; and the customer's
timeline shows the plant's internal steps only as changes of state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from orderforge.adapters.db import tables
from orderforge.bootstrap import Application
from orderforge.conversation import services
from orderforge.conversation.storage import order_messages
from orderforge.domain.order import OrderState
from orderforge.entrypoints.api.app import create_app
from orderforge.services.visibility import STAFF_ACTIONS
from tests.api.support import ALL_USERS, API, ApiSession, TestClient
from tests.api.test_schedule_pages import Browser, flashes
from tests.conftest import DEMO_PASSWORD
from tests.unit.conversation_fakes import DirectoryFileStore

ALPINA = "C-HOTEL-ALPINA"
S = OrderState


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> DirectoryFileStore:
    return DirectoryFileStore(tmp_path_factory.mktemp("files"))


@pytest.fixture(scope="module")
def api(application: Application, files: DirectoryFileStore) -> Iterator[ApiSession]:
    """The shared demo application, with a file store (the files room's disk adapter
    takes its place on merge)."""
    ctx = replace(application.ctx, files=files)
    web_app = create_app(ctx, secret_key="test-secret-key")
    with TestClient(web_app) as client:
        tokens: dict[str, str] = {}
        for username in ALL_USERS:
            response = client.post(
                f"{API}/auth/token",
                json={"username": username, "password": DEMO_PASSWORD, "name": "talk-tests"},
            )
            assert response.status_code == 201, response.text
            tokens[username] = response.json()["access_token"]
        yield ApiSession(client=client, application=replace(application), tokens=tokens)


def _post(api: ApiSession, number: str, user: str, **body: Any) -> Any:
    return api.client.post(f"{API}/orders/{number}/messages", json=body, headers=api.auth(user))


def _thread(api: ApiSession, number: str, user: str) -> list[dict[str, Any]]:
    response = api.client.get(f"{API}/orders/{number}/messages", headers=api.auth(user))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def _stored(api: ApiSession) -> int:
    with api.application.engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(order_messages)).scalar_one()
        )


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem.get("errors", [])}


def test_customer_reads_public_messages_and_answers(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    public = _problem(_post(api, number, "sales", body="Which oak finish, @alpina?"), 201)
    assert public["author"]["role_label"] == "Sales" and public["mentions"]["users"] == ["alpina"]
    _problem(_post(api, number, "sales", body="Margin is thin here", internal=True), 201)
    seen = _thread(api, number, "alpina")
    assert [m["body"] for m in seen] == ["Which oak finish, @alpina?"]
    assert all(m["internal"] is False for m in seen)
    answer = _problem(_post(api, number, "alpina", body="Natural oil, @sales"), 201)
    assert answer["mentions"]["roles"] == ["sales"]
    staff = _thread(api, number, "planner")
    assert [m["internal"] for m in staff] == [False, True, False]


def test_customer_cannot_post_internal(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    before = _stored(api)
    _problem(_post(api, number, "alpina", body="secret", internal=True), 403)
    form = api.client.post(
        f"{API}/orders/{number}/messages",
        data={"body": "secret", "internal": "true"},
        files={"files": ("a.txt", b"x", "text/plain")},
        headers=api.auth("alpina"),
    )
    _problem(form, 403)
    assert _stored(api) == before


def test_another_customers_order_is_missing(api: ApiSession) -> None:
    number = api.create_order(customer="C-REST-ZUNFT")["number"]
    _problem(_post(api, number, "sales", body="For Zunft only"), 201)
    before = _stored(api)
    _problem(_post(api, number, "alpina", body="hello"), 404)
    response = api.client.get(f"{API}/orders/{number}/messages", headers=api.auth("alpina"))
    _problem(response, 404)
    attachment = f"{API}/orders/{number}/messages/1/attachments/0"
    _problem(api.client.get(attachment, headers=api.auth("alpina")), 404)
    assert _stored(api) == before


BAD_JSON = [
    ({"body": ""}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 5001}, "body"),
    ({"body": "a\x00b"}, "body"),
    ({"body": "ask @nobody-here"}, "body"),
    ({}, "body"),
    ({"body": "fine", "internal": "maybe"}, "internal"),
    ({"body": "fine", "extra": 1}, "extra"),
]


@pytest.mark.parametrize(("body", "field"), BAD_JSON)
def test_bad_json_is_refused_naming_the_field(
    api: ApiSession, files: DirectoryFileStore, body: dict[str, Any], field: str
) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    before, kept = _stored(api), files.count()
    problem = _problem(_post(api, number, "sales", **body), 422)
    assert field in _fields(problem), problem
    assert _stored(api) == before and files.count() == kept


def _upload(api: ApiSession, number: str, parts: list[tuple[str, bytes]], **data: str) -> Any:
    return api.client.post(
        f"{API}/orders/{number}/messages",
        data={"body": "see attached", **data},
        files=[("files", (name, content, "application/octet-stream")) for name, content in parts],
        headers=api.auth("engineer"),
    )


BAD_FILES = [
    [(f"sheet{i}.pdf", b"%PDF-" + bytes([i])) for i in range(6)],
    [(f"sheet{i}.pdf", b"%PDF-" + bytes([i])) for i in range(9)],
    [("../../etc/passwd.txt", b"root")],
    [("..\\..\\boot.ini.txt", b"x")],
    [(".profile.txt", b"x")],
    [("tool.exe", b"MZ")],
    [("big.pdf", b"%PDF" + b"x" * 5000)],
]


@pytest.mark.parametrize("parts", BAD_FILES)
def test_bad_files_are_refused_and_nothing_is_kept(
    api: ApiSession,
    files: DirectoryFileStore,
    monkeypatch: pytest.MonkeyPatch,
    parts: list[tuple[str, bytes]],
) -> None:
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 4096)
    number = api.create_order(customer=ALPINA)["number"]
    before, kept = _stored(api), files.count()
    problem = _problem(_upload(api, number, parts), 422)
    assert "files" in _fields(problem), problem
    assert _stored(api) == before and files.count() == kept


def test_multipart_bad_body_names_the_body(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    before = _stored(api)
    for body in ("", "x" * 5001, "nul \x00 inside", "@ghost"):
        problem = _problem(_upload(api, number, [("a.pdf", b"%PDF")], body=body), 422)
        assert "body" in _fields(problem), problem
    assert _stored(api) == before


def test_attachments_download_sandboxed(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    svg_like = b"<html><script>alert(1)</script></html>"
    refused = _upload(api, number, [("notes.txt", svg_like)])
    assert refused.status_code == 422, refused.text  # markup named .txt is never kept
    notes = b"Plain notes about the door.\n"
    posted = _problem(
        _upload(api, number, [("Zeichnung für Tür.pdf", b"%PDF-1.7 door"), ("notes.txt", notes)]),
        201,
    )
    assert [a["name"] for a in posted["attachments"]] == ["Zeichnung für Tür.pdf", "notes.txt"]
    for index, content in ((0, b"%PDF-1.7 door"), (1, notes)):
        url = f"{API}/orders/{number}/messages/{posted['id']}/attachments/{index}"
        response = api.client.get(url, headers=api.auth("alpina"))
        assert response.status_code == 200, response.text
        assert response.content == content
        assert response.headers["content-disposition"].startswith("attachment;")
        if index == 0:
            assert (
                "filename*=UTF-8''Zeichnung%20f%C3%BCr%20T%C3%BCr.pdf"
                in (response.headers["content-disposition"])
            )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    missing = f"{API}/orders/{number}/messages/{posted['id']}/attachments/2"
    _problem(api.client.get(missing, headers=api.auth("alpina")), 404)


def test_internal_attachment_is_missing_for_the_customer(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    note = _problem(_upload(api, number, [("cost.txt", b"cost 812 EUR")], internal="true"), 201)
    assert note["internal"] is True
    url = f"{API}/orders/{number}/messages/{note['id']}/attachments/0"
    assert api.client.get(url, headers=api.auth("sales")).content == b"cost 812 EUR"
    _problem(api.client.get(url, headers=api.auth("alpina")), 404)


def test_the_outbox_carries_whom_to_notify(api: ApiSession) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    _problem(_post(api, number, "alpina", body="When will it ship?"), 201)
    note = _problem(_post(api, number, "planner", body="@quality check first", internal=True), 201)
    with api.application.engine.connect() as connection:
        outbox = tables.outbox
        rows = connection.execute(
            sa.select(outbox.c.data)
            .where(outbox.c.kind == "order_message_posted", outbox.c.aggregate_key == number)
            .order_by(outbox.c.id)
        ).all()
    data = [r.data for r in rows]
    assert data[0]["notify"] == {
        "users": [],
        "roles": ["sales"],
        "customer": False,
        "exclude": ["alpina"],
    }
    internal = next(d for d in data if d["message_id"] == note["id"])
    assert internal["internal"] is True and internal["order"] == number
    assert internal["notify"]["customer"] is False
    assert "alpina" not in internal["notify"]["users"]
    assert internal["notify"]["roles"] == ["quality"]


# -- the customer's timeline ----------------------------------------------------------


def test_customer_timeline_shows_no_internal_steps_notes_or_messages(api: ApiSession) -> None:
    order = api.make_order(S.FINAL_INSPECTION, customer=ALPINA)
    number = order["number"]
    view = api.client.get(
        f"{API}/orders/{number}/final-inspection", headers=api.auth("quality")
    ).json()
    items: dict[str, dict[str, object]] = {i["code"]: {"passed": True} for i in view["items"]}
    items[view["items"][0]["code"]] = {"passed": False, "note": "Veneer lifts at edge"}
    failed = api.client.post(
        f"{API}/orders/{number}/final-inspection",
        json={"items": items},
        headers=api.auth("quality"),
    )
    assert failed.status_code == 200, failed.text
    held = api.act(number, "hold", as_user="planner", reason="Press broken, waiting for parts")
    assert held.status_code == 200, held.text
    _problem(_post(api, number, "sales", body="Internal: customer is touchy", internal=True), 201)
    _problem(_post(api, number, "sales", body="A short delay, sorry"), 201)

    staff = api.client.get(f"{API}/orders/{number}/events", headers=api.auth("sales")).json()
    assert {"fail_inspection", "hold"} <= {e["action"] for e in staff}
    assert any("Veneer lifts at edge" in (e.get("reason") or "") for e in staff)
    assert [e["kind"] for e in staff].count("order_message_posted") == 2

    mine = api.client.get(f"{API}/orders/{number}/events", headers=api.auth("alpina")).json()
    assert not STAFF_ACTIONS & {e["action"] for e in mine}
    assert {"quality", "planner"}.isdisjoint(e["actor"] for e in mine)
    # only the customer's own steps (signing its design) carry a reason for it
    assert all("reason" not in e for e in mine if e["actor"] != "alpina")
    text = repr(mine)
    assert "Veneer" not in text and "touchy" not in text and "Press broken" not in text
    assert [e["kind"] for e in mine].count("order_message_posted") == 1
    states = [e["changes"]["state"] for e in mine if e["kind"] == "order_state_changed"]
    assert {"before": "final_inspection", "after": "in_production"} in states
    assert {"before": "in_production", "after": "on_hold"} in states


# -- the order page -------------------------------------------------------------------

OpenAs = Callable[[str], Browser]


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


def test_order_page_conversation(api: ApiSession, browser: OpenAs) -> None:
    number = api.create_order(customer=ALPINA)["number"]
    sales = browser("sales")
    page = f"/orders/{number}"
    response = sales.client.post(
        f"/orders/{number}/messages",
        data={"csrf": sales.csrf, "body": "Please sign the <b>drawing</b>", "internal": ""},
        files=[("files", ("plan.pdf", b"%PDF-1.7", "application/pdf"))],
    )
    assert response.status_code == 200 and "Message posted." in flashes(response)
    sales.post(f"/orders/{number}/messages", body="Only for us", internal="on")
    staff_page = sales.get(page).text
    assert "Only for us" in staff_page and ">Internal<" in staff_page
    assert "Please sign the &lt;b&gt;drawing&lt;/b&gt;" in staff_page
    assert "Internal note — not shown to the customer" in staff_page

    customer = browser("alpina")
    seen = customer.get(page).text
    assert "Only for us" not in seen and ">Internal<" not in seen
    assert "Internal note — not shown to the customer" not in seen
    assert "plan.pdf" in seen and 'id="message-form"' in seen
    # the administrator has not written here: to the customer, not a name to mention
    refused = customer.post(f"/orders/{number}/messages", body="@admin hello")
    assert "@admin is not someone you can mention here." in flashes(refused)
    assert "@admin hello" not in customer.get(page).text

"""Imports over HTTP on both databases: upload answers the preview and stores nothing
else; errors come by row and column; confirm applies everything in one transaction,
once, through the same use cases as manual entry (events, prices); files that cannot
be read, and roles that may not import, are refused with nothing stored. The pages
upload, preview and confirm with plain forms."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from orderforge.domain.errors import InvalidInput
from orderforge.imports.domain import ImportKind
from orderforge.imports.ports import IMPORT_BATCHES
from orderforge.services import customers
from tests.api.support import API, ApiSession, TestClient, valid_spec
from tests.api.test_schedule_pages import Browser, flashes

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CSV = "text/csv"


def code() -> str:
    return f"C-{uuid.uuid4().hex[:10].upper()}"


def upload(
    api: ApiSession, kind: str, text: str | bytes, as_user: str = "admin", name: str = "f.csv"
) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    response: httpx.Response = api.client.post(
        f"{API}/imports/{kind}", files={"file": (name, data, CSV)}, headers=api.auth(as_user)
    )
    return response


def confirm(api: ApiSession, batch_id: int, as_user: str = "admin") -> httpx.Response:
    response: httpx.Response = api.client.post(
        f"{API}/imports/{batch_id}/confirm", headers=api.auth(as_user)
    )
    return response


def customer(api: ApiSession, found: str) -> dict[str, Any] | None:
    response = api.client.get(f"{API}/customers/{found}", headers=api.auth("admin"))
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def newest_batch(api: ApiSession) -> int:
    with api.application.ctx.uow() as uow:
        found = uow.repository(IMPORT_BATCHES).recent(list(ImportKind), 1)
    return found[0].id or 0 if found else 0


def test_upload_previews_and_stores_nothing_else(api: ApiSession) -> None:
    new, bad = code(), code()
    text = f"code,name,email\n{new},New Hotel,\n{bad},Bad,not-an-address\nC-REST-ZUNFT,,\n"
    response = upload(api, "customers", text, as_user="sales")
    assert response.status_code == 201, response.text
    batch = response.json()
    assert (batch["status"], batch["uploaded_by"], batch["can_apply"]) == (
        "previewed",
        "sales",
        False,
    )
    assert [r["action"] for r in batch["rows"]] == ["create", "error", "error"]
    assert batch["errors"] == [
        {"row": 3, "column": "email", "message": "'not-an-address' is not an e-mail address."},
        {"row": 4, "column": "name", "message": "Customer name must be 1-200 characters."},
    ]
    assert customer(api, new) is None
    again = api.client.get(f"{API}/imports/{batch['id']}", headers=api.auth("sales"))
    assert again.json() == batch


def test_confirm_applies_once_and_keeps_who_and_when(api: ApiSession) -> None:
    new = code()
    before = customer(api, "C-ARCH-MAES")
    assert before is not None
    text = (
        "code,name,email,country,address,price_group\n"
        f"{new},Hotel Alpina,einkauf@alpina.example,CH,Dorfstrasse 1,\n"
        f"C-ARCH-MAES,{before['name']} & Co,{before['email']},{before['country']},"
        f'"{chr(10).join(before["address"])}",{before["price_group"]}\n'
    )
    preview = upload(api, "customers", text).json()
    assert [r["summary"] for r in preview["rows"]] == [
        "create",
        f"update (name: {before['name']} -> {before['name']} & Co)",
    ]
    response = confirm(api, preview["id"], as_user="sales")
    assert response.status_code == 200, response.text
    applied = response.json()
    assert (applied["status"], applied["uploaded_by"], applied["applied_by"]) == (
        "applied",
        "admin",
        "sales",
    )
    assert applied["applied_at"] is not None
    assert customer(api, new)["name"] == "Hotel Alpina"  # type: ignore[index]
    assert customer(api, "C-ARCH-MAES")["name"] == before["name"] + " & Co"  # type: ignore[index]
    again = confirm(api, preview["id"])
    assert again.status_code == 409
    assert "already applied" in again.json()["detail"]


def test_a_batch_with_errors_is_refused_and_changes_nothing(api: ApiSession) -> None:
    good = code()
    preview = upload(api, "customers", f"code,name,country\n{good},Good,DE\n{code()},Bad,XYZ\n")
    response = confirm(api, preview.json()["id"])
    assert response.status_code == 409
    assert "row 3, column country" in response.json()["detail"]
    assert customer(api, good) is None


def test_confirm_is_one_transaction(api: ApiSession, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row refused while applying takes every row of the batch back with it."""
    new = code()
    text = f"code,name,country\n{new},First row,DE\nC-PRIV-HANSEN,Renamed Hansen,DE\n"
    preview = upload(api, "customers", text).json()
    assert [r["action"] for r in preview["rows"]] == ["create", "update"]

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise InvalidInput("Refused while applying.", field="name")

    monkeypatch.setattr(customers, "revise_customer", refuse)
    response = confirm(api, preview["id"])
    assert response.status_code == 422
    assert response.json()["detail"] == "Row 3: Refused while applying."
    assert customer(api, new) is None
    monkeypatch.undo()
    stored = api.client.get(f"{API}/imports/{preview['id']}", headers=api.auth("admin")).json()
    assert stored["status"] == "previewed"
    assert confirm(api, preview["id"]).status_code == 200
    assert customer(api, new) is not None


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("code,name,colour\nC-X1,X,red\n", "colour", "Unknown column 'colour'"),
        ("code\nC-X1\n", "name", "'name' is missing"),
        ("code,name\nC-X1,Müller\n".encode("latin-1"), "file", "not UTF-8"),
        ("code,name\n".encode("utf-16"), "file", "NUL byte"),
        (b"", "file", "empty"),
    ],
)
def test_unreadable_files_are_422_and_store_nothing(
    api: ApiSession, text: str | bytes, field: str, words: str
) -> None:
    before = newest_batch(api)
    response = upload(api, "customers", text)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert words in problem["detail"]
    assert newest_batch(api) == before


def test_an_oversized_file_is_refused(api: ApiSession) -> None:
    limit = api.application.ctx.max_upload_bytes
    response = upload(api, "customers", b"code,name\n" + b"x" * limit)
    assert response.status_code in (413, 422)


@pytest.mark.parametrize(
    ("as_user", "kind", "status"),
    [("planner", "customers", 403), ("sales", "items", 403), ("engineer", "orders", 403)],
)
def test_roles_that_may_not_import_are_refused(
    api: ApiSession, as_user: str, kind: str, status: int
) -> None:
    before = newest_batch(api)
    assert upload(api, kind, "code,name\nX,Y\n", as_user=as_user).status_code == status
    assert newest_batch(api) == before


def test_a_batch_is_shown_only_to_who_may_import_its_kind(api: ApiSession) -> None:
    batch_id = upload(api, "customers", f"code,name\n{code()},Someone\n").json()["id"]
    for username, status in (("sales", 200), ("planner", 403), ("admin", 200)):
        got = api.client.get(f"{API}/imports/{batch_id}", headers=api.auth(username))
        assert got.status_code == status
    assert confirm(api, batch_id, as_user="planner").status_code == 403
    assert api.client.get(f"{API}/imports/999999", headers=api.auth("admin")).status_code == 404


def _orders_file(reference: str, quantity: int, spec: dict[str, str], date: str = "") -> str:
    header = "external_ref,customer,product_family,quantity,requested_date," + ",".join(
        f"spec.{k}" for k in spec
    )
    row = f"{reference},C-REST-ZUNFT,TABLE,{quantity},{date}," + ",".join(spec.values())
    return f"{header}\n{row}\n"


def test_orders_are_quotes_priced_as_by_hand_and_upserted_by_reference(api: ApiSession) -> None:
    spec = valid_spec("TABLE")
    reference = f"PO-{uuid.uuid4().hex[:8]}"
    orders_before = api.order_count()
    preview = upload(api, "orders", _orders_file(reference, 2, spec, "2027-03-31"), "sales")
    assert preview.status_code == 201, preview.text
    assert api.order_count() == orders_before  # the preview's checks store no order
    assert preview.json()["rows"][0]["action"] == "create"
    applied = confirm(api, preview.json()["id"], as_user="sales").json()
    assert applied["status"] == "applied"

    by_hand = api.create_order(
        as_user="sales",
        customer="C-REST-ZUNFT",
        lines=[{"product_family": "TABLE", "quantity": 2, "spec": spec}],
    )
    again = upload(api, "orders", _orders_file(reference, 3, spec, "2027-03-31"), "sales").json()
    row = again["rows"][0]
    assert row["summary"] == "update (quantity: 2 -> 3)"
    number = row["target"]
    order = api.order(number)
    assert order["state"] == "quote"
    assert order["lines"][0]["unit_price"] == by_hand["lines"][0]["unit_price"]
    assert order["lines"][0]["spec"] == by_hand["lines"][0]["spec"]
    assert confirm(api, again["id"], as_user="sales").status_code == 200
    revised = api.order(number)
    assert revised["lines"][0]["quantity"] == 3
    kinds = [e["kind"] for e in api.timeline(number)]
    assert kinds == ["order_created", "order_revised"]
    same = upload(api, "orders", _orders_file(reference, 3, spec, "2027-03-31"), "sales").json()
    assert same["rows"][0]["action"] == "unchanged"


def test_order_rows_are_checked_by_the_configurator(api: ApiSession) -> None:
    spec = {**valid_spec("TABLE"), "wood": "unobtainium"}
    text = _orders_file(f"PO-{uuid.uuid4().hex[:8]}", 1, spec) + (
        "PO-X,C-NOBODY,TABLE,1,," + ",".join(valid_spec("TABLE").values()) + "\n"
        "PO-Y,C-REST-ZUNFT,TABLE,1,31.03.2027," + ",".join(valid_spec("TABLE").values()) + "\n"
        "PO-Z,C-REST-ZUNFT,TABLE,many,2027-02-30," + ",".join(valid_spec("TABLE").values()) + "\n"
    )
    batch = upload(api, "orders", text).json()
    columns = [(e["row"], e["column"]) for e in batch["errors"]]
    assert columns == [
        (2, "spec.wood"),
        (3, "customer"),
        (4, "requested_date"),
        (5, "quantity"),  # every wrong cell of a row is named at once
        (5, "requested_date"),
    ]
    assert "YYYY-MM-DD" in batch["errors"][2]["message"]


def test_the_sample_orders_file_previews_clean(api: ApiSession) -> None:
    text = (EXAMPLES / "import-orders.csv").read_text("utf-8")
    batch = upload(api, "orders", text).json()
    assert batch["errors"] == []
    assert {r["action"] for r in batch["rows"]} <= {"create", "unchanged", "update"}


def test_an_excel_file_imports_like_a_csv(api: ApiSession) -> None:
    new = code()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "country"])
    sheet.append([new, "From Excel", "AT"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(api, "customers", buffer.getvalue(), name="customers.xlsx")
    assert response.status_code == 201, response.text
    assert confirm(api, response.json()["id"]).status_code == 200
    assert customer(api, new)["country"] == "AT"  # type: ignore[index]


# -- pages -----------------------------------------------------------------------------


def test_the_pages_upload_preview_and_confirm(api: ApiSession) -> None:
    browser = Browser(TestClient(api.client.app)).sign_in("sales")
    page = browser.get("/imports")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and "<script" not in page.text
    new = code()
    text = f"code,name\n{new},Markup Ltd\n<b>bad</b>,\n"
    response = browser.client.post(
        "/imports",
        data={"csrf": browser.csrf, "kind": "customers"},
        files={"file": ("c.csv", text.encode(), CSV)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    batch_url = response.headers["location"]
    preview = browser.get(batch_url)
    assert "<B>BAD</B>" not in preview.text and "&lt;B&gt;BAD&lt;/B&gt;" in preview.text
    assert 'class="outcome-error"' in preview.text
    summary = re.sub(r"<[^>]+>", "", preview.text)
    assert "1 to create, 0 to update, 0 unchanged, 1 with errors." in summary
    assert "column <strong>code</strong>" in preview.text
    assert 'id="import-confirm"' not in preview.text  # errors: no confirm button

    good = browser.client.post(
        "/imports",
        data={"csrf": browser.csrf, "kind": "customers"},
        files={"file": ("c.csv", f"code,name\n{new},Page Ltd\n".encode(), CSV)},
        follow_redirects=False,
    )
    good_url = good.headers["location"]
    assert 'id="import-confirm"' in browser.get(good_url).text
    done = browser.post(f"{good_url}/confirm")
    assert done.status_code == 200  # followed the redirect back to the batch
    assert any("applied: 1 created" in f for f in flashes(done))
    assert customer(api, new)["name"] == "Page Ltd"  # type: ignore[index]
    twice = browser.post(f"{good_url}/confirm")
    assert any("already applied" in f for f in flashes(twice))
    listing = re.sub(r"<[^>]+>", "", browser.get("/imports").text)
    assert "1 new, 0 changed, 0 unchanged" in listing and "by sales" in listing


def test_the_upload_page_refuses_without_csrf_and_names_bad_files(api: ApiSession) -> None:
    browser = Browser(TestClient(api.client.app)).sign_in("admin")
    before = newest_batch(api)
    refused = browser.client.post(
        "/imports",
        data={"csrf": "wrong", "kind": "customers"},
        files={"file": ("c.csv", b"code,name\nC-ZZ,Z\n", CSV)},
    )
    assert any("form expired" in f for f in flashes(refused))
    bad = browser.client.post(
        "/imports",
        data={"csrf": browser.csrf, "kind": "customers"},
        files={"file": ("c.csv", b"code,name,colour\nC-ZZ,Z,red\n", CSV)},
    )
    assert any("Unknown column 'colour'" in f for f in flashes(bad))
    assert newest_batch(api) == before
    assert re.search(r'href="/imports"', bad.text)

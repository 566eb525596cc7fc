"""Design revisions over HTTP: documents, signatures (two components, lockout), the
release gate, and every refusal leaving what is stored as it was."""

from __future__ import annotations

import zlib
from typing import Any

import sqlalchemy as sa

from orderforge.domain.order import OrderAction, OrderState
from tests.api.support import API, DEFAULT_CUSTOMER, ApiSession, valid_line

A = OrderAction
S = OrderState
ALPINA = "C-HOTEL-ALPINA"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def planned(api: ApiSession, family: str = "TABLE", customer: str = ALPINA) -> str:
    order = api.make_order(S.PLANNED, customer=customer, lines=[valid_line(family)])
    number: str = order["number"]
    return number


def propose(
    api: ApiSession,
    number: str,
    files: list[tuple[str, bytes, str]] | None = None,
    as_user: str = "engineer",
    notes: str = "Revision drawn from the spec.",
) -> Any:
    return api.client.post(
        f"{API}/orders/{number}/lines/1/revisions",
        data={"notes": notes},
        files=[("files", f) for f in files or []],
        headers=api.auth(as_user),
    )


def current(api: ApiSession, number: str) -> dict[str, Any]:
    line = api.design(number)["lines"][0]
    found: dict[str, Any] = next(r for r in line["revisions"] if r["current"])
    return found


def snapshot(api: ApiSession, number: str) -> tuple[Any, ...]:
    return (api.stored(number), api.design(number))


def test_regulated_design_from_rejection_to_release(api: ApiSession) -> None:
    """Revision A rejected by the customer, B signed by the customer, an engineer other
    than its author and quality: only then may the couch be released."""
    number = planned(api, "COUCH")
    first = propose(api, number, [("couch-top.pdf", PDF, "application/pdf")])
    assert first.status_code == 201, first.text
    assert api.order(number)["state"] == "awaiting_design_approval"
    revision = current(api, number)
    assert revision["letter"] == "A"
    assert revision["required"] == ["Customer approval", "Engineering approval", "Quality approval"]
    assert revision["files"] == [
        {"index": 0, "name": "couch-top.pdf", "size": len(PDF), "media_type": "application/pdf"}
    ]

    rejected = api.client.post(
        f"{API}/orders/{number}/lines/1/revisions/A/reject",
        json={"comment": "The head rest must tilt further."},
        headers=api.auth("alpina"),
    )
    assert rejected.status_code == 200, rejected.text
    assert api.order(number)["state"] == "planned"
    assert current(api, number)["state"] == "rejected"

    assert propose(api, number, [("photo.png", png(), "image/png")]).status_code == 201
    assert current(api, number)["letter"] == "B"
    assert api.order(number)["state"] == "awaiting_design_approval"
    # A rejected or superseded revision cannot be signed any more.
    stale = api.sign(number, 1, "A", "alpina")
    assert stale.status_code == 409, stale.text

    assert api.sign(number, 1, "B", "alpina").status_code == 200
    blocked = api.act(number, A.RELEASE, as_user="planner")
    assert blocked.status_code == 409
    assert "still needs engineering approval, quality approval" in blocked.json()["detail"]

    own = api.sign(number, 1, "B", "engineer")  # the author: four eyes refuse it
    assert own.status_code == 409
    assert "another engineer" in own.json()["detail"]
    assert api.sign(number, 1, "B", "lead").status_code == 200
    last = api.sign(number, 1, "B", "quality")
    assert last.status_code == 200, last.text
    design = last.json()
    assert design["design_approved"] is True
    # Signed; the couch also asks for a prototype that passed its inspection.
    assert design["blockers"] == [
        "Line 1, Medical examination couch (made to measure): no prototype made yet."
    ]
    signed = design["lines"][0]["revisions"][-1]["signatures"]
    assert [(s["capacity"], s["printed_name"], s["meaning"], s["verified"]) for s in signed] == [
        ("Customer approval", "Franz Huber (Hotel Alpina)", "Approved", True),
        ("Engineering approval", "Ingrid Petersen", "Approved", True),
        ("Quality approval", "Heike Thomsen", "Approved", True),
    ]
    check = api.client.get(
        f"{API}/orders/{number}/lines/1/revisions/B/verification", headers=api.auth("quality")
    )
    assert check.json()["valid"] is True, check.text
    api.prove_prototypes(number)
    assert api.act(number, A.RELEASE, as_user="planner").json()["state"] == "released"
    # Released: no new revision outside an engineering change.
    refused = propose(api, number)
    assert refused.status_code == 409
    assert "request a change" in refused.json()["detail"]


def test_customer_approval_reaches_release_and_files_come_back_safely(api: ApiSession) -> None:
    number = planned(api)
    assert propose(api, number, [("drawing.pdf", PDF, "application/pdf")]).status_code == 201
    download = api.client.get(
        f"{API}/orders/{number}/lines/1/revisions/A/files/1", headers=api.auth("alpina")
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    assert api.sign(number, 1, "A", "alpina").status_code == 200
    assert api.order(number)["design_approved_at"] is not None
    # After approval nobody can reject it any more (today's bug: the customer could).
    again = api.client.post(
        f"{API}/orders/{number}/lines/1/revisions/A/reject",
        json={"comment": "Changed my mind"},
        headers=api.auth("alpina"),
    )
    assert again.status_code == 409
    assert api.order(number)["design_approved_at"] is not None


def test_sales_records_the_approval_only_for_customers_without_a_portal(api: ApiSession) -> None:
    own_portal = planned(api)
    assert propose(api, own_portal).status_code == 201
    refused = api.sign(own_portal, 1, "A", "sales")
    assert refused.status_code == 403
    assert "portal" in refused.json()["detail"]
    no_portal = planned(api, customer=DEFAULT_CUSTOMER)
    assert propose(api, no_portal).status_code == 201
    assert api.sign(no_portal, 1, "A", "sales").status_code == 200
    [signature] = current(api, no_portal)["signatures"]
    assert signature["signer_role"] == "sales"


def test_bad_uploads_are_refused_and_nothing_is_stored(api: ApiSession) -> None:
    number = planned(api)
    before = snapshot(api, number)
    cases = [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "image/svg+xml",
        ),
        ("../../etc/passwd.pdf", PDF, "application/pdf"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"),
        ("empty.pdf", b"", "application/pdf"),
    ]
    for name, data, media_type in cases:
        response = propose(api, number, [(name, data, media_type)])
        assert response.status_code == 422, (name, response.text)
        body = response.json()
        assert body["errors"][0]["field"] == "files", body
        assert snapshot(api, number) == before, name
    too_many = propose(api, number, [(f"d{i}.pdf", PDF, "application/pdf") for i in range(11)])
    assert too_many.status_code == 422
    notes = propose(api, number, notes="x" * 5001)
    assert notes.status_code == 422
    assert snapshot(api, number) == before


def test_oversized_upload_is_refused(api: ApiSession) -> None:
    number = planned(api)
    before = snapshot(api, number)
    limit = api.application.ctx.max_upload_bytes
    big = PDF + b"0" * limit
    response = propose(api, number, [("big.pdf", big, "application/pdf")])
    assert response.status_code in (413, 422), response.text
    assert snapshot(api, number) == before


def test_wrong_password_signs_nothing_and_repeats_lock_the_account(api: ApiSession) -> None:
    number = planned(api)
    assert propose(api, number).status_code == 201
    before = snapshot(api, number)
    wrong = api.sign(number, 1, "A", "alpina", password="not-the-password")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "password"
    other_id = api.client.post(
        f"{API}/orders/{number}/lines/1/revisions/A/sign",
        json={"meaning": "approval", "username": "studio-berg", "password": "whatever-1"},
        headers=api.auth("alpina"),
    )
    assert other_id.status_code == 422
    assert other_id.json()["errors"][0]["field"] == "username"
    statuses = [
        api.sign(number, 1, "A", "alpina", password=f"guess-{i}").status_code for i in range(12)
    ]
    assert 429 in statuses, statuses
    # Locked: even the right password waits now.
    assert api.sign(number, 1, "A", "alpina").status_code == 429
    assert snapshot(api, number) == before
    attempts = api.application.ctx.attempts
    assert attempts is not None
    attempts.succeeded("signature", {"account": "alpina", "client": "testclient"})


def test_others_see_nothing_and_roles_do_only_their_part(api: ApiSession) -> None:
    number = planned(api)
    assert propose(api, number).status_code == 201
    other = api.client.get(f"{API}/orders/{number}/design", headers=api.auth("studio-berg"))
    assert other.status_code == 404
    assert propose(api, number, as_user="alpina").status_code == 403
    assert propose(api, number, as_user="planner").status_code == 403
    operator = api.client.post(
        f"{API}/orders/{number}/lines/1/revisions/A/reject",
        json={"comment": "No"},
        headers=api.auth("operator"),
    )
    assert operator.status_code == 403
    assert (
        api.client.get(f"{API}/orders/{number}/design", headers=api.auth("operator")).status_code
        == 200
    )
    missing = api.client.get(
        f"{API}/orders/{number}/lines/9/revisions/A/verification", headers=api.auth("admin")
    )
    assert missing.status_code == 404


def test_a_changed_file_fails_verification(api: ApiSession) -> None:
    number = planned(api)
    assert propose(api, number, [("drawing.pdf", PDF, "application/pdf")]).status_code == 201
    assert api.sign(number, 1, "A", "alpina").status_code == 200
    [file] = current(api, number)["files"]
    blobs = api.application.settings.resolved_blob_dir()
    digest = next(p for p in blobs.rglob("*") if p.is_file() and p.read_bytes() == PDF)
    digest.chmod(0o600)
    digest.write_bytes(PDF.replace(b"Catalog", b"Katalog"))
    check = api.client.get(
        f"{API}/orders/{number}/lines/1/revisions/A/verification", headers=api.auth("admin")
    ).json()
    assert check["valid"] is False
    assert any(file["name"] in p for p in check["problems"])


def test_the_database_refuses_to_change_a_signature(api: ApiSession) -> None:
    number = planned(api)
    assert propose(api, number).status_code == 201
    assert api.sign(number, 1, "A", "alpina").status_code == 200
    engine = api.application.engine
    for statement in (
        "UPDATE design_signatures SET printed_name = 'Someone else'",
        "DELETE FROM design_signatures",
        f"UPDATE design_revisions SET notes = 'edited' WHERE order_number = '{number}'",
    ):
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
        except sa.exc.DBAPIError:
            continue
        raise AssertionError(f"the database allowed: {statement}")
    assert current(api, number)["signatures"][0]["verified"] is True

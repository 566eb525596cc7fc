"""An engineering change that carries its own design revision: documents and notes in the
request, the revision in the impact and in what the approver signs, and on approval the
line's next revision marked as coming from the change (approved by the change's signature
once the order is released; needing its approvals before release). Bad uploads and late
requests leave what is stored as it was."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from orderforge.domain.order import OrderState
from tests.api.support import API, ApiSession, valid_line
from tests.api.test_changes import ALPINA, approve, in_production, other_spec, work_orders
from tests.api.test_design import PDF, png
from tests.api.test_shipping import csrf_of, signed_in

S = OrderState
REASON = "The customer wants the walnut top, drawn with a bevelled edge."


def ask_with_documents(
    api: ApiSession,
    number: str,
    spec: dict[str, str] | None,
    files: list[tuple[str, bytes, str]],
    notes: str = "Bevelled edge, 5 mm, on all four sides.",
    as_user: str = "sales",
) -> Any:
    line: dict[str, Any] = {"line_no": 1, "design": {"notes": notes}}
    if spec is not None:
        line["spec"] = spec
    return api.client.post(
        f"{API}/orders/{number}/changes/with-documents",
        data={"change": json.dumps({"reason": REASON, "lines": [line]})},
        files=[("documents-1", f) for f in files],
        headers=api.auth(as_user),
    )


def current(api: ApiSession, number: str, as_user: str = "admin") -> dict[str, Any]:
    line = api.design(number, as_user=as_user)["lines"][0]
    found: dict[str, Any] = next(r for r in line["revisions"] if r["current"])
    return found


def changes_of(api: ApiSession, number: str) -> list[dict[str, Any]]:
    response = api.client.get(f"{API}/orders/{number}/changes", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["changes"]
    return found


def test_a_released_orders_change_brings_its_revision_approved_by_the_signature(
    api: ApiSession,
) -> None:
    number = in_production(api)
    before = current(api, number)
    asked = ask_with_documents(
        api,
        number,
        other_spec(api, number),
        [("edge-detail.pdf", PDF, "application/pdf"), ("photo.png", png(), "image/png")],
    )
    assert asked.status_code == 201, asked.text
    change = asked.json()
    (design,) = change["designs"]
    assert [f["name"] for f in design["files"]] == ["edge-detail.pdf", "photo.png"]
    assert design["notes"].startswith("Bevelled edge")
    assert design["mockup_sha256"] and len(design["files"][0]["sha256"]) == 64
    assert "approved by this change's signature" in design["approval"]
    assert design["drawn_for"] == "the spec the change asks for"
    # the work impact is there as for any change of spec
    assert change["impact"]["lines"][0]["operations"]

    # the customer sees the revision the change carries, not the plant's impact
    seen = api.client.get(f"{API}/changes/{change['number']}", headers=api.auth("alpina"))
    assert seen.status_code == 200, seen.text
    assert seen.json()["designs"][0]["files"][0]["name"] == "edge-detail.pdf"
    assert "impact" not in seen.json() and "lost_work" not in seen.text

    approved = approve(api, change["number"], seen_hash=change["content_hash"])
    assert approved.status_code == 200, approved.text
    applied = approved.json()["applied"]
    assert applied["promise"]["after"] is not None
    revision = current(api, number)
    assert revision["letter"] > before["letter"]
    assert revision["change_number"] == change["number"]
    assert revision["approved_by_change"] is True
    assert revision["state"] == "approved" and revision["missing"] == []
    assert revision["signatures"] == []  # the change's signature is the approval
    assert [f["name"] for f in revision["files"]] == ["edge-detail.pdf", "photo.png"]
    assert revision["notes"].startswith("Bevelled edge")
    older = next(
        r for r in api.design(number)["lines"][0]["revisions"] if r["letter"] == before["letter"]
    )
    assert older["state"] == "superseded"
    assert api.design(number)["blockers"] == []
    assert api.order(number)["state"] == "in_production"

    # the files and the mock-up come back from the design record, for the customer too
    base = f"{API}/orders/{number}/lines/1/revisions/{revision['letter']}"
    pdf = api.client.get(f"{base}/files/1", headers=api.auth("alpina"))
    assert pdf.status_code == 200 and pdf.content == PDF
    mockup = api.client.get(f"{base}/mockup.svg", headers=api.auth("alpina"))
    assert mockup.status_code == 200 and b"<svg" in mockup.content
    assert current(api, number, as_user="alpina")["change_number"] == change["number"]
    verified = api.client.get(f"{base}/verification", headers=api.auth("admin"))
    assert verified.status_code == 200 and verified.json()["valid"] is True
    change_check = api.client.get(
        f"{API}/changes/{change['number']}/verification", headers=api.auth("admin")
    )
    assert change_check.json()["valid"] is True

    # the design page says where the revision came from and why it is approved
    page = signed_in(api, "engineer").get(f"/orders/{number}/design")
    assert page.status_code == 200, page.text
    assert change["number"] in page.text
    assert "signed approval is the authority" in page.text


def test_a_drawing_only_change_keeps_the_work_and_closes_at_approval(api: ApiSession) -> None:
    number = in_production(api)
    wos = work_orders(api, number)
    promised = api.order(number)["promise_date"]
    asked = api.client.post(
        f"{API}/orders/{number}/changes",
        json={
            "reason": "A corrected assembly drawing.",
            "lines": [{"line_no": 1, "design": {"notes": "Fixing holes moved by 10 mm."}}],
        },
        headers=api.auth("engineer"),
    )
    assert asked.status_code == 201, asked.text
    change = asked.json()
    assert change["designs"][0]["drawn_for"] == "the current spec"
    assert change["price"]["amounts"]["delta"] in ("0", "0.00")
    approved = approve(api, change["number"], as_user="lead", seen_hash=change["content_hash"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "accepted"  # nothing for the customer to accept
    assert work_orders(api, number) == wos  # no new work order revision
    assert api.order(number)["promise_date"] == promised
    assert api.order(number)["state"] == "in_production"
    revision = current(api, number)
    assert revision["change_number"] == change["number"] and revision["state"] == "approved"


def test_before_release_the_carried_revision_needs_its_approvals(api: ApiSession) -> None:
    order = api.make_order(S.PLANNED, customer=ALPINA, lines=[valid_line("TABLE")])
    number = order["number"]
    asked = ask_with_documents(
        api, number, None, [("edge.pdf", PDF, "application/pdf")], as_user="engineer"
    )
    assert asked.status_code == 201, asked.text
    change = asked.json()
    assert "needs the design approvals" in change["designs"][0]["approval"]
    approved = approve(api, change["number"], as_user="lead", seen_hash=change["content_hash"])
    assert approved.status_code == 200, approved.text
    revision = current(api, number)
    assert revision["change_number"] == change["number"]
    assert revision["approved_by_change"] is False
    assert revision["state"] == "proposed" and revision["missing"]
    assert api.order(number)["state"] == "awaiting_design_approval"
    assert api.design(number)["blockers"]
    # the customer approves it like any revision (the table needs only theirs), and the
    # order may then be released
    assert api.sign(number, 1, revision["letter"], "alpina").status_code == 200
    assert current(api, number)["state"] == "approved"
    assert api.design(number)["blockers"] == [] and api.design(number)["design_approved"]


def test_bad_documents_and_late_requests_store_nothing(api: ApiSession) -> None:
    number = in_production(api)
    stored, design = api.stored(number), api.design(number)
    limit = api.application.ctx.max_upload_bytes
    cases = [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "image/svg+xml",
        ),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"),
        ("big.pdf", PDF + b"0" * limit, "application/pdf"),
    ]
    for name, data, media_type in cases:
        response = ask_with_documents(
            api, number, other_spec(api, number), [(name, data, media_type)]
        )
        assert response.status_code in (413, 422), (name, response.text)
        if response.status_code == 422:
            assert response.json()["errors"][0]["field"] == "files", response.text
    too_many = ask_with_documents(
        api, number, None, [(f"d{i}.pdf", PDF, "application/pdf") for i in range(11)]
    )
    assert too_many.status_code == 422, too_many.text
    long_notes = ask_with_documents(api, number, None, [], notes="x" * 5001)
    assert long_notes.status_code == 422, long_notes.text
    not_json = api.client.post(
        f"{API}/orders/{number}/changes/with-documents",
        data={"change": "{not json"},
        headers=api.auth("sales"),
    )
    assert not_json.status_code == 422, not_json.text
    stray = api.client.post(
        f"{API}/orders/{number}/changes/with-documents",
        data={"change": json.dumps({"reason": REASON, "lines": [{"line_no": 1, "design": {}}]})},
        files=[("documents-2", ("x.pdf", PDF, "application/pdf"))],
        headers=api.auth("sales"),
    )
    assert stray.status_code == 422, stray.text
    nothing = api.client.post(
        f"{API}/orders/{number}/changes",
        json={"reason": REASON, "lines": [{"line_no": 1}]},
        headers=api.auth("sales"),
    )
    assert nothing.status_code == 422, nothing.text
    assert nothing.json()["errors"][0]["field"] == "lines[0].spec"
    # a role that does not ask for changes is refused here too
    quality = ask_with_documents(
        api, number, None, [("edge.pdf", PDF, "application/pdf")], as_user="quality"
    )
    assert quality.status_code == 403, quality.text
    assert api.stored(number) == stored and api.design(number) == design
    assert changes_of(api, number) == []

    delivered = api.make_order(S.DELIVERED, customer=ALPINA)["number"]
    before = api.stored(delivered)
    late = ask_with_documents(api, delivered, None, [("edge.pdf", PDF, "application/pdf")])
    assert late.status_code == 409, late.text
    assert "delivered" in late.json()["detail"]
    assert api.stored(delivered) == before and changes_of(api, delivered) == []


def test_the_change_page_carries_documents_and_shows_them_before_the_decision(
    api: ApiSession,
) -> None:
    number = in_production(api)
    browser = signed_in(api, "sales")
    page = browser.get(f"/orders/{number}/changes")
    assert page.status_code == 200 and 'name="documents-1"' in page.text
    spec = api.order(number)["lines"][0]["spec"]
    fields = {f"line-1-{k}": v for k, v in spec.items()}
    form = {"csrf": csrf_of(page), "line_no": "1", "reason": REASON, **fields}
    script = ("x.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    stored = api.stored(number)
    refused = browser.post(
        f"/orders/{number}/changes",
        data={**form, "design-notes-1": "Bevel"},
        files=[("documents-1", script)],
    )
    assert refused.status_code == 303
    assert "x.pdf" in browser.get(refused.headers["location"]).text
    assert api.stored(number) == stored and changes_of(api, number) == []

    asked = browser.post(
        f"/orders/{number}/changes",
        data={**form, "design-notes-1": "Bevelled edge, 5 mm."},
        files=[("documents-1", ("edge-detail.pdf", PDF, "application/pdf"))],
    )
    assert asked.status_code == 303, asked.text
    (change,) = changes_of(api, number)
    assert change["designs"][0]["files"][0]["name"] == "edge-detail.pdf"
    assert change["designs"][0]["drawn_for"] == "the current spec"
    shown = browser.get(f"/orders/{number}/changes").text
    assert "new design revision" in shown and "Bevelled edge, 5 mm." in shown
    base = f"{API}/changes/{change['number']}/lines/1"
    assert f"{base}/documents/1" in shown
    # the approver (and the customer) read what the change carries before it is decided
    for who in ("engineer", "alpina"):
        document = api.client.get(f"{base}/documents/1", headers=api.auth(who))
        assert document.status_code == 200 and document.content == PDF, who
        mockup = api.client.get(f"{base}/mockup.svg", headers=api.auth(who))
        assert mockup.status_code == 200 and b"<svg" in mockup.content
    assert api.client.get(f"{base}/documents/2", headers=api.auth("engineer")).status_code == 404
    other = api.client.get(
        f"{API}/changes/{change['number']}/lines/2/mockup.svg", headers=api.auth("engineer")
    )
    assert other.status_code == 404


def test_the_database_keeps_where_a_revision_came_from(api: ApiSession) -> None:
    number = in_production(api)
    asked = ask_with_documents(api, number, None, [("edge.pdf", PDF, "application/pdf")])
    assert approve(api, asked.json()["number"]).status_code == 200
    with api.application.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for statement in (
            "UPDATE design_revisions SET change_number = NULL",
            "UPDATE design_revisions SET approved_by_change = false",
        ):
            try:
                with session.begin_nested():
                    session.execute(sa.text(statement))
            except sa.exc.DBAPIError:
                continue
            raise AssertionError(f"the database allowed: {statement}")

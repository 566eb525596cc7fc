"""Catalogue import/export and the configurator over HTTP; bad catalogues change nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pypdf
import pytest
import yaml  # type: ignore[import-untyped]

from orderforge.demo.catalogue import catalogue_text
from tests.api.support import API, ApiSession

SEATING = catalogue_text("SEATING")


def versions(api: ApiSession, family: str = "SEATING") -> list[dict[str, object]]:
    response = api.client.get(f"{API}/families/{family}/versions", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    result: list[dict[str, object]] = response.json()
    return result


def post_catalogue(api: ApiSession, text: str, content_type: str = "application/yaml"):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"{API}/catalogue",
        content=text.encode(),
        headers={**api.auth("engineer"), "Content-Type": content_type},
    )


def test_reimport_of_the_same_text_is_a_no_op_and_a_change_is_a_new_version(
    api: ApiSession,
) -> None:
    before = versions(api)
    same = post_catalogue(api, SEATING)
    assert same.status_code == 200 and same.json()["created"] is False
    changed = post_catalogue(api, SEATING.replace('version: "2026.1"', 'version: "2026.9"'))
    assert changed.status_code == 201, changed.text
    after = versions(api)
    assert len(after) == len(before) + 1 and after[-1]["label"] == "2026.9"
    exported = api.client.get(f"{API}/families/SEATING/catalogue", headers=api.auth("sales"))
    assert "2026.9" in exported.text
    old = api.client.get(f"{API}/families/SEATING/catalogue?version=1", headers=api.auth("sales"))
    assert old.text == SEATING


def test_json_catalogues_are_accepted(api: ApiSession) -> None:
    document = yaml.safe_load(SEATING)
    document["family"] = "SEATING-JSON"
    response = post_catalogue(api, json.dumps(document), "application/json")
    assert response.status_code == 201, response.text
    assert versions(api, "SEATING-JSON")[0]["format"] == "json"


def _broken(change: str) -> str:
    document = yaml.safe_load(SEATING)
    if change == "cycle":
        first = document["modules"][0]
        first.setdefault("uses", []).append({"module": first["code"]})
    elif change == "missing-option":
        document["rules"].append({"id": "ghost", "if": "moon = 'full'", "then": "length < 2000"})
    elif change == "bad-formula":
        document["rules"].append({"id": "broken", "constraint": "length <= (2000"})
    elif change == "unknown-name":
        document["computed"] = [
            *document.get("computed", []),
            {"code": "x", "formula": "length * wingspan"},
        ]
    elif change == "no-product":
        document["rules"].append({"id": "never", "constraint": "length < 0"})
    elif change == "unknown-work-centre":
        document["modules"][0].setdefault("operations", []).append(
            {"code": "LASER", "work_centres": ["LASER-9"], "run": 1}
        )
        document.setdefault("work_centres", []).append({"code": "LASER-9", "name": "Laser"})
    text: str = yaml.safe_dump(document, sort_keys=False)
    return text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("cycle", "cycl"),
        ("missing-option", "moon"),
        ("bad-formula", "column"),
        ("unknown-name", "wingspan"),
        ("no-product", "never"),
        ("unknown-work-centre", "LASER-9"),
    ],
)
def test_bad_catalogues_are_refused_and_change_nothing(
    api: ApiSession, change: str, words: str
) -> None:
    before = versions(api)
    response = post_catalogue(api, _broken(change))
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert versions(api) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/yaml"),
        (b"\xff\xfe not utf-8", "application/yaml"),
        (b"[1, 2", "application/json"),
        (b"family: [", "application/yaml"),
    ],
)
def test_unreadable_catalogues_are_422(api: ApiSession, body: bytes, content_type: str) -> None:
    before = versions(api)
    response = api.client.post(
        f"{API}/catalogue",
        content=body,
        headers={**api.auth("engineer"), "Content-Type": content_type},
    )
    assert response.status_code == 422, response.text
    assert versions(api) == before


def test_configure_explains_conflicts_and_prices_valid_specs(api: ApiSession) -> None:
    headers = api.auth("sales")
    bad = api.client.post(
        f"{API}/families/TABLE/configure",
        json={"spec": {"top": "solid", "core": "mdf"}},
        headers=headers,
    )
    assert bad.status_code == 200 and bad.json()["valid"] is False
    assert "no core" in bad.json()["conflicts"][0]["message"]
    good = api.client.post(f"{API}/families/TABLE/configure", json={"spec": {}}, headers=headers)
    body = good.json()
    assert body["valid"] and body["bom"] and body["routing"]
    assert float(body["costing"]["price"]) > float(body["costing"]["cost"]) > 0
    domains = api.client.post(
        f"{API}/families/TABLE/domains", json={"spec": {"top": "solid"}}, headers=headers
    ).json()
    assert "mdf" not in domains["options"]["core"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"wingspan": "3"}, "spec.wingspan"),
        ({"length": "9 kg"}, "spec.length"),
        ({"top": "glassy"}, "spec.top"),
    ],
)
def test_configure_names_the_bad_field(api: ApiSession, spec: dict[str, str], field: str) -> None:
    response = api.client.post(
        f"{API}/families/TABLE/configure", json={"spec": spec}, headers=api.auth("sales")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_unknown_family_is_404(api: ApiSession) -> None:
    response = api.client.get(f"{API}/families/SPACESHIP", headers=api.auth("sales"))
    assert response.status_code == 404


def test_order_lines_keep_their_catalogue_version(api: ApiSession) -> None:
    sales = api.auth("sales")
    body = {
        "customer": "C-HOTEL-ALPINA",
        "lines": [{"product_family": "SEATING", "quantity": 2, "spec": {}}],
    }
    first = api.client.post(f"{API}/orders", json=body, headers=sales).json()
    post_catalogue(api, SEATING + "\n# a later edit\n")
    line = api.client.get(f"{API}/orders/{first['number']}", headers=sales).json()["lines"][0]
    assert line["catalogue_version"] == first["lines"][0]["catalogue_version"]
    assert line["unit_price"] and line["spec"]  # configured: defaults filled in, priced


def test_quote_document_is_a_pdf_for_the_right_people(api: ApiSession) -> None:
    body = {
        "customer": "C-HOTEL-ALPINA",
        "lines": [{"product_family": "TABLE", "quantity": 2, "spec": {}}],
    }
    number = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales")).json()["number"]
    response = api.client.get(f"{API}/orders/{number}/quote.pdf", headers=api.auth("sales"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1000
    own = api.client.get(f"{API}/orders/{number}/quote.pdf", headers=api.auth("alpina"))
    assert own.status_code == 200
    other = api.client.get(f"{API}/orders/{number}/quote.pdf", headers=api.auth("studio-berg"))
    assert other.status_code == 404


def test_documents_print_the_plants_letterhead_the_customers_address_and_labels(
    api: ApiSession,
) -> None:
    body = {
        "customer": "C-HOTEL-ALPINA",
        "lines": [{"product_family": "TABLE", "quantity": 2, "spec": {"wood": "walnut"}}],
    }
    number = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales")).json()["number"]
    quote = api.client.get(f"{API}/orders/{number}/quote.pdf", headers=api.auth("alpina"))
    text = pypdf.PdfReader(io.BytesIO(quote.content)).pages[0].extract_text()
    assert "Holzwerk Nordlicht" in text  # the demo plant's settings, not a constant
    assert "Zugspitzstraße 12" in text  # the customer's address
    assert "Wood species: Walnut" in text and "walnut" not in text  # labels, not codes
    assert "Valid until" in text and "VAT 19%" in text and "€" in text
    assert "cost" not in text.lower() and "margin" not in text.lower()
    early = api.client.get(f"{API}/orders/{number}/confirmation.pdf", headers=api.auth("sales"))
    assert early.status_code == 409
    assert "no order confirmation until the customer confirms" in early.json()["detail"]
    confirm = api.client.post(
        f"{API}/orders/{number}/actions/confirm", json={}, headers=api.auth("alpina")
    )
    assert confirm.status_code == 200, confirm.text
    done = api.client.get(f"{API}/orders/{number}/confirmation.pdf", headers=api.auth("alpina"))
    assert done.status_code == 200
    text = pypdf.PdfReader(io.BytesIO(done.content)).pages[0].extract_text()
    assert f"Order confirmation {number}" in text and "Valid until" not in text


def test_a_customers_price_group_picks_the_plants_margin_rule(api: ApiSession) -> None:
    """The demo's architects buy at TRADE terms (24 % instead of 30 %), on the order and
    in their own configurator alike; staff configure at the list price."""
    spec = {"wood": "oak", "length": "2000"}

    def ordered(customer: str) -> Decimal:
        line = {"product_family": "TABLE", "quantity": 1, "spec": spec}
        body = {"customer": customer, "lines": [line]}
        made = api.client.post(f"{API}/orders", json=body, headers=api.auth("sales"))
        assert made.status_code == 201, made.text
        return Decimal(made.json()["lines"][0]["unit_price"])

    hotel, trade = ordered("C-HOTEL-ALPINA"), ordered("C-ARCH-BERG")
    assert trade < hotel
    listed = api.client.post(
        f"{API}/families/TABLE/configure", json={"spec": spec}, headers=api.auth("sales")
    ).json()
    own = api.client.post(
        f"{API}/families/TABLE/configure", json={"spec": spec}, headers=api.auth("studio-berg")
    ).json()
    assert Decimal(listed["costing"]["price"]) == hotel
    assert Decimal(own["costing"]["price"]) == trade
    customer = api.client.get(f"{API}/customers/C-ARCH-BERG", headers=api.auth("sales")).json()
    assert customer["price_group"] == "TRADE"
    refused = api.client.post(
        f"{API}/customers",
        json={"code": "C-BAD", "name": "Bad", "price_group": "no spaces"},
        headers=api.auth("sales"),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "price_group"

"""The plant admin pages over HTTP: admins create, edit and retire through the forms;
other staff read the same pages without controls and are refused on POST; bad input
re-renders the form with what was typed and the field's message, storing nothing;
every form needs the session's CSRF token. The browser test (tests/e2e/test_plant.py)
walks one edit in Chromium."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from typing import Any

import pytest

from orderforge.plant import services as plant
from orderforge.services import users
from tests.api.support import ApiSession, TestClient, unique
from tests.api.test_schedule_pages import Browser, flashes
from tests.conftest import DEMO_PASSWORD

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PAGES = ["/plant/settings", "/plant/work-centres", "/plant/work-centres/SAW-BEAM",
         "/plant/calendars", "/plant/calendars/DAY", "/plant/items",
         "/plant/items/A-FRAME", "/plant/pricing"]  # fmt: skip
OpenAs = Callable[[str], Browser]


@pytest.fixture
def browser(api: ApiSession) -> OpenAs:
    return lambda username: Browser(TestClient(api.client.app)).sign_in(username)


def export(api: ApiSession) -> str:
    admin = users.authenticate(api.application.ctx, "admin", DEMO_PASSWORD)
    return plant.export_plant(api.application.ctx, admin)


def entry(api: ApiSession, section: str, code: str) -> dict[str, Any]:
    admin = users.authenticate(api.application.ctx, "admin", DEMO_PASSWORD)
    return plant.get_entry(api.application.ctx, admin, section, code)


def centre_form(found: dict[str, Any], **changes: str) -> dict[str, str]:
    """The edit form of a work centre as the page fills it, with `changes` typed in."""
    fields = {
        "name": found["name"], "kind": found["kind"], "calendar": found["calendar"],
        "units": str(found["units"]), "batch_capacity": str(found["batch_capacity"]),
        "hourly_rate": found["hourly_rate"],
        "default_setup_minutes": str(found["default_setup_minutes"]),
        "setup_attribute": found["setup_attribute"] or "",
        "limits": "\n".join(f"{k} / {v}" for k, v in found["limits"].items()),
        "changeover": "\n".join(
            f"{a} -> {b}: {m}" for a, row in found["changeover"].items() for b, m in row.items()
        ),
    }  # fmt: skip
    if found["interruptible"]:
        fields["interruptible"] = "1"
    return {**fields, **changes}


# -- who sees what --------------------------------------------------------------------


def test_planner_reads_every_page_without_controls(browser: OpenAs) -> None:
    planner = browser("planner")
    for url in PAGES:
        page = planner.get(url)
        assert page.status_code == 200, url
        assert 'method="post" action="/plant' not in page.text, url
    assert "€72.00" in planner.get("/plant/work-centres").text
    assert "Hardwood A-frame" in planner.get("/plant/items").text


def test_admin_sees_the_forms(browser: OpenAs) -> None:
    admin = browser("admin")
    assert 'id="centre-edit"' in admin.get("/plant/work-centres/SAW-BEAM").text
    assert 'id="centre-retire"' in admin.get("/plant/work-centres/SAW-BEAM").text
    assert 'id="settings-form"' in admin.get("/plant/settings").text
    assert 'id="pricing-form"' in admin.get("/plant/pricing").text


def test_a_customer_is_refused(browser: OpenAs) -> None:
    assert browser("alpina").get("/plant/work-centres").status_code == 403


def test_planner_posts_are_refused_and_change_nothing(api: ApiSession, browser: OpenAs) -> None:
    planner = browser("planner")
    before = export(api)
    found = entry(api, "work_centres", "SAW-BEAM")
    posts = [
        ("/plant/work-centres/SAW-BEAM", centre_form(found, units="3")),
        ("/plant/work-centres/SAW-BEAM/retire", {"reason": "sold"}),
        ("/plant/items", {"code": unique("X"), "name": "X", "unit": "pcs", "status": "new",
                          "lead_time_days": "1", "cost": "1"}),
        ("/plant/items/A-FRAME/retire", {"reason": "no"}),
        ("/plant/settings", {"name": "Hijacked"}),
        ("/plant/pricing", {"rule-0-margin": "90"}),
    ]  # fmt: skip
    for url, fields in posts:
        assert planner.post(url, **fields).status_code == 403, url
    assert export(api) == before


def test_forms_need_the_csrf_token(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    before = export(api)
    found = entry(api, "work_centres", "SAW-BEAM")
    forged = admin.client.post(
        "/plant/work-centres/SAW-BEAM", data={**centre_form(found, units="4"), "csrf": "forged"}
    )
    assert forged.status_code == 422
    assert "The form expired" in html.unescape(forged.text)
    missing = admin.client.post("/plant/items/A-FRAME/retire", data={"reason": "x"})
    assert missing.status_code == 422
    assert export(api) == before


# -- admins write through the forms -----------------------------------------------------


def test_admin_creates_edits_and_retires_a_work_centre(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    code = unique("CNC-")
    blank = {"code": code, "name": "CNC router", "kind": "machine", "calendar": "DAY",
             "units": "1", "batch_capacity": "1", "hourly_rate": "95.5",
             "default_setup_minutes": "5", "setup_attribute": "material",
             "limits": "length / 3100 mm\nwidth / 2.1 m", "changeover": "oak -> ash: 20",
             "interruptible": "1"}  # fmt: skip
    created = admin.post("/plant/work-centres", **blank)
    assert created.status_code == 200 and str(created.url).endswith(f"/plant/work-centres/{code}")
    assert f"Work centre {code} added." in flashes(created)
    found = entry(api, "work_centres", code)
    assert found["limits"] == {"length": "3100 mm", "width": "2100 mm"}
    assert found["changeover"] == {"oak": {"ash": 20}} and found["hourly_rate"] == "95.50"
    assert "€95.50" in created.text

    edited = admin.post(f"/plant/work-centres/{code}", **centre_form(found, units="3"))
    assert f"Work centre {code} saved." in flashes(edited)
    assert entry(api, "work_centres", code)["units"] == 3

    refused = admin.post(f"/plant/work-centres/{code}/retire", reason="")
    assert any("Say why before retiring." in f for f in flashes(refused))
    assert entry(api, "work_centres", code)["status"] == "active"
    retired = admin.post(f"/plant/work-centres/{code}/retire", reason="Sold to a dealer")
    assert f"{code} retired: Sold to a dealer" in flashes(retired)
    assert entry(api, "work_centres", code)["status"] == "retired"
    listing = admin.get("/plant/work-centres").text
    assert listing.index(">Retired</h2>") < listing.index(code)
    with api.application.ctx.uow() as uow:
        events = uow.events.for_aggregate("plant_work_centre", code)
    assert events[-1].data["reason"] == "Sold to a dealer"


def test_retiring_a_centre_the_catalogue_uses_says_why(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    page = admin.post("/plant/work-centres/PAINT-BOOTH/retire", reason="old")
    assert any("cannot be retired" in f for f in flashes(page))
    assert entry(api, "work_centres", "PAINT-BOOTH")["status"] == "active"


def test_admin_adds_filters_edits_and_blocks_an_item(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    code = unique("HINGE-")
    admin.post("/plant/items", code=code, name="Cup hinge", unit="pcs", status="new",
               lead_time_days="7", cost="2.5")  # fmt: skip
    assert entry(api, "items", code)["cost"] == "2.50"
    filtered = admin.get("/plant/items", params={"status": "new", "q": "cup hinge"}).text
    assert code in filtered and "A-FRAME" not in filtered
    admin.post(f"/plant/items/{code}", name="Cup hinge", unit="pcs", status="approved",
               lead_time_days="10", cost="2.9")  # fmt: skip
    found = entry(api, "items", code)
    assert (found["status"], found["lead_time_days"], found["cost"]) == ("approved", 10, "2.90")
    admin.post(f"/plant/items/{code}/retire", reason="Supplier stopped it")
    assert entry(api, "items", code)["status"] == "blocked"


def test_admin_edits_a_calendar_and_sees_the_closed_days(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    code = unique("CAL-")
    created = admin.post(
        "/plant/calendars", code=code, name="Weekend crew", timezone="Europe/Berlin",
        country="DE", subdivision="", **{"shift-0-name": "Sat", "shift-0-weekdays": "6",
        "shift-0-start": "08:00", "shift-0-end": "14:00", "shift-0-breaks": "10:00-10:30",
        "closure-0-start": "2026-12-01", "closure-0-end": "2026-12-02",
        "closure-0-reason": "Inventory"}, closed_days="2026-12-10",
    )  # fmt: skip
    assert created.status_code == 200, flashes(created)
    stored = entry(api, "calendars", code)
    assert stored["shifts"][0]["breaks"] == [["10:00", "10:30"]]
    assert "Inventory" in created.text and "Thu 10 Dec 2026: closed" in created.text
    assert "Thu 24 Dec 2026: Christmas Eve" not in created.text  # no DE holiday
    assert "5.5 h / week" in created.text
    edited = admin.post(
        f"/plant/calendars/{code}", name="Weekend crew", timezone="Europe/Berlin", country="DE",
        subdivision="", closed_days="", **{"shift-0-name": "Sat",
        "shift-0-weekdays": ["6", "7"], "shift-0-start": "08:00", "shift-0-end": "14:00",
        "shift-0-breaks": "", "closure-0-start": "2026-12-01", "closure-0-end": "2026-12-02",
        "closure-0-reason": "Inventory", "closure-0-remove": "1"},
    )  # fmt: skip
    assert f"Calendar {code} saved." in flashes(edited)
    stored = entry(api, "calendars", code)
    assert stored["shifts"][0]["weekdays"] == [6, 7] and stored["closures"] == []


def test_admin_saves_settings_with_a_logo_then_removes_it(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    before = entry_settings(api)
    fields = settings_form(before, tax_rate="7.7", design_approval_days="3")
    saved = admin.client.post(
        "/plant/settings", data={**fields, "csrf": admin.csrf},
        files={"logo": ("logo.png", PNG, "image/png")},
    )  # fmt: skip
    assert "Plant settings saved." in flashes(saved)
    assert entry_settings(api)["tax_rate"] == "0.077"
    assert entry_settings(api)["design_approval_days"] == 3
    assert "3 working days" in admin.get("/plant/settings").text or 'value="3"' in (
        admin.get("/plant/settings").text
    )
    logo = admin.get("/plant/settings/logo")
    assert logo.headers["content-type"] == "image/png" and logo.content == PNG
    admin.post("/plant/settings", **settings_form(before), remove_logo="1")
    assert entry_settings(api)["logo"] is None and entry_settings(api)["tax_rate"] == "0.19"


def entry_settings(api: ApiSession) -> dict[str, Any]:
    admin = users.authenticate(api.application.ctx, "admin", DEMO_PASSWORD)
    found = plant.get_settings(api.application.ctx, admin)
    assert found is not None
    return found


def settings_form(found: dict[str, Any], **changes: str) -> dict[str, str]:
    keys = ("name", "country", "timezone", "currency", "payment_terms", "delivery_terms")
    fields = {k: found[k] for k in keys}
    fields["address"] = "\n".join(found["address"])
    fields["quote_validity_days"] = str(found["quote_validity_days"])
    fields["design_approval_days"] = str(found["design_approval_days"])
    fields["tax_rate"] = "19"
    return {**fields, **changes}


def test_admin_edits_pricing_as_percentages(api: ApiSession, browser: OpenAs) -> None:
    admin = browser("admin")
    admin_p = users.authenticate(api.application.ctx, "admin", DEMO_PASSWORD)
    rules = plant.get_pricing(api.application.ctx, admin_p)
    page = admin.get("/plant/pricing").text
    assert 'name="rule-0-margin" value="30"' in page
    form: dict[str, str] = {}
    for i, r in enumerate(rules):
        for k in ("family", "customer_group", "step", "rounding"):
            form[f"rule-{i}-{k}"] = r[k] or ""
        form[f"rule-{i}-margin"] = str(float(r["margin"]) * 100).removesuffix(".0")
    n = len(rules)
    form |= {f"rule-{n}-family": "", f"rule-{n}-customer_group": "VIP", f"rule-{n}-margin": "25",
             f"rule-{n}-step": "1", f"rule-{n}-rounding": "up"}  # fmt: skip
    saved = admin.post("/plant/pricing", **form)
    assert "Pricing policy saved." in flashes(saved)
    vip = [
        r for r in plant.get_pricing(api.application.ctx, admin_p) if r["customer_group"] == "VIP"
    ]
    assert vip and vip[0]["margin"] == "0.25"
    form[f"rule-{n}-remove"] = "1"
    admin.post("/plant/pricing", **form)
    assert plant.get_pricing(api.application.ctx, admin_p) == rules


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fields", "field", "message"),
    [
        ("/plant/work-centres/SAW-BEAM", {"units": "two"}, "units", "must be a whole number"),
        ("/plant/work-centres/SAW-BEAM", {"units": "0"}, "units", "units must be 1 to 1000"),
        ("/plant/work-centres/SAW-BEAM", {"limits": "length 3100"}, "limits", "Line 1"),
        ("/plant/work-centres/SAW-BEAM", {"changeover": "a -> b: 5"}, "setup_attribute",
         "needs the spec attribute"),
        ("/plant/work-centres/SAW-BEAM", {"hourly_rate": "-1"}, "hourly_rate",
         "cannot be negative"),
    ],
)  # fmt: skip
def test_bad_centre_input_is_shown_at_its_field(
    api: ApiSession, browser: OpenAs, url: str, fields: dict[str, str], field: str, message: str
) -> None:
    admin = browser("admin")
    before = export(api)
    typed = centre_form(entry(api, "work_centres", "SAW-BEAM"), name="Typed <b>name</b>", **fields)
    page = admin.post(url, **typed)
    assert page.status_code == 422
    assert f'id="err-{field}"' in page.text
    shown = html.unescape(page.text.split(f'id="err-{field}">', 1)[1].split("</span>", 1)[0])
    assert message in shown
    assert any(f.startswith("Nothing was saved.") for f in flashes(page))
    assert 'value="Typed &lt;b&gt;name&lt;/b&gt;"' in page.text
    assert export(api) == before


@pytest.mark.parametrize(
    ("url", "fields", "where"),
    [
        ("/plant/items", {"code": "MDF-19", "name": "Dup", "unit": "m2", "status": "new",
                          "lead_time_days": "1", "cost": "1"}, 'id="err-code"'),
        ("/plant/items", {"code": "NEW-1", "name": "X", "unit": "pcs", "status": "new",
                          "lead_time_days": "999", "cost": "1"}, 'id="err-lead_time_days"'),
        ("/plant/settings", {"name": "N", "country": "DE", "timezone": "UTC", "currency": "EUR",
                             "tax_rate": "nineteen"}, 'id="err-tax_rate"'),
        ("/plant/settings", {"name": "N", "country": "DE", "timezone": "UTC", "currency": "EUR",
                             "tax_rate": "19", "quote_validity_days": "30",
                             "design_approval_days": "99"}, 'id="err-design_approval_days"'),
        ("/plant/settings", {"name": "N", "country": "DE", "timezone": "Mars/Base",
                             "currency": "EUR", "tax_rate": "19", "quote_validity_days": "30",
                             "design_approval_days": "5"},
         'id="err-timezone"'),
        ("/plant/calendars/DAY", {"name": "Day", "timezone": "Europe/Berlin", "country": "DE",
                                  "subdivision": "", "closed_days": ""}, "shifts"),
        ("/plant/calendars/DAY", {"name": "Day", "timezone": "Europe/Berlin", "country": "DE",
                                  "subdivision": "", "closed_days": "", "shift-0-name": "A",
                                  "shift-0-start": "08:00", "shift-0-end": "16:00",
                                  "shift-0-breaks": ""}, "shifts[0].weekdays: "),
        ("/plant/pricing", {"rule-0-family": "TABLE", "rule-0-customer_group": "",
                            "rule-0-margin": "20", "rule-0-step": "1",
                            "rule-0-rounding": "up"}, 'id="err-pricing"'),
        ("/plant/pricing", {"rule-0-family": "", "rule-0-customer_group": "",
                            "rule-0-margin": "150", "rule-0-step": "1",
                            "rule-0-rounding": "up"}, "pricing[0].margin: "),
    ],
)  # fmt: skip
def test_bad_input_re_renders_and_stores_nothing(
    api: ApiSession, browser: OpenAs, url: str, fields: dict[str, str], where: str
) -> None:
    admin = browser("admin")
    before = export(api)
    page = admin.post(url, **fields)
    assert page.status_code == 422, page.text[:300]
    assert where in page.text, flashes(page)
    assert any(f.startswith("Nothing was saved.") for f in flashes(page))
    assert export(api) == before

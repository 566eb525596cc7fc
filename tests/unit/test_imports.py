"""Imports without a database: reading CSV and Excel (encodings, NUL bytes, limits,
cell types), the header check, the row diff, and the use cases against in-memory ports
(preview stores nothing, confirm applies once, errors and stale previews are refused)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from orderforge.domain.customer import Customer
from orderforge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from orderforge.domain.user import Role
from orderforge.imports import services
from orderforge.imports.domain import (
    Action,
    ImportKind,
    Row,
    check_header,
    duplicates,
    outcome,
)
from orderforge.imports.ports import IMPORT_BATCHES
from orderforge.imports.reading import read_sheet
from orderforge.plant import services as plant
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

ROOT = Path(__file__).resolve().parents[2]
PLANT = (ROOT / "docs" / "examples" / "plant.yaml").read_text("utf-8")
EXAMPLES = ROOT / "docs" / "examples"
ADMIN = Principal(1, "admin", Role.ADMIN, "Admin")
SALES = Principal(2, "sales", Role.SALES, "Sales")
PLANNER = Principal(3, "planner", Role.PLANNER, "Planner")
LIMIT = 1024 * 1024


# -- reading ---------------------------------------------------------------------------


def test_csv_with_and_without_byte_order_mark_reads_the_same() -> None:
    text = "code,name\nC-ONE,Müller & Söhne\n"
    plain = read_sheet("a.csv", text.encode(), LIMIT)
    marked = read_sheet("a.csv", b"\xef\xbb\xbf" + text.encode(), LIMIT)
    assert plain == marked
    assert plain.header == ["code", "name"]
    assert plain.rows == [Row(2, {"code": "C-ONE", "name": "Müller & Söhne"})]


def test_semicolon_csv_from_a_european_spreadsheet() -> None:
    sheet = read_sheet("a.csv", b"code;name\r\nC-ONE;One, Two\r\n", LIMIT)
    assert sheet.rows[0].cells == {"code": "C-ONE", "name": "One, Two"}


def test_a_file_that_is_not_utf8_is_refused_with_its_line() -> None:
    data = "code,name\nC-ONE,Müller\n".encode("latin-1")
    with pytest.raises(InvalidInput) as refused:
        read_sheet("a.csv", data, LIMIT)
    assert refused.value.field == "file"
    assert "not UTF-8" in refused.value.message and "line 2" in refused.value.message


def test_nul_bytes_are_refused() -> None:
    data = "code,name\n".encode("utf-16-le")
    with pytest.raises(InvalidInput, match="NUL") as refused:
        read_sheet("a.csv", data, LIMIT)
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("a.csv", b"", "empty"),
        ("a.csv", b"x" * 2000, "upload limit"),
        ("a.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
        ("a.pdf", b"%PDF-1.4", ".csv or .xlsx"),
        ("a.xlsx", b"code,name\n", "not an Excel workbook"),
        ("a.xlsx", b"PK\x03\x04broken", "cannot be read"),
        ("a.csv", b'code,name\n"unclosed,x\n', "not valid CSV"),
        ("a.csv", b"code,name\nC-1,One,extra\n", "more cells than the header"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(name: str, data: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_sheet(name, data, 1000)
    assert refused.value.field == "file"
    assert words in refused.value.message


def test_the_row_limit_counts_rows_under_the_header_and_skips_blank_ones() -> None:
    three = b"code,name\nA1,a\n\n,\nA2,b\nA3,c\n"
    sheet = read_sheet("a.csv", three, LIMIT, max_rows=3)
    assert [r.number for r in sheet.rows] == [2, 5, 6]  # numbered as in the sheet
    with pytest.raises(InvalidInput, match="more than 2 rows"):
        read_sheet("a.csv", three, LIMIT, max_rows=2)


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (12 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="unpacks to 12 MB") as refused:
        read_sheet("bomb.xlsx", buffer.getvalue(), LIMIT)
    assert refused.value.field == "file"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_cells_come_out_as_the_text_a_person_types() -> None:
    data = _xlsx(
        [
            ["Code", "Name", "Lead_Time_Days", "Cost", "Requested"],
            ["OAK", "Oak board", 14, 12.5, dt.datetime(2027, 3, 31)],
            [None, None, None, None, None],
            ["ASH", "Ash board", 7.0, 3, dt.date(2027, 4, 1)],
        ]
    )
    sheet = read_sheet("items.xlsx", data, LIMIT)
    assert [h.lower() for h in sheet.header] == [
        "code",
        "name",
        "lead_time_days",
        "cost",
        "requested",
    ]
    assert sheet.rows == [
        Row(2, {"code": "OAK", "name": "Oak board", "lead_time_days": "14", "cost": "12.5",
                "requested": "2027-03-31"}),
        Row(4, {"code": "ASH", "name": "Ash board", "lead_time_days": "7", "cost": "3",
                "requested": "2027-04-01"}),
    ]  # fmt: skip


_cell_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"), max_size=30
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_cell_text, min_size=2, max_size=2), min_size=1, max_size=20))
def test_any_csv_a_spreadsheet_writes_reads_back_cell_for_cell(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["code", "name"], *rows])
    sheet = read_sheet("a.csv", buffer.getvalue().encode(), LIMIT, max_rows=100)
    expected = [r for r in rows if any(c.strip() for c in r)]
    assert [[r.cells["code"], r.cells["name"]] for r in sheet.rows] == expected


# -- header ----------------------------------------------------------------------------


def test_an_unknown_column_is_named() -> None:
    with pytest.raises(InvalidInput, match="Unknown column 'colour'") as refused:
        check_header(ImportKind.CUSTOMERS, ["code", "name", "colour"])
    assert refused.value.field == "colour"


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(InvalidInput, match="'unit' is missing") as refused:
        check_header(ImportKind.ITEMS, ["code", "name"])
    assert refused.value.field == "unit"


def test_spec_columns_belong_to_orders_only() -> None:
    names = check_header(
        ImportKind.ORDERS, ["External_Ref", "customer", "product_family", "quantity", "spec.wood"]
    )
    assert names[0] == "external_ref"
    with pytest.raises(InvalidInput, match=r"Unknown column 'spec\.wood'"):
        check_header(ImportKind.CUSTOMERS, ["code", "name", "spec.wood"])
    with pytest.raises(InvalidInput, match="twice"):
        check_header(ImportKind.CUSTOMERS, ["code", "name", "Name"])


# -- the diff --------------------------------------------------------------------------

_fields = st.dictionaries(
    st.sampled_from(["name", "email", "country", "cost"]), st.text(max_size=5)
)


@given(_fields, _fields)
def test_an_update_lists_exactly_the_fields_that_differ(
    before: dict[str, str], after: dict[str, str]
) -> None:
    found = outcome(2, "K", before, after)
    differing = [k for k in after if before.get(k, "") != after[k]]
    assert [c.field for c in found.changes] == differing
    assert all(c.before == before.get(c.field, "") for c in found.changes)
    assert found.action is (Action.UPDATE if differing else Action.UNCHANGED)
    assert outcome(2, "K", None, after).action is Action.CREATE


def test_a_key_used_twice_in_a_file_is_an_error_on_the_later_row() -> None:
    rows = [outcome(n, k, None, {}) for n, k in ((2, "A"), (3, "B"), (4, "A"))]
    found = duplicates(rows, ["A", "B", "A"])
    assert [o.action for o in found] == [Action.CREATE, Action.CREATE, Action.ERROR]
    assert found[2].problems[0].sentence() == "row 4: 'A' is already on row 2."


# -- use cases -------------------------------------------------------------------------


@pytest.fixture
def uow() -> FakeUnitOfWork:
    store = FakeUnitOfWork()
    store.customers.add(
        Customer.register(
            code="C-OLD",
            name="Old Name",
            email="old@example.com",
            country="CH",
            actor="t",
            at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    )
    return store


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    context = ServiceContext(uow=uow, clock=FixedClock(), hasher=PlainHasher())
    plant.import_plant(context, ADMIN, PLANT)
    return context


def _upload(ctx: ServiceContext, me: Principal, kind: str, text: str) -> int:
    batch = services.upload(ctx, me, services.Upload(kind, f"{kind}.csv", text.encode()))
    assert batch.id is not None
    return batch.id


CUSTOMERS = (
    "code,name,email,country\n"
    "C-NEW,New Customer,new@example.com,\n"  # empty country: the plant's
    "C-OLD,New Name,old@example.com,CH\n"
)


def test_preview_stores_only_the_batch(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    events = len(uow.events.rows)
    batch_id = _upload(ctx, SALES, "customers", CUSTOMERS + "c-old,Old Name,,CH\n")
    assert uow.customers.get("C-NEW") is None
    assert uow.customers.get("C-OLD").name == "Old Name"  # type: ignore[union-attr]
    assert len(uow.events.rows) == events
    view = services.batch_view(services.get_batch(ctx, SALES, batch_id))
    assert [r["action"] for r in view["rows"]] == ["create", "update", "error"]
    assert view["rows"][1]["summary"] == "update (name: Old Name -> New Name)"
    assert view["errors"] == [{"row": 4, "column": "", "message": "'C-OLD' is already on row 3."}]
    assert view["can_apply"] is False


def test_confirm_applies_every_row_once_with_the_usual_events(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    batch_id = _upload(ctx, SALES, "customers", CUSTOMERS)
    applied = services.confirm(ctx, SALES, batch_id)
    assert (applied.applied_by, applied.status.value) == ("sales", "applied")
    new = uow.customers.get("C-NEW")
    assert new is not None and new.country == "CH"  # the example plant is Swiss
    assert uow.customers.get("C-OLD").name == "New Name"  # type: ignore[union-attr]
    kinds = [e.kind for e in uow.events.rows]
    assert kinds.count("customer_registered") >= 1 and "customer_changed" in kinds
    assert "import_applied" in kinds
    with pytest.raises(IllegalTransition, match="already applied by sales"):
        services.confirm(ctx, ADMIN, batch_id)


def test_a_batch_with_errors_cannot_be_applied(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    batch_id = _upload(
        ctx, ADMIN, "customers", "code,name,email\nC-GOOD,Good,\nC-BAD,Bad,no-mail\n"
    )
    with pytest.raises(IllegalTransition, match="row 3, column email") as refused:
        services.confirm(ctx, ADMIN, batch_id)
    assert "cannot be applied" in refused.value.message
    assert uow.customers.get("C-GOOD") is None


def test_a_record_changed_since_the_preview_refuses_the_confirm(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    batch_id = _upload(ctx, ADMIN, "customers", CUSTOMERS)
    uow.customers.get("C-OLD").name = "Renamed meanwhile"  # type: ignore[union-attr]
    with pytest.raises(IllegalTransition, match="row 3: was 'update"):
        services.confirm(ctx, ADMIN, batch_id)
    assert uow.customers.get("C-NEW") is None
    stored = uow.repository(IMPORT_BATCHES).get(batch_id)
    assert stored is not None and stored.status.value == "previewed"


def test_who_may_import_what(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDenied, match="may not import customers"):
        _upload(ctx, PLANNER, "customers", CUSTOMERS)
    with pytest.raises(PermissionDenied, match="may not import items"):
        _upload(ctx, SALES, "items", "code,name,unit\nX1,X,pcs\n")
    batch_id = _upload(ctx, PLANNER, "items", "code,name,unit\nX1,X,pcs\n")
    with pytest.raises(PermissionDenied):
        services.get_batch(ctx, SALES, batch_id)  # another kind's batch
    assert services.kinds_for(PLANNER) == [ImportKind.ITEMS]


def test_items_preview_and_apply_through_the_plant(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    text = (
        "code,name,unit,lead_time_days,cost\n"
        "A-FRAME,Oak A-frame,pcs,21,120\n"  # as stored: 120 is 120.00
        "CABLE-TRAY,Cable tray 1200 mm,pcs,9,\n"  # empty cost keeps the stored one
        "NEW-BOLT,Bolt M8,pcs,2,0.25\n"
        "BAD-UNIT,Bad,furlong,1,1\n"
        "BAD-DAYS,Bad,pcs,soon,1\n"
    )
    batch_id = _upload(ctx, PLANNER, "items", text)
    view = services.batch_view(services.get_batch(ctx, PLANNER, batch_id))
    assert [r["summary"] for r in view["rows"][:3]] == [
        "unchanged",
        "update (lead_time_days: 5 -> 9)",
        "create",
    ]
    assert [(e["row"], e["column"]) for e in view["errors"]] == [(5, "unit"), (6, "lead_time_days")]
    good = _upload(ctx, PLANNER, "items", "\n".join(text.splitlines()[:4]) + "\n")
    services.confirm(ctx, PLANNER, good)
    items = {e["code"]: e for e in plant.list_entries(ctx, ADMIN, "items")}
    assert items["CABLE-TRAY"]["lead_time_days"] == 9 and items["CABLE-TRAY"]["cost"] == "34.00"
    assert items["NEW-BOLT"]["cost"] == "0.25"
    kinds = [e.kind for e in uow.events.rows]
    assert "plant_item_created" in kinds and "plant_item_changed" in kinds


def test_the_sample_files_preview_without_errors(ctx: ServiceContext) -> None:
    """docs/examples/import-customers.csv and import-items.csv match this plant."""
    for kind in ("customers", "items"):
        text = (EXAMPLES / f"import-{kind}.csv").read_text("utf-8")
        batch = services.get_batch(ctx, ADMIN, _upload(ctx, ADMIN, kind, text))
        assert batch.problems == [], batch.problems

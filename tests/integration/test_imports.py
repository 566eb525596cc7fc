"""The imports room on SQLite and PostgreSQL: a batch round-trips whole (rows with any
text, the preview, who and when), is marked applied once even when two confirms race,
and an order reference is unique per customer; the migration goes down and up again."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from orderforge.adapters.db import migrate
from orderforge.bootstrap import Application
from orderforge.domain.customer import Customer
from orderforge.domain.errors import IllegalTransition
from orderforge.domain.user import Role
from orderforge.imports import services
from orderforge.imports.domain import BatchStatus, ImportBatch, ImportKind, Row, outcome
from orderforge.imports.ports import IMPORT_BATCHES, ORDER_REFERENCES
from orderforge.imports.storage import import_batches
from orderforge.services.ports import DuplicateRecord, Principal

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
ADMIN = Principal(0, "local-admin", Role.ADMIN, "Local administrator")


def _customer(application: Application, code: str = "C-ONE") -> int:
    with application.ctx.uow() as uow:
        found = Customer.register(code=code, name="One", email="", country="DE", actor="t", at=AT)
        uow.customers.add(found)
        uow.commit()
    assert found.id is not None
    return found.id


def test_a_batch_round_trips_whole(application: Application) -> None:
    cells = {"code": "C-ÄÖ", "name": 'Zürich "quoted", 🪑\nsecond line'}
    batch = ImportBatch(
        kind=ImportKind.CUSTOMERS,
        file_name="kunden.csv",
        rows=[Row(2, cells)],
        outcomes=[outcome(2, "C-ÄÖ", {"name": "old"}, {"name": cells["name"]})],
        uploaded_by="sales",
        uploaded_at=AT,
    )
    with application.ctx.uow() as uow:
        uow.repository(IMPORT_BATCHES).add(batch)
        uow.commit()
    with application.ctx.uow() as uow:
        found = uow.repository(IMPORT_BATCHES).get(batch.id or 0)
        newest = uow.repository(IMPORT_BATCHES).recent([ImportKind.CUSTOMERS], 5)
        others = uow.repository(IMPORT_BATCHES).recent([ImportKind.ITEMS], 5)
    assert found is not None
    assert (found.rows, found.outcomes) == (batch.rows, batch.outcomes)
    assert (found.uploaded_by, found.uploaded_at, found.status) == (
        "sales",
        AT,
        BatchStatus.PREVIEWED,
    )
    assert [b.id for b in newest] == [batch.id]
    assert others == []


def test_two_confirms_racing_apply_the_batch_once(application: Application) -> None:
    _customer(application, "C-RACE")
    batch = services.upload(
        application.ctx,
        ADMIN,
        services.Upload("customers", "c.csv", b"code,name\nC-NEW-1,New\nC-RACE,Renamed\n"),
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            services.confirm(application.ctx, ADMIN, batch.id or 0)
            results.append("applied")
        except IllegalTransition as exc:
            results.append(exc.message)
        except Exception as exc:  # SQLite's writer lock, PostgreSQL's row lock
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("applied") == 1, results
    with application.ctx.uow() as uow:
        assert uow.customers.get("C-RACE").name == "Renamed"  # type: ignore[union-attr]
        registered = [e.kind for e in uow.events.for_aggregate("customer", "C-NEW-1")]
        applied = [e.kind for e in uow.events.for_aggregate("import_batch", str(batch.id))]
    assert registered == ["customer_registered"]
    assert applied == ["import_applied"]


def test_an_order_reference_is_unique_per_customer(application: Application) -> None:
    one, two = _customer(application, "C-ONE"), _customer(application, "C-TWO")
    with application.ctx.uow() as uow:
        refs = uow.repository(ORDER_REFERENCES)
        refs.add(one, "PO-1", "SO-2026-0001", AT)
        refs.add(two, "PO-1", "SO-2026-0002", AT)  # another customer's PO-1
        uow.commit()
    with application.ctx.uow() as uow:
        assert uow.repository(ORDER_REFERENCES).order_for(two, "PO-1") == "SO-2026-0002"
        with pytest.raises(DuplicateRecord):
            uow.repository(ORDER_REFERENCES).add(one, "PO-1", "SO-2026-0003", AT)


def test_the_migration_goes_down_and_up(application: Application) -> None:
    migrate.downgrade(application.engine, "0017_change")
    assert "import_batches" not in sa.inspect(application.engine).get_table_names()
    application.upgrade_schema()
    assert application.schema_is_current()
    with application.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_batches)).scalar() == 0

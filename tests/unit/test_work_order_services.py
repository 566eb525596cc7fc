"""Production use cases against in-memory ports: work orders made and reviewed on
confirmation, superseded, cancelled; reports idempotent; who may do what."""

from __future__ import annotations

import dataclasses

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.demo.plant import demo_plant_data
from orderforge.domain.errors import IdempotencyMismatch, InvalidInput, PermissionDenied
from orderforge.domain.order import LineInput
from orderforge.domain.user import Role
from orderforge.production.domain import ReportKind
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import HANDLERS, reports, work_orders
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock, release_for_work
from tests.unit.fakes import FakeUnitOfWork, PlainHasher
from tests.unit.production_fakes import FakeWorkOrders

ADMIN = Principal(1, "admin", Role.ADMIN, "Admin")
SALES = Principal(2, "sales", Role.SALES, "Sales")
OPERATOR = Principal(3, "operator", Role.OPERATOR, "Operator")
ENGINEER = Principal(4, "engineer", Role.ENGINEER, "Engineer")
CUSTOMER = Principal(5, "alpina", Role.CUSTOMER, "Alpina", customer_id=1)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    context = ServiceContext(
        uow=uow,
        clock=FixedClock(),
        hasher=PlainHasher(),
        sealer=HmacSealer(lambda: "unit-tests"),
        handlers=HANDLERS,
    )
    demo.load_demo(context, "orderforge-demo", count=10)
    return context


def confirmed(ctx: ServiceContext, quantity: int = 2) -> str:
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", quantity, {}),))
    number: str = orders.create_order(ctx, SALES, cmd).view.number
    orders.advance_order(ctx, SALES, number, "confirm")
    return number


def test_confirmation_makes_the_work_order_then_reviews_it(ctx: ServiceContext) -> None:
    reviewing = dataclasses.replace(ctx, review_on_confirm=True)
    number = confirmed(reviewing)
    [view] = work_orders.list_work_orders(ctx, ENGINEER, number)
    assert view["status"] == "open" and view["quantity"] == 2
    assert [o["seq"] for o in view["operations"]][:2] == [10, 20]
    assert orders.get_order(ctx, ADMIN, number).state == "feasible"
    quiet = confirmed(ctx)  # the plant's setting off: made, not reviewed
    assert orders.get_order(ctx, ADMIN, quiet).state == "confirmed"


def test_reconfirmation_supersedes_and_cancel_cancels(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = confirmed(ctx)
    orders.advance_order(ctx, ENGINEER, number, "reject", reason="no veneer")
    orders.advance_order(ctx, SALES, number, "revise_quote")
    orders.advance_order(ctx, SALES, number, "confirm")
    repo = uow.repository(WORK_ORDERS)
    assert [(w.revision, w.status.value) for w in repo.for_order(number)] == [
        (1, "superseded"),
        (2, "open"),
    ]
    orders.advance_order(ctx, SALES, number, "cancel", reason="withdrawn")
    assert [w.status.value for w in repo.for_order(number)] == ["superseded", "cancelled"]


def test_reports_replay_by_key_and_refuse_another_body(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = confirmed(ctx)
    release_for_work(ctx, number)  # work starts only on a released order
    [view] = work_orders.list_work_orders(ctx, OPERATOR, number)
    start = reports.ReportOperation(view["number"], 10, ReportKind.START)
    first = reports.report_operation(ctx, OPERATOR, start, "k")
    again = reports.report_operation(ctx, OPERATOR, start, "k")
    assert again.replayed and again.view == first.view
    assert len(uow.repository(WORK_ORDERS).reports(view["number"])) == 1
    with pytest.raises(IdempotencyMismatch):
        reports.report_operation(
            ctx, OPERATOR, dataclasses.replace(start, kind=ReportKind.PAUSE), "k"
        )
    with pytest.raises(InvalidInput) as bad:
        reports.report_operation(ctx, OPERATOR, start, " ")
    assert bad.value.field == "Idempotency-Key"
    assert len(uow.repository(WORK_ORDERS).reports(view["number"])) == 1


def test_who_may_see_and_report(ctx: ServiceContext) -> None:
    [view] = work_orders.list_work_orders(ctx, ADMIN, confirmed(ctx))
    start = reports.ReportOperation(view["number"], 10, ReportKind.START)
    with pytest.raises(PermissionDenied):
        reports.report_operation(ctx, SALES, start)
    with pytest.raises(PermissionDenied):
        work_orders.get_work_order(ctx, CUSTOMER, view["number"])
    assert work_orders.get_work_order(ctx, SALES, view["number"])["reports"] == []
    with pytest.raises(InvalidInput) as bad:
        work_orders.list_work_orders(ctx, ADMIN, None, limit=0)
    assert bad.value.field == "limit"


def test_setup_class_is_the_centres_setup_attribute_value() -> None:
    work_centres = demo_plant_data().work_centres
    centres = {w.code: w for w in work_centres}
    painted = next(w.code for w in work_centres if w.setup_attribute == "colour")
    plain = next(w.code for w in work_centres if w.setup_attribute is None)
    spec = {"colour": "sage"}
    assert work_orders.setup_class_for((plain, painted), spec, centres) == "sage"
    assert work_orders.setup_class_for((plain,), spec, centres) is None
    assert work_orders.setup_class_for((painted,), {}, centres) is None


def test_backfill_makes_work_orders_for_committed_orders_without_any(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = confirmed(ctx)
    repo = uow.repository(WORK_ORDERS)
    assert isinstance(repo, FakeWorkOrders)
    repo.rows[:] = [w for w in repo.rows if w.order_number != number]  # an older database
    with pytest.raises(PermissionDenied):
        work_orders.backfill_work_orders(ctx, OPERATOR)
    made = work_orders.backfill_work_orders(ctx, ADMIN)
    assert [w.number for w in repo.for_order(number)] == made
    assert work_orders.backfill_work_orders(ctx, ADMIN) == []

"""The operator screen's reads against in-memory ports: which queue an operation stands
in (the centre its start named, else the plan's, else its preferred one), the order
(plan order, the unplanned after, the next one on top), and what a scanned code opens."""

from __future__ import annotations

import datetime as dt

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.planning import PlannedOperation, PlanVersion
from orderforge.domain.user import Role
from orderforge.production.domain import OperationStatus
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import HANDLERS, floor
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

OPERATOR = Principal(3, "operator", Role.OPERATOR, "Operator")
SALES = Principal(2, "sales", Role.SALES, "Sales")
T0 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
#: In the 12-order demo this centre has a running, some ready and many waiting operations.
CENTRE = "CNC-NEST"


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
    demo.load_demo(context, "orderforge-demo", count=12)
    return context


def plan(uow: FakeUnitOfWork, slots: list[tuple[str, int, str]]) -> None:
    """A current plan putting each (work order, seq) on `centre`, an hour apart."""
    operations = []
    for hour, (number, seq, centre) in enumerate(slots):
        wo = uow.repository(WORK_ORDERS).get(number)
        assert wo is not None
        op = wo.operation(seq)
        operations.append(
            PlannedOperation(
                key=f"{wo.order_number}/{wo.line_no}/{op.routing_key}",
                order_number=wo.order_number,
                line_no=wo.line_no,
                name=op.name,
                work_centre=centre,
                resource=f"{centre}#1",
                start=T0 + dt.timedelta(hours=hour),
                end=T0 + dt.timedelta(hours=hour, minutes=50),
            )
        )
    n = (uow.plans.latest_version_number() or 0) + 1
    version = PlanVersion(
        n, T0, "planner", None, T0, None, "test", 0, 0, True, 0, len(operations), 0, 0.1
    )
    uow.plans.add_version(version, operations, [])


def codes(ctx: ServiceContext) -> list[str]:
    return [o["code"] for o in floor.queue(ctx, OPERATOR, CENTRE)["operations"]]


def test_without_a_plan_the_queue_is_by_work_order_with_the_next_on_top(
    ctx: ServiceContext,
) -> None:
    view = floor.queue(ctx, OPERATOR, CENTRE)
    rows = view["operations"]
    assert view["plan_version"] is None and len(rows) >= 4
    assert rows[0]["actionable"] and view["next"] == rows[0]
    rest = [(r["work_order"], r["seq"]) for r in rows[1:]]
    assert rest == sorted(rest)
    assert all(r["planned_start"] is None for r in rows)


def test_the_plan_orders_the_queue_and_the_unplanned_come_after(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    before = floor.queue(ctx, OPERATOR, CENTRE)["operations"]
    waiting = [r for r in before if not r["actionable"]]
    assert len(waiting) >= 3
    # The plan reverses the waiting ones and leaves the last of them out.
    chosen = list(reversed(waiting[:-1]))
    plan(uow, [(r["work_order"], r["seq"], CENTRE) for r in chosen])
    after = codes(ctx)
    top = after[0]
    assert top == before[0]["code"]  # still the next: it is the only one that can run
    planned_part = [c for c in after if c in {r["code"] for r in chosen}]
    assert planned_part == [r["code"] for r in chosen]
    assert after.index(waiting[-1]["code"]) > max(after.index(c) for c in planned_part)


def test_an_operation_planned_or_started_elsewhere_leaves_this_queue(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    rows = floor.queue(ctx, OPERATOR, CENTRE)["operations"]
    moved = next(r for r in rows if not r["actionable"])
    plan(uow, [(moved["work_order"], moved["seq"], "QC-FINAL")])
    assert moved["code"] not in codes(ctx)
    ready = next(r for r in rows if r["status"] == "ready")
    wo = uow.repository(WORK_ORDERS).get(ready["work_order"])
    assert wo is not None
    op = wo.operation(ready["seq"])
    elsewhere = next((c for c in op.work_centres if c != CENTRE), None)
    if elsewhere is not None:
        wo.start(op.seq, actor="operator", at=T0, work_centre=elsewhere)
        assert ready["code"] not in codes(ctx)
    else:  # only this centre can run it: started here, it stays here
        wo.start(op.seq, actor="operator", at=T0, work_centre=CENTRE)
        assert ready["code"] in codes(ctx)
    assert op.status is OperationStatus.RUNNING


def test_a_running_operation_is_done_next_and_done_ones_drop_off(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    rows = floor.queue(ctx, OPERATOR, CENTRE)["operations"]
    ready = [r for r in rows if r["status"] == "ready"][-1]
    wo = uow.repository(WORK_ORDERS).get(ready["work_order"])
    assert wo is not None
    wo.start(ready["seq"], actor="operator", at=T0, work_centre=CENTRE)
    view = floor.queue(ctx, OPERATOR, CENTRE)
    assert view["next"]["status"] == "running"
    order = [r["code"] for r in view["operations"]]
    still_ready = [r["code"] for r in view["operations"] if r["status"] == "ready"]
    assert still_ready and all(order.index(ready["code"]) < order.index(c) for c in still_ready)
    wo.complete(ready["seq"], good=wo.quantity, scrap=0, actor="operator", at=T0)
    assert ready["code"] not in codes(ctx)


def test_the_operation_says_what_to_make_and_what_it_waits_for(ctx: ServiceContext) -> None:
    rows = floor.queue(ctx, OPERATOR, CENTRE)["operations"]
    waiting = next(r for r in rows if r["status"] == "waiting")
    assert waiting["status_words"].startswith("waiting for op ")
    view = floor.operation(ctx, OPERATOR, CENTRE.lower(), waiting["work_order"], waiting["seq"])
    assert view["spec"] and all(label and value for label, value in view["spec"])
    assert not view["can_start"] and not view["can_complete"] and not view["elsewhere"]
    assert view["remaining"] == view["quantity"] and view["product"] != ""
    assert int(view["operations_done"]) < int(view["operations_total"])


def test_scanned_codes_open_operations_or_say_why_not(ctx: ServiceContext) -> None:
    rows = floor.queue(ctx, OPERATOR, CENTRE)["operations"]
    row = rows[-1]
    target = floor.resolve_scan(ctx, OPERATOR, CENTRE, f"  {row['work_order'].lower()} / 10 ")
    assert (target.work_order, target.seq) == (row["work_order"], 10)
    alone = floor.resolve_scan(ctx, OPERATOR, CENTRE, row["work_order"])
    first_here = next(r for r in rows if r["work_order"] == row["work_order"])
    assert (alone.work_order, alone.seq) == (row["work_order"], first_here["seq"])
    with pytest.raises(InvalidInput) as garbage:
        floor.resolve_scan(ctx, OPERATOR, CENTRE, "SO-2026-0001")
    assert garbage.value.field == "code"
    with pytest.raises(InvalidInput):
        floor.resolve_scan(ctx, OPERATOR, CENTRE, "WO-2026-0001/" + "1" * 200)
    with pytest.raises(NotFound):
        floor.resolve_scan(ctx, OPERATOR, CENTRE, "WO-2026-9999")
    with pytest.raises(NotFound):
        floor.queue(ctx, OPERATOR, "NOWHERE")
    with pytest.raises(PermissionDenied):
        floor.queue(ctx, SALES, CENTRE)

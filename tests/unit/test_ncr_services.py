"""NCR use cases against in-memory ports (the demo loaded into fakes): raising checks the
cause and the operation, an open NCR holds nothing of another work order, listing puts
open ones first, rework adds operations and records a replan, and roles are checked."""

from __future__ import annotations

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from orderforge.domain.user import Role
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import HANDLERS
from orderforge.quality import ncr_services
from orderforge.quality.ncr_domain import ReworkStep
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

OPERATOR = Principal(3, "operator", Role.OPERATOR, "Operator")
QUALITY = Principal(7, "quality", Role.QUALITY, "Quality")
INSPECTOR = Principal(8, "inspector", Role.QUALITY, "Inspector")
CUSTOMER = Principal(9, "alpina", Role.CUSTOMER, "Alpina", customer_id=1)


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


def open_work_order(uow: FakeUnitOfWork) -> tuple[str, int, str]:
    """An open work order: its number, its first operation and that one's work centre."""
    wo = next(w for w in uow.repository(WORK_ORDERS).recent() if w.status.value == "open")
    first = wo.operations[0]
    return wo.number, first.seq, first.work_centres[0]


def test_raise_checks_cause_and_roles_and_lists_open_first(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number, seq, _ = open_work_order(uow)
    cmd = ncr_services.RaiseNcr(number, seq, 1, "Chipped", "GREMLINS", "floor")
    with pytest.raises(InvalidInput) as unknown:
        ncr_services.raise_ncr(ctx, OPERATOR, cmd)
    assert unknown.value.field == "cause"
    with pytest.raises(InvalidInput):
        ncr_services.raise_ncr(
            ctx, OPERATOR, ncr_services.RaiseNcr(number, 99_999, 1, "x", "MACHINE", "floor")
        )
    first = ncr_services.raise_ncr(
        ctx, OPERATOR, ncr_services.RaiseNcr(number, seq, 1, "Chipped", "handling", "floor")
    )
    second = ncr_services.raise_ncr(
        ctx, OPERATOR, ncr_services.RaiseNcr(number, seq, 1, "Dented", "HANDLING", "floor")
    )
    assert (first["number"], second["number"]) == ("NCR-2026-0001", "NCR-2026-0002")
    ncr_services.cancel_ncr(ctx, QUALITY, first["number"], "Raised twice")
    listed = ncr_services.list_ncrs(ctx, QUALITY)
    assert [n["number"] for n in listed] == [second["number"], first["number"]]
    with pytest.raises(PermissionDenied):
        ncr_services.list_ncrs(ctx, CUSTOMER)
    with pytest.raises(PermissionDenied):
        ncr_services.cancel_ncr(ctx, OPERATOR, second["number"], "no")


def test_rework_adds_operations_and_queues_a_replan(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number, seq, centre = open_work_order(uow)
    raised = ncr_services.raise_ncr(
        ctx, OPERATOR, ncr_services.RaiseNcr(number, seq, 1, "Chipped", "MACHINE", "floor")
    )
    steps = [ReworkStep(centre, 20, "Sand"), ReworkStep(centre, 10, "Oil")]
    with pytest.raises(InvalidInput):
        ncr_services.dispose(
            ctx,
            QUALITY,
            ncr_services.Dispose(raised["number"], "rework", "x", [ReworkStep("NOWHERE", 5, "x")]),
        )
    done = ncr_services.dispose(
        ctx, QUALITY, ncr_services.Dispose(raised["number"], "rework", "Sand and oil", steps)
    )
    assert done["disposition"]["operations"] == [seq + 1, seq + 2]
    wo = uow.repository(WORK_ORDERS).get(number)
    assert wo is not None and [o.seq for o in wo.operations][:3] == [seq, seq + 1, seq + 2]
    [run] = [r for r in uow.plans.run_rows if r.trigger.get("ncr") == raised["number"]]
    assert done["replan_run"] == run.id and run.trigger["kind"] == "nonconformance"
    with pytest.raises(IllegalTransition, match="cannot close yet"):
        ncr_services.close_ncr(ctx, INSPECTOR, raised["number"], "ok")

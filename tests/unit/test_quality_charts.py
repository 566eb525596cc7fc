"""The quality charts' use cases against in-memory ports: lot samples make an X̄-R chart,
a spec-parameter nominal is charted as the deviation, each unit counts with its first
measurement, capability waits for 20 results; yield and Pareto read the period asked
for; customers are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderforge.adapters.security import HmacSealer
from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.user import Role
from orderforge.quality import charts
from orderforge.quality.chart_ports import QUALITY_FACTS
from orderforge.quality.domain import Characteristic, Inspection, InspectionPlan, Sampling
from orderforge.quality.ports import QUALITY
from orderforge.quality.yields import CAUSE_NOT_GIVEN, Completion
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeQualityFacts, FakeUnitOfWork, PlainHasher

QUALITY_USER = Principal(1, "quality", Role.QUALITY, "Quality")
CUSTOMER = Principal(5, "alpina", Role.CUSTOMER, "Alpina", customer_id=1)
AT = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
CABINET = InspectionPlan(
    "CABINET",
    "QC",
    "Final inspection of a cabinet",
    (
        Characteristic("gap", "Gaps", "mm", "2", Decimal("-0.5"), Decimal("0.5")),
        Characteristic("height", "Height", "mm", "height", Decimal(-1), Decimal(1)),
        Characteristic("function", "Doors close"),
    ),
    Sampling.PER_LOT,
    2,
)


@pytest.fixture
def ctx() -> ServiceContext:
    uow = FakeUnitOfWork()
    uow.repository(QUALITY).replace_plans([CABINET], "quality", AT)
    return ServiceContext(
        uow=uow,
        clock=FixedClock(),
        hasher=PlainHasher(),
        sealer=HmacSealer(lambda: "unit-tests"),
    )


def facts(ctx: ServiceContext) -> FakeQualityFacts:
    with ctx.uow() as uow:
        found = uow.repository(QUALITY_FACTS)
    assert isinstance(found, FakeQualityFacts)
    return found


def lot(number: str, height: str, values: list[tuple[str, str]]) -> Inspection:
    """One work order's inspection: (gap, height) per unit, in order."""
    inspection = Inspection(number, 9, CABINET, 4, {"height": height})
    for unit, (gap, measured) in enumerate(values, start=1):
        inspection.record(
            unit, {"gap": (gap, "mm"), "height": (measured, "mm")}, {}, inspector="q", at=AT
        )
    return inspection


def test_lot_samples_make_an_xbar_r_chart_and_deviations_share_one_chart(
    ctx: ServiceContext,
) -> None:
    store = facts(ctx)
    store.inspections += [
        lot("WO-1", "700", [("2.1", "700.2"), ("1.9", "699.9")]),
        lot("WO-2", "900", [("2.0", "900.4"), ("2.2", "900.0")]),
        lot("WO-3", "800", [("1.8", "799.8"), ("2.0", "800.1")]),
    ]
    gap = charts.control_chart(ctx, QUALITY_USER, "cabinet", "QC", "gap")
    assert gap["chart"]["kind"] == "xbar_r"
    assert gap["chart"]["points"] == [2.0, 2.1, 1.9]
    assert gap["spec"] == {"lower": 1.5, "upper": 2.5}
    assert gap["capability"]["text"] == "not enough data (6 of 20)"
    height = charts.control_chart(ctx, QUALITY_USER, "CABINET", "QC", "height")
    assert [p["value"] for p in height["measurements"]] == pytest.approx(
        [0.2, -0.1, 0.4, 0.0, -0.2, 0.1]
    )
    assert height["spec"] == {"lower": -1.0, "upper": 1.0}


def test_a_reinspection_is_left_out_and_capability_shows_from_20(ctx: ServiceContext) -> None:
    store = facts(ctx)
    gaps = [f"{2 + 0.05 * ((i * 7) % 5 - 2):.2f}" for i in range(20)]
    for i in range(0, 20, 2):
        store.inspections.append(lot(f"WO-{i}", "700", [(gaps[i], "700"), (gaps[i + 1], "700")]))
    first = store.inspections[0]
    first.record(1, {"gap": ("2.6", "mm")}, {}, inspector="q", at=AT)  # out of tolerance
    first.record(1, {"gap": ("2.0", "mm")}, {}, inspector="q", at=AT)  # after rework
    view = charts.control_chart(ctx, QUALITY_USER, "CABINET", "QC", "gap")
    assert len(view["measurements"]) == 20
    assert view["capability"]["shown"] is True
    assert view["capability"]["cpk"] <= view["capability"]["cp"]
    assert "R̄" in view["capability"]["sigma_method"]


def test_yield_and_pareto_read_the_period(ctx: ServiceContext) -> None:
    store = facts(ctx)
    store.done += [
        Completion("WO-1", 9, "QC", 4, 1, AT, "scratch"),
        Completion("WO-2", 9, "QC", 4, 2, AT),
        Completion("WO-3", 9, "QC", 4, 9, AT - dt.timedelta(days=400), "old"),
    ]
    store.inspections.append(lot("WO-1", "700", [("2.9", "700"), ("2.0", "700")]))
    fpy = charts.first_pass_yield_report(ctx, QUALITY_USER)
    assert fpy["total"] == {"entered": 11, "first_pass": 7, "fpy_percent": 63.6}
    assert fpy["work_centres"][0]["reworked"] == 1
    pareto = charts.scrap_pareto_report(ctx, QUALITY_USER, "2026-01-01", "2026-11-25")
    assert [(c["cause"], c["quantity"]) for c in pareto["causes"]] == [
        (CAUSE_NOT_GIVEN, 2),
        ("scratch", 1),
    ]


def test_refusals(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDenied):
        charts.first_pass_yield_report(ctx, CUSTOMER)
    with pytest.raises(PermissionDenied):
        charts.control_chart(ctx, CUSTOMER, "CABINET", "QC", "gap")
    with pytest.raises(NotFound):
        charts.control_chart(ctx, QUALITY_USER, "TABLE", "QC", "gap")
    with pytest.raises(InvalidInput) as refused:
        charts.control_chart(ctx, QUALITY_USER, "CABINET", "QC", "function")
    assert refused.value.field == "characteristic"
    with pytest.raises(InvalidInput) as late:
        charts.scrap_pareto_report(ctx, QUALITY_USER, "2026-02-01", "2026-01-01")
    assert late.value.field == "from"

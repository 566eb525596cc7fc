"""Plant tables on the shared metadata and the repository over them (ADR 0001).

Master data is small and read whole by the planner, so rows map to domain objects by
hand (SQLAlchemy Core), with JSON columns for shifts, closures and changeover matrices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType
from orderforge.plant.domain import (
    Calendar,
    Closure,
    Component,
    ComponentStatus,
    PlantSettings,
    PricingPolicy,
    PricingRule,
    Shift,
    Status,
    WorkCentre,
    WorkCentreKind,
)
from orderforge.plant.ports import PLANT

#: One row (id 1): the installation's identity and quoting terms.
plant_settings = sa.Table(
    "plant_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address_lines", JSONType, nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("timezone", sa.String(60), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("tax_rate", sa.Numeric(6, 4), nullable=False),
    sa.Column("quote_validity_days", sa.Integer, nullable=False),
    sa.Column("payment_terms", sa.Text, nullable=False),
    sa.Column("delivery_terms", sa.Text, nullable=False),
    sa.Column("logo", sa.LargeBinary, nullable=True),
    sa.Column("design_approval_days", sa.Integer, nullable=False, default=5),
)

calendars = sa.Table(
    "calendars",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("timezone", sa.String(60), nullable=False),
    sa.Column("shifts", JSONType, nullable=False),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("subdivision", sa.String(10), nullable=True),
    sa.Column("closures", JSONType, nullable=False),
    sa.Column("closed_days", JSONType, nullable=False),
)

work_centres = sa.Table(
    "work_centres",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("calendar_code", sa.String(40), sa.ForeignKey("calendars.code"), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("interruptible", sa.Boolean, nullable=False),
    sa.Column("changeover_minutes", JSONType, nullable=False),
    sa.Column("default_setup_minutes", sa.Integer, nullable=False),
    sa.Column("hourly_rate", sa.Numeric(12, 2), nullable=False),
    sa.Column("limits", JSONType, nullable=False),
    sa.Column("setup_attribute", sa.String(60), nullable=True),
    sa.Column("batch_capacity", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
)

components = sa.Table(
    "components",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("lead_time_days", sa.Integer, nullable=False),
    sa.Column("cost", sa.Numeric(14, 4), nullable=False),
)

#: The pricing policy; replaced as a whole (every change is an audit event).
pricing_rules = sa.Table(
    "pricing_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family", sa.String(40), nullable=True),
    sa.Column("customer_group", sa.String(40), nullable=True),
    sa.Column("margin", sa.Numeric(6, 4), nullable=False),
    sa.Column("step", sa.Numeric(12, 2), nullable=False),
    sa.Column("rounding", sa.String(10), nullable=False),
)


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def shift_json(shift: Shift) -> dict[str, Any]:
    return {
        "name": shift.name,
        "weekdays": list(shift.weekdays),
        "start": shift.start.isoformat("minutes"),
        "end": shift.end.isoformat("minutes"),
        "breaks": [[a.isoformat("minutes"), b.isoformat("minutes")] for a, b in shift.breaks],
    }


def shift_from(data: dict[str, Any]) -> Shift:
    return Shift(
        name=data["name"],
        weekdays=tuple(data["weekdays"]),
        start=_t(data["start"]),
        end=_t(data["end"]),
        breaks=tuple((_t(a), _t(b)) for a, b in data["breaks"]),
    )


def _calendar_row(c: Calendar) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "timezone": c.timezone,
        "shifts": [shift_json(s) for s in c.shifts],
        "country": c.country,
        "subdivision": c.subdivision,
        "closures": [
            {"start": x.start.isoformat(), "end": x.end.isoformat(), "reason": x.reason}
            for x in c.closures
        ],
        "closed_days": [d.isoformat() for d in sorted(c.closed_days)],
    }


def _calendar(r: Any) -> Calendar:
    return Calendar(
        code=r.code,
        name=r.name,
        timezone=r.timezone,
        shifts=[shift_from(s) for s in r.shifts],
        country=r.country,
        subdivision=r.subdivision,
        closures=[
            Closure(dt.date.fromisoformat(x["start"]), dt.date.fromisoformat(x["end"]), x["reason"])
            for x in r.closures
        ],
        closed_days=[dt.date.fromisoformat(d) for d in r.closed_days],
        id=r.id,
    )


def _centre_row(w: WorkCentre) -> dict[str, Any]:
    return {
        "code": w.code,
        "name": w.name,
        "kind": w.kind.value,
        "calendar_code": w.calendar_code,
        "capacity": w.capacity,
        "interruptible": w.interruptible,
        "changeover_minutes": w.changeover_minutes,
        "default_setup_minutes": w.default_setup_minutes,
        "hourly_rate": w.hourly_rate,
        "limits": w.limits,
        "setup_attribute": w.setup_attribute,
        "batch_capacity": w.batch_capacity,
        "status": w.status.value,
    }


def _centre(r: Any) -> WorkCentre:
    return WorkCentre(
        code=r.code,
        name=r.name,
        kind=WorkCentreKind(r.kind),
        calendar_code=r.calendar_code,
        capacity=r.capacity,
        interruptible=r.interruptible,
        changeover_minutes={k: dict(v) for k, v in r.changeover_minutes.items()},
        default_setup_minutes=r.default_setup_minutes,
        hourly_rate=Decimal(r.hourly_rate).quantize(Decimal("0.01")),
        limits=dict(r.limits),
        setup_attribute=r.setup_attribute,
        batch_capacity=r.batch_capacity,
        status=Status(r.status),
        id=r.id,
    )


def _component_row(c: Component) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "unit": c.unit,
        "status": c.status.value,
        "lead_time_days": c.lead_time_days,
        "cost": c.cost,
    }


def _component(r: Any) -> Component:
    return Component(
        code=r.code,
        name=r.name,
        unit=r.unit,
        status=ComponentStatus(r.status),
        lead_time_days=r.lead_time_days,
        cost=_plain_decimal(r.cost),
        id=r.id,
    )


def _plain_decimal(value: Any) -> Decimal:
    """A stored number without the column's trailing zeros (2.5000 -> 2.5), so an
    export shows what was imported on both databases."""
    number = Decimal(value)
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _settings_row(s: PlantSettings) -> dict[str, Any]:
    return {
        "name": s.name,
        "address_lines": list(s.address_lines),
        "country": s.country,
        "timezone": s.timezone,
        "currency": s.currency,
        "tax_rate": s.tax_rate,
        "quote_validity_days": s.quote_validity_days,
        "payment_terms": s.payment_terms,
        "delivery_terms": s.delivery_terms,
        "logo": s.logo,
        "design_approval_days": s.design_approval_days,
    }


class SqlPlantRepository(TrackingRepository[Any]):
    """Plant master data as rows; `save_*` upserts by code (the readable key)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)

    def _upsert(self, table: sa.Table, row: dict[str, Any], key: str = "code") -> None:
        exists = self.session.execute(
            sa.select(table.c.id).where(table.c[key] == row[key])
        ).scalar_one_or_none()
        if exists is None:
            self.session.execute(sa.insert(table).values(**row))
        else:
            self.session.execute(sa.update(table).where(table.c.id == exists).values(**row))

    def timezone(self) -> str | None:
        found: str | None = self.session.execute(sa.select(plant_settings.c.timezone)).scalar()
        return found

    def settings(self) -> PlantSettings | None:
        r = self.session.execute(sa.select(plant_settings)).one_or_none()
        if r is None:
            return None
        found = PlantSettings(
            name=r.name,
            address_lines=list(r.address_lines),
            country=r.country,
            timezone=r.timezone,
            currency=r.currency,
            tax_rate=_plain_decimal(r.tax_rate),
            quote_validity_days=r.quote_validity_days,
            payment_terms=r.payment_terms,
            delivery_terms=r.delivery_terms,
            logo=r.logo,
            id=r.id,
            design_approval_days=r.design_approval_days,
        )
        return self._track(found)

    def save_settings(self, settings: PlantSettings) -> None:
        self._upsert(plant_settings, {"id": 1, **_settings_row(settings)}, key="id")
        self._track(settings)

    def calendars(self) -> list[Calendar]:
        rows = self.session.execute(sa.select(calendars).order_by(calendars.c.code))
        return self._track_all([_calendar(r) for r in rows])

    def calendar(self, code: str) -> Calendar | None:
        r = self.session.execute(sa.select(calendars).where(calendars.c.code == code)).one_or_none()
        return None if r is None else self._track(_calendar(r))

    def save_calendar(self, calendar: Calendar) -> None:
        self._upsert(calendars, _calendar_row(calendar))
        self._track(calendar)

    def work_centres(self) -> list[WorkCentre]:
        rows = self.session.execute(sa.select(work_centres).order_by(work_centres.c.code))
        return self._track_all([_centre(r) for r in rows])

    def work_centre(self, code: str) -> WorkCentre | None:
        stmt = sa.select(work_centres).where(work_centres.c.code == code)
        r = self.session.execute(stmt).one_or_none()
        return None if r is None else self._track(_centre(r))

    def save_work_centre(self, centre: WorkCentre) -> None:
        self._upsert(work_centres, _centre_row(centre))
        self._track(centre)

    def components(self) -> list[Component]:
        rows = self.session.execute(sa.select(components).order_by(components.c.code))
        return self._track_all([_component(r) for r in rows])

    def component(self, code: str) -> Component | None:
        stmt = sa.select(components).where(components.c.code == code)
        r = self.session.execute(stmt).one_or_none()
        return None if r is None else self._track(_component(r))

    def save_component(self, component: Component) -> None:
        self._upsert(components, _component_row(component))
        self._track(component)

    def pricing(self) -> PricingPolicy:
        rows = self.session.execute(sa.select(pricing_rules).order_by(pricing_rules.c.id))
        return PricingPolicy(
            tuple(
                PricingRule(
                    margin=_plain_decimal(r.margin),
                    family=r.family,
                    customer_group=r.customer_group,
                    step=_plain_decimal(r.step),
                    rounding=r.rounding,
                )
                for r in rows
            )
        )

    def save_pricing(self, policy: PricingPolicy) -> None:
        self.session.execute(sa.delete(pricing_rules))
        for rule in policy.rules:
            self.session.execute(
                sa.insert(pricing_rules).values(
                    family=rule.family,
                    customer_group=rule.customer_group,
                    margin=rule.margin,
                    step=rule.step,
                    rounding=rule.rounding,
                )
            )


STORAGE = ContextStorage(name="plant", repositories={PLANT.name: SqlPlantRepository})

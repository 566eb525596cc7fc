"""The schema as SQLAlchemy Core tables, and the imperative mapping onto domain classes.

The domain classes stay plain dataclasses (no ORM base class), so domain/ never
imports SQLAlchemy; this module teaches SQLAlchemy how to store them. Every change
here needs an Alembic migration beside it (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import registry, relationship

from orderforge.adapters.db.types import EnumText, JSONType, UTCDateTime
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion
from orderforge.domain.customer import Customer
from orderforge.domain.order import Order, OrderLine, OrderState
from orderforge.domain.planning import PlanRun, RunKind, RunStatus
from orderforge.domain.user import ApiToken, Role, User, WebSession

if TYPE_CHECKING:
    from orderforge.adapters.db.context_storage import ContextStorage

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("address", sa.Text, nullable=False, server_default=""),
    sa.Column("price_group", sa.String(20), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(40), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", EnumText(Role), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # where e-mail notifications go; "" for none (migration 0016)
    sa.Column("email", sa.String(254), nullable=False, server_default=""),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("last_used_at", UTCDateTime, nullable=True),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Index("ix_api_tokens_user_id", "user_id"),
)

#: Signed-in browsers (the cookie holds a random id; only its digest is here).
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(30), nullable=False, unique=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("state", EnumText(OrderState), nullable=False, index=True),
    sa.Column("requested_date", sa.Date, nullable=True),
    sa.Column("promise_date", sa.Date, nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    sa.Column("held_from", EnumText(OrderState), nullable=True),
    sa.Column("changed_from", EnumText(OrderState), nullable=True),
    sa.Column("design_approved_at", UTCDateTime, nullable=True),
    sa.Column("priority", sa.Integer, nullable=False, server_default="1"),
    # Planned dates of the current plan version; written by the planner, not by edits.
    sa.Column("planned_start", UTCDateTime, nullable=True),
    sa.Column("planned_finish", UTCDateTime, nullable=True),
    sa.Column("plan_version", sa.Integer, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("product_family", sa.String(40), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("spec", JSONType, nullable=False),
    sa.Column("catalogue_version", sa.Integer, nullable=True),
    sa.Column("unit_price", sa.String(20), nullable=True),
    sa.UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_id_line_no"),
)

#: Append-only history of every aggregate; triggers refuse UPDATE and DELETE.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("aggregate", sa.String(40), nullable=False),
    sa.Column("aggregate_key", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("actor", sa.String(60), nullable=False),
    # The acting user's id (the name alone is ambiguous once users come and go); None
    # for the command line, the system, and events recorded before it was kept.
    sa.Column("actor_id", sa.Integer, nullable=True),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Index("ix_events_aggregate_key", "aggregate", "aggregate_key", "id"),
)

#: Side effects waiting to leave (ARCHITECTURE: "outbox"): one row per domain event,
#: written in the transaction that stores the event, so a rolled-back change sends
#: nothing. `event_id` is the stable id receivers deduplicate on (the webhook-id);
#: `dispatched_at` is set once the webhooks room has fanned the row out.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("aggregate", sa.String(40), nullable=False),
    sa.Column("aggregate_key", sa.String(60), nullable=False),
    sa.Column("actor", sa.String(60), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("dispatched_at", UTCDateTime, nullable=True, index=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.String(60), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    # Text, not JSONB: a replay must return the stored response exactly, key order too.
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

sequences = sa.Table(
    "sequences",
    metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("last_value", sa.BigInteger, nullable=False),
)

#: Every imported version of a family's catalogue, verbatim; never updated.
catalogue_versions = sa.Table(
    "catalogue_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family_code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("label", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("format", EnumText(CatalogueFormat), nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("imported_at", UTCDateTime, nullable=False),
    sa.Column("imported_by", sa.String(60), nullable=False),
    sa.UniqueConstraint("family_code", "version", name="uq_catalogue_versions_family_code_version"),
)

#: Recorded plan jobs (queued/running/done/failed/cancelled) with their progress; a
#: retry names the failed run it repeats.
plan_runs = sa.Table(
    "plan_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", EnumText(RunKind), nullable=False),
    sa.Column("status", EnumText(RunStatus), nullable=False, index=True),
    sa.Column("requested_by", sa.String(60), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("time_limit", sa.Float, nullable=False),
    sa.Column("trigger", JSONType, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.Column("progress", JSONType, nullable=False),
    sa.Column("error", JSONType, nullable=True),
    sa.Column("plan_version", sa.Integer, nullable=True),
    sa.Column("options", JSONType, nullable=False, default=dict),
    sa.Column("retry_of", sa.Integer, sa.ForeignKey("plan_runs.id"), nullable=True),
)

#: Every stored plan; the highest number is the current plan. Never updated.
plan_versions = sa.Table(
    "plan_versions",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(60), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("plan_runs.id"), nullable=True),
    sa.Column("horizon_start", UTCDateTime, nullable=False),
    sa.Column("based_on", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("objective", sa.BigInteger, nullable=False),
    sa.Column("lower_bound", sa.BigInteger, nullable=False),
    sa.Column("optimal", sa.Boolean, nullable=False),
    sa.Column("late_orders", sa.Integer, nullable=False),
    sa.Column("operation_count", sa.Integer, nullable=False),
    sa.Column("moved_operations", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("skipped", JSONType, nullable=False),
    sa.Column("comparable_operations", sa.Integer, nullable=False, default=0),
)

planned_operations = sa.Table(
    "planned_operations",
    metadata,
    sa.Column("plan_version", sa.Integer, sa.ForeignKey("plan_versions.number"), primary_key=True),
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("work_centre", sa.String(40), nullable=False),
    sa.Column("resource", sa.String(50), nullable=False),
    sa.Column("start", UTCDateTime, nullable=False),
    sa.Column("end", UTCDateTime, nullable=False),
    sa.Column("setup_class", sa.String(60), nullable=True),
    sa.Column("frozen", sa.Boolean, nullable=False),
    sa.Column("pinned", sa.Boolean, nullable=False),
)

planned_orders = sa.Table(
    "planned_orders",
    metadata,
    sa.Column("plan_version", sa.Integer, sa.ForeignKey("plan_versions.number"), primary_key=True),
    sa.Column("order_number", sa.String(30), primary_key=True),
    sa.Column("planned_start", UTCDateTime, nullable=False),
    sa.Column("planned_finish", UTCDateTime, nullable=False),
    sa.Column("due", UTCDateTime, nullable=True),
    sa.Column("tardiness_minutes", sa.Integer, nullable=False),
    sa.Column("binding", JSONType, nullable=False),
    sa.Column("waits", JSONType, nullable=False, default=list),
)

#: Planner pins; removing one stamps removed_at/removed_by (kept for the audit).
plan_pins = sa.Table(
    "plan_pins",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operation", sa.String(120), nullable=False, index=True),
    sa.Column("resource", sa.String(50), nullable=False),
    sa.Column("not_before", UTCDateTime, nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(60), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("removed_by", sa.String(60), nullable=True),
    sa.Column("removed_at", UTCDateTime, nullable=True),
)

#: Breakdowns and maintenance: closed time every later plan respects.
downtimes = sa.Table(
    "downtimes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("work_centre", sa.String(40), nullable=False),
    sa.Column("resource", sa.String(50), nullable=True),
    sa.Column("start", UTCDateTime, nullable=False),
    sa.Column("end", UTCDateTime, nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(60), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    # Withdrawn (entered by mistake, repaired sooner): kept for the record, not planned.
    sa.Column("withdrawn_by", sa.String(60), nullable=True),
    sa.Column("withdrawn_at", UTCDateTime, nullable=True),
)

#: Operations reported to take longer than their routing says.
operation_delays = sa.Table(
    "operation_delays",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operation", sa.String(120), nullable=False, index=True),
    sa.Column("extra_minutes", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(60), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
)

mapper_registry = registry(metadata=metadata)
_mapped = False


def _fresh_event_list(target: Any, *_: Any) -> None:
    """Loaded aggregates skip __init__, so give them an empty event list."""
    target.pending_events = []


def start_mappers(contexts: Iterable[ContextStorage] = ()) -> None:
    """Map the domain classes once per process (idempotent), then each context's."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Customer, customers, version_id_col=customers.c.version)
    mapper_registry.map_imperatively(User, users, version_id_col=users.c.version)
    mapper_registry.map_imperatively(ApiToken, api_tokens)
    mapper_registry.map_imperatively(WebSession, web_sessions)
    line_mapper = mapper_registry.map_imperatively(OrderLine, order_lines)
    mapper_registry.map_imperatively(
        Order,
        orders,
        version_id_col=orders.c.version,
        properties={
            "lines": relationship(
                line_mapper,
                order_by=order_lines.c.line_no,
                cascade="all, delete-orphan",
                lazy="selectin",
            )
        },
    )
    mapper_registry.map_imperatively(CatalogueVersion, catalogue_versions)
    mapper_registry.map_imperatively(PlanRun, plan_runs)
    for cls in (Order, Customer, User, CatalogueVersion):
        event.listen(cls, "load", _fresh_event_list)
    for context in contexts:
        context.map_classes()
    _mapped = True

"""Insight use cases: a customer rates its delivered order; staff read the ratings on the
order and the product insight report per family.

Why only the order's own customer rates, and only after delivery: the report weighs the
ratings as what the people who use the product think of it; a rating given for them, or
before the goods arrived, would say something else. A customer sees its own ratings;
the report (every customer's comments beside NCRs and engineering reasons) is staff's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.order import Order, OrderState
from orderforge.domain.permissions import RATE, VIEW, Resource, is_allowed, require
from orderforge.domain.user import Role
from orderforge.insight import domain, findings
from orderforge.insight.domain import Feedback
from orderforge.insight.findings import Choice, FamilyInfo, OptionInfo, ParameterInfo, Records
from orderforge.insight.ports import FEEDBACK, INSIGHT_HISTORY
from orderforge.services import plant_time
from orderforge.services.access import load_visible
from orderforge.services.catalogue import family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

#: the report's period when none is asked for
DEFAULT_DAYS = 365
#: the furthest back a report may reach
MAX_YEARS = 10


def feedback_view(feedback: Feedback) -> dict[str, Any]:
    return {
        "order": feedback.order_number,
        "rating": feedback.rating,
        "rating_words": feedback.rating_words,
        "comment": feedback.comment,
        "given_by": feedback.given_by_name,
        "given_at": feedback.given_at.isoformat(),
    }


def _can_rate(me: Principal, order: Order) -> bool:
    return (
        is_allowed(me.role, Resource.FEEDBACK, RATE)
        and me.role is Role.CUSTOMER
        and me.customer_id == order.customer_id
        and order.state is OrderState.DELIVERED
    )


def _feedback_of(uow: UnitOfWork, me: Principal, order: Order) -> dict[str, Any]:
    given = uow.repository(FEEDBACK).for_order(order.number)
    return {
        "order": order.number,
        "current": feedback_view(given[-1]) if given else None,
        # earlier ratings stay stored for audit; the order's page shows the current one
        "earlier": [feedback_view(f) for f in reversed(given[:-1])],
        "can_rate": _can_rate(me, order),
    }


def feedback_of(ctx: ServiceContext, me: Principal, number: str) -> dict[str, Any]:
    """An order's rating as shown, the earlier ones, and whether `me` may rate it now."""
    require(me.role, Resource.FEEDBACK, VIEW)
    with ctx.uow() as uow:
        return _feedback_of(uow, me, load_visible(uow, me, number))


def rate_order(
    ctx: ServiceContext, me: Principal, number: str, rating: object, comment: str
) -> dict[str, Any]:
    """Give (or give again) a rating of a delivered order of one's own. A second rating
    is a new row that replaces the shown one; the first stays stored."""
    require(me.role, Resource.FEEDBACK, RATE)
    with ctx.uow() as uow:
        order = load_visible(uow, me, number)
        if me.role is not Role.CUSTOMER or me.customer_id != order.customer_id:
            raise PermissionDenied(
                f"Only the customer of order {order.number} may rate it.", field="order"
            )
        record_feedback(
            uow, order, rating, comment, by=(me.username, me.display_name), at=ctx.clock.now()
        )
        view = _feedback_of(uow, me, order)
        uow.commit()
    return view


def record_feedback(
    uow: UnitOfWork,
    order: Order,
    rating: object,
    comment: str,
    *,
    by: tuple[str, str],
    at: dt.datetime,
) -> Feedback:
    """Check and store a rating inside the caller's transaction (the rate use case, and
    the demo's history, which gives its customers' ratings as it delivers)."""
    feedback = domain.give(order, rating, comment, by=by[0], by_name=by[1], at=at)
    uow.repository(FEEDBACK).add(feedback)
    return feedback


# -- the report ------------------------------------------------------------------------


def _since(uow: UnitOfWork, now: dt.datetime, since: dt.date | None) -> dt.datetime:
    zone = plant_time.plant_zone(uow)
    today = now.astimezone(zone).date()
    day = since if since is not None else today - dt.timedelta(days=DEFAULT_DAYS)
    if day > today:
        raise InvalidInput(
            f"since is {day.isoformat()}, after today: give a day in the past.", field="since"
        )
    if day < today.replace(year=today.year - MAX_YEARS):
        raise InvalidInput(
            f"since is {day.isoformat()}: a report reaches back {MAX_YEARS} years at most.",
            field="since",
        )
    return dt.datetime.combine(day, dt.time(), zone)


def _families(uow: UnitOfWork) -> dict[str, FamilyInfo]:
    found: dict[str, FamilyInfo] = {}
    for entry in uow.catalogue.latest_all():
        family = family_of(entry)
        found[entry.family_code] = FamilyInfo(
            code=entry.family_code,
            name=entry.name,
            options=tuple(
                OptionInfo(o.code, o.label, tuple(Choice(c.code, c.label) for c in o.choices))
                for o in family.options
            ),
            parameters=tuple(
                ParameterInfo(p.code, p.label, p.unit, p.minimum, p.maximum)
                for p in family.parameters
            ),
        )
    return found


def _records(uow: UnitOfWork, since: dt.datetime, family: str | None) -> Records:
    history = uow.repository(INSIGHT_HISTORY)
    lines = history.lines(since, family)
    numbers = sorted({line.order_number for line in lines})
    return Records(
        lines=tuple(lines),
        feedback=uow.repository(FEEDBACK).latest(numbers),
        engineering=tuple(history.engineering(numbers)),
        ncrs=tuple(history.ncrs(since, family)),
    )


def family_reports(
    ctx: ServiceContext, me: Principal, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every family's headline figures for the period (catalogue families first, then
    families only old orders name), by name."""
    require(me.role, Resource.INSIGHT, VIEW)
    with ctx.uow() as uow:
        start = _since(uow, ctx.clock.now(), since)
        families = _families(uow)
        records = _records(uow, start, None)
    for line in records.lines:
        families.setdefault(line.family, FamilyInfo(line.family, line.family))
    heads = [findings.headline(findings.report(f, records, start)) for f in families.values()]
    return sorted(heads, key=lambda h: (h["name"].lower(), h["family"]))


def family_report(
    ctx: ServiceContext, me: Principal, family: str, since: dt.date | None = None
) -> dict[str, Any]:
    """One family's insight report for the period (default: the last twelve months)."""
    require(me.role, Resource.INSIGHT, VIEW)
    code = family.strip().upper()
    with ctx.uow() as uow:
        start = _since(uow, ctx.clock.now(), since)
        info = _families(uow).get(code)
        records = _records(uow, start, code)
    if info is None and not records.lines:
        raise NotFound(f"There is no product family {family!r} in the catalogue.")
    return findings.report(info or FamilyInfo(code, code), records, start)

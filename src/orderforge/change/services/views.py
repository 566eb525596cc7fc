"""An engineering change as each role may see it.

The customer sees what changes on their product, the price and the date, the decision
and its reason, and the signatures (who, when, meaning); never the plant's costs, the
operations scrapped or reworked, the materials on order or the other orders affected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from orderforge.change.domain import ChangeState, EngineeringChange
from orderforge.domain.permissions import DECIDE, REQUEST, Resource, is_allowed
from orderforge.domain.signatures import Signature
from orderforge.domain.user import Role
from orderforge.services.money import money
from orderforge.services.ports import Principal

SealCheck = Callable[[EngineeringChange, Signature], bool]


def _money(amount: str | None, currency: str) -> str | None:
    if amount is None:
        return None
    if not currency:
        return f"{Decimal(amount):,.2f}"
    return money(Decimal(amount), currency)


def _signed_delta(amount: str | None, currency: str) -> str | None:
    if amount is None:
        return None
    value = Decimal(amount)
    text = _money(str(abs(value)), currency) or ""
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _day(iso: str | None) -> str | None:
    if iso is None:
        return None
    return dt.date.fromisoformat(iso).strftime("%a %d %b %Y")


def change_view(
    change: EngineeringChange,
    actor: Principal,
    sealed_ok: SealCheck,
    customer_answers: bool,
) -> dict[str, Any]:
    customer = actor.role is Role.CUSTOMER
    impact = change.impact
    currency = impact.get("currency", "")
    price = impact.get("price", {})
    promise = impact.get("promise", {})
    content_hash = change.content_hash()
    lines = [
        {
            "line_no": line["line_no"],
            "family": line["family"],
            "options": line["options"],
            "quantity": line["quantity"],
        }
        for line in impact.get("lines", [])
    ]
    view: dict[str, Any] = {
        "number": change.number,
        "order_number": change.order_number,
        "state": change.state.value,
        "state_label": change.state.label,
        "open": change.state.open,
        "origin": change.origin.value,
        "origin_label": change.origin.label,
        "reason": change.reason,
        "requested_by": change.requested_by_name,
        "requested_at": change.requested_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "lines": lines,
        #: the design revisions the change carries: notes, documents, mock-up, approval
        "designs": [dict(d) for d in impact.get("design", [])],
        "price": {
            "before": _money(price.get("before"), currency),
            "after": _money(price.get("after"), currency),
            "delta": _signed_delta(price.get("delta"), currency),
            "amounts": dict(price),
            "currency": currency,
        },
        "promise": {
            "before": promise.get("before"),
            "after": promise.get("after"),
            "before_label": _day(promise.get("before")) or "no date yet",
            "after_label": _day(promise.get("after"))
            or ("cannot be promised" if promise.get("cannot") else "no date"),
        },
        "impact_at": change.impact_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "content_hash": content_hash,
        "decided_by": change.decided_by,
        "decided_at": (
            change.decided_at.astimezone(dt.UTC).isoformat(timespec="seconds")
            if change.decided_at
            else None
        ),
        "decision_comment": change.decision_comment,
        "signatures": [
            {
                "printed_name": s.printed_name,
                "signed_at": s.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "meaning": s.meaning.value,
                "meaning_label": s.meaning.label,
                "capacity_label": s.capacity.label,
                "valid": s.content_hash == content_hash and sealed_ok(change, s),
            }
            for s in change.signatures
        ],
        "customer_decision": (
            {
                "accepted": change.state is ChangeState.ACCEPTED,
                "by": change.customer_decided_by,
                "at": change.customer_decided_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                "comment": change.customer_comment,
            }
            if change.customer_decided_at is not None
            else None
        ),
        "applied": _applied(change, customer),
        "can": {
            "decide": (
                change.state is ChangeState.REQUESTED
                and is_allowed(actor.role, Resource.CHANGE, DECIDE)
                and change.requested_by != actor.username
            ),
            "withdraw": (
                change.state is ChangeState.REQUESTED
                and is_allowed(actor.role, Resource.CHANGE, REQUEST)
                and (
                    change.requested_by == actor.username
                    or (
                        actor.role in (Role.SALES, Role.CUSTOMER)
                        and change.origin.value == "customer"
                    )
                )
            ),
            "answer": change.state is ChangeState.AWAITING_CUSTOMER and customer_answers,
            "refresh": change.state is ChangeState.REQUESTED and not customer,
        },
    }
    if not customer:
        cost = impact.get("cost", {})
        view["impact"] = {
            "plan_version": impact.get("plan_version"),
            "promise_summary": promise.get("summary"),
            "cannot": promise.get("cannot"),
            "lines": impact.get("lines", []),
            "cost": {
                "before": _money(cost.get("before"), currency),
                "after": _money(cost.get("after"), currency),
                "delta": _signed_delta(cost.get("delta"), currency),
                "lost_work": _money(cost.get("lost_work"), currency),
                "amounts": dict(cost),
            },
            "others": impact.get("others", {}),
        }
    return view


def _applied(change: EngineeringChange, customer: bool) -> dict[str, Any] | None:
    if not change.applied:
        return None
    applied = change.applied
    out: dict[str, Any] = {
        "promise": {
            "before": applied.get("promise", {}).get("before"),
            "after": applied.get("promise", {}).get("after"),
            "after_label": _day(applied.get("promise", {}).get("after")) or "no date",
        },
        #: the design revisions the change made (letter, and whether its signature approved)
        "designs": applied.get("designs", []),
    }
    if not customer:
        out["work_orders"] = applied.get("work_orders", [])
        out["promise"]["summary"] = applied.get("promise", {}).get("summary")
    return out

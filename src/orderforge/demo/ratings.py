"""The demo history's ratings: a share of its delivered orders rated by their customers a
few days after delivery, through the insight room's `record_feedback` (the rule that only
a delivered order is rated holds here too).

Most customers are content (4 or 5); a late delivery costs a point or two and says so;
and two choices of the catalogue are the demo's weak spots, rated low with the same
complaint, so that the product insight report has a real finding to show: the café
table's steel U-frame wobbles on stone floors, and the cabinets' push latches stop
catching. Seeded by the order's number (itself seeded), so a rating never draws from the
history's own generator and the rest of the history stays what it was without ratings.
"""

from __future__ import annotations

import datetime as dt
import random

from orderforge.domain.order import Order
from orderforge.domain.user import Role
from orderforge.insight.services import record_feedback
from orderforge.services.ports import UnitOfWork

#: the share of delivered orders whose customer rates them (unhappy customers say so
#: more often: an order with a weak spot is rated more often)
RATED_SHARE, RATED_SHARE_WEAK = 0.45, 0.85
#: (family, option, choice) -> what customers who chose it say
WEAK_SPOTS: dict[tuple[str, str, str], str] = {
    ("TABLE", "leg_style", "steel-u-frame"): (
        "The steel U-frame wobbles on our stone floor; every table needed shims."
    ),
    ("CABINET", "handle", "push-latch"): (
        "Several push latches stopped catching after a few weeks of use."
    ),
}
PRAISE = (
    "",
    "",
    "Beautiful work, exactly as on the drawing.",
    "Well packed, and the fitters were careful.",
    "Our guests keep asking where the furniture is from.",
    "Good quality; the finish is even all over.",
    "Clear communication from start to finish.",
)
LATE = "Arrived {days} days after the promised date; we had to reschedule."


def _comment(rng: random.Random, rating: int) -> str:
    if rating >= 4:
        return rng.choice(PRAISE)
    return rng.choice(("", "Fine, but not what we hoped for."))


def rate_delivered(
    uow: UnitOfWork, order: Order, delivered_at: dt.datetime, now: dt.datetime
) -> bool:
    """Whether the order's customer rated it (and the rating is stored)."""
    rng = random.Random(f"ratings:{order.number}")  # noqa: S311 -- demo data
    complaints = [
        complaint
        for line in order.lines
        for option, choice in line.spec.items()
        if (complaint := WEAK_SPOTS.get((line.product_family, option, choice))) is not None
    ]
    if rng.random() >= (RATED_SHARE_WEAK if complaints else RATED_SHARE):
        return False
    rating = 5 if rng.random() < 0.55 else 4
    if rng.random() < 0.1:
        rating = 3
    comment = _comment(rng, rating)
    assert order.promise_date is not None
    late_days = (delivered_at.date() - order.promise_date).days
    if late_days > 0:
        rating = max(1, rating - (2 if late_days > 7 else 1))
        comment = LATE.format(days=late_days)
    if complaints:
        rating = min(rating, rng.choice((1, 2, 2, 3)))
        comment = complaints[-1]
    customer = uow.customers.get_by_id(order.customer_id)
    assert customer is not None
    portal = [
        u
        for u in uow.users.list()
        if u.role is Role.CUSTOMER and u.customer_id == order.customer_id
    ]
    by = (portal[0].username, portal[0].display_name) if portal else (customer.code, customer.name)
    at = min(delivered_at + dt.timedelta(days=rng.randint(1, 10)), now - dt.timedelta(hours=1))
    record_feedback(uow, order, rating, comment, by=by, at=at)
    return True

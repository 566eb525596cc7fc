"""Customers' feedback on delivered orders: a rating from 1 to 5 and a comment.

A rating is a fact given at a moment: rating again adds a new one that replaces the shown
one, and the earlier stays stored (the table refuses UPDATE and DELETE), so an audit can
read what a customer said before it changed its mind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import Order, OrderState
from orderforge.domain.text import check_text

RATINGS = range(1, 6)
MAX_COMMENT = 2000
#: the words beside each rating, on the form and in the report
RATING_WORDS = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}


@dataclass
class Feedback:
    """One rating of one order by one of its customer's people."""

    order_number: str
    customer_id: int
    rating: int
    comment: str
    #: the portal user's username (the demo's history: the customer's code)
    given_by: str
    given_by_name: str
    given_at: dt.datetime
    id: int | None = None

    @property
    def rating_words(self) -> str:
        return RATING_WORDS[self.rating]


def check_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidInput(
            f"rating must be a whole number from 1 to 5, not {rating!r}.", field="rating"
        )
    return rating


def check_comment(comment: str) -> str:
    comment = check_text(comment, "comment").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            f"comment is {len(comment)} characters long; at most {MAX_COMMENT} are kept.",
            field="comment",
        )
    return comment


def give(
    order: Order, rating: object, comment: str, *, by: str, by_name: str, at: dt.datetime
) -> Feedback:
    """A customer's feedback on its order, refused unless the order is delivered: only
    then has the customer seen (and used) what the plant made."""
    checked, text = check_rating(rating), check_comment(comment)
    if order.state is not OrderState.DELIVERED:
        raise IllegalTransition(
            f"Order {order.number} cannot be rated yet: it is {order.state.label.lower()}, "
            "and a rating is given once it is delivered.",
            field="order",
        )
    return Feedback(order.number, order.customer_id, checked, text, by, by_name, at)

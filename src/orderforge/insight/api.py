"""Ratings and the product insight report over HTTP: `/orders/{number}/feedback` (the
order's customer rates a delivered order; whoever sees the order reads its rating) and
`/insights/families[/{family}]` (staff). Thin translation to the insight use cases."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.bounds import BoundedDate
from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.insight import services
from orderforge.insight.domain import MAX_COMMENT
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["insight"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
OrderNumber = Annotated[str, Path(min_length=1, max_length=40)]
Family = Annotated[str, Path(min_length=1, max_length=40, examples=["TABLE"])]
Since = Annotated[
    BoundedDate | None,
    Query(description="First day of the period (default: twelve months ago)"),
]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # checked by the use case, so that a refusal says why in words (field "rating")
    rating: int = Field(description="1 (poor) to 5 (excellent)", examples=[5], strict=True)
    comment: str = Field(
        "", description=f"What the customer wants to say, at most {MAX_COMMENT} characters"
    )


class RatingOut(BaseModel):
    order: str
    rating: int
    rating_words: str = Field(description="The rating in words (Poor ... Excellent)")
    comment: str
    given_by: str = Field(description="The name of the customer's person who rated")
    given_at: dt.datetime


class FeedbackOut(BaseModel):
    order: str
    current: RatingOut | None = Field(description="The rating shown (the newest)")
    earlier: list[RatingOut] = Field(description="Ratings it replaced, newest first")
    can_rate: bool = Field(description="Whether the asker may rate the order now")


class FamilyHeadline(BaseModel):
    family: str
    name: str
    since: dt.date
    orders: int = Field(description="Orders asked for in the period with this family")
    confirmed: int
    delivered: int
    ratings: int
    average_rating: float | None
    ncrs: int
    engineering: int = Field(description="Review steps that needed engineering or refused")
    changes: int = Field(description="Catalogue changes the report proposes")


class FamilyReport(BaseModel):
    family: str
    name: str
    since: dt.date
    orders: dict[str, int] = Field(description="requested, confirmed and delivered")
    ratings: dict[str, Any] = Field(
        description="count, average, distribution (per rating) and the latest comments"
    )
    ncrs: dict[str, Any] = Field(description="count, units, reworked and per cause")
    options: list[dict[str, Any]] = Field(
        description="Per option, each choice's share of the ordered lines (with labels)"
    )
    parameters: list[dict[str, Any]] = Field(
        description="Per parameter, the ordered values' minimum, median and maximum with "
        "units, against the catalogue's range"
    )
    engineering: list[dict[str, Any]] = Field(
        description="Requests that needed engineering or were refused, with the reasons"
    )
    changes: list[dict[str, str]] = Field(
        description="Catalogue changes worth making next: rule, subject, title, evidence"
    )


@router.get(
    "/orders/{number}/feedback",
    response_model=FeedbackOut,
    summary="The order's rating and comment (a customer: its own orders only)",
)
def get_feedback(ctx: Ctx, me: Me, number: OrderNumber) -> dict[str, Any]:
    return services.feedback_of(ctx, me, number)


@router.post(
    "/orders/{number}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Rate a delivered order (its customer only); a new rating replaces the shown one",
)
def rate_order(ctx: Ctx, me: Me, number: OrderNumber, body: FeedbackIn) -> dict[str, Any]:
    return services.rate_order(ctx, me, number, body.rating, body.comment)


@router.get(
    "/insights/families",
    response_model=list[FamilyHeadline],
    summary="Every product family's insight headline figures for the period",
)
def list_families(ctx: Ctx, me: Me, since: Since = None) -> list[dict[str, Any]]:
    return services.family_reports(ctx, me, since)


@router.get(
    "/insights/families/{family}",
    response_model=FamilyReport,
    summary="A product family's insight report: ratings, NCR causes, options and "
    "parameters chosen, needs-engineering reasons and the catalogue changes worth making",
)
def family_report(ctx: Ctx, me: Me, family: Family, since: Since = None) -> dict[str, Any]:
    return services.family_report(ctx, me, family, since)

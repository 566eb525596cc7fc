"""Orders over HTTP: thin translation to services.orders."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response, status

from orderforge.domain.documents import DocumentKind
from orderforge.domain.order import OrderAction, OrderState
from orderforge.entrypoints.api.deps import current_principal, etag, get_ctx, parse_if_match
from orderforge.entrypoints.api.images import SVG_RESPONSES, svg_response
from orderforge.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    ActionIn,
    OrderCreate,
    OrderPage,
    OrderPatch,
)
from orderforge.production.services import review
from orderforge.production.services.review import ReviewResult
from orderforge.services import documents, mockups, orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.views import OrderActions, OrderDetail, TimelineEntry

#: Fields a role may not see are unset in the read models; leaving unset fields out of
#: the JSON makes them absent for that role rather than null.
router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
#: An order number as people type it (SO-2026-0042); longer text is no order's number.
OrderNumber = Annotated[str, Path(min_length=1, max_length=40)]


def _with_etag(response: Response, view: OrderDetail) -> OrderDetail:
    response.headers["ETag"] = etag(view.version)
    return view


@router.get(
    "",
    response_model=OrderPage,
    response_model_exclude_unset=True,
    summary="List orders, newest activity first",
)
def list_orders(
    ctx: Ctx,
    me: Me,
    state: OrderState | None = None,
    customer: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OrderPage:
    query = orders.OrderQuery(
        state=state.value if state else None,
        customer_code=customer,
        search=q,
        limit=limit,
        offset=offset,
    )
    return OrderPage(items=orders.list_orders(ctx, me, query), limit=limit, offset=offset)


@router.post(
    "",
    response_model=OrderDetail,
    response_model_exclude_unset=True,
    status_code=status.HTTP_201_CREATED,
    summary="Open a quote (idempotent with an Idempotency-Key header)",
)
def create_order(
    ctx: Ctx,
    me: Me,
    body: OrderCreate,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> OrderDetail:
    cmd = orders.CreateOrder(
        customer_code=body.customer,
        lines=tuple(li.to_domain() for li in body.lines),
        requested_date=body.requested_date,
        notes=body.notes,
    )
    created = orders.create_order(ctx, me, cmd, idempotency_key)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/orders/{created.view.number}"
    return _with_etag(response, created.view)


@router.get("/{number}", response_model=OrderDetail, response_model_exclude_unset=True)
def get_order(ctx: Ctx, me: Me, number: OrderNumber, response: Response) -> OrderDetail:
    return _with_etag(response, orders.get_order(ctx, me, number))


@router.patch(
    "/{number}",
    response_model=OrderDetail,
    response_model_exclude_unset=True,
    summary="Edit a quote",
)
def patch_order(
    ctx: Ctx,
    me: Me,
    number: OrderNumber,
    body: OrderPatch,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> OrderDetail:
    cmd = orders.ReviseOrder(
        lines=tuple(li.to_domain() for li in body.lines) if body.lines is not None else None,
        notes=body.notes,
        change_requested_date="requested_date" in body.model_fields_set,
        requested_date=body.requested_date,
    )
    view = orders.revise_order(ctx, me, number, cmd, parse_if_match(if_match))
    return _with_etag(response, view)


@router.post(
    "/{number}/actions/{action}",
    response_model=OrderDetail,
    response_model_exclude_unset=True,
    summary="Move the order through its lifecycle",
)
def apply_action(
    ctx: Ctx,
    me: Me,
    number: OrderNumber,
    action: OrderAction,
    response: Response,
    body: Annotated[ActionIn | None, Body()] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> OrderDetail:
    view = orders.advance_order(
        ctx,
        me,
        number,
        action.value,
        reason=body.reason if body else "",
        expected_version=parse_if_match(if_match),
    )
    return _with_etag(response, view)


@router.get(
    "/{number}/actions",
    response_model=OrderActions,
    summary="Actions your role may take on this order now",
)
def list_actions(ctx: Ctx, me: Me, number: OrderNumber) -> OrderActions:
    return OrderActions(number=number.upper(), actions=orders.available_actions(ctx, me, number))


@router.get(
    "/{number}/events",
    response_model=list[TimelineEntry],
    response_model_exclude_unset=True,
    summary="The order's timeline",
)
def timeline(ctx: Ctx, me: Me, number: OrderNumber) -> list[TimelineEntry]:
    return orders.order_timeline(ctx, me, number)


@router.post(
    "/{number}/feasibility-review",
    response_model=ReviewResult,
    response_model_exclude_unset=True,
    summary="Review a confirmed order automatically and apply the outcome; on a feasible "
    "or needs-engineering order, check again and report (applied: false)",
)
def feasibility_review(ctx: Ctx, me: Me, number: OrderNumber) -> ReviewResult:
    return review.review(ctx, me, number)


def _pdf(number: OrderNumber, kind: DocumentKind, content: bytes) -> Response:
    # Only safe characters reach the header: a number typed with odd padding or
    # control characters must not break (or split) the response.
    safe = re.sub(r"[^A-Z0-9-]", "", number.strip().upper())[:40]
    name = f"{kind.heading.replace(' ', '-')}-{safe}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/{number}/quote.pdf",
    summary="The quote document (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def quote_pdf(ctx: Ctx, me: Me, number: OrderNumber) -> Response:
    kind = DocumentKind.QUOTE
    return _pdf(number, kind, documents.document_pdf(ctx, me, number, kind))


@router.get(
    "/{number}/confirmation.pdf",
    summary="The order confirmation (PDF), once the customer has confirmed",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def confirmation_pdf(ctx: Ctx, me: Me, number: OrderNumber) -> Response:
    kind = DocumentKind.ORDER_CONFIRMATION
    return _pdf(number, kind, documents.document_pdf(ctx, me, number, kind))


@router.get(
    "/{number}/lines/{line_no}/mockup.svg",
    summary="The mock-up drawing of an order line (SVG): top and front view with the main "
    "dimensions and the chosen options in words",
    response_class=Response,
    responses=SVG_RESPONSES,
)
def line_mockup(
    ctx: Ctx, me: Me, number: OrderNumber, line_no: Annotated[int, Path(ge=1, le=10_000)]
) -> Response:
    return svg_response(mockups.order_line_mockup(ctx, me, number, line_no))

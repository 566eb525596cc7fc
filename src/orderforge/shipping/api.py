"""Shipping over HTTP: an order's shipments, packing, shipping, delivery confirmation,
the papers (PDF) and on-time delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.shipping import services

router = APIRouter(tags=["shipping"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Number = Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9-]+$")]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


class ContentIn(BaseModel):
    model_config = _STRICT
    line: int = Field(ge=1, le=10_000, description="Order line number")
    quantity: int = Field(ge=1, le=100_000)


class PackageIn(BaseModel):
    model_config = _STRICT
    length_cm: Decimal = Field(ge=1, le=1500, max_digits=8, decimal_places=2)
    width_cm: Decimal = Field(ge=1, le=1500, max_digits=8, decimal_places=2)
    height_cm: Decimal = Field(ge=1, le=1500, max_digits=8, decimal_places=2)
    weight_kg: Decimal = Field(
        ge=Decimal("0.01"), le=5000, max_digits=8, decimal_places=2, description="Gross weight"
    )
    contents: list[ContentIn] = Field(min_length=1, max_length=100)


class PackIn(BaseModel):
    model_config = _STRICT
    packages: list[PackageIn] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000, description="For the plant only")


class ShipIn(BaseModel):
    model_config = _STRICT
    carrier: str = Field(min_length=1, max_length=20, examples=["DHL-FREIGHT"])
    tracking_number: str = Field(default="", max_length=60)


class DeliverIn(BaseModel):
    model_config = _STRICT
    delivered_on: dt.date
    received_by: str = Field(min_length=1, max_length=120)
    note: str = Field(default="", max_length=2000, description="For the plant only")


class CancelIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=2000)


def _pdf(name: str, content: bytes) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/shipping/carriers", summary="The carriers the plant ships with")
def carriers(ctx: Ctx, me: Me) -> list[dict[str, str]]:
    return services.list_carriers(ctx, me)


@router.get(
    "/shipping/on-time",
    summary="On-time delivery per customer, product family or month of delivery",
)
def on_time(
    ctx: Ctx, me: Me, by: Annotated[Literal["customer", "family", "month"], Query()] = "month"
) -> dict[str, Any]:
    return services.on_time_delivery(ctx, me, by)


@router.get("/orders/{number}/shipments", summary="An order's lines to ship and its shipments")
def order_shipments(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.order_shipping(ctx, me, number)


@router.post(
    "/orders/{number}/shipments",
    status_code=201,
    summary="Pack a shipment of what the order has left to ship",
)
def pack(number: Number, body: PackIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    packages = [p.model_dump(mode="json") for p in body.packages]
    return services.pack(ctx, me, services.PackShipment(number, packages, body.note))


@router.get("/shipments", summary="The newest shipments")
def list_shipments(
    ctx: Ctx,
    me: Me,
    status: Annotated[
        Literal["packing", "shipped", "delivered", "cancelled"] | None, Query()
    ] = None,
) -> list[dict[str, Any]]:
    return services.list_shipments(ctx, me, status)


@router.get("/shipments/{number}", summary="A shipment")
def get_shipment(number: Number, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.get_shipment(ctx, me, number)


@router.post("/shipments/{number}/ship", summary="Hand the shipment to the carrier")
def ship(number: Number, body: ShipIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    cmd = services.ShipShipment(number, body.carrier, body.tracking_number)
    return services.ship(ctx, me, cmd)


@router.post("/shipments/{number}/deliver", summary="Confirm the shipment's delivery")
def deliver(number: Number, body: DeliverIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    cmd = services.ConfirmDelivery(number, body.delivered_on, body.received_by, body.note)
    return services.confirm_delivery(ctx, me, cmd)


@router.post("/shipments/{number}/cancel", summary="Cancel a shipment being packed")
def cancel(number: Number, body: CancelIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.cancel(ctx, me, number, body.reason)


@router.get(
    "/shipments/{number}/delivery-note.pdf",
    summary="The delivery note (PDF): what was delivered, in which packages; no prices",
    response_class=Response,
    responses=_PDF,
)
def delivery_note(number: Number, ctx: Ctx, me: Me) -> Response:
    return _pdf(*services.delivery_note_pdf(ctx, me, number))


@router.get(
    "/shipments/{number}/packing-list.pdf",
    summary="The packing list (PDF): each package's size, weight and contents; no prices",
    response_class=Response,
    responses=_PDF,
)
def packing_list(number: Number, ctx: Ctx, me: Me) -> Response:
    return _pdf(*services.packing_list_pdf(ctx, me, number))

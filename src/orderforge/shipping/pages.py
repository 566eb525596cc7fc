"""Shipping pages: an order's shipping (pack packages, ship with a carrier, confirm the
delivery), the list of shipments, on-time delivery with a bar per row, and the papers
as PDF (for the portal too). A refused form comes back with the reason in a flash and
nothing stored. Works without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
)
from orderforge.shipping import services

router = APIRouter(include_in_schema=False)
#: package rows offered by the packing form (more: pack a second shipment)
PACKAGE_ROWS = 4


def _back(order_number: str, anchor: str = "") -> Response:
    return redirect(f"/orders/{quote(order_number)}/shipping" + (f"#{anchor}" if anchor else ""))


def packages_from_form(form: FormData, lines: list[int]) -> list[dict[str, Any]]:
    """The filled package rows of the packing form (a row without a weight is unused)."""
    packages: list[dict[str, Any]] = []
    for row in range(1, PACKAGE_ROWS + 1):
        weight = form_text(form, f"p{row}-weight_kg")
        if not weight:
            continue
        contents = []
        for line in lines:
            text = form_text(form, f"p{row}-line-{line}")
            if not text or text == "0":
                continue
            if not text.isdigit() or len(text) > 6:
                raise InvalidInput(
                    f"Package {row}: the quantity of line {line} is a whole number.",
                    field=f"packages[{len(packages)}].contents",
                )
            contents.append({"line": line, "quantity": int(text)})
        packages.append(
            {
                "length_cm": form_text(form, f"p{row}-length_cm"),
                "width_cm": form_text(form, f"p{row}-width_cm"),
                "height_cm": form_text(form, f"p{row}-height_cm"),
                "weight_kg": weight,
                "contents": contents,
            }
        )
    if not packages:
        raise InvalidInput("Fill in at least one package (its weight first).", field="packages")
    return packages


@router.get("/orders/{number}/shipping")
def order_shipping_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    view = services.order_shipping(ctx, me, number)
    today = ctx.clock.now().date().isoformat()
    return render(request, "shipping/order.html", me=me, view=view, rows=PACKAGE_ROWS, today=today)


@router.post("/orders/{number}/shipping/pack")
def pack(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    try:
        form = posted_form(request, form)
        lines = [li["line"] for li in services.order_shipping(ctx, me, number)["lines"]]
        packages = packages_from_form(form, lines)
        view = services.pack(
            ctx, me, services.PackShipment(number, packages, form_text(form, "note"))
        )
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(number, "pack")
    flash(request, f"{view['number']} packed: ship it with a carrier below.", "success")
    return _back(view["order_number"], view["number"])


def _act(request: Request, form: FormData, number: str, act: Any, done: str) -> Response:
    order_number = ""
    try:
        form = posted_form(request, form)
        order_number = form_text(form, "order")[:30]
        view = act(form)
    except DomainError as exc:
        flash(request, exc.message, "error")
        return _back(order_number, number) if order_number else redirect("/shipping")
    flash(request, done.format(**view), "success")
    return _back(view["order_number"], view["number"])


@router.post("/shipping/{number}/ship")
def ship(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    def act(form: FormData) -> dict[str, Any]:
        cmd = services.ShipShipment(
            number, form_text(form, "carrier"), form_text(form, "tracking_number")
        )
        return services.ship(ctx, me, cmd)

    return _act(request, form, number, act, "{number} shipped with {carrier_name}.")


@router.post("/shipping/{number}/deliver")
def deliver(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    def act(form: FormData) -> dict[str, Any]:
        text = form_text(form, "delivered_on")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidInput("Give the day it arrived.", field="delivered_on") from None
        cmd = services.ConfirmDelivery(
            number, day, form_text(form, "received_by"), form_text(form, "note")
        )
        return services.confirm_delivery(ctx, me, cmd)

    return _act(request, form, number, act, "{number} delivered on {delivered_on}.")


@router.post("/shipping/{number}/cancel")
def cancel(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    def act(form: FormData) -> dict[str, Any]:
        return services.cancel(ctx, me, number, form_text(form, "reason"))

    return _act(request, form, number, act, "{number} cancelled: its contents may be packed again.")


@router.get("/shipping")
def shipments_page(
    request: Request, ctx: Ctx, me: User, status: Annotated[str, Query(max_length=20)] = ""
) -> HTMLResponse:
    found = services.list_shipments(ctx, me, status or None)
    return render(request, "shipping/list.html", me=me, shipments=found, shown=status)


@router.get("/shipping/on-time")
def on_time_page(
    request: Request, ctx: Ctx, me: User, by: Annotated[str, Query(max_length=20)] = "month"
) -> HTMLResponse:
    figures = services.on_time_delivery(ctx, me, by)
    return render(request, "shipping/on_time.html", me=me, figures=figures)


def _pdf(name: str, content: bytes) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/shipping/{number}/delivery-note.pdf")
def delivery_note(ctx: Ctx, me: User, number: str) -> Response:
    return _pdf(*services.delivery_note_pdf(ctx, me, number))


@router.get("/shipping/{number}/packing-list.pdf")
def packing_list(ctx: Ctx, me: User, number: str) -> Response:
    return _pdf(*services.packing_list_pdf(ctx, me, number))

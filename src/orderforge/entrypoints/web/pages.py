"""Server-rendered pages: sign-in, orders, order detail with timeline, customers, plant.

Pages call the same services as the API; forms post back here and follow the
post-redirect-get pattern. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderforge.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    IllegalTransition,
    InvalidInput,
    TooManyAttempts,
)
from orderforge.domain.order import LineInput, OrderAction, OrderState
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, is_allowed
from orderforge.domain.user import Role
from orderforge.entrypoints.api.deps import client_address
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    check_csrf,
    csrf_token,
    flash,
    redirect,
    render,
)
from orderforge.materials.services import views as material_views
from orderforge.plant import services as plant
from orderforge.production.services import progress as floor_progress
from orderforge.production.services import units as production_units
from orderforge.promising import services as promising
from orderforge.services import (
    catalogue,
    credentials,
    customers,
    documents,
    orders,
    plant_time,
    users,
)
from orderforge.services.context import ServiceContext
from orderforge.services.documents import CONFIRMED_STATES
from orderforge.services.ports import Principal
from orderforge.services.views import OrderDetail, plain
from orderforge.shipping import services as shipping
from orderforge.simulation import services as simulation

router = APIRouter(include_in_schema=False)


def _customers(ctx: ServiceContext, me: Principal) -> list[dict[str, object]]:
    return [plain(c) for c in customers.list_customers(ctx, me)]


@router.get("/")
def home() -> RedirectResponse:
    return redirect("/orders")


@router.get("/login")
def login_page(request: Request, next: str = "/orders") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next))


def _safe_next(target: str) -> str:
    """Only local paths, so the sign-in page cannot bounce people to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/orders"


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/orders",
) -> Response:
    try:
        check_csrf(request, csrf)
        principal = users.authenticate(ctx, username, password, client_address(request))
    except TooManyAttempts as exc:
        response = render(
            request, "login.html", status=429, error=exc.message, next=next, username=username
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        return render(
            request, "login.html", status=401, error=exc.message, next=next, username=username
        )
    _end_session(request, ctx)
    request.session.clear()
    request.session["sid"] = credentials.start_session(ctx, principal)
    csrf_token(request)
    return redirect(_safe_next(next))


def _end_session(request: Request, ctx: ServiceContext) -> None:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        credentials.end_session(ctx, session_id)


@router.post("/logout")
def logout(request: Request, ctx: Ctx, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf)
    _end_session(request, ctx)
    request.session.clear()
    return redirect("/login")


@router.get("/orders")
def orders_page(
    request: Request, ctx: Ctx, me: User, state: str = "", customer: str = "", q: str = ""
) -> HTMLResponse:
    query = orders.OrderQuery(
        state=state or None, customer_code=customer or None, search=q[:100] or None, limit=500
    )
    try:
        rows = orders.list_orders(ctx, me, query)
    except InvalidInput as exc:
        flash(request, exc.message, "error")
        rows = []
    counts = orders.count_orders(ctx, me)
    may_see_customers = is_allowed(me.role, Resource.CUSTOMER, VIEW)
    return render(
        request,
        "orders.html",
        me=me,
        orders=[plain(o) for o in rows],
        counts=counts,
        states=list(OrderState),
        customers=_customers(ctx, me) if may_see_customers else [],
        state=state,
        customer=customer,
        q=q,
        can_create=is_allowed(me.role, Resource.ORDER, CREATE),
        today=dt.date.today(),
    )


@router.get("/orders/new")
def new_order_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "order_new.html",
        me=me,
        customers=_customers(ctx, me),
        families=catalogue.family_schemas(ctx, me),
        form={},
    )


@router.post("/orders/new")
def create_order(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    values = {k: str(v) for k, v in form.items()}
    try:
        check_csrf(request, values.get("csrf", ""))
        cmd = _order_from_form(values)
        created = orders.create_order(ctx, me, cmd)
    except DomainError as exc:
        return render(
            request,
            "order_new.html",
            status=422,
            me=me,
            error=exc.message,
            error_field=exc.field,
            customers=_customers(ctx, me),
            families=catalogue.family_schemas(ctx, me),
            form=values,
        )
    number = created.view.number
    flash(request, f"Quote {number} created.", "success")
    return redirect(f"/orders/{number}")


def _line_from_form(values: dict[str, str], index: int) -> LineInput:
    """The family picker's fields: `family`, `quantity` and `opt:<family>:<option>`."""
    family = values.get("family", "")
    if not family:
        raise InvalidInput("Choose a product family.", field=f"lines[{index}].product_family")
    try:
        quantity = int(values.get("quantity", "1"))
    except ValueError:
        raise InvalidInput(
            "Quantity must be a whole number.", field=f"lines[{index}].quantity"
        ) from None
    prefix = f"opt:{family}:"
    spec = {k.removeprefix(prefix): v for k, v in values.items() if k.startswith(prefix) and v}
    return LineInput(product_family=family, quantity=quantity, spec=spec)


def _order_from_form(values: dict[str, str]) -> orders.CreateOrder:
    line = _line_from_form(values, 0)
    requested = values.get("requested_date") or None
    try:
        requested_date = dt.date.fromisoformat(requested) if requested else None
    except ValueError:
        raise InvalidInput("Requested date must be a date.", field="requested_date") from None
    return orders.CreateOrder(
        customer_code=values.get("customer", ""),
        lines=(line,),
        requested_date=requested_date,
        notes=values.get("notes", "")[:5000],
    )


@router.get("/orders/{number}")
def order_page(request: Request, ctx: Ctx, me: User, number: str) -> HTMLResponse:
    return _order_detail(request, ctx, me, number)


#: Actions that step aside from the normal flow; the page shows them after the way forward.
SIDE_ACTIONS = frozenset(
    {
        OrderAction.HOLD,
        OrderAction.CANCEL,
        OrderAction.REQUEST_CHANGE,
        OrderAction.REJECT,
        OrderAction.REJECT_DESIGN,
        OrderAction.FAIL_INSPECTION,
        OrderAction.DECLINE_CHANGE,
        OrderAction.FLAG_NEEDS_ENGINEERING,
    }
)


#: Where the order page shows its shipments (and links to the shipping page).
SHIPPING_STATES = frozenset({OrderState.READY_TO_SHIP, OrderState.SHIPPED, OrderState.DELIVERED})


def _order_detail(request: Request, ctx: Ctx, me: Principal, number: str) -> HTMLResponse:
    order = orders.get_order(ctx, me, number)
    allowed = [OrderAction(a) for a in orders.available_actions(ctx, me, number)]
    forward = [a for a in allowed if a not in SIDE_ACTIONS]
    aside = [a for a in allowed if a in SIDE_ACTIONS]
    events = [plain(e) for e in reversed(orders.order_timeline(ctx, me, number))]
    editable = order.state == OrderState.QUOTE and is_allowed(me.role, Resource.ORDER, EDIT)
    offer = documents.offer(ctx, me, number)
    staff = me.role is not Role.CUSTOMER and is_allowed(me.role, Resource.MATERIALS, VIEW)
    serials: dict[int, list[str]] = {}
    if me.role is not Role.CUSTOMER and is_allowed(me.role, Resource.WORK_ORDER, VIEW):
        for unit in production_units.serials_of_order(ctx, me, number):
            serials.setdefault(unit.line_no, []).append(unit.serial)
    return render(
        request,
        "order.html",
        serials=serials,
        materials=material_views.order_pegging(ctx, me, number) if staff else None,
        me=me,
        order=plain(order),
        offer=offer,
        confirmed=OrderState(order.state) in CONFIRMED_STATES,
        forward=forward,
        aside=aside,
        actions=allowed,
        events=events,
        editable=editable,
        families=catalogue.family_schemas(ctx, me) if editable else [],
        quote_promise=_quote_promise(ctx, me, order.number)
        if order.state == OrderState.QUOTE
        else None,
        shipping=shipping.order_shipping(ctx, me, order.number)
        if OrderState(order.state) in SHIPPING_STATES
        and is_allowed(me.role, Resource.SHIPMENT, VIEW)
        else None,
        alerts=promising.alerts(ctx, me, order.number)
        if is_allowed(me.role, Resource.SCHEDULE, VIEW) and me.customer_id is None
        else [],
        floor=floor_progress.progress_view(ctx, me, order.number)
        if OrderState(order.state) in ON_THE_FLOOR
        and is_allowed(me.role, Resource.SCHEDULE, VIEW)
        and me.customer_id is None
        else None,
        confidence=_confidence(ctx, me, order.number),
    )


def _confidence(ctx: ServiceContext, me: Principal, number: str) -> str | None:
    """The latest study's words for the order, for staff who may read studies (never a
    customer: a study lays bare the plan's internals)."""
    if me.customer_id is not None or not is_allowed(me.role, Resource.SIMULATION, VIEW):
        return None
    found = simulation.order_confidence(ctx, me, number)
    if found is None or found["on_time"] is None:
        return None
    zone = plant_time.zone_of(ctx)
    p80 = dt.datetime.fromisoformat(found["finish_at"]["p80"]).astimezone(zone)
    basis = "promise" if found["promise_basis"] == "promise" else "requested date"
    nbsp = "\u00a0"  # "87 %" and "80 % date" never break at the space
    return (
        f"Chance of meeting the {basis}: {round(found['on_time'] * 100)}{nbsp}% "
        f"(80{nbsp}% date {p80:%d %b %Y})"
    )


#: Orders whose work the floor may be doing: their page shows progress against the plan.
ON_THE_FLOOR = frozenset({OrderState.RELEASED, OrderState.IN_PRODUCTION})


def _shipping(
    ctx: ServiceContext, me: Principal, number: str, state: OrderState
) -> dict[str, object] | None:
    """The order's shipments, once it is ready to ship (the customer's portal shows
    status, carrier, tracking and the delivery note)."""
    if state not in SHIPPING_STATES or not is_allowed(me.role, Resource.SHIPMENT, VIEW):
        return None
    return shipping.order_shipping(ctx, me, number)


def _quote_promise(ctx: ServiceContext, me: Principal, number: str) -> dict[str, object] | None:
    """What the plant can promise for the quote as it stands (sales tells the customer
    before confirming); nothing when it has no configured line."""
    try:
        return promising.promise_view(promising.promise_order(ctx, me, number, assess=True), me)
    except DomainError:
        return None


@router.post("/orders/{number}/actions/{action}")
def order_action(
    request: Request,
    ctx: Ctx,
    me: User,
    number: str,
    action: str,
    version: Annotated[int, Form()],
    csrf: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        view = orders.advance_order(
            ctx, me, number, action, reason=reason, expected_version=version
        )
    except ConcurrencyConflict as exc:
        flash(request, exc.message + " The page now shows its current state.", "error")
        return redirect(f"/orders/{quote(number)}")
    except (IllegalTransition, InvalidInput) as exc:
        flash(request, exc.message, "error")
        return redirect(f"/orders/{quote(number)}")
    flash(
        request,
        f"{OrderAction(action).label}: order {number} is now {view.state_label.lower()}.",
        "success",
    )
    return redirect(f"/orders/{view.number}")


def _current_lines(view: OrderDetail) -> list[LineInput]:
    return [LineInput(li.product_family, li.quantity, dict(li.spec)) for li in view.lines]


def _revise_lines(
    request: Request,
    ctx: ServiceContext,
    me: Principal,
    number: str,
    values: dict[str, str],
    change: Callable[[list[LineInput]], list[LineInput]],
) -> Response:
    """Edit a quote's lines from a form, refusing stale pages like the action buttons do."""
    try:
        check_csrf(request, values.get("csrf", ""))
        version = int(values.get("version", "0"))
        lines = change(_current_lines(orders.get_order(ctx, me, number)))
        orders.revise_order(ctx, me, number, orders.ReviseOrder(lines=tuple(lines)), version)
    except ConcurrencyConflict as exc:
        flash(request, exc.message + " The page now shows its current state.", "error")
    except (IllegalTransition, InvalidInput, ValueError) as exc:
        flash(request, getattr(exc, "message", "The form was not understood."), "error")
    else:
        flash(request, f"Quote {number} updated.", "success")
    return redirect(f"/orders/{quote(number)}")


@router.post("/orders/{number}/lines/{line_no}/remove")
def remove_line(
    request: Request, form: Posted, ctx: Ctx, me: User, number: str, line_no: int
) -> Response:
    values = {k: str(v) for k, v in form.items()}
    return _revise_lines(
        request,
        ctx,
        me,
        number,
        values,
        lambda lines: [li for i, li in enumerate(lines, 1) if i != line_no],
    )


@router.get("/customers")
def customers_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "customers.html",
        me=me,
        customers=_customers(ctx, me),
        can_create=is_allowed(me.role, Resource.CUSTOMER, CREATE),
        form={},
    )


@router.post("/customers")
def create_customer(
    request: Request,
    ctx: Ctx,
    me: User,
    code: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=254)] = "",
    country: Annotated[str, Form(max_length=2)] = "DE",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        customers.register_customer(ctx, me, customers.RegisterCustomer(code, name, email, country))
    except DomainError as exc:
        return render(
            request,
            "customers.html",
            status=422,
            me=me,
            error=exc.message,
            customers=_customers(ctx, me),
            can_create=True,
            form={"code": code, "name": name, "email": email, "country": country},
        )
    flash(request, f"Customer {code.upper()} added.", "success")
    return redirect("/customers")


@router.get("/plant")
def plant_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(request, "plant.html", me=me, plant=plant.plant_overview(ctx, me))

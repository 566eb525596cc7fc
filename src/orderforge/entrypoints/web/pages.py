"""Server-rendered pages: sign-in, orders, order detail with timeline, customers, plant.

Pages call the same services as the API; forms post back here and follow the
post-redirect-get pattern. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from orderforge.domain.errors import (
    AuthenticationFailed,
    ConcurrencyConflict,
    DomainError,
    IllegalTransition,
    InvalidInput,
)
from orderforge.domain.order import LineInput, OrderAction, OrderState
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, is_allowed
from orderforge.entrypoints.api.errors import status_of
from orderforge.plant import services as plant
from orderforge.services import catalogue, customers, orders, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""


def _ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def web_user(request: Request) -> Principal:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise LoginRequired
    try:
        return users.principal_by_id(_ctx(request), user_id)
    except AuthenticationFailed:
        request.session.clear()
        raise LoginRequired from None


Ctx = Annotated[ServiceContext, Depends(_ctx)]
User = Annotated[Principal, Depends(web_user)]


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def _check_csrf(request: Request, token: str) -> None:
    if not secrets.compare_digest(_csrf(request), token):
        raise InvalidInput("The form expired; reload the page and try again.", field="csrf")


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("me", None)
    me = context["me"]
    # What the navigation may offer: only pages this role can open.
    context["nav"] = {
        resource.value: me is not None and is_allowed(me.role, resource, VIEW)
        for resource in Resource
    }
    messages = request.session.pop("flash", [])
    return templates.TemplateResponse(
        request,
        name,
        {"csrf": _csrf(request), "messages": messages, **context},
        status_code=status,
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home() -> RedirectResponse:
    return _redirect("/orders")


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
        _check_csrf(request, csrf)
        principal = users.authenticate(ctx, username, password)
    except DomainError as exc:
        return render(
            request, "login.html", status=401, error=exc.message, next=next, username=username
        )
    request.session.clear()
    request.session["user_id"] = principal.user_id
    _csrf(request)
    return _redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    _check_csrf(request, csrf)
    request.session.clear()
    return _redirect("/login")


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
        orders=rows,
        counts=counts,
        states=list(OrderState),
        customers=customers.list_customers(ctx, me) if may_see_customers else [],
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
        customers=customers.list_customers(ctx, me),
        families=catalogue.family_schemas(ctx, me),
        form={},
    )


@router.post("/orders/new")
async def create_order(request: Request, ctx: Ctx, me: User) -> Response:
    form = dict(await request.form())
    values = {k: str(v) for k, v in form.items()}
    try:
        _check_csrf(request, values.get("csrf", ""))
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
            customers=customers.list_customers(ctx, me),
            families=catalogue.family_schemas(ctx, me),
            form=values,
        )
    number = created.view["number"]
    flash(request, f"Quote {number} created.", "success")
    return _redirect(f"/orders/{number}")


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


def _order_detail(request: Request, ctx: Ctx, me: Principal, number: str) -> HTMLResponse:
    order = orders.get_order(ctx, me, number)
    allowed = [OrderAction(a) for a in orders.available_actions(ctx, me, number)]
    forward = [a for a in allowed if a not in SIDE_ACTIONS]
    aside = [a for a in allowed if a in SIDE_ACTIONS]
    events = list(reversed(orders.order_timeline(ctx, me, number)))
    editable = order["state"] == OrderState.QUOTE and is_allowed(me.role, Resource.ORDER, EDIT)
    return render(
        request,
        "order.html",
        me=me,
        order=order,
        forward=forward,
        aside=aside,
        actions=allowed,
        events=events,
        editable=editable,
        families=catalogue.family_schemas(ctx, me) if editable else [],
    )


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
        _check_csrf(request, csrf)
        view = orders.advance_order(
            ctx, me, number, action, reason=reason, expected_version=version
        )
    except ConcurrencyConflict as exc:
        flash(request, exc.message + " The page now shows its current state.", "error")
        return _redirect(f"/orders/{quote(number)}")
    except (IllegalTransition, InvalidInput) as exc:
        flash(request, exc.message, "error")
        return _redirect(f"/orders/{quote(number)}")
    flash(
        request,
        f"{OrderAction(action).label}: order {number} is now {view['state_label'].lower()}.",
        "success",
    )
    return _redirect(f"/orders/{view['number']}")


def _current_lines(view: dict[str, Any]) -> list[LineInput]:
    return [
        LineInput(li["product_family"], li["quantity"], dict(li["spec"])) for li in view["lines"]
    ]


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
        _check_csrf(request, values.get("csrf", ""))
        version = int(values.get("version", "0"))
        lines = change(_current_lines(orders.get_order(ctx, me, number)))
        orders.revise_order(ctx, me, number, orders.ReviseOrder(lines=tuple(lines)), version)
    except ConcurrencyConflict as exc:
        flash(request, exc.message + " The page now shows its current state.", "error")
    except (IllegalTransition, InvalidInput, ValueError) as exc:
        flash(request, getattr(exc, "message", "The form was not understood."), "error")
    else:
        flash(request, f"Quote {number} updated.", "success")
    return _redirect(f"/orders/{quote(number)}")


@router.post("/orders/{number}/lines")
async def add_line(request: Request, ctx: Ctx, me: User, number: str) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    return _revise_lines(
        request,
        ctx,
        me,
        number,
        values,
        lambda lines: [*lines, _line_from_form(values, len(lines))],
    )


@router.post("/orders/{number}/lines/{line_no}/remove")
async def remove_line(request: Request, ctx: Ctx, me: User, number: str, line_no: int) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
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
        customers=customers.list_customers(ctx, me),
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
        _check_csrf(request, csrf)
        customers.register_customer(ctx, me, customers.RegisterCustomer(code, name, email, country))
    except DomainError as exc:
        return render(
            request,
            "customers.html",
            status=422,
            me=me,
            error=exc.message,
            customers=customers.list_customers(ctx, me),
            can_create=True,
            form={"code": code, "name": name, "email": email, "country": country},
        )
    flash(request, f"Customer {code.upper()} added.", "success")
    return _redirect("/customers")


@router.get("/plant")
def plant_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(request, "plant.html", me=me, plant=plant.plant_overview(ctx, me))


def html_error(request: Request, exc: Exception) -> Response:
    """Errors on pages: sign-in redirect, or a page that says what went wrong."""
    if isinstance(exc, LoginRequired | AuthenticationFailed):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(f"/login?next={quote(target)}")
    status = 404
    message = "That page does not exist."
    if isinstance(exc, DomainError):
        status, message = status_of(exc), exc.message
    return render(request, "error.html", status=status, status_code=status, message=message)


def install(app: FastAPI) -> None:
    app.include_router(router)
    from orderforge.entrypoints.web import configurator_pages, schedule_pages  # they import this

    app.include_router(configurator_pages.router)
    app.include_router(schedule_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.html_error = html_error
    app.add_exception_handler(LoginRequired, html_error)

"""Configurator and engineers' review queue pages.

`/configure/{code}` works without JavaScript: the form posts back here, and the page
is rendered with the choices still possible, the parameter ranges, the conflicts and
the price. `static/configurator.js` does the same live through the JSON API and must
follow the same rules, in particular `complete_spec` (how unpicked values are filled).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.domain.order import LineInput, OrderAction, OrderState
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, is_allowed, require
from orderforge.entrypoints.web.common import Ctx, Posted, User, check_csrf, flash, redirect, render
from orderforge.entrypoints.web.mockup_pages import configurator_mockup_url
from orderforge.promising import services as promising
from orderforge.services import catalogue, configuration, customers, orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.views import OrderSummary, plain

router = APIRouter(include_in_schema=False)

#: Form fields of the spec are named `spec.<code>`, apart from the order's own fields.
SPEC = "spec."
MAX_FORM_TEXT = 5000


# -- helpers: ranges ------------------------------------------------


def _plain(value: Decimal) -> str:
    """800, 0.5 — never 8E+2."""
    return format(value.normalize(), "f")


def range_text(ranges: list[dict[str, str]], unit: str) -> str:
    """'800–1800 mm in steps of 10', ranges joined with 'or'."""
    if not ranges:
        return "no value fits the other choices"
    parts = []
    for r in ranges:
        low, high, step = (_plain(Decimal(r[k])) for k in ("min", "max", "step"))
        span = f"{low} {unit}".strip() if low == high else f"{low}–{high} {unit}".strip()
        parts.append(span if low == high else f"{span} in steps of {step}")
    return " or ".join(parts)


# -- the configurator's state for the template ----------------------------------


def _picks(schema: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    codes = [o["code"] for o in schema["options"]] + [p["code"] for p in schema["parameters"]]
    picks = {}
    for code in codes:
        value = values.get(SPEC + code, "").strip()
        if value:
            picks[code] = value[:100]
    return picks


def _remaining(
    ctx: ServiceContext, me: Principal, code: str, picks: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Domains for the picks; picks the engine cannot read are dropped and explained."""
    usable = dict(picks)
    errors: dict[str, str] = {}
    for _ in range(len(picks) + 1):
        try:
            return plain(configuration.remaining(ctx, me, code, usable)), errors
        except InvalidInput as exc:
            name = (exc.field or "").removeprefix("spec.")
            if name not in usable:
                raise
            errors[name] = exc.message
            del usable[name]
    raise InvalidInput("The choices could not be read.", field="spec")  # pragma: no cover


def configurator_state(
    ctx: ServiceContext, me: Principal, schema: dict[str, Any], picks: dict[str, str]
) -> dict[str, Any]:
    """Everything the configurator shows for the current picks."""
    code = schema["code"]
    domains, errors = _remaining(ctx, me, code, picks)
    usable = {k: v for k, v in picks.items() if k not in errors}
    # A picked field's own alternatives: what the OTHER picks still allow for it.
    own: dict[str, dict[str, Any]] = {}
    for name in usable:
        others = {k: v for k, v in usable.items() if k != name}
        own[name] = plain(configuration.remaining(ctx, me, code, others))

    def domain_of(name: str, kind: str) -> Any | None:
        source = own.get(name, domains)
        if not source["consistent"]:
            return None  # nothing can be said while the other picks conflict
        return source[kind].get(name)

    options = []
    for o in schema["options"]:
        possible = domain_of(o["code"], "options")
        options.append(
            {
                **o,
                "picked": picks.get(o["code"], ""),
                "error": errors.get(o["code"]),
                "choices": [
                    {**c, "possible": possible is None or c["code"] in possible}
                    for c in o["choices"]
                ],
            }
        )
    parameters = []
    for p in schema["parameters"]:
        domain = domain_of(p["code"], "parameters")
        ranges = domain["ranges"] if domain else []
        # Unknown while the other picks conflict: show the catalogue's own range.
        shown = ranges if domain else [{k: p[k] for k in ("min", "max", "step")}]
        parameters.append(
            {
                **p,
                "picked": picks.get(p["code"], ""),
                "error": errors.get(p["code"]),
                "low": ranges[0]["min"] if ranges else p["min"],
                "high": ranges[-1]["max"] if ranges else p["max"],
                "step_now": ranges[0]["step"] if ranges else p["step"],
                "range_text": range_text(shown, p["unit"]),
            }
        )
    evaluation = None
    changed: dict[str, str] = {}
    spec = usable
    if domains["consistent"] and not errors:
        completion = configuration.complete(ctx, me, code, usable)
        spec, changed = completion.spec, completion.filled
        evaluation = plain(completion.evaluation) if completion.evaluation else None
    labels = _labels(schema)
    return {
        "options": options,
        "parameters": parameters,
        "conflicts": [c["message"] for c in domains["conflicts"]],
        # In the form's order, to name them as the user sees them.
        "conflict_names": [k for k in labels if any(k in c["names"] for c in domains["conflicts"])],
        "errors": errors,
        "evaluation": evaluation,
        "filled": [
            (labels[k][0], labels[k][1].get(v, f"{v} {labels[k][2]}".strip()))
            for k, v in changed.items()
        ],
        "spec": spec if domains["consistent"] and not errors else picks,
    }


def _labels(schema: dict[str, Any]) -> dict[str, tuple[str, dict[str, str], str]]:
    """code -> (field label, choice labels, unit)."""
    result: dict[str, tuple[str, dict[str, str], str]] = {}
    for o in schema["options"]:
        result[o["code"]] = (o["label"], {c["code"]: c["label"] for c in o["choices"]}, "")
    for p in schema["parameters"]:
        result[p["code"]] = (p["label"], {}, p["unit"])
    return result


def _client_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """What configurator.js needs to label fields and choices."""
    return {
        "code": schema["code"],
        "options": [
            {
                "code": o["code"],
                "label": o["label"],
                "default": o["default"],
                "choices": {c["code"]: c["label"] for c in o["choices"]},
            }
            for o in schema["options"]
        ],
        "parameters": [
            {
                "code": p["code"],
                "label": p["label"],
                "unit": p["unit"],
                "default": p["default"],
                "min": p["min"],
                "max": p["max"],
                "step": p["step"],
            }
            for p in schema["parameters"]
        ],
    }


def money(value: str | Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    return f"€{Decimal(value):,.2f}"


def percent(value: str | Decimal) -> str:
    return f"{Decimal(value) * 100:.0f} %"


def _form_field(field: str | None) -> str | None:
    """A service's field name ('lines[0].spec.length') as this form's field name."""
    if not field:
        return None
    if ".spec." in field:
        return SPEC + field.split(".spec.", 1)[1]
    if field.startswith("lines[0]."):
        return field.removeprefix("lines[0].")
    return field


def _field_label(schema: dict[str, Any], field: str | None) -> str | None:
    if field is None:
        return None
    if field.startswith(SPEC):
        label = _labels(schema).get(field.removeprefix(SPEC))
        return label[0] if label else None
    return {
        "customer": "Customer",
        "quantity": "Quantity",
        "requested_date": "Requested date",
        "notes": "Notes",
        "csrf": None,
    }.get(field)


# -- routes: configurator --------------------------------------------------------


@router.get("/configure")
def families_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return render(
        request,
        "configure_families.html",
        me=me,
        families=catalogue.list_families(ctx, me),
    )


def _render_configurator(
    request: Request,
    ctx: ServiceContext,
    me: Principal,
    schema: dict[str, Any],
    form: dict[str, str],
    status: int = 200,
    error: str | None = None,
    error_fields: tuple[str, ...] = (),
    state: dict[str, Any] | None = None,
) -> HTMLResponse:
    if state is None:
        state = configurator_state(ctx, me, schema, _picks(schema, form))
    labels = [label for f in error_fields if (label := _field_label(schema, f))]
    can_create = is_allowed(me.role, Resource.ORDER, CREATE)
    promise = _promise(ctx, me, schema, state, form)
    adding_to = _quote_to_extend(ctx, me, form.get("order"))
    may_list_customers = can_create and is_allowed(me.role, Resource.CUSTOMER, VIEW)
    return render(
        request,
        "configure_family.html",
        status=status,
        me=me,
        family=schema,
        client_schema=_client_schema(schema),
        state=state,
        form=form,
        can_create=can_create,
        customers=[plain(c) for c in customers.list_customers(ctx, me)]
        if may_list_customers
        else [],
        error=error,
        error_fields=error_fields,
        error_label=", ".join(labels),
        money=money,
        percent=percent,
        promise=promise,
        quote_confidences=QUOTE_CONFIDENCES if me.customer_id is None else (),
        adding_to=adding_to,
        # Drawn while the choices go together: the completed spec the price is for.
        mockup_url=configurator_mockup_url(schema["code"], state["spec"], form.get("quantity", "1"))
        if state["evaluation"]
        else None,
    )


def _quote_to_extend(ctx: ServiceContext, me: Principal, number: str | None) -> Any | None:
    """The quote a line is being configured for (?order=SO-...), if it may still be
    edited by this user; else the page is the plain configurator."""
    if not number or not is_allowed(me.role, Resource.ORDER, EDIT):
        return None
    try:
        order = orders.get_order(ctx, me, number)
    except DomainError:
        return None
    return plain(order) if order.state == OrderState.QUOTE else None


def _promise(
    ctx: ServiceContext,
    me: Principal,
    schema: dict[str, Any],
    state: dict[str, Any],
    form: dict[str, str],
) -> dict[str, object] | None:
    """The delivery date beside the price, for a valid configuration (the page without
    script shows it too); a quantity or date the form cannot read gives no date."""
    ev: dict[str, Any] | None = state.get("evaluation")
    if not ev or not ev.get("valid"):
        return None
    try:
        quantity = int(form.get("quantity") or 1)
        requested = (
            dt.date.fromisoformat(form["requested_date"]) if form.get("requested_date") else None
        )
        found = promising.promise_spec(
            ctx,
            me,
            schema["code"],
            dict(ev["spec"]),
            quantity,
            requested,
            confidence=_confidence_asked(me, form),
            assess=True,
        )
    except (ValueError, DomainError):
        return None
    return promising.promise_view(found, me)


#: The confidences the quote form offers sales (the API takes any from 0.5 to 0.99).
QUOTE_CONFIDENCES = (0.8, 0.9, 0.95)


def _confidence_asked(me: Principal, form: dict[str, str]) -> float | None:
    """The confidence sales chose to quote at; a customer's form has no such field."""
    raw = form.get("confidence") or ""
    if me.customer_id is not None or not raw:
        return None
    return float(raw)  # ValueError: no date, as for a quantity the form cannot read


@router.get("/configure/{code}")
def configure_page(
    request: Request, ctx: Ctx, me: User, code: str, order: str | None = None
) -> HTMLResponse:
    schema = catalogue.family_schema(ctx, me, code)
    form = {"quantity": "1"}
    if order:
        form["order"] = order[:30]
    return _render_configurator(request, ctx, me, schema, form)


@router.post("/configure/{code}")
def configure_post(request: Request, posted: Posted, ctx: Ctx, me: User, code: str) -> Response:
    form = {k: str(v)[:MAX_FORM_TEXT] for k, v in posted.items()}
    schema = catalogue.family_schema(ctx, me, code)
    try:
        check_csrf(request, form.get("csrf", ""))
    except InvalidInput as exc:
        return _render_configurator(request, ctx, me, schema, form, 422, exc.message)
    state = configurator_state(ctx, me, schema, _picks(schema, form))
    if form.get("do") == "add" and form.get("order"):
        try:
            number = _add_to_quote(ctx, me, schema, form, state)
        except DomainError as exc:
            fields = _refused_fields(state, exc)
            return _render_configurator(
                request, ctx, me, schema, form, 422, exc.message, fields, state=state
            )
        flash(request, f"Quote {number} updated: {schema['name']} added.", "success")
        return redirect(f"/orders/{number}")
    if form.get("do") != "create":
        return _render_configurator(request, ctx, me, schema, form, state=state)
    try:
        created = _create_quote(ctx, me, schema, form, state)
    except DomainError as exc:
        fields = _refused_fields(state, exc)
        return _render_configurator(
            request, ctx, me, schema, form, 422, exc.message, fields, state=state
        )
    number = created.view.number
    flash(request, f"Quote {number} created.", "success")
    return redirect(f"/orders/{number}")


def _refused_fields(state: dict[str, Any], exc: DomainError) -> tuple[str, ...]:
    """The form fields a refusal is about: the service's field, else the conflict's."""
    field = _form_field(exc.field)
    if field and field != "spec":
        return (field,)
    if state["errors"]:
        return tuple(SPEC + k for k in state["errors"])
    return tuple(SPEC + n for n in state["conflict_names"])


def _checked_line(schema: dict[str, Any], form: dict[str, str], state: dict[str, Any]) -> LineInput:
    """The configured line as priced on screen, or the refusal naming the field."""
    try:
        quantity = int(form.get("quantity", "1") or "1")
    except ValueError:
        raise InvalidInput("Quantity must be a whole number.", field="quantity") from None
    if state["errors"]:
        name, message = next(iter(state["errors"].items()))
        raise InvalidInput(message, field=SPEC + name)
    if state["conflicts"]:
        raise InvalidInput(
            "These choices do not go together: " + " ".join(state["conflicts"]), field="spec"
        )
    return LineInput(product_family=schema["code"], quantity=quantity, spec=state["spec"])


def _add_to_quote(
    ctx: ServiceContext,
    me: Principal,
    schema: dict[str, Any],
    form: dict[str, str],
    state: dict[str, Any],
) -> str:
    """Append the configured line to the quote; a page older than the quote is refused
    (someone else changed it meanwhile) rather than overwriting their change."""
    require(me.role, Resource.ORDER, EDIT)
    line = _checked_line(schema, form, state)
    number = form["order"]
    current = orders.get_order(ctx, me, number)
    try:
        version = int(form.get("version") or current.version)
    except ValueError:
        raise InvalidInput("The page's version was not understood.", field="version") from None
    lines = [LineInput(li.product_family, li.quantity, dict(li.spec)) for li in current.lines]
    orders.revise_order(ctx, me, current.number, orders.ReviseOrder(lines=(*lines, line)), version)
    return current.number


def _create_quote(
    ctx: ServiceContext,
    me: Principal,
    schema: dict[str, Any],
    form: dict[str, str],
    state: dict[str, Any],
) -> orders.CreatedOrder:
    require(me.role, Resource.ORDER, CREATE)
    line = _checked_line(schema, form, state)
    requested = form.get("requested_date") or None
    try:
        requested_date = dt.date.fromisoformat(requested) if requested else None
    except ValueError:
        raise InvalidInput("Requested date must be a date.", field="requested_date") from None
    if not form.get("customer"):
        raise InvalidInput("Choose the customer the quote is for.", field="customer")
    # The spec that was priced on screen (the order service checks it again).
    cmd = orders.CreateOrder(
        customer_code=form["customer"],
        lines=(line,),
        requested_date=requested_date,
        notes=form.get("notes", ""),
    )
    return orders.create_order(ctx, me, cmd)


# -- routes: engineers' review queue ---------------------------------------------


def _lines_summary(order: OrderSummary) -> str:
    return ", ".join(f"{li.quantity} × {li.product_family}" for li in order.lines)


@router.get("/review")
def review_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    require(me.role, Resource.ORDER, OrderAction.ACCEPT_ENGINEERING.value)
    waiting = orders.list_orders(
        ctx, me, orders.OrderQuery(state=OrderState.NEEDS_ENGINEERING.value, limit=1000)
    )
    rows: list[dict[str, Any]] = []
    for order in waiting:
        flags = [
            e
            for e in orders.order_timeline(ctx, me, order.number)
            if e.action == OrderAction.FLAG_NEEDS_ENGINEERING.value
        ]
        flag = flags[-1] if flags else None
        rows.append(
            {
                "number": order.number,
                "order": plain(order),
                "lines": _lines_summary(order),
                "reason": (flag.reason or "") if flag else "",
                "flagged_by": flag.actor if flag else "",
                "flagged_at": (flag.occurred_at if flag else order.updated_at).isoformat(),
            }
        )
    rows.sort(key=lambda r: (str(r["flagged_at"]), str(r["number"])))
    return render(request, "review.html", me=me, rows=rows)

"""Mock-up images for the pages, on the web session: an order line's drawing and the
drawing of the spec on the configurator (its picks in the query string).

Served as `<img>` sources, which never run script, with the same no-sniff headers and
nothing-allowed policy as the API's (`api.images`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.images import svg_response
from orderforge.entrypoints.web.common import Ctx, User
from orderforge.services import mockups

router = APIRouter(include_in_schema=False)

#: More query fields than any catalogue has options is not a spec.
MAX_FIELDS = 200
MAX_VALUE = 100


def configurator_mockup_url(code: str, spec: dict[str, str], quantity: str = "1") -> str:
    """Where the configurator's image is drawn from: the spec in the query string."""
    query = urlencode({**spec, "quantity": quantity or "1"})
    return f"/configure/{code}/mockup.svg?{query}"


@router.get("/orders/{number}/lines/{line_no}/mockup.svg")
def order_line_mockup(ctx: Ctx, me: User, number: str, line_no: int) -> Response:
    return svg_response(mockups.order_line_mockup(ctx, me, number, line_no))


@router.get("/configure/{code}/mockup.svg")
def configurator_mockup(request: Request, ctx: Ctx, me: User, code: str) -> Response:
    fields = list(request.query_params.items())
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"At most {MAX_FIELDS} fields per spec.", field="spec")
    picks = {k: v[:MAX_VALUE] for k, v in fields if k != "quantity" and v.strip()}
    text = request.query_params.get("quantity", "1").strip() or "1"
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput("Quantity must be a whole number.", field="quantity")
    return svg_response(mockups.spec_mockup(ctx, me, code, picks, int(text)))

"""Materials over HTTP under /api/v1/materials: stock, suppliers and offers, purchase
orders and receipts, MRP runs, proposals (edit, accept, merge), shortages, pegging both
ways, and availability for quoting. Thin translation to the materials use cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.bounds import BoundedDate
from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.materials.services import mrp, purchasing, supply, views
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/materials", tags=["materials"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
PoNumber = Annotated[str, Path(max_length=30, examples=["PO-2026-0004"])]
LineNo = Annotated[int, Path(ge=1, le=10_000)]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Qty = Annotated[Decimal, Field(description="Quantity in the item's unit, more than zero")]


class LotOut(BaseModel):
    lot_number: str
    item_code: str
    quantity: str
    location: str
    received_at: str
    po_number: str | None
    po_line_no: int | None


class HeldLotOut(LotOut):
    hold: str = Field(description="quarantine or returned")
    hold_label: str
    ncr: str = Field(description="The nonconformance that placed the hold")
    reason: str


class StockOut(BaseModel):
    item_code: str
    name: str
    unit: str
    policy: str = Field(description="pegged (reserved per order) or min_max")
    on_hand: str
    pegged: str
    free: str
    on_order: str
    lots: list[LotOut]
    held: list[HeldLotOut] = Field(
        description="Lots kept from the floor and from planning: quarantined by an open "
        "NCR, or returned to the supplier"
    )


class OfferOut(BaseModel):
    item_code: str
    unit_price: str
    currency: str
    minimum: str
    pack_size: str
    lead_time_days: int
    express: bool


class SupplierOut(BaseModel):
    code: str
    name: str
    offers: list[OfferOut]


class PegOut(BaseModel):
    order_number: str
    line_no: int
    work_order: str
    operation: str
    item_code: str
    item_name: str
    unit: str
    quantity: str
    source: str = Field(description="stock, purchase, proposal or missing")
    ref: str
    need_at: str
    available_at: str | None
    late: bool
    coverage: str = Field(examples=["by PO-2026-0004 arriving Mon 14 Dec"])


class PoLineOut(BaseModel):
    line_no: int
    item_code: str
    quantity: str
    received_quantity: str
    open_quantity: str
    unit_price: str
    expected_at: str


class PoLineDetail(PoLineOut):
    pegs: list[PegOut] = []


class PurchaseOrderOut(BaseModel):
    number: str
    supplier: str
    status: str
    status_label: str
    currency: str
    order_by: str
    created_at: str
    created_by: str
    total: str
    lines: list[PoLineOut]


class PurchaseOrderDetail(PurchaseOrderOut):
    lines: list[PoLineDetail]  # type: ignore[assignment]


class ProposalOut(BaseModel):
    id: int | None
    key: str
    item_code: str
    supplier: str
    supplier_name: str
    quantity: str
    unit_price: str
    currency: str
    order_by: str
    arrives_at: str
    need_at: str
    late: bool
    reason: str
    orders: list[str]


class RunOut(BaseModel):
    id: int | None
    status: str
    requested_by: str
    requested_at: str
    started_at: str | None
    finished_at: str | None
    progress: float
    counts: dict[str, int]
    error: str | None
    #: The failed run this one repeats (POST .../retry), if any.
    retry_of: int | None = None


class AvailabilityOut(BaseModel):
    item_code: str
    quantity: str
    available_at: str | None
    source: str
    cannot_source: str | None
    express_at: str | None
    express_extra_cost: str | None
    express_source: str | None


class LineIn(BaseModel):
    model_config = _STRICT
    item_code: str = Field(max_length=40)
    quantity: Qty
    expected_on: BoundedDate | None = None


class PurchaseOrderIn(BaseModel):
    model_config = _STRICT
    supplier: str = Field(max_length=40)
    order_by: BoundedDate | None = Field(default=None, description="Default: today")
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    place: bool = Field(default=True, description="Ordered now (true) or kept as a draft")


class ReceiptIn(BaseModel):
    model_config = _STRICT
    quantity: Qty
    lot: str | None = Field(default=None, max_length=40)
    location: str | None = Field(default=None, max_length=40)


class RescheduleIn(BaseModel):
    model_config = _STRICT
    expected_on: BoundedDate = Field(description="The supplier's new arrival date")


class ProposalEditIn(BaseModel):
    model_config = _STRICT
    quantity: Qty | None = None
    supplier: str | None = Field(default=None, max_length=40)
    order_by: dt.date | None = None


class MergeIn(BaseModel):
    model_config = _STRICT
    proposals: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        min_length=1, max_length=200
    )


class NeedIn(BaseModel):
    model_config = _STRICT
    item_code: str = Field(max_length=40)
    quantity: Qty


class AvailabilityIn(BaseModel):
    model_config = _STRICT
    needs: list[NeedIn] = Field(min_length=1, max_length=500)


@router.get("/stock", response_model=list[StockOut], summary="Stock per item with its lots")
def stock(
    ctx: Ctx, me: Me, item: Annotated[str | None, Query(max_length=40)] = None
) -> list[dict[str, Any]]:
    return views.stock(ctx, me, item)


@router.get("/suppliers", response_model=list[SupplierOut], summary="Suppliers and offers")
def suppliers(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return views.suppliers(ctx, me)


@router.get("/purchase-orders", response_model=list[PurchaseOrderOut], summary="Newest first")
def purchase_orders(
    ctx: Ctx,
    me: Me,
    status: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    return views.purchase_orders(ctx, me, status, limit)


@router.post(
    "/purchase-orders",
    response_model=PurchaseOrderOut,
    status_code=201,
    summary="Create a purchase order by hand (prices from the supplier's offers)",
)
def create_purchase_order(ctx: Ctx, me: Me, body: PurchaseOrderIn) -> dict[str, Any]:
    cmd = purchasing.NewPurchaseOrder(
        supplier=body.supplier,
        lines=[purchasing.NewLine(x.item_code, x.quantity, x.expected_on) for x in body.lines],
        order_by=body.order_by,
        place=body.place,
    )
    return purchasing.create_purchase_order(ctx, me, cmd)


@router.get("/purchase-orders/{number}", response_model=PurchaseOrderDetail)
def purchase_order(ctx: Ctx, me: Me, number: PoNumber) -> dict[str, Any]:
    return views.purchase_order(ctx, me, number)


@router.post("/purchase-orders/{number}/place", response_model=PurchaseOrderOut)
def place(ctx: Ctx, me: Me, number: PoNumber) -> dict[str, Any]:
    return purchasing.place(ctx, me, number)


@router.post("/purchase-orders/{number}/cancel", response_model=PurchaseOrderOut)
def cancel(ctx: Ctx, me: Me, number: PoNumber) -> dict[str, Any]:
    return purchasing.cancel(ctx, me, number)


@router.post(
    "/purchase-orders/{number}/lines/{line_no}/receipts",
    response_model=LotOut,
    status_code=201,
    summary="Receive goods on a line (partial receipts allowed); creates a lot",
)
def receive(ctx: Ctx, me: Me, number: PoNumber, line_no: LineNo, body: ReceiptIn) -> dict[str, Any]:
    cmd = purchasing.Receipt(number, line_no, body.quantity, body.lot, body.location)
    return purchasing.receive(ctx, me, cmd)


@router.post(
    "/purchase-orders/{number}/lines/{line_no}/reschedule",
    response_model=PurchaseOrderOut,
    summary="A new arrival date for what is still open on a line (the pegged orders "
    "wait for it in the next plan)",
)
def reschedule(
    ctx: Ctx, me: Me, number: PoNumber, line_no: LineNo, body: RescheduleIn
) -> dict[str, Any]:
    return purchasing.reschedule(ctx, me, purchasing.Reschedule(number, line_no, body.expected_on))


@router.get(
    "/purchase-orders/{number}/lines/{line_no}/pegging",
    response_model=list[PegOut],
    summary="The orders a purchase order line serves",
)
def line_pegging(ctx: Ctx, me: Me, number: PoNumber, line_no: LineNo) -> list[dict[str, Any]]:
    return views.line_pegging(ctx, me, number, line_no)


@router.get(
    "/orders/{number}/pegging",
    response_model=list[PegOut],
    summary="Each material of an order: what covers it, or when to order it",
)
def order_pegging(
    ctx: Ctx, me: Me, number: Annotated[str, Path(max_length=30)]
) -> list[dict[str, Any]]:
    return views.order_pegging(ctx, me, number)


@router.get("/shortages", response_model=list[PegOut], summary="Material not there in time")
def shortages(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return views.shortages(ctx, me)


@router.get("/proposals", response_model=list[ProposalOut], summary="The MRP's proposals")
def proposals(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return views.proposals(ctx, me)


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut)
def edit_proposal(ctx: Ctx, me: Me, proposal_id: Id, body: ProposalEditIn) -> dict[str, Any]:
    cmd = purchasing.ProposalEdit(body.quantity, body.supplier, body.order_by)
    return purchasing.edit_proposal(ctx, me, proposal_id, cmd)


@router.post(
    "/proposals/{proposal_id}/accept",
    response_model=PurchaseOrderOut,
    status_code=201,
    summary="Accept a proposal: it becomes a purchase order",
)
def accept(ctx: Ctx, me: Me, proposal_id: Id) -> dict[str, Any]:
    return purchasing.accept_proposals(ctx, me, [proposal_id])


@router.post(
    "/proposals/merge",
    response_model=PurchaseOrderOut,
    status_code=201,
    summary="Merge proposals of one supplier into one purchase order",
)
def merge(ctx: Ctx, me: Me, body: MergeIn) -> dict[str, Any]:
    return purchasing.accept_proposals(ctx, me, body.proposals)


def _accepted(response: Response, run: dict[str, Any]) -> dict[str, Any]:
    response.headers["Location"] = f"/api/v1/materials/mrp-runs/{run['id']}"
    return run


@router.post(
    "/mrp-runs",
    response_model=RunOut,
    status_code=202,
    summary="Queue an MRP run over the committed orders (a worker runs it; poll the run)",
)
def run_mrp(ctx: Ctx, me: Me, response: Response) -> dict[str, Any]:
    return _accepted(response, mrp.queue_run(ctx, me))


@router.post(
    "/mrp-runs/{run_id}/cancel",
    response_model=RunOut,
    summary="Cancel a queued MRP run (409 with the reason once it runs or has ended)",
)
def cancel_mrp_run(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return mrp.cancel_run(ctx, me, run_id)


@router.post(
    "/mrp-runs/{run_id}/retry",
    response_model=RunOut,
    status_code=202,
    summary="Retry a failed MRP run: a new queued run naming it",
)
def retry_mrp_run(ctx: Ctx, me: Me, run_id: Id, response: Response) -> dict[str, Any]:
    return _accepted(response, mrp.retry_run(ctx, me, run_id))


@router.get("/mrp-runs", response_model=list[RunOut], summary="MRP runs, newest first")
def runs(ctx: Ctx, me: Me, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict[str, Any]]:
    return mrp.list_runs(ctx, me, limit)


@router.get("/mrp-runs/{run_id}", response_model=RunOut)
def run(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return mrp.get_run(ctx, me, run_id)


@router.post(
    "/availability",
    response_model=list[AvailabilityOut],
    summary="When items can be there for a new order (not taking others' pegged material)",
)
def availability(ctx: Ctx, me: Me, body: AvailabilityIn) -> list[dict[str, Any]]:
    return supply.check_availability(ctx, me, [(n.item_code, n.quantity) for n in body.needs])

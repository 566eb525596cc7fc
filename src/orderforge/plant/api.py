"""Plant master data over HTTP: per kind list/get/create/edit/retire, settings, pricing,
and the plant file (import with a dry run, export).

Bodies are the plant file's own entries (see docs/plant-setup.md), so what the API
takes, the CLI imports and the export writes are one format; the use cases name every
bad field by its path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import BaseModel

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.deps import RawBody, current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.plant import services as plant
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/plant", tags=["plant"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Entry = Annotated[dict[str, Any], Body(examples=[{"code": "SAW", "name": "Panel saw"}])]


class ShiftOut(BaseModel):
    name: str
    weekdays: list[int]
    start: str
    end: str
    breaks: list[list[str]]


class ClosureOut(BaseModel):
    start: str
    end: str
    reason: str


class CalendarOut(BaseModel):
    code: str
    name: str
    timezone: str
    country: str | None
    subdivision: str | None
    shifts: list[ShiftOut]
    closures: list[ClosureOut]
    closed_days: list[str]


class WorkCentreOut(BaseModel):
    code: str
    name: str
    kind: str
    calendar: str
    units: int
    batch_capacity: int
    interruptible: bool
    hourly_rate: str
    default_setup_minutes: int
    setup_attribute: str | None
    changeover: dict[str, dict[str, int]]
    limits: dict[str, str]
    status: str


class ItemOut(BaseModel):
    code: str
    name: str
    unit: str
    status: str
    lead_time_days: int
    cost: str


class PricingRuleOut(BaseModel):
    family: str | None
    customer_group: str | None
    margin: str
    step: str
    rounding: str


class SettingsOut(BaseModel):
    name: str
    address: list[str]
    country: str
    timezone: str
    currency: str
    tax_rate: str
    quote_validity_days: int
    payment_terms: str
    delivery_terms: str
    #: Working days a design approval usually takes (orders awaiting one start after it).
    design_approval_days: int
    #: Whether a logo is set (the image itself travels in the plant file, base64).
    logo: bool


class PlantOut(BaseModel):
    settings: SettingsOut | None
    calendars: list[CalendarOut]
    work_centres: list[WorkCentreOut]
    items: list[ItemOut]
    pricing: list[PricingRuleOut]


class ImportOut(BaseModel):
    dry_run: bool
    changes: list[str]


def _settings(found: dict[str, Any] | None) -> SettingsOut | None:
    return None if found is None else SettingsOut(**{**found, "logo": bool(found.get("logo"))})


@router.get("", summary="What the planner uses: work centres, calendars, items, settings")
def overview(ctx: Ctx, me: Me) -> PlantOut:
    return PlantOut(**plant.plant_overview(ctx, me))


@router.get("/settings", summary="The plant's name, address, currency, tax and terms")
def get_settings(ctx: Ctx, me: Me) -> SettingsOut | None:
    return _settings(plant.get_settings(ctx, me))


@router.patch("/settings", summary="Set or change the plant's settings")
def edit_settings(ctx: Ctx, me: Me, body: Entry) -> SettingsOut | None:
    return _settings(plant.save_settings(ctx, me, body))


@router.get("/pricing", summary="The pricing policy: margin rules by family / customer group")
def get_pricing(ctx: Ctx, me: Me) -> list[PricingRuleOut]:
    return [PricingRuleOut(**r) for r in plant.get_pricing(ctx, me)]


@router.put("/pricing", summary="Replace the pricing policy (one default rule required)")
def put_pricing(
    ctx: Ctx, me: Me, body: Annotated[list[dict[str, Any]], Body()]
) -> list[PricingRuleOut]:
    return [PricingRuleOut(**r) for r in plant.save_pricing(ctx, me, body)]


@router.get(
    "/export",
    summary="The whole master data as the plant file (YAML, sorted and stable)",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}}},
)
def export(ctx: Ctx, me: Me) -> Response:
    return Response(plant.export_plant(ctx, me), media_type="application/yaml")


@router.post("/import", summary="Import the plant file (YAML body) as one change")
def import_file(
    body: RawBody, ctx: Ctx, me: Me, dry_run: Annotated[bool, Query()] = False
) -> ImportOut:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The plant file must be UTF-8 text.", field="file") from None
    return ImportOut(**plant.import_plant(ctx, me, text, dry_run))


def _kind(path: str, section: str, model: type[BaseModel], retire: bool) -> None:
    """Mount list, get, create, edit (and retire) for one kind of entry."""

    def list_(ctx: Ctx, me: Me) -> list[Any]:
        return [model(**e) for e in plant.list_entries(ctx, me, section)]

    def get(ctx: Ctx, me: Me, code: str) -> Any:
        return model(**plant.get_entry(ctx, me, section, code))

    def create(ctx: Ctx, me: Me, body: Entry) -> Any:
        return model(**plant.create_entry(ctx, me, section, body))

    def edit(ctx: Ctx, me: Me, code: str, body: Entry) -> Any:
        return model(**plant.edit_entry(ctx, me, section, code, body))

    def retire_(ctx: Ctx, me: Me, code: str) -> Any:
        return model(**plant.retire_entry(ctx, me, section, code))

    name = section.replace("_", " ")
    many: Any = list[model]  # type: ignore[valid-type]
    router.add_api_route(
        f"/{path}", list_, methods=["GET"], response_model=many, summary=f"All {name}"
    )
    router.add_api_route(
        f"/{path}/{{code}}",
        get,
        methods=["GET"],
        response_model=model,
        summary=f"One of the {name}",
    )
    router.add_api_route(
        f"/{path}",
        create,
        methods=["POST"],
        response_model=model,
        status_code=201,
        summary=f"Add to the {name}",
    )
    router.add_api_route(
        f"/{path}/{{code}}",
        edit,
        methods=["PATCH"],
        response_model=model,
        summary=f"Change one of the {name}",
    )
    if retire:
        router.add_api_route(
            f"/{path}/{{code}}/retire",
            retire_,
            methods=["POST"],
            response_model=model,
            summary=f"Retire one of the {name}",
        )


_kind("calendars", "calendars", CalendarOut, retire=False)
_kind("work-centres", "work_centres", WorkCentreOut, retire=True)
_kind("items", "items", ItemOut, retire=True)

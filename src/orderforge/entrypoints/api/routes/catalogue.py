"""The product catalogue and the configurator over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES, SpecIn
from orderforge.services import catalogue, configuration
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["catalogue"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
MEDIA = {"yaml": "application/yaml", "json": "application/json"}


@router.get("/families", summary="Product families with their newest catalogue version")
def list_families(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return catalogue.list_families(ctx, me)


@router.get("/families/{code}", summary="A family's schema: options, parameters, rules")
def family_schema(
    ctx: Ctx, me: Me, code: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
) -> dict[str, Any]:
    return catalogue.family_schema(ctx, me, code, version)


@router.get("/families/{code}/versions", summary="Every imported version of a family")
def family_versions(ctx: Ctx, me: Me, code: str) -> list[dict[str, Any]]:
    return catalogue.family_history(ctx, me, code)


@router.post("/families/{code}/domains", summary="Choices and ranges still possible")
def domains(ctx: Ctx, me: Me, code: str, body: SpecIn) -> dict[str, Any]:
    return configuration.remaining(ctx, me, code, body.spec)


@router.post(
    "/families/{code}/configure", summary="Validity, BOM, routing, cost and price of a full spec"
)
def configure(ctx: Ctx, me: Me, code: str, body: SpecIn) -> dict[str, Any]:
    return configuration.evaluate(ctx, me, code, body.spec)


@router.get("/families/{code}/catalogue", summary="Export the catalogue as imported")
def export(
    ctx: Ctx, me: Me, code: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
) -> Response:
    text, fmt = catalogue.export_catalogue(ctx, me, code, version)
    return Response(text, media_type=MEDIA[fmt.value])


@router.post(
    "/catalogue",
    status_code=status.HTTP_201_CREATED,
    summary="Import a family's catalogue (YAML or JSON body) as a new version",
)
async def import_catalogue(
    request: Request, ctx: Ctx, me: Me, response: Response
) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    fmt = "json" if content_type.endswith("json") else "yaml"
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The catalogue must be UTF-8 text.", field="catalogue") from None
    result = catalogue.import_catalogue(ctx, me, catalogue.ImportCatalogue(text, fmt))
    if not result["created"]:
        response.status_code = status.HTTP_200_OK
    return result

"""The product catalogue and the configurator over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.api.catalogue_schemas import (
    FamilyOut,
    FamilySchemaOut,
    ImportOut,
    VersionOut,
)
from orderforge.entrypoints.api.deps import RawBody, current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES, SpecIn
from orderforge.services import catalogue, configuration
from orderforge.services.configuration_views import CompletionView, EvaluationView, RemainingView
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["catalogue"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
MEDIA = {"yaml": "application/yaml", "json": "application/json"}


@router.get(
    "/families",
    response_model=list[FamilyOut],
    summary="Product families with their newest catalogue version",
)
def list_families(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return catalogue.list_families(ctx, me)


@router.get(
    "/families/{code}",
    response_model=FamilySchemaOut,
    summary="A family's schema: options, parameters, rules",
)
def family_schema(
    ctx: Ctx, me: Me, code: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
) -> dict[str, Any]:
    return catalogue.family_schema(ctx, me, code, version)


@router.get(
    "/families/{code}/versions",
    response_model=list[VersionOut],
    summary="Every imported version of a family",
)
def family_versions(ctx: Ctx, me: Me, code: str) -> list[dict[str, Any]]:
    return catalogue.family_history(ctx, me, code)


@router.post(
    "/families/{code}/domains",
    response_model=RemainingView,
    summary="Choices and ranges still possible",
)
def domains(ctx: Ctx, me: Me, code: str, body: SpecIn) -> RemainingView:
    return configuration.remaining(ctx, me, code, body.spec)


@router.post(
    "/families/{code}/configure",
    response_model=EvaluationView,
    response_model_exclude_unset=True,
    summary="Validity, BOM, routing, cost and price of a spec completed by the one rule "
    "(BOM, routing, cost and margin for staff only)",
)
def configure(ctx: Ctx, me: Me, code: str, body: SpecIn) -> EvaluationView:
    return configuration.evaluate(ctx, me, code, body.spec)


@router.post(
    "/families/{code}/complete",
    response_model=CompletionView,
    response_model_exclude_unset=True,
    summary="Complete partial picks by the one rule (default while it fits, else the "
    "first or nearest possible value), then check and price the result",
)
def complete(ctx: Ctx, me: Me, code: str, body: SpecIn) -> CompletionView:
    return configuration.complete(ctx, me, code, body.spec)


@router.get(
    "/families/{code}/catalogue",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
    summary="Export the catalogue as imported (YAML or JSON text)",
)
def export(
    ctx: Ctx, me: Me, code: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
) -> Response:
    text, fmt = catalogue.export_catalogue(ctx, me, code, version)
    return Response(text, media_type=MEDIA[fmt.value])


@router.post(
    "/catalogue",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Import a family's catalogue (YAML or JSON body) as a new version",
)
def import_catalogue(
    request: Request, raw: RawBody, ctx: Ctx, me: Me, response: Response
) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    fmt = "json" if content_type.endswith("json") else "yaml"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The catalogue must be UTF-8 text.", field="catalogue") from None
    result = catalogue.import_catalogue(ctx, me, catalogue.ImportCatalogue(text, fmt))
    if not result["created"]:
        response.status_code = status.HTTP_200_OK
    return result

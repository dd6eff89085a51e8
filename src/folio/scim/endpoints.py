"""``/scim/v2``: SCIM 2.0 for identity providers. Answers and errors are SCIM's
(``application/scim+json``), not problem+json: see ``folio.scim.errors``."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from folio.core.deps import DbSession, RuntimeDep
from folio.directory.tokens import scim_token as token_service
from folio.scim import discovery
from folio.scim.errors import MEDIA_TYPE, ScimError, scim_responses
from folio.scim.resources import SEARCH_SCHEMA, SearchRequest, parsed, projected
from folio.scim.service import page_bounds
from folio.scim.service import scim as scim_service
from folio.scim.sorting import Sort, sort_of
from folio.scim.versions import matches

MAX_BODY = 1024 * 1024


class ScimResponse(JSONResponse):
    media_type = MEDIA_TYPE


router = APIRouter(prefix="/scim/v2", tags=["scim"], default_response_class=ScimResponse)
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            MEDIA_TYPE: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


async def scim_team(request: Request, runtime: RuntimeDep) -> str:
    """The team of the presented SCIM token: each token reaches its own team only."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    team_id = (
        await token_service.resolve(runtime, secret.strip()) if scheme.lower() == "bearer" else None
    )
    if team_id is None:
        raise ScimError(401, "Send a valid SCIM token: Authorization: Bearer fscim_….")
    return team_id


ScimTeam = Annotated[str, Depends(scim_team)]
# plain strings, checked by the service: a FastAPI validation error would be problem+json
Filter = Annotated[str | None, Query(alias="filter")]
StartIndex = Annotated[str | None, Query(alias="startIndex")]
Count = Annotated[str | None, Query(alias="count")]
Attributes = Annotated[str | None, Query(alias="attributes")]
Excluded = Annotated[str | None, Query(alias="excludedAttributes")]
SortBy = Annotated[str | None, Query(alias="sortBy")]
SortOrder = Annotated[str | None, Query(alias="sortOrder")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]


def search_bounds(query: SearchRequest) -> tuple[int, int]:
    return page_bounds(
        None if query.startIndex is None else str(query.startIndex),
        None if query.count is None else str(query.count),
    )


def search_sort(query: SearchRequest) -> Sort | None:
    return sort_of(query.sortBy, query.sortOrder)


def search_attributes(query: SearchRequest) -> tuple[str | None, str | None]:
    attributes = ",".join(query.attributes) if query.attributes else None
    excluded = ",".join(query.excludedAttributes) if query.excludedAttributes else None
    return attributes, excluded


def shaped(found: dict[str, Any], attributes: str | None, excluded: str | None) -> dict[str, Any]:
    """A resource, or each resource of a list, with only the attributes asked for."""
    if "Resources" in found:
        resources = [projected(r, attributes, excluded) for r in found["Resources"]]
        return {**found, "Resources": resources}
    return projected(found, attributes, excluded)


async def body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ScimError(413, "The request body is larger than 1 MiB.")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from exc


Body = Annotated[Any, Depends(body)]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/scim/v2"


def scim(body_or_status: Any, status: int = 200) -> ScimResponse:
    return ScimResponse(body_or_status, status_code=status)


def one(
    found: dict[str, Any],
    status: int = 200,
    *,
    attributes: str | None = None,
    excluded: str | None = None,
    if_none_match: str | None = None,
) -> Response:
    """A single resource with its version as ``ETag``; 304 when the client has that one."""
    version = str(found["meta"]["version"])
    if if_none_match is not None and matches(if_none_match, version):
        return Response(status_code=304, headers={"ETag": version})
    response = scim(shaped(found, attributes, excluded), status)
    response.headers["ETag"] = version
    return response


@router.get(
    "/ServiceProviderConfig",
    summary="What this SCIM server supports",
    responses=scim_responses(401),
)
async def get_service_provider_config(request: Request, team: ScimTeam) -> ScimResponse:
    return scim(discovery.service_provider_config(base_url(request)))


@router.get("/ResourceTypes", summary="User and Group", responses=scim_responses(401))
async def list_resource_types(request: Request, team: ScimTeam) -> ScimResponse:
    return scim(discovery.listed(discovery.resource_types(base_url(request))))


@router.get(
    "/Schemas", summary="The User and Group schemas (RFC 7643)", responses=scim_responses(401)
)
async def list_schemas(request: Request, team: ScimTeam) -> ScimResponse:
    return scim(discovery.listed(discovery.schemas(base_url(request))))


@router.get("/Schemas/{schema_id}", summary="One schema", responses=scim_responses(401, 404))
async def get_schema(schema_id: str, request: Request, team: ScimTeam) -> ScimResponse:
    return scim(discovery.one(discovery.schemas(base_url(request)), schema_id))


@router.get(
    "/ResourceTypes/{type_id}", summary="One resource type", responses=scim_responses(401, 404)
)
async def get_resource_type(type_id: str, request: Request, team: ScimTeam) -> ScimResponse:
    return scim(discovery.one(discovery.resource_types(base_url(request)), type_id))


@router.get(
    "/Users",
    summary="The team's SCIM-provisioned users, filtered and paged",
    responses=scim_responses(400, 401),
)
async def list_users(
    request: Request,
    session: DbSession,
    team: ScimTeam,
    filter_text: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
    sort_by: SortBy = None,
    sort_order: SortOrder = None,
) -> ScimResponse:
    start, size = page_bounds(start_index, count)
    found = await scim_service.list_users(
        session,
        team,
        base_url(request),
        filter_text=filter_text,
        start=start,
        count=size,
        sort=sort_of(sort_by, sort_order),
    )
    return scim(shaped(found, attributes, excluded))


@router.post(
    "/Users/.search",
    summary="The same query as GET /Users, in a SearchRequest body",
    responses=scim_responses(400, 401, 413),
    openapi_extra=BODY,
)
async def search_users(
    request: Request, session: DbSession, team: ScimTeam, payload: Body
) -> ScimResponse:
    query = parsed(SearchRequest, payload, SEARCH_SCHEMA)
    start, size = search_bounds(query)
    found = await scim_service.list_users(
        session,
        team,
        base_url(request),
        filter_text=query.filter,
        start=start,
        count=size,
        sort=search_sort(query),
    )
    return scim(shaped(found, *search_attributes(query)))


@router.post(
    "/Groups/.search",
    summary="The same query as GET /Groups, in a SearchRequest body",
    responses=scim_responses(400, 401, 413),
    openapi_extra=BODY,
)
async def search_groups(
    request: Request, session: DbSession, team: ScimTeam, payload: Body
) -> ScimResponse:
    query = parsed(SearchRequest, payload, SEARCH_SCHEMA)
    start, size = search_bounds(query)
    found = await scim_service.list_groups(
        session,
        team,
        base_url(request),
        filter_text=query.filter,
        start=start,
        count=size,
        sort=search_sort(query),
    )
    return scim(shaped(found, *search_attributes(query)))


@router.post(
    "/Users",
    status_code=201,
    summary="Provision a user: a Folio account in the team, role member",
    responses=scim_responses(400, 401, 409, 413),
    openapi_extra=BODY,
)
async def create_user(
    request: Request, session: DbSession, team: ScimTeam, payload: Body
) -> Response:
    return one(await scim_service.create_user(session, team, payload, base_url(request)), 201)


@router.get(
    "/Users/{user_id}",
    summary="A provisioned user (If-None-Match with its version: 304)",
    responses={304: {"description": "Not modified"}, **scim_responses(401, 404)},
)
async def get_user(
    user_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    attributes: Attributes = None,
    excluded: Excluded = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    found = await scim_service.get_user(session, team, user_id, base_url(request))
    return one(found, attributes=attributes, excluded=excluded, if_none_match=if_none_match)


@router.put(
    "/Users/{user_id}",
    summary="Replace a user (active: false disables the account at once)",
    responses=scim_responses(400, 401, 404, 409, 412, 413),
    openapi_extra=BODY,
)
async def replace_user(
    user_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    payload: Body,
    if_match: IfMatch = None,
) -> Response:
    return one(
        await scim_service.replace_user(
            session, team, user_id, payload, base_url(request), if_match=if_match
        )
    )


@router.patch(
    "/Users/{user_id}",
    summary="Change a user with PatchOp operations (replace active false: deprovision)",
    responses=scim_responses(400, 401, 404, 409, 412, 413),
    openapi_extra=BODY,
)
async def patch_user(
    user_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    payload: Body,
    if_match: IfMatch = None,
) -> Response:
    return one(
        await scim_service.patch_user(
            session, team, user_id, payload, base_url(request), if_match=if_match
        )
    )


@router.delete(
    "/Users/{user_id}",
    status_code=204,
    summary="Deprovision: the account is disabled and leaves the team",
    responses=scim_responses(401, 404, 412),
)
async def delete_user(
    user_id: str, session: DbSession, team: ScimTeam, if_match: IfMatch = None
) -> Response:
    await scim_service.delete_user(session, team, user_id, if_match=if_match)
    return Response(status_code=204)


@router.get(
    "/Groups",
    summary="The team's roles as groups (admin, member, viewer) with their SCIM members",
    responses=scim_responses(400, 401),
)
async def list_groups(
    request: Request,
    session: DbSession,
    team: ScimTeam,
    filter_text: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
    sort_by: SortBy = None,
    sort_order: SortOrder = None,
) -> ScimResponse:
    start, size = page_bounds(start_index, count)
    found = await scim_service.list_groups(
        session,
        team,
        base_url(request),
        filter_text=filter_text,
        start=start,
        count=size,
        sort=sort_of(sort_by, sort_order),
    )
    return scim(shaped(found, attributes, excluded))


@router.get(
    "/Groups/{group_id}",
    summary="A role group (If-None-Match with its version: 304)",
    responses={304: {"description": "Not modified"}, **scim_responses(401, 404)},
)
async def get_group(
    group_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    attributes: Attributes = None,
    excluded: Excluded = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    found = await scim_service.get_group(session, team, group_id, base_url(request))
    return one(found, attributes=attributes, excluded=excluded, if_none_match=if_none_match)


@router.put(
    "/Groups/{group_id}",
    summary="Set a role's members (those left out leave the team)",
    responses=scim_responses(400, 401, 404, 412, 413),
    openapi_extra=BODY,
)
async def replace_group(
    group_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    payload: Body,
    if_match: IfMatch = None,
) -> Response:
    return one(
        await scim_service.replace_group(
            session, team, group_id, payload, base_url(request), if_match=if_match
        )
    )


@router.patch(
    "/Groups/{group_id}",
    summary="Add or remove a role's members",
    responses=scim_responses(400, 401, 404, 412, 413),
    openapi_extra=BODY,
)
async def patch_group(
    group_id: str,
    request: Request,
    session: DbSession,
    team: ScimTeam,
    payload: Body,
    if_match: IfMatch = None,
) -> Response:
    return one(
        await scim_service.patch_group(
            session, team, group_id, payload, base_url(request), if_match=if_match
        )
    )

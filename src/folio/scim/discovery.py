"""The discovery resources (RFC 7644 §4): what this SCIM server supports. The schema
definitions come from ``scim2-models``, which encodes RFC 7643's."""

from __future__ import annotations

import functools
from typing import Any

from scim2_models import Context, Group, User

from folio.scim.resources import GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA
from folio.scim.service import MAX_COUNT

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
DOCS = "https://folio.local/docs/directory#scim"


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": DOCS,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A team's SCIM token, made by a team admin "
                "(POST /api/v1/directory/scim-tokens)",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": name,
            "name": name,
            "endpoint": f"/{name}s",
            "description": description,
            "schema": schema,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{name}"},
        }
        for name, schema, description in (
            ("User", USER_SCHEMA, "A team member's account"),
            ("Group", GROUP_SCHEMA, "A team role: admin, member or viewer"),
        )
    ]


@functools.cache
def _schemas() -> tuple[dict[str, Any], ...]:
    return tuple(
        model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for model in (User, Group)
    )


def schemas(base: str) -> list[dict[str, Any]]:
    found = []
    for schema in _schemas():
        document = dict(schema)
        document["meta"] = {"resourceType": "Schema", "location": f"{base}/Schemas/{schema['id']}"}
        found.append(document)
    return found


def listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }

"""The discovery resources (RFC 7644 §4): what this SCIM server supports. The schema
definitions come from ``scim2-models``, which encodes RFC 7643's."""

from __future__ import annotations

import functools
from typing import Any

from scim2_models import Context, Group, User

from folio.scim.errors import not_found
from folio.scim.resources import GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA
from folio.scim.service import MAX_COUNT

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
DOCS = "https://folio.local/docs/directory#scim"
# what Folio keeps of a user: the published schema lists these and nothing it would drop
USER_ATTRIBUTES = ("userName", "name", "displayName", "emails", "active", "groups")
NAME_PARTS = ("formatted", "givenName", "familyName")


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": DOCS,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
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
    user, group = (
        model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for model in (User, Group)
    )
    user["attributes"] = [a for a in user["attributes"] if a["name"] in USER_ATTRIBUTES]
    for attribute in user["attributes"]:
        if attribute["name"] == "name":
            attribute["subAttributes"] = [
                sub for sub in attribute["subAttributes"] if sub["name"] in NAME_PARTS
            ]
        if attribute["name"] == "emails":  # a Folio account is keyed by its e-mail address
            attribute["required"] = True
            for sub in attribute.get("subAttributes", []):
                if sub["name"] == "value":
                    sub["required"] = True
    return user, group


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


def one(resources: list[dict[str, Any]], resource_id: str) -> dict[str, Any]:
    for resource in resources:
        if resource["id"] == resource_id:
            return resource
    raise not_found(f"No {resource_id} here.")

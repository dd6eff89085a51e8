"""SCIM User and Group representations (RFC 7643) of Folio's accounts and team roles, the
payloads clients send, and PATCH operations (RFC 7644 §3.5.2) applied to a representation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from folio.directory.models import DirectoryAccount
from folio.scim.errors import ScimError, bad_request
from folio.scim.versions import version_of
from folio.users.models import User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
GROUPS = ("admin", "member", "viewer")  # a team's built-in roles, owners excepted
PATH = re.compile(r"^(?P<attr>[A-Za-z$][\w$-]*)(?:\[(?P<filter>[^\]]+)\])?(?:\.(?P<sub>[\w$-]+))?$")
M = TypeVar("M", bound=BaseModel)
MEMBER_FILTER = re.compile(r'^\s*value\s+eq\s+"(?P<id>[^"]+)"\s*$', re.IGNORECASE)


class Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ScimName(Loose):
    formatted: str | None = Field(default=None, max_length=200)
    givenName: str | None = Field(default=None, max_length=100)
    familyName: str | None = Field(default=None, max_length=100)


class ScimEmail(Loose):
    value: str | None = Field(default=None, max_length=320)
    type: str | None = None
    primary: bool | None = None


class ScimUserIn(Loose):
    schemas: list[str] = Field(min_length=1)
    userName: str = Field(min_length=1, max_length=256)
    externalId: str | None = Field(default=None, max_length=500)
    name: ScimName | None = None
    displayName: str | None = Field(default=None, max_length=200)
    emails: list[ScimEmail] = Field(default_factory=list, max_length=20)
    active: bool = True


class MemberRef(Loose):
    value: str = Field(min_length=1, max_length=40)


class ScimGroupIn(Loose):
    schemas: list[str] = Field(min_length=1)
    displayName: str
    members: list[MemberRef] = Field(default_factory=list, max_length=10_000)


class SearchRequest(Loose):
    schemas: list[str] = Field(min_length=1)
    filter: str | None = Field(default=None, max_length=1000)
    startIndex: str | None = Field(default=None, max_length=20)
    count: str | None = Field(default=None, max_length=20)
    attributes: list[str] | None = Field(default=None, max_length=100)
    excludedAttributes: list[str] | None = Field(default=None, max_length=100)
    sortBy: str | None = Field(default=None, max_length=300)
    sortOrder: str | None = Field(default=None, max_length=20)


class PatchOperation(Loose):
    op: str
    path: str | None = Field(default=None, max_length=300)
    value: Any = None


class PatchRequest(Loose):
    schemas: list[str] = Field(min_length=1)
    Operations: list[PatchOperation] = Field(min_length=1, max_length=100)


def parsed(model: type[M], payload: Any, schema: str) -> M:
    if not isinstance(payload, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    try:
        value = model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise bad_request(f"{where}: {first['msg']}") from exc
    if schema not in getattr(value, "schemas", []):
        raise ScimError(400, f"schemas must list {schema}.", "invalidSyntax")
    return value


@dataclass(frozen=True)
class UserFields:
    user_name: str
    external_id: str | None
    email: str
    name: str
    active: bool


def user_fields(data: ScimUserIn) -> UserFields:
    addresses = [e for e in data.emails if e.value]
    primary = next((e.value for e in addresses if e.primary), None)
    email = primary or (addresses[0].value if addresses else None)
    if email is None and "@" in data.userName:
        email = data.userName
    if email is None:
        raise bad_request("Give emails (or an e-mail address as userName).")
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise bad_request(f"emails: {exc}") from exc
    name = data.name
    given = " ".join(p for p in (name.givenName, name.familyName) if p) if name else ""
    full = given or (name.formatted if name else None) or data.displayName or ""
    return UserFields(
        data.userName.strip(), data.externalId, email, full.strip()[:200], data.active
    )


def iso(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


def name_parts(name: str) -> dict[str, str]:
    """Folio keeps one name; given and family names are read back from it (first word, the
    rest), so a PATCH of one of them keeps the other."""
    given, _, family = name.partition(" ")
    parts = {"formatted": name}
    if given:
        parts["givenName"] = given
    if family:
        parts["familyName"] = family
    return parts


def user_resource(
    account: DirectoryAccount, user: User, role: str | None, base: str
) -> dict[str, Any]:
    active = bool(account.active and user.is_active)
    modified = max(account.updated_at, user.updated_at)
    version = version_of(
        user.id, account.external_id, account.external_ref, user.email, user.name, active, role
    )
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": user.id,
        "userName": account.external_id,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": active,
        "groups": [{"value": role, "display": role, "$ref": f"{base}/Groups/{role}"}]
        if role in GROUPS
        else [],
        "meta": {
            "resourceType": "User",
            "created": iso(account.created_at),
            "lastModified": iso(modified),
            "location": f"{base}/Users/{user.id}",
            "version": version,
        },
    }
    if account.external_ref is not None:
        resource["externalId"] = account.external_ref
    if user.name:
        resource["name"], resource["displayName"] = name_parts(user.name), user.name
    return resource


ALWAYS_RETURNED = ("schemas", "id")


def projected(
    resource: dict[str, Any], attributes: str | None, excluded: str | None
) -> dict[str, Any]:
    """``attributes`` / ``excludedAttributes`` (RFC 7644 §3.9), on top-level attributes and
    their sub-attributes (``name.givenName``); ``schemas`` and ``id`` are always returned."""
    if attributes:
        wanted = _names(attributes)
        kept: dict[str, Any] = {}
        for key, value in resource.items():
            subs = [sub for top, sub in wanted if top == key.lower() and sub]
            if key in ALWAYS_RETURNED or (key.lower(), None) in wanted:
                kept[key] = value
            elif subs and isinstance(value, dict):
                kept[key] = {k: v for k, v in value.items() if k.lower() in subs}
        return kept
    if excluded:
        dropped = {top for top, sub in _names(excluded) if sub is None}
        return {
            k: v for k, v in resource.items() if k in ALWAYS_RETURNED or k.lower() not in dropped
        }
    return resource


def _names(text: str) -> set[tuple[str, str | None]]:
    names: set[tuple[str, str | None]] = set()
    for raw in text.split(","):
        name = raw.strip()
        if name.lower().startswith(USER_SCHEMA.lower() + ":"):
            name = name[len(USER_SCHEMA) + 1 :]
        top, _, sub = name.partition(".")
        if top:
            names.add((top.lower(), sub.lower() or None))
    return names


def group_resource(role: str, members: list[tuple[str, str]], base: str) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": role,
        "displayName": role,
        "members": [
            {"value": user_id, "display": display, "$ref": f"{base}/Users/{user_id}"}
            for user_id, display in members
        ],
        "meta": {
            "resourceType": "Group",
            "location": f"{base}/Groups/{role}",
            "version": version_of(role, members),
        },
    }


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


# ---- PATCH on a user's representation -------------------------------------------------------


def patch_user(resource: dict[str, Any], operations: list[PatchOperation]) -> dict[str, Any]:
    """``resource`` with the operations applied; the caller validates the result as a PUT."""
    document = {k: v for k, v in resource.items() if k not in ("meta", "groups", "id")}
    for operation in operations:
        op = operation.op.lower()
        if op not in ("add", "replace", "remove"):
            raise bad_request(f"Unknown PATCH op {operation.op}.")
        if operation.path is None:
            if op == "remove" or not isinstance(operation.value, dict):
                raise ScimError(400, "An op without a path needs an object value.", "noTarget")
            for key, value in operation.value.items():
                _set_path(document, key, value)
        elif op == "remove":
            _remove_path(document, operation.path)
        else:
            _set_path(document, operation.path, operation.value)
    return document


def _split(path: str) -> tuple[str, str | None, str | None]:
    path = path.strip()
    if path.lower().startswith(USER_SCHEMA.lower() + ":"):
        path = path[len(USER_SCHEMA) + 1 :]
    match = PATH.match(path)
    if match is None:
        raise ScimError(400, f"Cannot read the path {path}.", "invalidPath")
    return match["attr"], match["filter"], match["sub"]


def _set_path(document: dict[str, Any], path: str, value: Any) -> None:
    attr, value_filter, sub = _split(path)
    key = _key(document, attr)
    if key == "emails" and (value_filter is not None or sub is not None):
        document["emails"] = [{"value": value, "type": "work", "primary": True}]
    elif sub is not None:
        current = document.get(key)
        target = current if isinstance(current, dict) else {}
        target[sub] = value
        if key == "name" and sub in ("givenName", "familyName"):
            target.pop("formatted", None)
        document[key] = target
    elif isinstance(value, dict) and isinstance(document.get(key), dict):
        merged = {**document[key], **value}
        renamed = "givenName" in value or "familyName" in value
        if key == "name" and "formatted" not in value and renamed:
            merged.pop("formatted", None)
        document[key] = merged
    else:
        document[key] = value


def _remove_path(document: dict[str, Any], path: str) -> None:
    attr, _, sub = _split(path)
    key = _key(document, attr)
    if key in ("userName", "schemas"):
        raise ScimError(400, f"{key} is required and cannot be removed.", "mutability")
    if sub is not None and isinstance(document.get(key), dict):
        document[key].pop(sub, None)
    else:
        document.pop(key, None)


KNOWN = ("userName", "externalId", "name", "displayName", "emails", "active", "schemas")


def _key(document: dict[str, Any], attr: str) -> str:
    """SCIM attribute names are case-insensitive (RFC 7643 §2.1)."""
    for known in KNOWN:
        if known.lower() == attr.lower():
            return known
    raise ScimError(400, f"The attribute {attr} is not supported.", "invalidPath")


def member_ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        value = [value]
    ids: list[str] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise bad_request('members takes a list of {"value": user id}.')
        ids.append(item["value"])
    return ids


def member_in_path(path: str) -> str | None:
    """The user id of ``members[value eq "…"]``, or None for plain ``members``."""
    attr, value_filter, _ = _split(path)
    if attr.lower() != "members":
        raise ScimError(400, f"A group's {attr} cannot be changed here.", "invalidPath")
    if value_filter is None:
        return None
    match = MEMBER_FILTER.match(value_filter)
    if match is None:
        raise ScimError(400, 'Give members[value eq "user id"].', "invalidFilter")
    return match["id"]

"""Pure rules: a request's action and resource from its method and route template, the
outcome from its status, and the field names of a JSON or form body (never values)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

API_PREFIX = "/api/v1/"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
MAX_FIELDS = 50
MAX_DEPTH = 2
MAX_NAME = 64


class Outcome(StrEnum):
    success = "success"
    denied = "denied"  # 401, 403
    failure = "failure"  # any other status >= 400


class IdSource(StrEnum):
    path = "path"  # the last path parameter
    response = "response"  # the "id" of the JSON response (creates)


@dataclass(frozen=True)
class Action:
    name: str
    resource_type: str | None
    id_source: IdSource | None


def outcome_of(status: int) -> Outcome:
    if status < 400:
        return Outcome.success
    return Outcome.denied if status in (401, 403) else Outcome.failure


def singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


class ActionNames:
    """``POST /api/v1/documents`` → ``documents.create``; ``DELETE …/documents/{document_id}``
    → ``documents.delete``; ``POST /api/v1/keys/{key_id}/rotate`` → ``keys.rotate``;
    ``POST /api/v1/auth/login`` → ``auth.login``. A path is a collection when the app also
    has a route one parameter below it."""

    def __init__(self, templates: Iterable[str]) -> None:
        self.collections = {
            template.rsplit("/", 1)[0] for template in templates if template.endswith("}")
        }
        self._cache: dict[tuple[str, str], Action] = {}

    def describe(self, method: str, template: str) -> Action:
        key = (method, template)
        action = self._cache.get(key)
        if action is None:
            action = self._cache[key] = self._describe(method, template)
        return action

    def _describe(self, method: str, template: str) -> Action:
        parts = [p for p in template.removeprefix(API_PREFIX).split("/") if p]
        statics = [p for p in parts if not p.startswith("{")]
        if not statics:
            return Action(f"api.{METHOD_VERBS.get(method, method.lower())}", None, None)
        dotted = ".".join(statics)
        verb = METHOD_VERBS.get(method, method.lower())
        has_params = len(statics) < len(parts)
        if parts[-1].startswith("{"):
            return Action(f"{dotted}.{verb}", singular(statics[-1]), IdSource.path)
        if len(parts) == 1 or template in self.collections:
            source = IdSource.response if method == "POST" else None
            return Action(f"{dotted}.{verb}", singular(statics[-1]), source)
        name = dotted if method == "POST" else f"{dotted}.{verb}"
        if has_params:
            last_param = max(i for i, p in enumerate(parts) if p.startswith("{"))
            owner = [p for p in parts[:last_param] if not p.startswith("{")]
            return Action(name, singular(owner[-1]) if owner else None, IdSource.path)
        owner_noun = statics[-2] if len(statics) >= 2 else statics[0]
        return Action(name, singular(owner_noun), IdSource.response)


class RouteTable:
    """The app's route templates, to name requests answered before routing (rate limited)."""

    def __init__(self, templates: Iterable[str]) -> None:
        ordered = sorted(set(templates), key=lambda t: (t.count("{"), -len(t)))
        self.templates = ordered
        self._patterns = [(re.compile(_pattern(t)), t) for t in ordered]

    def match(self, path: str) -> str | None:
        for pattern, template in self._patterns:
            if pattern.match(path):
                return template
        return None


def _pattern(template: str) -> str:
    parts = re.split(r"(\{[^}]+\})", template)
    return "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "/?$"


def field_names(body: bytes, content_type: str) -> list[str]:
    """Names of the fields a request sent (dotted for nested objects), never their values."""
    try:
        if "json" in content_type:
            data = json.loads(body)
        elif "x-www-form-urlencoded" in content_type:
            data = {name: None for name, _ in parse_qsl(body.decode(), keep_blank_values=True)}
        else:
            return []
    except (ValueError, UnicodeDecodeError):
        return []
    names: list[str] = []
    _collect(data, "", 1, names)
    return names[:MAX_FIELDS]


def _collect(data: object, prefix: str, depth: int, names: list[str]) -> None:
    if not isinstance(data, dict):
        return
    for raw in data:
        name = f"{prefix}{str(raw)[:MAX_NAME]}"
        value = data[raw]
        if isinstance(value, dict) and value and depth < MAX_DEPTH:
            _collect(value, f"{name}.", depth + 1, names)
        else:
            names.append(name)
        if len(names) >= MAX_FIELDS:
            return

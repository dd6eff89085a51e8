"""The SDK's models still match the server's OpenAPI document: same fields, same JSON types,
same required fields. A server change that breaks the SDK fails here (this runs in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from folio_client import __version__, models
from folio_client.models import COMPONENTS
from pydantic import BaseModel

from folio.app import create_app
from tests.conftest import make_settings

Schema = dict[str, Any]


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    return create_app(make_settings(tmp_path_factory.mktemp("openapi"))).openapi()


def json_types(schema: Schema, components: Schema) -> frozenset[str]:
    """The JSON types a value of ``schema`` may have (a reference to an object is "object",
    to an enum its values' type)."""
    if "$ref" in schema:
        return json_types(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return frozenset().union(*(json_types(s, components) for s in schema[combinator]))
    if "const" in schema:
        return frozenset({type(schema["const"]).__name__.replace("str", "string")})
    if "enum" in schema and "type" not in schema:
        return frozenset({"string"})
    kind = schema.get("type")
    if kind is None:
        return frozenset({"any"})
    return frozenset(kind if isinstance(kind, list) else [kind])


def differences(model: type[BaseModel], component: Schema, components: Schema) -> list[str]:
    ours = model.model_json_schema(by_alias=True, mode="serialization")
    ours_defs: Schema = {**components, **ours.get("$defs", {})}
    theirs_fields, ours_fields = component.get("properties", {}), ours["properties"]
    problems = [f"{name} missing" for name in sorted(set(theirs_fields) - set(ours_fields))]
    problems += [
        f"{name} not on the server" for name in sorted(set(ours_fields) - set(theirs_fields))
    ]
    for name in sorted(set(theirs_fields) & set(ours_fields)):
        theirs_type = json_types(theirs_fields[name], components)
        ours_type = json_types(ours_fields[name], ours_defs)
        if theirs_type != ours_type and "any" not in ours_type:
            problems.append(f"{name}: server {sorted(theirs_type)}, SDK {sorted(ours_type)}")
    required = set(component.get("required", [])) - set(ours.get("required", []))
    problems += [f"{name} is required by the server" for name in sorted(required)]
    return problems


@pytest.mark.parametrize("model", list(COMPONENTS), ids=lambda m: m.__name__)
def test_model_matches_its_component(model: type[BaseModel], openapi: Schema) -> None:
    components = openapi["components"]["schemas"]
    component = components[COMPONENTS[model]]

    assert differences(model, component, components) == []


def test_every_sdk_model_is_checked() -> None:
    """A model added to the SDK without its component would escape the check above."""
    declared = {
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, models.Model)
    }
    assert declared - {models.Model, models.Page} == set(COMPONENTS)


def test_the_sdk_speaks_the_servers_api_version(openapi: Schema) -> None:
    pyproject = Path(__file__).resolve().parents[2] / "clients" / "python" / "pyproject.toml"
    assert f'version = "{openapi["info"]["version"]}"' in pyproject.read_text()
    assert __version__ == openapi["info"]["version"]


def test_a_changed_schema_is_caught(openapi: Schema) -> None:
    components = openapi["components"]["schemas"]
    renamed = {**components["DocumentRead"]}
    renamed["properties"] = {
        **renamed["properties"],
        "page_total": {"type": "integer"},
        "size_bytes": {"type": "string"},
    }
    del renamed["properties"]["page_count"]
    model = next(m for m, name in COMPONENTS.items() if name == "DocumentRead")

    assert differences(model, renamed, components) == [
        "page_total missing",
        "page_count not on the server",
        "size_bytes: server ['string'], SDK ['integer']",
    ]

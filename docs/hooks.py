"""MkDocs hooks: the pages' generated parts come from the code at build time, never by hand.

- ``<!-- folio:settings [PREFIX …] -->`` becomes the table of ``FOLIO_*`` settings (all, or
  those starting with a prefix), as ``folio settings --markdown`` prints it;
- ``<!-- folio:openapi -->`` becomes the API reference rendered from the app's OpenAPI
  document, which is also written to the site as ``openapi.json``;
- a page that would load a script, stylesheet or font from the internet fails the build.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from folio.core.settings_reference import markdown_table, settings_reference

log = logging.getLogger("mkdocs.plugins.folio")  # its warnings fail a strict build
PLACEHOLDER = re.compile(r"<!-- folio:(settings|openapi)((?: [\w-]+)*) -->")
METHODS = ("get", "post", "put", "patch", "delete")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def expand(match: re.Match[str]) -> str:
        if match.group(1) == "settings":
            return markdown_table(settings_reference(tuple(match.group(2).split())))
        return render_openapi(openapi_document())

    expanded = PLACEHOLDER.sub(expand, markdown)
    for unknown in re.findall(r"<!-- folio:.*?-->", expanded):
        log.warning("%s: unknown placeholder %s", page.file.src_uri, unknown)
    return expanded


# a stylesheet, script or font from elsewhere: the site must work with no internet
REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]+\"")


def on_post_page(output: str, page: Any, **_: Any) -> str:
    for tag in REMOTE_ASSET.findall(output):
        log.warning("%s loads %s from the internet", page.file.src_uri, tag)
    return output


def on_files(files: Files, config: Any, **_: Any) -> Files:
    content = json.dumps(openapi_document(), indent=2)
    files.append(File.generated(config, "openapi.json", content=content))
    return files


@cache
def openapi_document() -> dict[str, Any]:
    from folio.app import create_app  # the whole web stack: imported when the build needs it
    from folio.config import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), log_json=False, log_level="WARNING"))
        return app.openapi()


# ---- OpenAPI → Markdown ------------------------------------------------------------------


def render_openapi(document: dict[str, Any]) -> str:
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                tag = (operation.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((method, path, operation))
    parts = [
        f"OpenAPI {document['openapi']}, {document['info']['title']} "
        f"{document['info']['version']}: [openapi.json](../openapi.json) (also served by every "
        "Folio at `/openapi.json`, with Swagger UI at `/docs` and ReDoc at `/redoc`).\n",
    ]
    for tag in sorted(by_tag):
        parts.append(f"## {tag.capitalize()}\n")
        parts.extend(_operation(method, path, op) for method, path, op in by_tag[tag])
    parts.append("## Schemas\n")
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        parts.append(_schema(name, schema))
    return "\n".join(parts)


def _operation(method: str, path: str, operation: dict[str, Any]) -> str:
    lines = [f"### `{method.upper()} {path}` {{#{_anchor('op', operation['operationId'])}}}\n"]
    lines.append(f"**{operation.get('summary', '')}**")
    if operation.get("deprecated"):
        lines.append("\n*Deprecated.*")
    if operation.get("description"):
        lines.append("\n" + operation["description"].strip())
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["", "| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for p in parameters:
            schema = p.get("schema", {})
            lines.append(
                _row(
                    f"`{p['name']}`",
                    p["in"],
                    _type(schema),
                    "yes" if p.get("required") else "",
                    p.get("description") or schema.get("description", ""),
                )
            )
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        kinds = ", ".join(f"`{kind}` {_type(c.get('schema', {}))}" for kind, c in body.items())
        lines += ["", f"Request body: {kinds}"]
    lines += ["", "| status | response |", "|---|---|"]
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        schemas = ", ".join(_type(c.get("schema", {})) for c in content.values() if c)
        lines.append(_row(status, " ".join(filter(None, [response.get("description"), schemas]))))
    return "\n".join(lines) + "\n"


def _schema(name: str, schema: dict[str, Any]) -> str:
    lines = [f"### {name} {{#{_anchor('schema', name)}}}\n"]
    if schema.get("description"):
        lines.append(schema["description"].strip() + "\n")
    properties = schema.get("properties")
    if properties:
        required = set(schema.get("required", []))
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for field, spec in properties.items():
            lines.append(
                _row(
                    f"`{field}`",
                    _type(spec),
                    "yes" if field in required else "",
                    spec.get("description", ""),
                )
            )
    elif "enum" in schema:
        lines.append("One of " + ", ".join(f"`{v}`" for v in schema["enum"]) + ".")
    else:
        lines.append(_type(schema))
    return "\n".join(lines) + "\n"


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor('schema', name)})"
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return " or ".join(_type(option) for option in schema[union])
    if "allOf" in schema:
        return " and ".join(_type(option) for option in schema["allOf"])
    if "enum" in schema:
        return " or ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        return f"map of {_type(extra) if isinstance(extra, dict) else 'any'}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _row(*cells: str) -> str:
    clean = (" ".join(str(cell).split()).replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(clean) + " |"

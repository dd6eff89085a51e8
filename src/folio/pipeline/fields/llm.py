"""``llm`` locators: one field asked of an OpenAI-compatible ``/chat/completions`` endpoint.

Runs only when the caller passes an endpoint (the server does when ``FOLIO_LLM_BASE_URL`` is
set); without one nothing leaves the machine and such fields stay in ``llm_pending``. The
answer must be a JSON object ``{"value": …}`` valid against the field's JSON schema; the value
is then typed like any other (money, date in the template's order …). Any failure (HTTP error,
timeout, not JSON, wrong type, a value the document does not contain) raises
:class:`LlmError` and the caller keeps the rule locators' value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from folio.pipeline.dates import DateOrder
from folio.pipeline.fields.layout import fold
from folio.pipeline.fields.typed import plain_value, typed_matches
from folio.pipeline.fields.types import FieldSpec, FieldType
from folio.pipeline.intelligence.llm import ChatEndpoint, LlmError

MAX_INPUT_CHARS = 12_000
MAX_STRING = 500
FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
JSON_TYPES: dict[FieldType, dict[str, Any]] = {
    FieldType.string: {"type": "string"},
    FieldType.number: {"type": ["number", "string"]},
    FieldType.money: {"type": ["number", "string"]},
    FieldType.date: {"type": "string", "description": "the date as written, or YYYY-MM-DD"},
    FieldType.boolean: {"type": "boolean"},
}

__all__ = ["ChatEndpoint", "LlmAnswer", "LlmError", "ask_field", "field_schema"]


@dataclass
class LlmAnswer:
    value: object  # typed and normalised like a rule locator's value
    raw: str  # the value as the model wrote it
    response: str  # the message content, kept for review


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON schema the answer must follow: ``{"value": <the field's type> | null}``."""
    if spec.type == FieldType.enum:
        value: dict[str, Any] = {"type": "string", "enum": spec.enum_values}
    else:
        value = dict(JSON_TYPES.get(spec.type, {"type": "string"}))  # a copy: callers may edit
    return {
        "type": "object",
        "properties": {"value": {"anyOf": [value, {"type": "null"}]}},
        "required": ["value"],
        "additionalProperties": False,
    }


def _messages(spec: FieldSpec, instruction: str, text: str) -> list[dict[str, str]]:
    schema = json.dumps(field_schema(spec))
    system = (
        "You extract one field from a document. Use only what the document states. Answer "
        "with a single JSON object and nothing else, valid against this JSON schema: "
        f"{schema}. Use null when the document does not state the field."
    )
    about = f"Field: {spec.name} ({spec.type.value})"
    if spec.description:
        about += f"\nDescription: {spec.description}"
    document = text[:MAX_INPUT_CHARS]
    return [
        {"role": "system", "content": system},
        {
            "role": "user",
            "content": f"{about}\nInstruction: {instruction}\n\nDocument:\n{document}",
        },
    ]


def ask_field(
    endpoint: ChatEndpoint,
    spec: FieldSpec,
    instruction: str,
    text: str,
    date_order: DateOrder = "DMY",
) -> LlmAnswer:
    """One call for one field; raises :class:`LlmError` unless the answer is usable."""
    body = {
        "model": endpoint.model,
        "messages": _messages(spec, instruction, text),
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    url = endpoint.base_url.rstrip("/") + "/chat/completions"
    try:
        with httpx.Client(timeout=endpoint.timeout_s) as client:
            response = client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise LlmError(f"no answer within {endpoint.timeout_s:g} s") from exc
    except httpx.HTTPError as exc:
        raise LlmError(f"request failed: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise LlmError(f"the endpoint answered HTTP {response.status_code}")
    content = _content(response)
    value = _answer_value(content)
    return _typed(spec, value, text, content, date_order)


def _content(response: httpx.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError("the response has no choices[0].message.content") from exc
    if not isinstance(content, str) or not content.strip():
        raise LlmError("the response's message is empty")
    return content.strip()


def _answer_value(content: str) -> object:
    try:
        answer = json.loads(FENCE.sub("", content))
    except ValueError as exc:
        raise LlmError("the answer is not JSON") from exc
    if not isinstance(answer, dict) or set(answer) != {"value"}:
        raise LlmError('the answer is not an object {"value": …}')
    if answer["value"] is None:
        raise LlmError("the model found no value")
    return answer["value"]


def _typed(
    spec: FieldSpec, value: object, text: str, content: str, date_order: DateOrder
) -> LlmAnswer:
    if spec.type == FieldType.boolean:
        if not isinstance(value, bool):
            raise LlmError("the value is not a boolean")
        return LlmAnswer(value, str(value).lower(), content)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise LlmError(f"the value is not a {spec.type.value}")
    raw = str(value).strip()
    if not raw or len(raw) > MAX_STRING:
        raise LlmError("the value is empty or too long")
    if spec.type in (FieldType.string, FieldType.enum) and not spec.entity:
        if spec.type == FieldType.enum and raw not in spec.enum_values:
            raise LlmError("the value is not one of the allowed values")
        if spec.type == FieldType.string and not _in_document(raw, text):
            raise LlmError("the value does not occur in the document")
        return LlmAnswer(raw, raw, content)
    matches = typed_matches(raw, spec.model_copy(update={"value_pattern": None}), date_order)
    if not matches:
        raise LlmError(f"the value is not a {spec.type.value}")
    return LlmAnswer(plain_value(matches[0].value), raw, content)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def _in_document(value: str, text: str) -> bool:
    """A string answer must be read, not invented: it occurs in the text, ignoring case,
    spaces and punctuation (line breaks inside an address included)."""
    return _squash(value) in _squash(text)

"""Optional abstractive summaries from an OpenAI-compatible chat-completions endpoint.

Nothing here is required: the server uses it only when an endpoint is configured, and falls
back to the extractive summary when the call fails. Any server speaking the protocol works
(a hosted API, vLLM, llama.cpp's server, Ollama's OpenAI endpoint …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from folio.pipeline.intelligence.summary import LENGTHS, split_sentences
from folio.pipeline.intelligence.types import KeyPoint, Summary

MAX_INPUT_CHARS = 24_000
KEY_POINTS_MARKER = re.compile(r"^\s*KEY POINTS\s*:?\s*$", re.IGNORECASE | re.MULTILINE)
BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*\S)")


class LlmError(Exception):
    """The endpoint could not be reached, refused, or answered something unusable."""


@dataclass(frozen=True)
class ChatEndpoint:
    base_url: str  # up to and including the version, e.g. http://127.0.0.1:8080/v1
    model: str
    api_key: str | None = None
    timeout_s: float = 30.0


def _prompt(text: str, length: str, focus: list[str]) -> list[dict[str, str]]:
    sentences = LENGTHS[length]
    about = f" Pay particular attention to: {', '.join(focus)}." if focus else ""
    system = (
        "You summarise documents faithfully. Use only facts stated in the document. "
        f"Write a summary of at most {sentences} sentences.{about} Then write a line "
        "'KEY POINTS:' followed by up to five short bullet points, one per line, each "
        "starting with '- '."
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Document:\n\n{text[:MAX_INPUT_CHARS]}"},
    ]


def _content(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LlmError("the response has no choices[0].message.content") from exc
    if not isinstance(content, str) or not content.strip():
        raise LlmError("the response's message is empty")
    return content.strip()


def _parse(content: str, length: str, source_sentences: int) -> Summary:
    parts = KEY_POINTS_MARKER.split(content, maxsplit=1)
    body = parts[0].strip()
    bullets = [
        m.group(1)
        for line in (parts[1] if len(parts) > 1 else "").splitlines()
        if (m := BULLET.match(line))
    ]
    if not body:
        raise LlmError("the response holds key points but no summary")
    return Summary(
        text=body,
        key_points=[KeyPoint(text=b, score=1.0) for b in bullets[:5]],
        length=length,
        method="abstractive",
        sentence_count=len(split_sentences(body)) or 1,
        source_sentence_count=source_sentences,
    )


def abstractive_summary(
    text: str,
    endpoint: ChatEndpoint,
    *,
    length: str = "medium",
    focus: list[str] | None = None,
) -> Summary:
    """One chat-completions call; raises :class:`LlmError` on any failure."""
    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}")
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    body = {
        "model": endpoint.model,
        "messages": _prompt(text, length, focus or []),
        "temperature": 0.2,
    }
    url = endpoint.base_url.rstrip("/") + "/chat/completions"
    try:
        with httpx.Client(timeout=endpoint.timeout_s) as client:
            response = client.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise LlmError(f"request failed: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise LlmError(f"the endpoint answered HTTP {response.status_code}")
    try:
        payload = response.json()
    except ValueError as exc:
        raise LlmError("the response is not JSON") from exc
    return _parse(_content(payload), length, len(split_sentences(text)))

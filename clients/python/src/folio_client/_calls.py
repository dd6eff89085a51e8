"""The API calls of every resource (auth, documents, batches, templates, extractions,
exports, projects, crawls, datasets, webhooks, keys, teams), written once: each function says
which request to make and how to read its answer. ``_sync.py`` and ``_async.py`` only send
them, so the two clients' methods are one line each and cannot drift apart in what they ask."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from folio_client._core import API, Progress, Source, UploadFile, multipart_files, options_form
from folio_client.models import (
    ApplyResult,
    BatchCreated,
    BatchRead,
    CrawlChunk,
    CrawlJobRead,
    CrawlProgress,
    DatasetRead,
    DeliveryRead,
    DocumentChunks,
    DocumentRead,
    DocumentResults,
    ExtractionRead,
    KeyCreated,
    KeyRead,
    ProjectRead,
    TeamRead,
    TemplateRead,
    TemplateVersionRead,
    UserRead,
    ValidationRead,
    WebhookCreated,
    WebhookRead,
    WebhookTestResult,
)

R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Call(Generic[R]):
    """One request and the reading of its (2xx) answer."""

    method: str
    path: str
    read: Callable[[httpx.Response], R]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    body: Callable[[], dict[str, Any]] | None = None  # multipart, built afresh per attempt
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing(Generic[M]):
    """A cursor-paginated list: its path, item model and filters."""

    path: str
    model: type[M]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """A streamed file answer."""

    path: str
    params: Mapping[str, Any] = field(default_factory=dict)


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def model(cls: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: cls.model_validate(response.json())


def models(cls: type[M]) -> Callable[[httpx.Response], list[M]]:
    adapter = TypeAdapter(list[cls])  # type: ignore[valid-type]
    return lambda response: adapter.validate_python(response.json())


def nothing(_: httpx.Response) -> None:
    return None


def text(response: httpx.Response) -> str:
    return response.text


def json_object(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body


# -- templates and extractions ---------------------------------------------------------------


def template_create(
    name: str,
    fields: list[dict[str, Any]],
    *,
    description: str | None,
    rules: list[dict[str, Any]] | None,
    date_order: str | None,
) -> Call[TemplateRead]:
    body = clean(
        {
            "name": name,
            "fields": fields,
            "description": description,
            "rules": rules,
            "date_order": date_order,
        }
    )
    return Call("POST", f"{API}/templates", model(TemplateRead), json=body)


def template_get(template_id: str) -> Call[TemplateRead]:
    return Call("GET", f"{API}/templates/{template_id}", model(TemplateRead))


def template_list(limit: int) -> Listing[TemplateRead]:
    return Listing(f"{API}/templates", TemplateRead, {"limit": limit})


def template_update(template_id: str, changes: Mapping[str, Any]) -> Call[TemplateRead]:
    return Call("PATCH", f"{API}/templates/{template_id}", model(TemplateRead), json=dict(changes))


def template_delete(template_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/templates/{template_id}", nothing)


def template_versions(template_id: str) -> Call[list[TemplateVersionRead]]:
    path = f"{API}/templates/{template_id}/versions"
    return Call("GET", path, models(TemplateVersionRead))


def template_apply(
    template_id: str, document_ids: list[str] | None, batch_id: str | None
) -> Call[ApplyResult]:
    body = clean({"document_ids": document_ids, "batch_id": batch_id})
    return Call("POST", f"{API}/templates/{template_id}/apply", model(ApplyResult), json=body)


def extraction_list(document_id: str, template: str | None, limit: int) -> Listing[ExtractionRead]:
    path = f"{API}/documents/{document_id}/extractions"
    return Listing(path, ExtractionRead, clean({"template": template, "limit": limit}))


def validate(
    document_id: str, rules: list[dict[str, Any]] | None, template_id: str | None
) -> Call[ValidationRead]:
    body = clean({"rules": rules, "template_id": template_id})
    return Call("POST", f"{API}/documents/{document_id}/validate", model(ValidationRead), json=body)


# -- exports ---------------------------------------------------------------------------------


def export_extractions(
    *,
    template: str,
    format: str,
    layout: str | None,
    batch_ids: list[str] | None,
    start_date: date | str | None,
    end_date: date | str | None,
) -> Download:
    params = clean(
        {
            "template": template,
            "format": format,
            "layout": layout,
            "batch_ids": ",".join(batch_ids) if batch_ids else None,
            "start_date": str(start_date) if start_date else None,
            "end_date": str(end_date) if end_date else None,
        }
    )
    return Download(f"{API}/exports/extractions", params)


def results_archive(batch_id: str, words: bool) -> Download:
    return Download(f"{API}/batches/{batch_id}/results-archive", {"words": words})


def failed_originals(batch_id: str | None) -> Download:
    if batch_id is None:
        return Download(f"{API}/exports/failed-originals")
    return Download(f"{API}/batches/{batch_id}/failed-originals")


# -- projects, crawls and datasets -----------------------------------------------------------


def project_create(name: str, description: str | None) -> Call[ProjectRead]:
    body = clean({"name": name, "description": description})
    return Call("POST", f"{API}/projects", model(ProjectRead), json=body)


def project_get(project_id: str) -> Call[ProjectRead]:
    return Call("GET", f"{API}/projects/{project_id}", model(ProjectRead))


def project_list(limit: int) -> Listing[ProjectRead]:
    return Listing(f"{API}/projects", ProjectRead, {"limit": limit})


def project_delete(project_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/projects/{project_id}", nothing)


CRAWLS = f"{API}/crawl-jobs"


def crawl_create(project_id: str, settings: Mapping[str, Any]) -> Call[CrawlJobRead]:
    body = {"project_id": project_id, **clean(settings)}
    return Call("POST", CRAWLS, model(CrawlJobRead), json=body)


def crawl_list(project_id: str | None, status: str | None, limit: int) -> Listing[CrawlJobRead]:
    return Listing(
        CRAWLS, CrawlJobRead, clean({"project_id": project_id, "status": status, "limit": limit})
    )


def crawl_get(job_id: str) -> Call[CrawlJobRead]:
    return Call("GET", f"{CRAWLS}/{job_id}", model(CrawlJobRead))


def crawl_progress(job_id: str) -> Call[CrawlProgress]:
    return Call("GET", f"{CRAWLS}/{job_id}/progress", model(CrawlProgress))


def crawl_chunks(job_id: str) -> Call[list[CrawlChunk]]:
    return Call("GET", f"{CRAWLS}/{job_id}/chunks", models(CrawlChunk))


def crawl_action(job_id: str, action: str) -> Call[CrawlJobRead]:
    """``start`` (or resume), ``stop`` or ``retry`` (the failed chunks)."""
    return Call("POST", f"{CRAWLS}/{job_id}/{action}", model(CrawlJobRead))


def dataset_create(project_id: str, settings: Mapping[str, Any]) -> Call[DatasetRead]:
    path = f"{API}/projects/{project_id}/datasets"
    return Call("POST", path, model(DatasetRead), json=clean(settings))


def dataset_list(project_id: str, limit: int) -> Listing[DatasetRead]:
    return Listing(f"{API}/projects/{project_id}/datasets", DatasetRead, {"limit": limit})


def dataset_get(dataset_id: str, wait: float | None) -> Call[DatasetRead]:
    params = clean({"wait": wait})
    return Call("GET", f"{API}/datasets/{dataset_id}", model(DatasetRead), params=params)


def dataset_download(dataset_id: str) -> Download:
    return Download(f"{API}/datasets/{dataset_id}/download")


def dataset_delete(dataset_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/datasets/{dataset_id}", nothing)


# -- zero-retention processing ---------------------------------------------------------------


def process(
    source: Source,
    *,
    filename: str | None,
    options: Mapping[str, Any] | None,
    words: bool,
    progress: Progress | None,
) -> Call[DocumentResults]:
    """``POST /documents/process``: the results in the answer, nothing kept on the server.
    No Idempotency-Key: nothing is stored, so sending it twice only processes it twice."""
    upload = UploadFile.from_source(source, filename)

    def body() -> dict[str, Any]:
        return {"files": multipart_files("file", [upload], progress), "data": options_form(options)}

    return Call(
        "POST",
        f"{API}/documents/process",
        model(DocumentResults),
        params={"words": json.dumps(words)},
        body=body,
    )


# -- webhooks, keys and teams ----------------------------------------------------------------


def webhook_create(
    url: str, event_types: list[str] | None, description: str | None, max_attempts: int | None
) -> Call[WebhookCreated]:
    body = clean(
        {
            "url": url,
            "event_types": event_types,
            "description": description,
            "max_attempts": max_attempts,
        }
    )
    return Call("POST", f"{API}/webhooks", model(WebhookCreated), json=body)


def webhook_get(webhook_id: str) -> Call[WebhookRead]:
    return Call("GET", f"{API}/webhooks/{webhook_id}", model(WebhookRead))


def webhook_list(limit: int) -> Listing[WebhookRead]:
    return Listing(f"{API}/webhooks", WebhookRead, {"limit": limit})


def webhook_update(webhook_id: str, changes: Mapping[str, Any]) -> Call[WebhookRead]:
    path = f"{API}/webhooks/{webhook_id}"
    return Call("PATCH", path, model(WebhookRead), json=dict(changes))


def webhook_delete(webhook_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/webhooks/{webhook_id}", nothing)


def webhook_test(webhook_id: str) -> Call[WebhookTestResult]:
    return Call("POST", f"{API}/webhooks/{webhook_id}/test", model(WebhookTestResult))


def webhook_deliveries(webhook_id: str, limit: int) -> Listing[DeliveryRead]:
    return Listing(f"{API}/webhooks/{webhook_id}/deliveries", DeliveryRead, {"limit": limit})


def key_create(
    name: str,
    scopes: list[str] | None,
    rate_limit_per_minute: int | None,
    expires_at: str | None,
    allowed_ips: list[str] | None = None,
) -> Call[KeyCreated]:
    body = clean(
        {
            "name": name,
            "scopes": scopes,
            "rate_limit_per_minute": rate_limit_per_minute,
            "expires_at": expires_at,
            "allowed_ips": allowed_ips,
        }
    )
    return Call("POST", f"{API}/keys", model(KeyCreated), json=body)


def key_get(key_id: str) -> Call[KeyRead]:
    return Call("GET", f"{API}/keys/{key_id}", model(KeyRead))


def key_list(limit: int) -> Listing[KeyRead]:
    return Listing(f"{API}/keys", KeyRead, {"limit": limit})


def key_rotate(key_id: str) -> Call[KeyCreated]:
    return Call("POST", f"{API}/keys/{key_id}/rotate", model(KeyCreated))


def key_revoke(key_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/keys/{key_id}", nothing)


def team_create(name: str, description: str | None) -> Call[TeamRead]:
    body = clean({"name": name, "description": description})
    return Call("POST", f"{API}/teams", model(TeamRead), json=body)


def team_get(team_id: str) -> Call[TeamRead]:
    return Call("GET", f"{API}/teams/{team_id}", model(TeamRead))


def team_list(limit: int) -> Listing[TeamRead]:
    return Listing(f"{API}/teams", TeamRead, {"limit": limit})


def me() -> Call[UserRead]:
    return Call("GET", f"{API}/auth/me", model(UserRead))


# -- documents and batches -------------------------------------------------------------------

DOCUMENTS = f"{API}/documents"


def upload(
    source: Source,
    *,
    filename: str | None,
    options: Mapping[str, Any] | None,
    progress: Progress | None,
    idempotency_key: str,
) -> Call[DocumentRead]:
    upload = UploadFile.from_source(source, filename)

    def body() -> dict[str, Any]:
        return {"files": multipart_files("file", [upload], progress), "data": options_form(options)}

    headers = {"Idempotency-Key": idempotency_key}
    return Call("POST", DOCUMENTS, model(DocumentRead), body=body, headers=headers)


def document_get(document_id: str, wait: float | None) -> Call[DocumentRead]:
    params = clean({"wait": wait})
    return Call("GET", f"{DOCUMENTS}/{document_id}", model(DocumentRead), params=params)


def document_list(limit: int, filters: Mapping[str, Any]) -> Listing[DocumentRead]:
    return Listing(DOCUMENTS, DocumentRead, clean({"limit": limit, **filters}))


def document_results(document_id: str) -> Call[DocumentResults]:
    return Call("GET", f"{DOCUMENTS}/{document_id}/results", model(DocumentResults))


def document_text(document_id: str, kind: str) -> Call[str]:
    """``kind``: ``text`` or ``markdown``."""
    return Call("GET", f"{DOCUMENTS}/{document_id}/{kind}", text)


def document_chunks(document_id: str, max_tokens: int, overlap: int) -> Call[DocumentChunks]:
    params = {"max_tokens": max_tokens, "overlap": overlap}
    return Call("GET", f"{DOCUMENTS}/{document_id}/chunks", model(DocumentChunks), params=params)


def document_file(document_id: str, kind: str) -> Download:
    """``kind``: ``file`` (the original) or ``searchable-pdf``."""
    return Download(f"{DOCUMENTS}/{document_id}/{kind}")


def document_reprocess(document_id: str) -> Call[DocumentRead]:
    return Call("POST", f"{DOCUMENTS}/{document_id}/reprocess", model(DocumentRead))


def document_delete(document_id: str) -> Call[None]:
    return Call("DELETE", f"{DOCUMENTS}/{document_id}", nothing)


def batch_upload(
    sources: list[Source],
    *,
    name: str | None,
    options: Mapping[str, Any] | None,
    progress: Progress | None,
    idempotency_key: str,
) -> Call[BatchCreated]:
    uploads = [UploadFile.from_source(source) for source in sources]

    def body() -> dict[str, Any]:
        return {
            "files": multipart_files("files", uploads, progress),
            "data": options_form(options, name=name),
        }

    headers = {"Idempotency-Key": idempotency_key}
    return Call("POST", f"{API}/batches", model(BatchCreated), body=body, headers=headers)


def batch_get(batch_id: str) -> Call[BatchRead]:
    return Call("GET", f"{API}/batches/{batch_id}", model(BatchRead))


def batch_list(limit: int) -> Listing[BatchRead]:
    return Listing(f"{API}/batches", BatchRead, {"limit": limit})


def batch_action(batch_id: str, action: str) -> Call[dict[str, Any]]:
    """``cancel`` or ``retry-failed``: their answers are plain JSON objects."""
    return Call("POST", f"{API}/batches/{batch_id}/{action}", json_object)

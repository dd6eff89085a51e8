"""The synchronous client. What each method asks is described once in ``_calls.py``;
``_async.py`` is the same client with ``async``/``await``, so a new method is added to both
(``tests/sdk`` runs both against a real server)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from pydantic import BaseModel

from folio_client import _calls as calls
from folio_client._calls import Call, Download, Listing
from folio_client._core import (
    API,
    DEFAULT_URL,
    Credentials,
    Progress,
    RetryPolicy,
    Source,
    Tokens,
    base_headers,
    close_files,
    idempotency_key,
)
from folio_client.errors import AuthenticationError, FolioTimeoutError, error_for
from folio_client.models import (
    DATASET_FINAL,
    FINAL_STATUSES,
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
    EventRead,
    ExtractionRead,
    KeyCreated,
    KeyRead,
    LoginResult,
    Page,
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

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
# for annotations inside the classes that define a ``list`` method
Specs = list[dict[str, Any]]
Ids = list[str]
TemplateVersions = list[TemplateVersionRead]
CrawlChunks = list[CrawlChunk]
LONG_POLL_S = 30.0  # one ?wait= request; the server allows up to 300


class Folio:
    """A Folio server. Give ``api_key``, or ``email`` and ``password`` (the client logs in,
    refreshes its access token before it expires and on a 401, and logs in again if the
    refresh token is gone). ``team_id`` picks the team a password login acts in."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        refresh_token: str | None = None,
        team_id: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = Credentials(api_key, email, password, refresh_token=refresh_token)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep  # injectable, so a test can record the waits
        self._http = http or httpx.Client(timeout=timeout)
        self._base_url = base_url.rstrip("/")
        self._headers = base_headers(team_id)
        self.documents = Documents(self)
        self.batches = Batches(self)
        self.webhooks = Webhooks(self)
        self.events = Events(self)
        self.keys = Keys(self)
        self.teams = Teams(self)
        self.auth = Auth(self)
        self.templates = Templates(self)
        self.exports = Exports(self)
        self.projects = Projects(self)
        self.crawls = Crawls(self)
        self.datasets = Datasets(self)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Folio:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Callable[[], dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        stream: bool = False,
    ) -> httpx.Response:
        """One API call with authentication, retries and error mapping. ``body`` builds the
        request's ``files``/``data`` afresh for each attempt (an upload is sent again whole).
        A 2xx response is returned; anything else raises a typed ``APIError``."""
        url = path if path.startswith("http") else f"{self._base_url}{path}"
        refreshed = False
        attempt = 0
        while True:
            if authenticated:
                self._ensure_token()
            response = self._attempt(
                method, url, params, json, body, headers, authenticated, stream
            )
            if response is not None and response.status_code < 400:
                return response
            if (
                response is not None
                and response.status_code == 401
                and authenticated
                and self.credentials.uses_password
                and not refreshed
            ):
                refreshed = True
                self._renew()
                continue
            delay = self.retry.delay(attempt, response)
            if delay is None:
                if response is None:
                    raise httpx.ConnectError(f"no answer from {url}")
                response.read()
                raise error_for(response)
            if response is not None:
                response.close()
            attempt += 1
            self.sleep(delay)

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        body: Callable[[], dict[str, Any]] | None,
        headers: Mapping[str, str] | None,
        authenticated: bool,
        stream: bool,
    ) -> httpx.Response | None:
        all_headers = {**self._headers, **(headers or {})}
        if authenticated:
            all_headers.update(self.credentials.header())
        parts = body() if body is not None else {}
        try:
            request = self._http.build_request(
                method, url, params=params, json=json, headers=all_headers, **parts
            )
            return self._http.send(request, stream=stream)
        except (httpx.ConnectError, httpx.RemoteProtocolError):
            return None  # retried with backoff: the server never saw the request
        finally:
            if "files" in parts:
                close_files(parts["files"])

    def _ensure_token(self) -> None:
        credentials = self.credentials
        if credentials.uses_password and (credentials.tokens is None or credentials.tokens.stale):
            self._renew()

    def _renew(self) -> None:
        """Refresh the access token; log in again when there is none or the refresh fails."""
        tokens = self.credentials.tokens
        if tokens is not None:
            try:
                pair = self.request(
                    "POST",
                    f"{API}/auth/refresh",
                    json={"refresh_token": tokens.refresh_token},
                    authenticated=False,
                ).json()
                self.credentials.tokens = Tokens.from_pair(pair)
                return
            except AuthenticationError:
                if not self.credentials.can_log_in:
                    raise  # a stored session that ended: only a new login opens another
                # the session ended: log in again
        self.auth.login()

    def paginate(self, path: str, model: type[M], **params: Any) -> Iterator[M]:
        """Every item of a cursor-paginated list, fetching pages as the iteration needs them."""
        query = _clean(params)
        while True:
            page = self.request("GET", path, params=query).json()
            for item in page["items"]:
                yield model.model_validate(item)
            if not page.get("has_more") or not page.get("next_cursor"):
                return
            query = {**query, "cursor": page["next_cursor"]}

    def download(self, path: str, to: str | Path | IO[bytes], **params: Any) -> int:
        """Stream a file answer to a path or a binary file; returns the bytes written."""
        response = self.request("GET", path, params=_clean(params), stream=True)
        written = 0
        try:
            if isinstance(to, str | Path):
                with Path(to).open("wb") as file:
                    for chunk in response.iter_bytes():
                        written += file.write(chunk)
            else:
                for chunk in response.iter_bytes():
                    written += to.write(chunk)
        finally:
            response.close()
        return written

    def call(self, call: Call[R]) -> R:
        """Send one described call (``_calls.py``) and read its answer."""
        response = self.request(
            call.method,
            call.path,
            params=call.params,
            json=call.json,
            body=call.body,
            headers=call.headers,
        )
        return call.read(response)

    def listing(self, listing: Listing[M]) -> Iterator[M]:
        return self.paginate(listing.path, listing.model, **listing.params)

    def page(self, listing: Listing[M], *, cursor: str | None = None) -> Page[M]:
        """One page of a cursor-paginated list; give its ``next_cursor`` for the next one."""
        query = _clean({**listing.params, "cursor": cursor})
        body = self.request("GET", listing.path, params=query).json()
        return Page[listing.model].model_validate(body)  # type: ignore[name-defined]

    def fetch(self, download: Download, to: str | Path | IO[bytes]) -> int:
        return self.download(download.path, to, **download.params)


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


class Resource:
    def __init__(self, client: Folio) -> None:
        self._client = client


class Auth(Resource):
    def login(self) -> LoginResult:
        """Log in with the client's e-mail and password (done for you on the first call)."""
        credentials = self._client.credentials
        response = self._client.request(
            "POST",
            f"{API}/auth/login",
            json={"email": credentials.email, "password": credentials.password},
            authenticated=False,
        )
        result = LoginResult.model_validate(response.json())
        if result.tokens is None:
            raise AuthenticationError(
                401,
                {"code": "MFA_REQUIRED", "detail": "this account needs a second factor"},
                response.headers,
            )
        credentials.tokens = Tokens.from_pair(result.tokens.model_dump())
        return result

    def refresh(self) -> None:
        """Renew the access token now (with the refresh token; logging in again if the
        session ended and the client has a password). The client does it by itself when
        needed; this is for a caller that keeps the tokens, as the remote CLI's profiles do."""
        self._client._renew()

    def me(self) -> UserRead:
        return self._client.call(calls.me())


class Documents(Resource):
    def upload(
        self,
        source: Source,
        *,
        filename: str | None = None,
        options: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> DocumentRead:
        """Upload a path, bytes or a binary stream (202: queued for processing). The upload
        carries an ``Idempotency-Key`` (generated unless given), so a retry never makes a
        second document. ``progress(sent, total)`` is called as the bytes go out."""
        key = idempotency_key or _new_key()
        call = calls.upload(
            source, filename=filename, options=options, progress=progress, idempotency_key=key
        )
        return self._client.call(call)

    def get(self, document_id: str, *, wait: float | None = None) -> DocumentRead:
        return self._client.call(calls.document_get(document_id, wait))

    def wait(self, document_id: str, *, timeout: float = 300.0) -> DocumentRead:
        """Long-poll until the document is completed, failed or cancelled; returns it.
        ``FolioTimeoutError`` if it is still running after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            document = self.get(document_id, wait=round(max(0.0, min(LONG_POLL_S, left)), 1))
            if document.status in FINAL_STATUSES:
                return document
            if time.monotonic() >= deadline:
                raise FolioTimeoutError(f"{document_id} still {document.status} after {timeout} s")

    def list(
        self,
        *,
        limit: int = 50,
        status: str | None = None,
        batch_id: str | None = None,
        type: str | None = None,  # the API's parameter name
        q: str | None = None,
    ) -> Iterator[DocumentRead]:
        """Every matching document, newest first, page by page (``limit`` per request)."""
        filters = {"status": status, "batch_id": batch_id, "type": type, "q": q}
        return self._client.listing(calls.document_list(limit, filters))

    def process(
        self,
        source: Source,
        *,
        filename: str | None = None,
        options: Mapping[str, Any] | None = None,
        words: bool = True,
        progress: Progress | None = None,
    ) -> DocumentResults:
        """Zero-retention processing: the file's results in the answer, and neither the file
        nor its results kept on the server (no document, no blob). Smaller size, page and time
        limits apply than to ``upload``; ``words=False`` leaves out the words with boxes."""
        call = calls.process(
            source, filename=filename, options=options, words=words, progress=progress
        )
        return self._client.call(call)

    def page(
        self,
        *,
        cursor: str | None = None,
        limit: int = 50,
        status: str | None = None,
        batch_id: str | None = None,
        type: str | None = None,  # the API's parameter name
        q: str | None = None,
    ) -> Page[DocumentRead]:
        """One page of ``list``: its ``next_cursor`` asks for the following one."""
        filters = {"status": status, "batch_id": batch_id, "type": type, "q": q}
        return self._client.page(calls.document_list(limit, filters), cursor=cursor)

    def results(self, document_id: str) -> DocumentResults:
        return self._client.call(calls.document_results(document_id))

    def text(self, document_id: str) -> str:
        """The plain text, pages separated by form feeds (``\\f``)."""
        return self._client.call(calls.document_text(document_id, "text"))

    def markdown(self, document_id: str) -> str:
        """The text as Markdown, without page headers, footers and numbers."""
        return self._client.call(calls.document_text(document_id, "markdown"))

    def chunks(self, document_id: str, max_tokens: int = 512, overlap: int = 0) -> DocumentChunks:
        """The text cut into chunks of at most ``max_tokens`` for retrieval."""
        return self._client.call(calls.document_chunks(document_id, max_tokens, overlap))

    def download(self, document_id: str, to: str | Path | IO[bytes]) -> int:
        """Stream the original file to ``to``; returns the bytes written."""
        return self._client.fetch(calls.document_file(document_id, "file"), to)

    def download_searchable_pdf(self, document_id: str, to: str | Path | IO[bytes]) -> int:
        return self._client.fetch(calls.document_file(document_id, "searchable-pdf"), to)

    def reprocess(self, document_id: str) -> DocumentRead:
        return self._client.call(calls.document_reprocess(document_id))

    def delete(self, document_id: str) -> None:
        self._client.call(calls.document_delete(document_id))


class Batches(Resource):
    def upload(
        self,
        sources: list[Source],
        *,
        name: str | None = None,
        options: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> BatchCreated:
        """Upload several files as one batch (one request, one ``Idempotency-Key``)."""
        key = idempotency_key or _new_key()
        call = calls.batch_upload(
            sources, name=name, options=options, progress=progress, idempotency_key=key
        )
        return self._client.call(call)

    def upload_folder(
        self,
        folder: str | Path,
        *,
        pattern: str = "*",
        name: str | None = None,
        options: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> BatchCreated:
        """Every file of ``folder`` matching ``pattern`` (sorted; not recursive unless the
        pattern says ``**/``), as one batch named after the folder unless ``name`` is given."""
        root = Path(folder)
        files = sorted(path for path in root.glob(pattern) if path.is_file())
        if not files:
            raise ValueError(f"no file in {root} matches {pattern!r}")
        return self.upload(list(files), name=name or root.name, options=options, progress=progress)

    def get(self, batch_id: str) -> BatchRead:
        return self._client.call(calls.batch_get(batch_id))

    def list(self, *, limit: int = 50) -> Iterator[BatchRead]:
        return self._client.listing(calls.batch_list(limit))

    def iter_results(
        self, batch_id: str, *, timeout: float = 600.0, poll: float = 1.0
    ) -> Iterator[DocumentRead]:
        """Each document of the batch as soon as it is finished (completed, failed or
        cancelled), in the order they finish; ends when all are."""
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        while True:
            batch = self.get(batch_id)
            statuses = batch.documents or []
            for entry in statuses:
                if entry.status in FINAL_STATUSES and entry.id not in seen:
                    seen.add(entry.id)
                    yield self._client.documents.get(entry.id)
            if len(seen) >= batch.totals.total:
                return
            if time.monotonic() >= deadline:
                raise FolioTimeoutError(f"{batch_id}: {len(seen)} of {batch.totals.total} done")
            self._client.sleep(poll)

    def cancel(self, batch_id: str) -> dict[str, Any]:
        return self._client.call(calls.batch_action(batch_id, "cancel"))

    def retry_failed(self, batch_id: str) -> dict[str, Any]:
        return self._client.call(calls.batch_action(batch_id, "retry-failed"))


class Webhooks(Resource):
    def create(
        self,
        url: str,
        *,
        event_types: Ids | None = None,
        description: str | None = None,
        max_attempts: int | None = None,
    ) -> WebhookCreated:
        """Register an endpoint; the answer's ``secret`` (shown once) verifies deliveries."""
        return self._client.call(calls.webhook_create(url, event_types, description, max_attempts))

    def get(self, webhook_id: str) -> WebhookRead:
        return self._client.call(calls.webhook_get(webhook_id))

    def list(self, *, limit: int = 50) -> Iterator[WebhookRead]:
        return self._client.listing(calls.webhook_list(limit))

    def update(self, webhook_id: str, **changes: Any) -> WebhookRead:
        return self._client.call(calls.webhook_update(webhook_id, changes))

    def delete(self, webhook_id: str) -> None:
        self._client.call(calls.webhook_delete(webhook_id))

    def test(self, webhook_id: str) -> WebhookTestResult:
        return self._client.call(calls.webhook_test(webhook_id))

    def deliveries(self, webhook_id: str, *, limit: int = 50) -> Iterator[DeliveryRead]:
        return self._client.listing(calls.webhook_deliveries(webhook_id, limit))


class Events(Resource):
    def list(self, *, limit: int = 50, **filters: Any) -> Iterator[EventRead]:
        """The team's stored events (``GET /events``), oldest first."""
        return self._client.paginate(f"{API}/events", EventRead, limit=limit, **filters)


class Keys(Resource):
    def create(
        self,
        name: str,
        *,
        scopes: Ids | None = None,
        rate_limit_per_minute: int | None = None,
        expires_at: str | None = None,
        allowed_ips: list[str] | None = None,
    ) -> KeyCreated:
        return self._client.call(
            calls.key_create(name, scopes, rate_limit_per_minute, expires_at, allowed_ips)
        )

    def get(self, key_id: str) -> KeyRead:
        return self._client.call(calls.key_get(key_id))

    def list(self, *, limit: int = 50) -> Iterator[KeyRead]:
        return self._client.listing(calls.key_list(limit))

    def rotate(self, key_id: str) -> KeyCreated:
        return self._client.call(calls.key_rotate(key_id))

    def revoke(self, key_id: str) -> None:
        self._client.call(calls.key_revoke(key_id))


class Teams(Resource):
    def create(self, name: str, *, description: str | None = None) -> TeamRead:
        return self._client.call(calls.team_create(name, description))

    def get(self, team_id: str) -> TeamRead:
        return self._client.call(calls.team_get(team_id))

    def list(self, *, limit: int = 50) -> Iterator[TeamRead]:
        return self._client.listing(calls.team_list(limit))


class Templates(Resource):
    """Extraction templates (built-ins and the team's), applying them, their results."""

    def create(
        self,
        name: str,
        fields: Specs,
        *,
        description: str | None = None,
        rules: Specs | None = None,
        date_order: str | None = None,
    ) -> TemplateRead:
        return self._client.call(
            calls.template_create(
                name, fields, description=description, rules=rules, date_order=date_order
            )
        )

    def get(self, template_id: str) -> TemplateRead:
        return self._client.call(calls.template_get(template_id))

    def list(self, *, limit: int = 50) -> Iterator[TemplateRead]:
        return self._client.listing(calls.template_list(limit))

    def update(self, template_id: str, **changes: Any) -> TemplateRead:
        return self._client.call(calls.template_update(template_id, changes))

    def delete(self, template_id: str) -> None:
        self._client.call(calls.template_delete(template_id))

    def versions(self, template_id: str) -> TemplateVersions:
        return self._client.call(calls.template_versions(template_id))

    def apply(
        self,
        template_id: str,
        *,
        document_ids: Ids | None = None,
        batch_id: str | None = None,
    ) -> ApplyResult:
        """Apply to processed documents (or a batch's); each extraction is stored."""
        return self._client.call(calls.template_apply(template_id, document_ids, batch_id))

    def extractions(
        self, document_id: str, *, template: str | None = None, limit: int = 50
    ) -> Iterator[ExtractionRead]:
        """A document's stored extractions, newest first (``template``: only its)."""
        return self._client.listing(calls.extraction_list(document_id, template, limit))

    def validate(
        self,
        document_id: str,
        *,
        rules: Specs | None = None,
        template_id: str | None = None,
    ) -> ValidationRead:
        return self._client.call(calls.validate(document_id, rules, template_id))


class Exports(Resource):
    """Files streamed to a path or a binary file; each method returns the bytes written."""

    def extractions(
        self,
        to: str | Path | IO[bytes],
        *,
        template: str,
        format: str = "xlsx",  # the API's parameter name: xlsx, csv, json or ndjson
        layout: str | None = None,
        batch_ids: Ids | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
    ) -> int:
        download = calls.export_extractions(
            template=template,
            format=format,
            layout=layout,
            batch_ids=batch_ids,
            start_date=start_date,
            end_date=end_date,
        )
        return self._client.fetch(download, to)

    def results_archive(
        self, batch_id: str, to: str | Path | IO[bytes], *, words: bool = False
    ) -> int:
        return self._client.fetch(calls.results_archive(batch_id, words), to)

    def failed_originals(self, to: str | Path | IO[bytes], *, batch_id: str | None = None) -> int:
        return self._client.fetch(calls.failed_originals(batch_id), to)


class Projects(Resource):
    def create(self, name: str, *, description: str | None = None) -> ProjectRead:
        return self._client.call(calls.project_create(name, description))

    def get(self, project_id: str) -> ProjectRead:
        return self._client.call(calls.project_get(project_id))

    def list(self, *, limit: int = 50) -> Iterator[ProjectRead]:
        return self._client.listing(calls.project_list(limit))

    def delete(self, project_id: str) -> None:
        self._client.call(calls.project_delete(project_id))


class Crawls(Resource):
    """Image crawl jobs (``/crawl-jobs``) of a project."""

    def create(self, project_id: str, **settings: Any) -> CrawlJobRead:
        """``settings``: the fields of the API's ``CrawlJobCreate`` (``seeds``, ``keywords``,
        ``url_list``, ``max_images``, ``start`` …)."""
        return self._client.call(calls.crawl_create(project_id, settings))

    def get(self, job_id: str) -> CrawlJobRead:
        return self._client.call(calls.crawl_get(job_id))

    def list(
        self, *, project_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> Iterator[CrawlJobRead]:
        return self._client.listing(calls.crawl_list(project_id, status, limit))

    def progress(self, job_id: str) -> CrawlProgress:
        return self._client.call(calls.crawl_progress(job_id))

    def chunks(self, job_id: str) -> CrawlChunks:
        return self._client.call(calls.crawl_chunks(job_id))

    def start(self, job_id: str) -> CrawlJobRead:
        return self._client.call(calls.crawl_action(job_id, "start"))

    def stop(self, job_id: str) -> CrawlJobRead:
        return self._client.call(calls.crawl_action(job_id, "stop"))

    def retry(self, job_id: str) -> CrawlJobRead:
        return self._client.call(calls.crawl_action(job_id, "retry"))


class Datasets(Resource):
    """Dataset exports of a project's images (ZIP, WebDataset or Parquet)."""

    def create(self, project_id: str, **settings: Any) -> DatasetRead:
        """``settings``: the API's ``DatasetCreate`` (``format``, ``split``, ``labels`` …)."""
        return self._client.call(calls.dataset_create(project_id, settings))

    def list(self, project_id: str, *, limit: int = 50) -> Iterator[DatasetRead]:
        return self._client.listing(calls.dataset_list(project_id, limit))

    def get(self, dataset_id: str, *, wait: float | None = None) -> DatasetRead:
        return self._client.call(calls.dataset_get(dataset_id, wait))

    def wait(self, dataset_id: str, *, timeout: float = 300.0) -> DatasetRead:
        """Long-poll until the dataset is ready or failed."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, min(LONG_POLL_S, deadline - time.monotonic()))
            dataset = self.get(dataset_id, wait=round(left, 1))
            if dataset.status in DATASET_FINAL:
                return dataset
            if time.monotonic() >= deadline:
                raise FolioTimeoutError(f"{dataset_id} still {dataset.status} after {timeout} s")

    def download(self, dataset_id: str, to: str | Path | IO[bytes]) -> int:
        return self._client.fetch(calls.dataset_download(dataset_id), to)

    def delete(self, dataset_id: str) -> None:
        self._client.call(calls.dataset_delete(dataset_id))


def _new_key() -> str:
    return idempotency_key()

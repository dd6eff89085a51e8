"""``folio remote …``: a running Folio server from the terminal, through ``folio_client``.

No server code is imported here: the remote CLI speaks only the public API (a layering test
keeps it so), and it stays quick to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from folio_client import APIError, AsyncFolio, AuthenticationError, Folio, FolioTimeoutError
from folio_client._core import Tokens
from folio_client.models import DocumentRead, EventRead
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from folio.remote import profiles as store
from folio.remote.output import Exit, emit_json, fail, report, reporting, stderr, stdout
from folio.remote.profiles import Profile, ProfileError

remote = typer.Typer(
    help="Talk to a running Folio server: log in, upload, list, read results, export, watch.",
    no_args_is_help=True,
    add_completion=False,
)

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile", "-p", envvar="FOLIO_PROFILE", help="Profile to use (default: the current)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON on stdout, for scripts")]
POLL_S = 1.0  # one long-poll while showing live stages


# -- connecting ------------------------------------------------------------------------------


def client_options(profile: Profile) -> dict[str, Any]:
    return {
        "api_key": profile.api_key,
        "refresh_token": profile.refresh_token,
        "team_id": profile.team_id,
    }


def resume_session(name: str, client: Folio) -> None:
    """Gives a session profile's client the stored access token, refreshing it first when it
    has expired; under the session lock, so commands started together refresh once."""
    with store.session_lock():
        profiles = store.load()
        entry = profiles.entries[name]
        if entry.refresh_token is None:
            return
        left = (entry.access_expires_at or 0.0) - time.time()
        client.credentials.tokens = Tokens(
            entry.access_token or "", entry.refresh_token, time.monotonic() + left
        )
        if client.credentials.tokens.stale:
            client.auth.refresh()
            keep_tokens(entry, client.credentials.tokens)
            store.save(profiles)


def keep_tokens(entry: Profile, tokens: Tokens) -> None:
    entry.access_token = tokens.access_token
    entry.refresh_token = tokens.refresh_token
    entry.access_expires_at = time.time() + (tokens.expires_at - time.monotonic())


def remember_session(name: str, started_with: str | None, client: Folio | AsyncFolio) -> None:
    """A command that ran past its access token refreshed on its own: the rotated tokens are
    stored, unless another command stored newer ones meanwhile."""
    tokens = client.credentials.tokens
    if started_with is None or tokens is None or tokens.refresh_token == started_with:
        return
    with store.session_lock():
        profiles = store.load()
        entry = profiles.entries.get(name)
        if entry is not None and entry.refresh_token == started_with:
            keep_tokens(entry, tokens)
            store.save(profiles)


@contextlib.contextmanager
def connected(profile_name: str | None) -> Iterator[Folio]:
    name, profile = store.load().resolve(profile_name)
    client = Folio(profile.url, **client_options(profile))
    started_with = None
    try:
        if profile.refresh_token:
            resume_session(name, client)
            tokens = client.credentials.tokens
            started_with = tokens.refresh_token if tokens is not None else None
        yield client
    finally:
        remember_session(name, started_with, client)
        client.close()


@contextlib.asynccontextmanager
async def connected_async(profile_name: str | None) -> AsyncIterator[AsyncFolio]:
    """The async client (for the WebSocket), its session resumed by a sync one first."""
    with connected(profile_name) as sync_client:
        name, profile = store.load().resolve(profile_name)
        tokens = sync_client.credentials.tokens
    client = AsyncFolio(profile.url, **client_options(profile))
    client.credentials.tokens = tokens
    started_with = tokens.refresh_token if tokens is not None else None
    try:
        yield client
    finally:
        remember_session(name, started_with, client)
        await client.aclose()


# -- login, logout, profiles -----------------------------------------------------------------


def read_secret(prompt: str, *, from_stdin: bool, env: str) -> str:
    """From stdin (``--…-stdin``), else the environment, else a prompt that does not echo.
    Never from the command line: arguments are visible to every user in the process list."""
    if from_stdin:
        secret = sys.stdin.readline().strip()
    else:
        secret = os.environ.get(env) or getpass.getpass(f"{prompt}: ")
    if not secret:
        raise typer.BadParameter(f"an empty {prompt.lower()}")
    return secret


@remote.command()
def login(
    url: Annotated[str, typer.Option(help="The server's base URL")] = "http://127.0.0.1:8000",
    email: Annotated[
        str | None,
        typer.Option(help="Log in with e-mail and password (a session) instead of an API key"),
    ] = None,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read the API key from stdin")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
    team: Annotated[str | None, typer.Option(help="Team to act in (a session's)")] = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a credential and store it as a profile, which becomes the current one.

    The API key comes from --api-key-stdin, FOLIO_API_KEY or a prompt; with --email, the
    password logs in (from --password-stdin, FOLIO_PASSWORD or a prompt) and only the
    session's refresh token is stored."""
    name = profile or store.load().current or store.DEFAULT
    with reporting(as_json):
        if email is None:
            key = read_secret("API key", from_stdin=api_key_stdin, env="FOLIO_API_KEY")
            entry = Profile(url=url.rstrip("/"), api_key=key, team_id=team)
            with Folio(entry.url, api_key=key, team_id=team) as client:
                me = client.auth.me()
        else:
            password = read_secret("Password", from_stdin=password_stdin, env="FOLIO_PASSWORD")
            with Folio(url, email=email, password=password, team_id=team) as client:
                me = client.auth.me()
                tokens = client.credentials.tokens
            assert tokens is not None  # auth.me() logged in
            entry = Profile(url=url.rstrip("/"), team_id=team)
            keep_tokens(entry, tokens)
        entry.email = me.email
        profiles = store.load()
        profiles.entries[name] = entry
        profiles.current = name
        path = store.save(profiles)
    if as_json:
        emit_json(entry.public(name, name))
    else:
        stdout.print(
            f"Logged in to {escape(entry.url)} as {escape(me.email)} "
            f"({entry.credential_kind}); profile [bold]{escape(name)}[/] saved in {path}"
        )


@remote.command()
def logout(profile: ProfileOption = None, as_json: JsonOption = False) -> None:
    """Forget a profile; a session is also ended on the server (an API key stays valid)."""
    with reporting(as_json):
        profiles = store.load()
        name, entry = profiles.resolve(profile)
        ended = False
        if entry.refresh_token:
            with contextlib.suppress(AuthenticationError), connected(name) as client:
                client.request("POST", "/api/v1/auth/logout")
                ended = True
        del profiles.entries[name]
        if profiles.current == name:
            profiles.current = None
        store.save(profiles)
    if as_json:
        emit_json({"profile": name, "session_ended": ended})
    else:
        stdout.print(f"Logged out: profile {escape(name)} removed")


@remote.command("profiles")
def list_profiles(as_json: JsonOption = False) -> None:
    """The stored profiles (never their secrets)."""
    with reporting(as_json):
        profiles = store.load()
    shown = [entry.public(name, profiles.current) for name, entry in profiles.entries.items()]
    if as_json:
        emit_json(shown)
        return
    table = Table("", "profile", "url", "credential", "e-mail", box=None)
    for row in shown:
        table.add_row(
            "*" if row["current"] else "",
            row["name"],
            row["url"],
            row["credential"],
            row["email"] or "",
        )
    stdout.print(table if shown else "No profile: run folio remote login")


@remote.command()
def use(name: Annotated[str, typer.Argument(help="Profile name")]) -> None:
    """Make a profile the current one."""
    with reporting(False):
        profiles = store.load()
        profiles.resolve(name)
        profiles.current = name
        store.save(profiles)
    stdout.print(f"Current profile: {escape(name)}")


# -- documents -------------------------------------------------------------------------------


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a directory gives its files (not recursive), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(child for child in path.iterdir() if child.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise typer.BadParameter(f"{path} is not a file or a directory", param_hint="PATHS")
    return found


def stage_text(document: DocumentRead) -> str:
    """The stage now running, as the long-poll reports it."""
    if document.finished:
        return document.status
    running = [stage.name for stage in document.stages if stage.status == "running"]
    return f"{document.status}: {running[-1]}" if running else document.status


class UploadView:
    """A bar per file: bytes while uploading, then the document's stages and progress."""

    def __init__(self, show: bool) -> None:
        self.progress = Progress(
            TextColumn("{task.fields[name]}", style="bold"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=stderr,
            disable=not show,
        )
        self.tasks: dict[str, TaskID] = {}

    def add(self, path: Path) -> TaskID:
        size = path.stat().st_size
        return self.progress.add_task("", total=size, name=path.name, stage="uploading")

    def uploaded(self, task: TaskID, document: DocumentRead) -> None:
        self.tasks[document.id] = task
        self.show(document)

    def show(self, document: DocumentRead) -> None:
        task = self.tasks[document.id]
        self.progress.update(task, stage=stage_text(document))
        if document.finished:
            self.progress.update(task, completed=self.progress.tasks[task].total)


def upload_all(
    client: Folio, files: list[Path], options: dict[str, Any], view: UploadView
) -> tuple[list[DocumentRead], list[tuple[Path, APIError]]]:
    accepted: list[DocumentRead] = []
    refused: list[tuple[Path, APIError]] = []
    for path in files:
        task = view.add(path)

        def sent(done: int, _total: int, task: TaskID = task) -> None:
            view.progress.update(task, completed=done)

        try:
            document = client.documents.upload(path, options=options or None, progress=sent)
        except APIError as error:  # reported per file; the others still go
            view.progress.update(task, stage="refused")
            refused.append((path, error))
            continue
        accepted.append(document)
        view.uploaded(task, document)
    return accepted, refused


def wait_all(
    client: Folio, documents: list[DocumentRead], view: UploadView, timeout: float
) -> list[DocumentRead]:
    """Long-polls the first unfinished document and refreshes the others, so every bar shows
    its live stage; returns the documents once all are finished."""
    latest = {document.id: document for document in documents}
    deadline = time.monotonic() + timeout
    while True:
        running = [d.id for d in latest.values() if not d.finished]
        if not running:
            return list(latest.values())
        if time.monotonic() >= deadline:
            raise_timeout(running, timeout)
        for index, document_id in enumerate(running):
            wait = min(POLL_S, max(0.0, deadline - time.monotonic())) if index == 0 else None
            latest[document_id] = client.documents.get(document_id, wait=wait)
            view.show(latest[document_id])


def raise_timeout(running: list[str], timeout: float) -> NoReturn:
    raise FolioTimeoutError(f"still processing after {timeout:g} s: {', '.join(running)}")


def document_row(document: DocumentRead) -> list[str]:
    return [
        document.id,
        document.filename,
        stage_text(document),
        str(document.page_count or ""),
        f"{document.processing_time_ms} ms" if document.processing_time_ms else "",
    ]


def document_table(documents: list[DocumentRead]) -> Table:
    table = Table("id", "file", "status", "pages", "time", box=None)
    for document in documents:
        table.add_row(*(escape(cell) for cell in document_row(document)))
    return table


@remote.command()
def upload(
    paths: Annotated[list[Path], typer.Argument(help="Files, or directories of files")],
    template: Annotated[
        str | None, typer.Option(help="Apply this template once processed (name or tpl_ id)")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until processed")] = False,
    timeout: Annotated[float, typer.Option(help="--wait: seconds at most")] = 600.0,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Upload files (a progress bar each); with --wait, show their stages until processed."""
    files = expand(paths)
    options = {"template": template} if template else {}
    view = UploadView(show=not as_json)
    with reporting(as_json), connected(profile) as client, view.progress:
        documents, refused = upload_all(client, files, options, view)
        if wait and documents:
            documents = wait_all(client, documents, view, timeout)
    codes = []
    for path, error in refused:
        stderr.print(f"{escape(path.name)} was not uploaded:")
        codes.append(report(error, as_json=as_json))
    if as_json:
        emit_json(documents)
    else:
        stdout.print(document_table(documents))
    if any(document.status == "failed" for document in documents):
        codes.append(Exit.DOCUMENT_FAILED)
    raise typer.Exit(code=int(codes[0]) if codes else 0)


@remote.command("ls")
def list_documents(
    status: Annotated[str | None, typer.Option(help="queued, processing, completed …")] = None,
    kind: Annotated[str | None, typer.Option("--type", help="pdf, image, docx …")] = None,
    query: Annotated[str | None, typer.Option("--q", help="Full-text search")] = None,
    batch: Annotated[str | None, typer.Option(help="Only this batch's")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="The next_cursor of the page before")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every page")] = False,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """List documents, newest first, a page at a time (--cursor for the next one)."""
    filters: dict[str, Any] = {"status": status, "type": kind, "q": query, "batch_id": batch}
    with reporting(as_json), connected(profile) as client:
        if every:
            items = list(client.documents.list(limit=limit, **filters))
            next_cursor = None
        else:
            page = client.documents.page(cursor=cursor, limit=limit, **filters)
            items, next_cursor = page.items, page.next_cursor
    if as_json:
        emit_json(
            {
                "items": [item.model_dump(mode="json", by_alias=True) for item in items],
                "next_cursor": next_cursor,
            }
        )
        return
    stdout.print(document_table(items) if items else "No document")
    if next_cursor:
        stderr.print(f"More: folio remote ls --cursor {next_cursor}")


@remote.command()
def get(
    document_id: Annotated[str, typer.Argument(help="doc_…")],
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """A document's status, stages and summary."""
    with reporting(as_json), connected(profile) as client:
        document = client.documents.get(document_id)
    if as_json:
        emit_json(document)
        return
    stdout.print(document_table([document]))
    for stage in document.stages:
        stdout.print(f"  {stage.name}: {stage.status}")
    if document.error is not None:
        stdout.print(f"  error: {escape(document.error.code)}: {escape(document.error.message)}")


@remote.command()
def results(
    document_id: Annotated[str, typer.Argument(help="doc_…")],
    text: Annotated[bool, typer.Option("--text", help="The plain text instead")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="The text as Markdown")] = False,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """A processed document's results (JSON), or its text or Markdown."""
    with reporting(as_json), connected(profile) as client:
        if text or markdown:
            body = (client.documents.markdown if markdown else client.documents.text)(document_id)
            if as_json:
                emit_json({"document_id": document_id, "text": body})
            else:
                sys.stdout.write(body if body.endswith("\n") else body + "\n")
            return
        found = client.documents.results(document_id)
    if as_json:
        emit_json(found)
    else:
        stdout.print_json(found.model_dump_json(by_alias=True))


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint=option) from None


EXPORT_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".ndjson": "ndjson"}


@remote.command()
def export(
    output: Annotated[Path, typer.Argument(help="File to write (its suffix gives the format)")],
    template: Annotated[str, typer.Option(help="The template whose extractions")],
    export_format: Annotated[
        str | None, typer.Option("--format", help="xlsx, csv, json or ndjson")
    ] = None,
    batch: Annotated[list[str] | None, typer.Option(help="Only this batch's; repeatable")] = None,
    since: Annotated[str | None, typer.Option(help="Documents created on or after (date)")] = None,
    until: Annotated[str | None, typer.Option(help="Documents created on or before (date)")] = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export a template's extracted fields to a file, streamed."""
    chosen = export_format or EXPORT_FORMATS.get(output.suffix.lower())
    if chosen is None:
        raise typer.BadParameter("give --format, or a file ending .xlsx/.csv/.json/.ndjson")
    dates = [parse_date(value, name) for value, name in ((since, "--since"), (until, "--until"))]
    partial = output.with_name(output.name + ".part")
    with reporting(as_json), connected(profile) as client:
        try:
            written = client.exports.extractions(
                partial,
                template=template,
                format=chosen,
                batch_ids=batch,
                start_date=dates[0],
                end_date=dates[1],
            )
        except BaseException:
            partial.unlink(missing_ok=True)  # never half a file under the asked name
            raise
        partial.replace(output)
    if as_json:
        emit_json({"path": str(output), "bytes": written, "format": chosen})
    else:
        stdout.print(f"Wrote {written} bytes to {escape(str(output))}")


# -- events ----------------------------------------------------------------------------------


def event_line(event: EventRead) -> str:
    data = event.data
    subject = data.get("document_id") or data.get("batch_id") or data.get("job_id") or ""
    detail = data.get("stage") or data.get("status") or ""
    return f"{event.created_at:%H:%M:%S}  {event.type:<22} {subject} {detail}".rstrip()


async def stream_events(
    profile: str | None,
    channel: str,
    since: str | None,
    types: list[str],
    count: int | None,
    as_json: bool,
) -> int:
    shown = 0
    async with connected_async(profile) as client:
        async for event in client.events.stream(channel=channel, last_event_id=since):
            if types and not any(event.type.startswith(prefix) for prefix in types):
                continue
            if as_json:
                emit_json(event)
            else:
                stdout.print(escape(event_line(event)))
            shown += 1
            if count is not None and shown >= count:
                break
    return shown


@remote.command()
def watch(
    document: Annotated[str | None, typer.Option(help="Only this document's events")] = None,
    batch: Annotated[str | None, typer.Option(help="Only this batch's events")] = None,
    event_type: Annotated[
        list[str] | None, typer.Option("--type", help="Type or prefix (document.); repeatable")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Replay the events after this event id first")
    ] = None,
    count: Annotated[int | None, typer.Option(min=1, help="Stop after this many")] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stream the team's events to the terminal as they happen (Ctrl-C to stop)."""
    channel = f"document:{document}" if document else f"batch:{batch}" if batch else "team"
    job = stream_events(profile, channel, since, event_type or [], count, as_json)
    with reporting(as_json):
        try:
            asyncio.run(asyncio.wait_for(job, timeout) if timeout else job)
        except TimeoutError:
            if count is not None:
                fail(Exit.TIMEOUT, f"fewer than {count} events in {timeout:g} s", as_json=as_json)
        except KeyboardInterrupt:
            pass


__all__ = ["ProfileError", "remote"]

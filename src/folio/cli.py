"""``folio serve | migrate | worker | process | backup | restore | settings``, and the
``admin`` and ``remote`` sub-commands."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from folio.admin_cli import admin
from folio.backup.manifest import BackupError
from folio.backup.s3 import (
    backup_client,
    is_s3_url,
    prune_s3_backups,
    restore_from_s3,
    upload_backup,
    verify_s3_backup,
)
from folio.backup.service import create_backup, prune_backups, restore_backup, verify_backup
from folio.config import Settings
from folio.core.datadir import DataDirLock, prepare_data_dir
from folio.core.db import Database, create_engine
from folio.core.errors import Conflict
from folio.core.settings_reference import markdown_table, plain_text, settings_reference
from folio.documents.results import results_from_pipeline
from folio.documents.schemas import DocumentChunkRead
from folio.encryption_cli import encryption
from folio.metrics import store as metrics_store
from folio.migrations import upgrade_database
from folio.pipeline import (
    DocumentResult,
    OcrEngineName,
    OcrMode,
    PipelineError,
    PipelineOptions,
    process_file,
)
from folio.pipeline.fields import BUILTINS, Template, apply_template, get_template
from folio.pipeline.intelligence import Intelligence, IntelligenceOptions, analyze
from folio.pipeline.structure import chunk_structure, document_structure, render_markdown
from folio.pipeline.structure.chunks import MIN_TOKENS

if TYPE_CHECKING:
    from fastapi import FastAPI

app = typer.Typer(
    help="Folio: self-hosted document intelligence.", no_args_is_help=True, add_completion=False
)
app.add_typer(admin, name="admin")
app.add_typer(encryption, name="encryption")
stderr = Console(stderr=True)

try:
    from folio.remote.commands import remote
except ModuleNotFoundError as missing:  # the server installed without its SDK
    if missing.name != "folio_client":
        raise

    @app.command(
        "remote",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Talk to a running server (needs folio-client)",
    )
    def remote_needs_the_client() -> None:
        stderr.print("folio remote needs the SDK: pip install ./clients/python")
        raise typer.Exit(code=1) from None

else:
    app.add_typer(remote, name="remote")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Default: ./folio-data")]


class OutputFormat(StrEnum):
    markdown = "markdown"
    chunks = "chunks"


def settings_with(**overrides: object) -> Settings:
    # pydantic validates the values; BaseSettings types its field keywords as Any
    given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default: 8000")] = None,
    data_dir: DataDir = None,
    workers: Annotated[
        int | None, typer.Option(help="Pipeline worker processes (default: CPU cores; 0 = none)")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            min=1, help="API processes on the one port (FOLIO_EXECUTOR=celery with Redis only)"
        ),
    ] = 1,
) -> None:
    """Start the API server with its pool of pipeline workers."""
    settings = settings_with(host=host, port=port, data_dir=data_dir, workers=workers)
    if processes > 1 and (settings.executor != "celery" or not settings.redis_url):
        stderr.print(
            "--processes needs FOLIO_EXECUTOR=celery and FOLIO_REDIS_URL: the embedded pool, "
            "its events and its data directory belong to one process"
        )
        raise typer.Exit(2)
    fresh_metrics(settings)
    run = functools.partial(
        uvicorn.run, log_config=None, access_log=False, timeout_graceful_shutdown=10
    )
    if processes == 1:
        run(serving_app(settings), host=settings.host, port=settings.port)
        return
    # the first admin is made once, here, not raced for by every process's start-up
    asyncio.run(_bootstrap_admin(settings))
    # each process builds its own app from the environment: the options go there first
    for name, value in (("DATA_DIR", data_dir), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"FOLIO_{name}"] = str(value)
    run(
        "folio.cli:serving_app",
        factory=True,
        workers=processes,
        host=settings.host,
        port=settings.port,
    )


async def _bootstrap_admin(settings: Settings) -> None:
    from folio.auth.bootstrap import announce, bootstrap_admin

    database = Database(settings.resolved_database_url, pool_size=1)
    try:
        async with database.session() as session:
            credentials = await bootstrap_admin(session, settings.admin_email, settings)
    finally:
        await database.dispose()
    if credentials is not None:
        sys.stderr.write(announce(credentials))


def serving_app(settings: Settings | None = None) -> FastAPI:
    from folio.app import create_app  # the web stack is only loaded when serving

    application = create_app(settings)
    # built once here, not by the first write request (the audit log names routes from it)
    application.openapi()
    # The ~300k objects of the imported libraries live as long as the process: a full collection
    # that walks them pauses every request for ~150 ms under load, so they leave the collector.
    gc.collect()
    gc.freeze()
    return application


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Create or upgrade the database schema (FOLIO_DATABASE_URL, or SQLite in the data dir)."""
    settings = settings_with(data_dir=data_dir)
    prepare_data_dir(settings.data_dir)

    async def run() -> None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    stderr.print(f"database is at the latest schema ({_redacted(settings)})")


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Jobs run at once (one process each)")
    ] = 2,
    queues: Annotated[
        str | None,
        typer.Option(help="Comma-separated: folio.high,folio.normal,folio.low (default: all)"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run pipeline jobs for FOLIO_EXECUTOR=celery servers (a Celery worker on Redis)."""
    from folio.workers.celery_worker import run_worker  # Celery is only loaded by workers

    settings = settings_with(data_dir=data_dir)
    metrics_store.enable(settings.metrics_path)  # the API's scrape adds these up (same host)
    wanted = [name.strip() for name in queues.split(",") if name.strip()] if queues else None
    run_worker(settings, concurrency=concurrency, queues=wanted)


@app.command()
def backup(
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Directory to make a folio-backup-<time>/ in, or s3://bucket/prefix to upload "
            "folio-backup-<time>.tar to (FOLIO_S3_* endpoint and keys)",
        ),
    ] = None,
    verify: Annotated[
        str | None,
        typer.Option("--verify", help="Check a backup's checksums instead (a directory or s3://)"),
    ] = None,
    keep: Annotated[
        int | None, typer.Option(min=1, help="Then delete the oldest backups in --to beyond N")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Back up the database (a consistent snapshot, also while the server runs), the blobs and
    the signing keys, with a manifest of checksums; or verify a backup."""
    if (to is None) == (verify is None):
        raise typer.BadParameter("give one of --to DIR|s3://… or --verify BACKUP")
    settings = settings_with(data_dir=data_dir)
    with _backup_errors():
        if verify is not None:
            manifest = (
                verify_s3_backup(settings, verify)
                if is_s3_url(verify)
                else verify_backup(Path(verify))
            )
            print(json.dumps({"verified": verify, "files": len(manifest.files)}))
            return
        assert to is not None
        print(
            json.dumps(
                _backup_s3(settings, to, keep)
                if is_s3_url(to)
                else _backup_dir(settings, Path(to), keep)
            )
        )


def _backup_dir(settings: Settings, to: Path, keep: int | None) -> dict[str, object]:
    made = create_backup(settings, to)
    if keep is not None:
        prune_backups(to, keep)
    return {
        "path": str(made.path),
        "files": len(made.manifest.files),
        "bytes": made.manifest.total_bytes,
        "seconds": round(made.seconds, 3),
    }


def _backup_s3(settings: Settings, to: str, keep: int | None) -> dict[str, object]:
    client = backup_client(settings)
    made = upload_backup(settings, to, client)
    removed = prune_s3_backups(client, to, keep) if keep is not None else []
    return {
        "url": made.url,
        "files": len(made.manifest.files),
        "bytes": made.bytes,
        "seconds": round(made.seconds, 3),
        "pruned": removed,
    }


@app.command()
def restore(
    from_: Annotated[
        str,
        typer.Option(
            "--from",
            help="The folio-backup-<time> directory, an s3://…/folio-backup-<time>.tar object, "
            "or an s3:// prefix (its newest backup)",
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """Restore a backup into an empty data directory (and empty database, with PostgreSQL);
    every checksum is checked before anything is written."""
    settings = settings_with(data_dir=data_dir)
    with _backup_errors():
        if is_s3_url(from_):
            manifest = restore_from_s3(settings, from_)
        else:
            manifest = restore_backup(settings, Path(from_))
    stderr.print(
        f"restored {len(manifest.files)} files from {from_} (schema {manifest.alembic_revision}) "
        f"into {settings.data_dir}; start the server on it"
    )


@contextlib.contextmanager
def _backup_errors() -> Iterator[None]:
    try:
        yield
    except BackupError as error:
        stderr.print(f"[red]backup error[/red]: {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from error


@app.command("settings")
def settings_command(
    markdown: Annotated[bool, typer.Option("--markdown", help="A Markdown table")] = False,
    prefix: Annotated[
        list[str] | None,
        typer.Option(help="Only settings starting with this (e.g. CRAWLER_); repeatable"),
    ] = None,
) -> None:
    """Print every FOLIO_* setting with its type, default and description."""
    docs = settings_reference(tuple(prefix or ()))
    typer.echo(markdown_table(docs) if markdown else plain_text(docs), nl=False)


def fresh_metrics(settings: Settings) -> None:
    """This run's processes share one metrics directory, emptied first: unless a server
    already runs on the data directory (that one keeps its samples; this start will fail), or
    the directory came from PROMETHEUS_MULTIPROC_DIR, whose owner empties it (processes
    started by another one inherit it, and emptying it under them unlinks the files they
    are still writing to)."""
    inherited = bool(os.environ.get(metrics_store.ENV))
    directory = metrics_store.enable(settings.metrics_path)
    if inherited:
        return
    lock = DataDirLock(settings.data_dir)
    try:
        lock.acquire()
    except Conflict:
        return
    try:
        metrics_store.wipe(directory)
    finally:
        lock.release()


def _redacted(settings: Settings) -> str:
    url = settings.resolved_database_url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if "@" in rest else url


@app.command()
def process(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    ocr: Annotated[
        OcrMode,
        typer.Option(
            help="OCR pages without a text layer (auto), every page (force) or none (off)"
        ),
    ] = OcrMode.auto,
    ocr_engine: Annotated[
        OcrEngineName, typer.Option(help="auto picks per page; or tesseract, rapidocr")
    ] = OcrEngineName.auto,
    language: Annotated[list[str] | None, typer.Option(help="ISO 639-1 hint, repeatable")] = None,
    password: Annotated[str | None, typer.Option(help="Password of encrypted PDFs")] = None,
    analysis: Annotated[bool, typer.Option(help="Classify, find entities, PII, insights")] = True,
    compliance: Annotated[
        list[str] | None, typer.Option(help="gdpr, hipaa, sox, pci_dss; repeatable")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="One JSON object per file, as GET /documents/{id}/results"),
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            help="Extract the fields of a template instead: a built-in "
            f"({', '.join(BUILTINS)}) or a template JSON file; analysis is skipped"
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            help="markdown: the text as Markdown; chunks: one JSON object per retrieval chunk "
            "(as GET /documents/{id}/chunks); analysis is skipped",
        ),
    ] = None,
    max_tokens: Annotated[
        int, typer.Option(min=MIN_TOKENS, max=8192, help="--format chunks: tokens per chunk")
    ] = 512,
    overlap: Annotated[
        int, typer.Option(min=0, help="--format chunks: tokens a cut paragraph repeats")
    ] = 0,
) -> None:
    """Run the pipeline on local files, without a server."""
    if output_format is not None:
        if overlap * 2 >= max_tokens:
            raise typer.BadParameter(
                "must be less than half of --max-tokens", param_hint="--overlap"
            )
        analysis = False
    if template is not None:
        analysis = False
        extraction_template = _load_template(template)
    options = PipelineOptions(
        ocr=ocr, ocr_engine=ocr_engine, languages=tuple(language or ()), password=password
    )
    understanding = (
        IntelligenceOptions(security_scan=True, compliance_frameworks=tuple(compliance or ()))
        if analysis
        else None
    )
    failures = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=len(files) < 2,
    ) as progress:
        task = progress.add_task("processing", total=len(files))
        for path in files:
            progress.update(task, description=path.name)
            if template is not None:
                failures += not _extract_one(path, options, extraction_template, as_json=as_json)
            elif output_format is not None:
                failures += not _structure_one(path, options, output_format, max_tokens, overlap)
            else:
                failures += not _process_one(path, options, understanding, as_json=as_json)
            progress.advance(task)
    raise typer.Exit(code=1 if failures else 0)


def _load_template(reference: str) -> Template:
    if reference in BUILTINS:
        return get_template(reference)
    path = Path(reference)
    if not path.is_file():
        raise typer.BadParameter(
            f"not a built-in ({', '.join(BUILTINS)}) nor a file", param_hint="--template"
        )
    try:
        return Template.model_validate_json(path.read_bytes())
    except ValueError as error:
        raise typer.BadParameter(f"{path} is not a valid template: {error}") from error


def _extract_one(
    path: Path, options: PipelineOptions, template: Template, *, as_json: bool
) -> bool:
    """Prints the template's fields: value, raw text, confidence, page and box of each."""
    try:
        result = process_file(path, options, filename=path.name)
    except PipelineError as error:
        _print_failure(path, error, as_json=as_json)
        return False
    extraction = apply_template(result, template)
    if as_json:
        body = {"filename": path.name, "values": extraction.values()}
        body.update(extraction.model_dump(mode="json"))
        sys.stdout.write(json.dumps(body, ensure_ascii=False, default=str) + "\n")
    else:
        stderr.print(f"[bold]{path.name}[/bold]: template {template.name} v{template.version}")
        for name, value in extraction.values().items():
            sys.stdout.write(f"{name}: {json.dumps(value, ensure_ascii=False, default=str)}\n")
    return True


def _structure_one(
    path: Path, options: PipelineOptions, output_format: OutputFormat, max_tokens: int, overlap: int
) -> bool:
    """Prints the document as Markdown, or its chunks as JSON lines."""
    try:
        result = process_file(path, options, filename=path.name)
    except PipelineError as error:
        _print_failure(path, error, as_json=output_format is OutputFormat.chunks)
        return False
    structure = document_structure(result)
    if output_format is OutputFormat.markdown:
        sys.stdout.write(render_markdown(structure) + "\n")
        return True
    for index, chunk in enumerate(chunk_structure(structure, max_tokens, overlap)):
        line = {"filename": path.name, **DocumentChunkRead.of(index, chunk).model_dump(mode="json")}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return True


def _process_one(
    path: Path,
    options: PipelineOptions,
    understanding: IntelligenceOptions | None,
    *,
    as_json: bool,
) -> bool:
    try:
        result = process_file(path, options, filename=path.name)
    except PipelineError as error:
        _print_failure(path, error, as_json=as_json)
        return False
    intelligence = analyze(result, understanding, path=path) if understanding else None
    if as_json:
        document = results_from_pipeline(result, filename=path.name, intelligence=intelligence)

        sys.stdout.write(document.model_dump_json() + "\n")
    else:
        _print_summary(path, result, intelligence)
    return True


def _print_failure(path: Path, error: PipelineError, *, as_json: bool) -> None:
    if as_json:
        failure = {
            "filename": path.name,
            "error": {"code": error.code, "message": error.message, "retryable": error.retryable},
        }
        sys.stdout.write(json.dumps(failure) + "\n")
    stderr.print(f"[red]{path.name}: {error.code}[/red] {error.message}")


def _print_summary(path: Path, result: DocumentResult, intelligence: Intelligence | None) -> None:
    meta = result.metadata
    ocr = f", OCR on {result.ocr.pages_ocr} page(s)" if result.ocr.pages_ocr else ""
    stderr.print(
        f"[bold]{path.name}[/bold]: {result.kind}, {meta.page_count} page(s), "
        f"{meta.word_count} words, language {meta.language or '?'}{ocr}"
    )
    if intelligence is not None and intelligence.classification is not None:
        pii = intelligence.pii.types if intelligence.pii else []
        stderr.print(
            f"  type {intelligence.classification.document_type}, "
            f"{len(intelligence.entities)} entities, PII: {', '.join(pii) or 'none'}"
        )
    sys.stdout.write(result.text.replace("\f", "\n\n") + "\n")


if __name__ == "__main__":
    app()

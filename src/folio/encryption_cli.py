"""``folio encryption``: make a key, and re-encrypt stored values with the active key."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from folio.config import Settings
from folio.core import crypto
from folio.core.crypto import EncryptionError
from folio.core.datadir import prepare_data_dir
from folio.core.db import Database
from folio.encryption.service import ColumnReport, RotationReport, rotate
from folio.migrations import upgrade_database

encryption = typer.Typer(
    help="Field-level encryption at rest (FOLIO_ENCRYPTION_KEYS): new keys and rotation.",
    no_args_is_help=True,
)
stderr = Console(stderr=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Default: ./folio-data")]


@encryption.command("new-key")
def new_key(
    key_id: Annotated[str, typer.Argument(help="The id to give it, e.g. 2026-12")],
) -> None:
    """Print a new random key as a FOLIO_ENCRYPTION_KEYS entry (JSON)."""
    try:
        crypto.parse_key(key_id, crypto.new_key())  # checks the id
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    print(json.dumps({key_id: crypto.new_key()}))


@encryption.command("rotate")
def rotate_command(data_dir: DataDir = None) -> None:
    """Re-encrypt every stored value that is not under the active key (values under older
    keys, and plaintext stored before encryption was on). Safe while the server runs, and
    resumable: a second run skips what the first finished. Prints the counts as JSON."""
    try:
        settings = Settings(data_dir=data_dir) if data_dir else Settings()
    except ValidationError as error:
        stderr.print(f"[red]settings error[/red]: {error}")
        raise typer.Exit(2) from error
    prepare_data_dir(settings.data_dir)
    ring = settings.keyring()
    crypto.install(ring)

    def progress(column: ColumnReport) -> None:
        stderr.print(f"{column.table}.{column.column}: {column.rewritten}/{column.scanned}")

    async def run() -> RotationReport:
        database = Database(settings.resolved_database_url)
        try:
            await upgrade_database(database.engine)
            return await rotate(database, ring, on_batch=progress)
        finally:
            await database.dispose()

    try:
        report = asyncio.run(run())
    except EncryptionError as error:
        stderr.print(f"[red]encryption error[/red]: {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from error
    print(json.dumps({**asdict(report), "rewritten": report.rewritten}))

"""Exports of stored extractions: Excel (Sale_Deeds or generic), CSV, JSON and NDJSON.

CSV, JSON and NDJSON are streamed as they are read, a chunk of documents at a time, each chunk
in its own short read session. Excel needs the whole workbook before its first byte, so it is
written (write-only openpyxl) to a spooled temporary file and streamed from there.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.exports.repository import ExportRepository
from folio.exports.schemas import (
    MEDIA_TYPES,
    ExportFilters,
    ExportFormat,
    ExportLayout,
    export_filename,
)
from folio.pipeline.cells import inert_row
from folio.pipeline.fields import Template
from folio.pipeline.fields.exports import (
    SALE_DEED_COLUMNS,
    flatten,
    sale_deed_rows,
    write_generic_xlsx,
    write_sale_deeds_xlsx,
)
from folio.pipeline.fields.exports.flatten import LABEL_COLUMNS, DocumentLabels, template_columns
from folio.pipeline.fields.review import review_marks
from folio.templates.service import template as template_service

CHUNK_DOCUMENTS = 200
FILE_CHUNK = 64 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
SALE_DEED_TEMPLATE = "sale_deed"


class Record(NamedTuple):
    """One document's extracted values, with its tags, custom fields and review marks."""

    document_id: str
    values: dict[str, Any]
    labels: DocumentLabels


@dataclass
class ExportStream:
    filename: str
    media_type: str
    chunks: AsyncIterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)


async def stream_file(handle: IO[bytes]) -> AsyncIterator[bytes]:
    """Yields a finished temporary file and closes it (which removes it)."""
    try:
        handle.seek(0)
        while chunk := await anyio.to_thread.run_sync(handle.read, FILE_CHUNK):
            yield chunk
    finally:
        handle.close()


def spooled() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # closed by stream_file


def _csv_text(rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(inert_row(row) for row in rows)
    return buffer.getvalue().encode()


class ExportService:
    async def extractions(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        *,
        filters: ExportFilters,
        template: str,
        export_format: ExportFormat,
        layout: ExportLayout | None,
    ) -> ExportStream:
        filters.check()
        resolved = (await template_service.resolve(session, principal, template)).template
        layout = self._layout(resolved, layout)
        repository = ExportRepository.from_session(session)
        names = await repository.batch_names(principal, filters.batch_ids)
        unknown = [b for b in filters.batch_ids if b not in names]
        if unknown:
            raise NotFound(f"No batch {', '.join(unknown)}.")
        ids = await repository.extraction_ids(principal, filters, resolved.name)
        if not ids:
            raise NotFound(
                f"No documents with a {resolved.name!r} extraction match the selected criteria."
            )
        records = self._records(runtime, principal, ids)
        return ExportStream(
            filename=export_filename(filters, [names[b] for b in filters.batch_ids], export_format),
            media_type=MEDIA_TYPES[export_format],
            chunks=self._encode(records, resolved, export_format, layout),
        )

    def _layout(self, template: Template, layout: ExportLayout | None) -> ExportLayout:
        is_deed = template.name == SALE_DEED_TEMPLATE
        if layout is None:
            return ExportLayout.sale_deeds if is_deed else ExportLayout.generic
        if layout == ExportLayout.sale_deeds and not is_deed:
            raise ValidationFailed(
                [FieldError("layout", "needs_sale_deed", "The sale_deeds layout needs sale_deed.")]
            )
        return layout

    async def _records(
        self, runtime: Runtime, principal: Principal, extraction_ids: Sequence[str]
    ) -> AsyncIterator[list[Record]]:
        review_below = runtime.settings.extraction_review_below
        for start in range(0, len(extraction_ids), CHUNK_DOCUMENTS):
            chunk = extraction_ids[start : start + CHUNK_DOCUMENTS]
            async with runtime.db.session(write=False) as session:
                repository = ExportRepository.from_session(session)
                rows = await repository.values(principal, chunk)
                labels = await repository.labels(principal, [row[0] for row in rows])
            records = []
            for doc_id, values, fields in rows:
                tags, custom_fields = labels.get(doc_id, ([], {}))
                marks = review_marks(fields, review_below)
                label = DocumentLabels(tags, custom_fields, marks.needs_review, marks.corrected)
                records.append(Record(doc_id, values, label))
            yield records

    def _encode(
        self,
        records: AsyncIterator[list[Record]],
        template: Template,
        export_format: ExportFormat,
        layout: ExportLayout,
    ) -> AsyncIterator[bytes]:
        if export_format == ExportFormat.xlsx:
            return self._xlsx(records, template, layout)
        if export_format == ExportFormat.csv:
            return self._csv(records, template, layout)
        return self._json(records, lines=export_format == ExportFormat.ndjson)

    async def _xlsx(
        self, records: AsyncIterator[list[Record]], template: Template, layout: ExportLayout
    ) -> AsyncIterator[bytes]:
        collected: list[tuple[str, dict[str, Any]]] = []
        labels: dict[str, DocumentLabels] = {}
        async for chunk in records:
            collected.extend((record.document_id, record.values) for record in chunk)
            labels.update((record.document_id, record.labels) for record in chunk)
        handle = spooled()

        def write() -> None:
            if layout == ExportLayout.sale_deeds:
                write_sale_deeds_xlsx((values for _, values in collected), handle, labels)
            else:
                write_generic_xlsx(collected, handle, template, labels)

        await anyio.to_thread.run_sync(write)
        async for piece in stream_file(handle):
            yield piece

    async def _csv(
        self, records: AsyncIterator[list[Record]], template: Template, layout: ExportLayout
    ) -> AsyncIterator[bytes]:
        if layout == ExportLayout.sale_deeds:
            yield _csv_text([SALE_DEED_COLUMNS])
            number = 0
            async for chunk in records:
                rows = list(sale_deed_rows(record.values for record in chunk))
                for row in rows:
                    number += 1
                    row[0] = number
                yield _csv_text(rows)
            return
        columns = template_columns(template)
        yield _csv_text([["document", *columns, *LABEL_COLUMNS]])
        async for chunk in records:
            yield _csv_text([self._flat_row(record, columns) for record in chunk])

    def _flat_row(self, record: Record, columns: list[str]) -> list[Any]:
        flat = flatten(record.values)
        cells = record.labels.cells()
        return [record.document_id, *(flat.get(column) for column in columns), *cells]

    async def _json(
        self, records: AsyncIterator[list[Record]], *, lines: bool
    ) -> AsyncIterator[bytes]:
        first = True
        if not lines:
            yield b"["
        async for chunk in records:
            parts = []
            for record in chunk:
                labels = record.labels
                labelled = {
                    "document": record.document_id,
                    "tags": labels.tags,
                    "custom_fields": labels.custom_fields,
                    "needs_review": labels.needs_review,
                    "corrected": labels.corrected,
                    **record.values,
                }
                text = json.dumps(labelled, ensure_ascii=False, default=str).encode()
                parts.append(text + b"\n" if lines else (b"\n" if first else b",\n") + text)
                first = False
            yield b"".join(parts)
        if not lines:
            yield b"\n]\n"


export = ExportService()

"""CSV, JSON and NDJSON exports, written record by record to a binary stream or a path."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from folio.pipeline.cells import inert_cell, inert_row
from folio.pipeline.fields.exports.flatten import Record, flatten, template_columns
from folio.pipeline.fields.types import ExtractionResult, Template

Dest = str | Path | IO[bytes]


@contextmanager
def _binary(dest: Dest) -> Iterator[IO[bytes]]:
    if isinstance(dest, str | Path):
        with open(dest, "wb") as handle:
            yield handle
    else:
        yield dest


def _document(doc_id: str, extraction: Any, full: bool) -> dict[str, Any]:
    if isinstance(extraction, ExtractionResult):
        body = extraction.model_dump(mode="json") if full else extraction.values()
    else:
        body = dict(extraction)
    return {"document": doc_id, **({"result": body} if full else body)}


def write_ndjson(records: Iterable[Record], dest: Dest, *, full: bool = False) -> int:
    """One JSON object per line; ``full`` adds raw text, boxes, confidences and validation."""
    count = 0
    with _binary(dest) as out:
        for doc_id, extraction in records:
            line = json.dumps(_document(doc_id, extraction, full), ensure_ascii=False, default=str)
            out.write(line.encode() + b"\n")
            count += 1
    return count


def write_json(records: Iterable[Record], dest: Dest, *, full: bool = False) -> int:
    """A JSON array, streamed item by item."""
    count = 0
    with _binary(dest) as out:
        out.write(b"[")
        for doc_id, extraction in records:
            item = json.dumps(_document(doc_id, extraction, full), ensure_ascii=False, default=str)
            out.write((b",\n" if count else b"\n") + item.encode())
            count += 1
        out.write(b"\n]\n")
    return count


def write_csv(records: Iterable[Record], dest: Dest, template: Template | None = None) -> int:
    """One row per document, columns flattened (``property.pincode``, ``line_items.count``).
    Without a template the first record decides the columns."""
    records = iter(records)
    first = next(records, None)
    count = 0
    with _binary(dest) as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            if first is None:
                csv.writer(text).writerow(["document"])
                return 0
            values = first[1].values() if isinstance(first[1], ExtractionResult) else first[1]
            columns = template_columns(template) if template else list(flatten(values))
            writer = csv.DictWriter(text, ["document", *columns], extrasaction="ignore")
            csv.writer(text).writerow(inert_row(writer.fieldnames))
            for doc_id, extraction in itertools.chain([first], records):
                vals = (
                    extraction.values() if isinstance(extraction, ExtractionResult) else extraction
                )
                cells = {key: inert_cell(value) for key, value in flatten(vals).items()}
                writer.writerow({"document": doc_id, **cells})
                count += 1
        finally:
            text.detach()
    return count

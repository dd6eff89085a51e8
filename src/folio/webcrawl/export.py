"""Dataset writers: a ZIP (images + manifest.csv + manifest.jsonl), WebDataset tar shards
(``{key}.{ext}`` + ``{key}.json`` + ``{key}.txt``) bundled in one tar, and a Parquet manifest
(optionally with the image bytes). Rows are split train/val/test by ratio with a seed."""

from __future__ import annotations

import csv
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from folio.pipeline.cells import inert_cell

MANIFEST_COLUMNS = (
    "id",
    "file",
    "split",
    "label",
    "width",
    "height",
    "format",
    "bytes",
    "sha256",
    "phash",
    "source_url",
    "page_url",
    "license",
    "license_url",
    "creator",
    "attribution",
    "title",
    "alt_text",
)
SPLITS = ("train", "val", "test")
ReadBlob = Callable[[str], bytes]


def assign_splits(ids: Sequence[str], ratios: dict[str, float], seed: int) -> dict[str, str]:
    """Shuffles the sorted ids with ``seed`` and cuts them by ratio: the same images, ratios
    and seed always give the same split."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    total = sum(ratios.get(name, 0.0) for name in SPLITS) or 1.0
    result, start = {}, 0
    for position, name in enumerate(SPLITS):
        share = ratios.get(name, 0.0) / total
        end = len(order) if position == len(SPLITS) - 1 else start + round(share * len(order))
        for image_id in order[start:end]:
            result[image_id] = name
        start = end
    return result


def extension(fmt: str) -> str:
    return "jpg" if fmt == "jpeg" else fmt


def with_files(rows: Iterable[dict[str, Any]], splits: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        split = splits[row["id"]]
        out.append(
            {
                **row,
                "split": split,
                "file": f"images/{split}/{row['id']}.{extension(row['format'])}",
            }
        )
    return out


def manifest_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: inert_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue().encode()


def manifest_jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    return "".join(
        json.dumps({c: row.get(c) for c in MANIFEST_COLUMNS}, ensure_ascii=False) + "\n"
        for row in rows
    ).encode()


def write_zip(target: Path, rows: Sequence[dict[str, Any]], read_blob: ReadBlob) -> None:
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for row in rows:  # images are compressed already: stored as they are
            archive.writestr(row["file"], read_blob(row["blob_key"]), zipfile.ZIP_STORED)
        archive.writestr("manifest.csv", manifest_csv(rows), zipfile.ZIP_DEFLATED)
        archive.writestr("manifest.jsonl", manifest_jsonl(rows), zipfile.ZIP_DEFLATED)


def write_webdataset(
    target: Path, rows: Sequence[dict[str, Any]], read_blob: ReadBlob, shard_size: int = 1000
) -> list[str]:
    """One outer tar holding ``{split}-{n:06d}.tar`` shards in the WebDataset layout."""
    names: list[str] = []
    with tarfile.open(target, "w") as outer:
        for split in SPLITS:
            members = [r for r in rows if r["split"] == split]
            for number, start in enumerate(range(0, len(members), shard_size)):
                shard = _shard(members[start : start + shard_size], read_blob)
                name = f"{split}-{number:06d}.tar"
                _add(outer, name, shard)
                names.append(name)
        _add(outer, "manifest.jsonl", manifest_jsonl(rows))
    return names


def _shard(rows: Sequence[dict[str, Any]], read_blob: ReadBlob) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as shard:
        for row in rows:
            key = row["id"]
            metadata = {c: row.get(c) for c in MANIFEST_COLUMNS if c != "file"}
            _add(shard, f"{key}.{extension(row['format'])}", read_blob(row["blob_key"]))
            _add(shard, f"{key}.json", json.dumps(metadata, ensure_ascii=False).encode())
            _add(shard, f"{key}.txt", (row.get("alt_text") or row.get("title") or "").encode())
            if row.get("label"):
                _add(shard, f"{key}.cls", str(row["label"]).encode())
    return buffer.getvalue()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_parquet(
    target: Path,
    rows: Sequence[dict[str, Any]],
    read_blob: ReadBlob | None = None,
) -> None:
    columns: dict[str, list[Any]] = {c: [row.get(c) for row in rows] for c in MANIFEST_COLUMNS}
    schema = [
        (c, pa.int64() if c in ("width", "height", "bytes") else pa.string())
        for c in MANIFEST_COLUMNS
    ]
    if read_blob is not None:
        columns["image"] = [read_blob(row["blob_key"]) for row in rows]
        schema.append(("image", pa.binary()))
    table = pa.table(columns, schema=pa.schema(schema))
    pq.write_table(table, target, compression="zstd")

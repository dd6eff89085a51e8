"""Backup time and size for a live server with N uploaded documents, next to plain copies.

    python bench/backup.py [--quick] [--documents N]

A real ``folio serve`` (workers off: uploads only, so no results are computed and the database
holds document and job rows) gets N distinct corpus files (1,000 with --quick, else 5,000) over
HTTP. While it runs, this process times, on the same data:

- ``folio backup`` (``folio.backup.service.create_backup``: SQLite online backup, blobs hashed
  while copied, manifest) and ``folio backup --verify`` (every checksum re-read);
- anchor 1: ``sqlite3 folio.db .backup`` plus ``cp -a blobs`` (the manual procedure);
- anchor 2: ``cp -a`` of the whole data directory (not consistent while the server writes).

Prints a table and writes ``bench/results/backup.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import corpus_files
from _server import folio_process
from folio.backup.service import create_backup, verify_backup
from folio.config import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "backup.json"
UNLIMITED_QUOTAS = json.dumps(
    {"free": {"api_calls": None, "documents_processed": None, "storage_bytes": None}}
)


def upload_all(url: str, key: str, count: int) -> None:
    files = corpus_files(max_bytes=1024 * 1024)
    bodies = [(path.name, path.read_bytes()) for path in files]

    def one(index: int) -> None:
        name, body = bodies[index % len(bodies)]
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as client:
            unique = body + f"\n% copy {index}\n".encode()  # distinct content: a blob each
            response = client.post("/api/v1/documents", files={"file": (name, unique)})
            response.raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def size_of(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def measure(data_dir: Path, scratch: Path) -> dict[str, dict[str, float]]:
    made = create_backup(Settings(data_dir=data_dir), scratch / "folio")
    started = time.perf_counter()
    verify_backup(made.path)
    verify_s = time.perf_counter() - started
    manual = scratch / "manual"
    manual.mkdir()
    sqlite_s = timed(["sqlite3", str(data_dir / "folio.db"), f".backup {manual / 'folio.db'}"])
    blobs_s = timed(["cp", "-a", str(data_dir / "blobs"), str(manual / "blobs")])
    copy_s = timed(["cp", "-a", str(data_dir), str(scratch / "copy")])
    return {
        "folio backup": {"seconds": made.seconds, "bytes": made.manifest.total_bytes},
        "folio backup --verify": {"seconds": verify_s, "bytes": made.manifest.total_bytes},
        "sqlite3 .backup + cp -a blobs": {"seconds": sqlite_s + blobs_s, "bytes": size_of(manual)},
        "cp -a data dir": {"seconds": copy_s, "bytes": size_of(scratch / "copy")},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int)
    args = parser.parse_args()
    count = args.documents or (1000 if args.quick else 5000)
    with folio_process(workers=0, FOLIO_QUOTA_PLANS=UNLIMITED_QUOTAS) as server:
        started = time.perf_counter()
        upload_all(server.url, server.key, count)
        upload_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            figures = measure(server.data_dir, Path(folder))
    print(f"{count} documents uploaded in {upload_s:.1f} s (server running during the backup)")
    print(f"{'':32} {'seconds':>8} {'MB':>9}")
    for name, figure in figures.items():
        print(f"{name:32} {figure['seconds']:8.2f} {figure['bytes'] / 1e6:9.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"documents": count, "figures": figures}, indent=1) + "\n")


if __name__ == "__main__":
    main()

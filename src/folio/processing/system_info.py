"""What this machine offers the pipeline: engines and versions, CPU, memory, GPU."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from folio import __version__
from folio.pipeline import engines_available

PACKAGES = (
    "pypdfium2",
    "pikepdf",
    "tesserocr",
    "rapidocr",
    "onnxruntime",
    "openpyxl",
    "reportlab",
    "Pillow",
    "spacy",
    "scikit-learn",
    "fastapi",
    "SQLAlchemy",
)


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "folio": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _proc_fields(path: str, names: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        for line in Path(path).read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in names and key.strip() not in found:
                found[key.strip()] = value.strip()
    except OSError:
        return {}
    return found


def cpu_info() -> dict[str, Any]:
    model = _proc_fields("/proc/cpuinfo", {"model name"}).get("model name") or platform.processor()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "count": os.cpu_count(),
        "model": model or None,
        "architecture": platform.machine(),
        "load_average": [round(x, 2) for x in load] if load else None,
    }


def memory_info() -> dict[str, Any]:
    fields = _proc_fields("/proc/meminfo", {"MemTotal", "MemAvailable"})

    def megabytes(key: str) -> int | None:
        value = fields.get(key, "").split()
        return int(value[0]) // 1024 if value else None

    return {"total_mb": megabytes("MemTotal"), "available_mb": megabytes("MemAvailable")}


def gpu_info() -> dict[str, Any]:
    """CUDA as the ONNX runtime (RapidOCR) sees it; the NVIDIA tool when installed."""
    try:
        import onnxruntime  # optional, and slow to import: only when asked

        providers = list(onnxruntime.get_available_providers())
    except ImportError:
        providers = []
    return {
        "cuda_available": "CUDAExecutionProvider" in providers,
        "onnx_providers": providers,
        "nvidia_smi": shutil.which("nvidia-smi") is not None,
    }


def system_info() -> dict[str, Any]:
    return {
        "engines": engines_available(),
        "versions": package_versions(),
        "cpu": cpu_info(),
        "memory": memory_info(),
        "gpu": gpu_info(),
    }

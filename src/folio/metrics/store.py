"""The multiprocess store: every process (API processes, their pipeline workers, Celery
workers) writes its samples to files in one directory, and a scrape adds them up.

Prometheus' client picks its value class when a metric's first sample is made, from the
``PROMETHEUS_MULTIPROC_DIR`` environment variable; :func:`enable` sets both before any sample
exists, and child processes inherit the variable. The first directory a process enables is
the one it keeps.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Metric, generate_latest, values
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from folio.core.datadir import OWNER_ONLY_UMASK
from folio.metrics import collectors

ENV = "PROMETHEUS_MULTIPROC_DIR"
logger = logging.getLogger("folio.metrics")


def enable(directory: Path) -> Path:
    """Turns multiprocess mode on in this process (and the children it starts later), in
    ``PROMETHEUS_MULTIPROC_DIR`` when the environment names one, else in ``directory``."""
    chosen = Path(os.environ.get(ENV) or directory)
    previous = os.umask(OWNER_ONLY_UMASK)  # it may create the data directory itself
    try:
        chosen.mkdir(parents=True, exist_ok=True, mode=0o700)
    finally:
        os.umask(previous)
    if not getattr(values.ValueClass, "_multiprocess", False):
        _forget_samples_in_memory()  # before the variable is set: clear() warns after
        os.environ[ENV] = str(chosen)
        values.ValueClass = values.MultiProcessValue()
    return chosen


def _forget_samples_in_memory() -> None:
    """Samples made before the store was on live in memory, where no scrape sees them, and
    their label sets would keep writing there: drop them so each is made again in a file."""
    for metric in vars(collectors).values():
        if isinstance(metric, MetricWrapperBase) and metric._labelnames:
            metric.clear()


def active_directory() -> Path | None:
    if not getattr(values.ValueClass, "_multiprocess", False):
        return None
    return Path(os.environ[ENV])


def wipe(directory: Path) -> None:
    """Forgets the samples of earlier runs: only before any process of this run writes."""
    if not directory.is_dir():
        return
    for path in directory.glob("*.db"):
        path.unlink(missing_ok=True)


class _ThisProcess(Collector):
    """The samples of a process that never enabled the store (a library user's)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def render(*extra: Collector) -> bytes:
    """The text exposition of every process's samples plus ``extra`` collectors."""
    registry = CollectorRegistry(auto_describe=False)
    directory = active_directory()
    if directory is not None:
        MultiProcessCollector(registry, path=str(directory))
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)

"""The multiprocess store, in fresh processes (a process picks its store once)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from folio.metrics import store

ENABLE_AND_COUNT = """
import sys
from pathlib import Path
from folio.metrics import collectors, store
chosen = store.enable(Path(sys.argv[1]))
collectors.record_webhook_delivery("succeeded")
print(chosen)
"""


def run(directory: Path, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != store.ENV} | env
    done = subprocess.run(
        [sys.executable, "-c", ENABLE_AND_COUNT, str(directory)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_fresh_data_directory_is_created_owner_only(tmp_path: Path) -> None:
    metrics = tmp_path / "new-data" / "metrics"

    assert run(metrics) == str(metrics)

    for path in (tmp_path / "new-data", metrics):  # no one else reaches the files inside
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert [p.name.split("_")[0] for p in metrics.iterdir()] == ["counter"]


def test_the_environment_variable_wins(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir()

    assert run(tmp_path / "ignored", PROMETHEUS_MULTIPROC_DIR=str(chosen)) == str(chosen)
    assert not (tmp_path / "ignored").exists()


def test_samples_of_finished_processes_add_up_and_wipe_forgets_them(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    run(directory)
    run(directory)
    assert len(list(directory.glob("counter_*.db"))) == 2

    store.wipe(directory)

    assert list(directory.iterdir()) == []


SAMPLE_BEFORE_AND_AFTER = """
import sys
from pathlib import Path
from folio.metrics import collectors, store
collectors.record_webhook_delivery("succeeded")  # e.g. a library use before any app
store.enable(Path(sys.argv[1]))
collectors.record_webhook_delivery("succeeded")
print(store.render().decode())
"""


def test_a_label_set_used_before_the_store_was_on_is_scraped_afterwards(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != store.ENV}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", SAMPLE_BEFORE_AND_AFTER, str(tmp_path / "m")],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    # before the fix the second sample went to the in-memory child and the scrape saw none
    lines = [line for line in done.stdout.splitlines() if 'outcome="succeeded"' in line]
    assert any(line.endswith(" 1.0") for line in lines), done.stdout


FRESH_METRICS = """
import sys
from pathlib import Path
from folio.cli import fresh_metrics
from folio.config import Settings
fresh_metrics(Settings(data_dir=Path(sys.argv[1])))
"""


def test_serve_leaves_an_inherited_directory_to_its_owner(tmp_path: Path) -> None:
    inherited = tmp_path / "owner"
    inherited.mkdir()
    (inherited / "counter_1.db").write_bytes(b"")  # another process's samples
    environment = {k: v for k, v in os.environ.items() if k != store.ENV}
    subprocess.run(
        [sys.executable, "-c", FRESH_METRICS, str(tmp_path / "data")],
        env=environment | {store.ENV: str(inherited)},
        check=True,
    )

    # before the fix `folio serve` emptied it, unlinking files a running process writes to
    assert (inherited / "counter_1.db").exists()

"""``folio admin set-plan``: how an operator moves a team to another plan (its rate limits,
quotas, API keys and its owners' teams), on a real data directory."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.server import FOLIO


def folio_admin(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FOLIO), "admin", *arguments, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_set_plan_moves_a_team_and_refuses_unknown_plans_and_teams(tmp_path: Path) -> None:
    created = folio_admin(
        tmp_path, "create-user", "ann@example.com", "--password", "long enough pw"
    )
    assert created.returncode == 0, created.stderr
    key = folio_admin(tmp_path, "create-key", "--user", "ann@example.com", "--json")
    team_id = json.loads(key.stdout)["team_id"]

    moved = folio_admin(tmp_path, "set-plan", team_id, "pro")
    unknown_plan = folio_admin(tmp_path, "set-plan", team_id, "platinum")
    unknown_team = folio_admin(tmp_path, "set-plan", "team_nope", "pro")

    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout) == {"id": team_id, "plan": "pro"}
    assert unknown_plan.returncode == 1 and "VALIDATION_ERROR" in unknown_plan.stderr
    assert unknown_team.returncode == 1 and "NOT_FOUND" in unknown_team.stderr

from __future__ import annotations

from pathlib import Path

from folio.core.principal import Credential, Principal
from folio.ratelimit.policy import Window, policy_for
from tests.conftest import make_settings


def principal(**fields: object) -> Principal:
    defaults: dict[str, object] = {"team_id": "team_a", "team_ids": frozenset({"team_a"})}
    return Principal(**{**defaults, **fields})  # type: ignore[arg-type]


class TestPolicyFor:
    def test_seed_tiers_are_the_defaults(self, tmp_path: Path) -> None:
        settings = make_settings(tmp_path)
        for plan, expected in {
            "free": (60, 1_000, 10_000),
            "pro": (300, 10_000, 100_000),
            "enterprise": (1_000, 50_000, 1_000_000),
        }.items():
            policy = policy_for(settings, principal(user_id="usr_1", plan=plan), "10.0.0.1")
            assert tuple(w.amount for w in policy.windows) == expected
            assert [w.name for w in policy.windows] == ["minute", "hour", "day"]

    def test_key_has_its_own_bucket_and_per_minute_limit(self, tmp_path: Path) -> None:
        settings = make_settings(tmp_path)
        key = principal(
            user_id="usr_1", key_id="key_1", credential=Credential.api_key, rate_limit_per_minute=7
        )
        policy = policy_for(settings, key, "10.0.0.1")
        assert policy.bucket == "key:key_1"
        assert policy.windows[0] == Window("minute", 60, 7)
        assert policy.windows[1].amount == 1_000  # hour and day stay the plan's

    def test_user_bucket_and_anonymous_per_ip(self, tmp_path: Path) -> None:
        settings = make_settings(tmp_path)
        assert policy_for(settings, principal(user_id="usr_1"), "10.0.0.1").bucket == "user:usr_1"
        anonymous = policy_for(settings, None, "10.0.0.9")
        assert anonymous.bucket == "ip:10.0.0.9"
        assert anonymous.windows[0].amount == 60

    def test_unknown_plan_falls_back_to_free_and_plans_are_configurable(
        self, tmp_path: Path
    ) -> None:
        settings = make_settings(
            tmp_path,
            rate_limit_plans={"free": {"minute": 5}, "gold": {"minute": 9, "day": 90}},
        )
        assert policy_for(settings, principal(user_id="u", plan="nope"), "ip").windows == (
            Window("minute", 60, 5),
        )
        gold = policy_for(settings, principal(user_id="u", plan="gold"), "ip")
        assert gold.windows == (Window("minute", 60, 9), Window("day", 86_400, 90))

"""Failed logins per client address in a sliding window (one API process; see the note in
``AuthService.login`` for accounts, which are locked in the database and so everywhere)."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class FailureWindow:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def blocked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        now = time.monotonic()
        failures = self._prune(key, now)
        if len(failures) < self.limit:
            return 0.0
        return max(0.0, failures[0] + self.window_s - now)

    def record(self, key: str) -> None:
        self._failures[key].append(time.monotonic())

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

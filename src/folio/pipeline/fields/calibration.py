"""Calibrated confidence: a locator's raw score mapped to how often such a value is right.

A map is an isotonic (monotone, pool-adjacent-violators) step function fitted on scored
extractions: ``points`` are (raw score, share right) pairs, read as "a raw score at or above
this point is right this often". ``bench/extraction.py`` fits and cross-validates them; the
built-in templates ship the maps fitted on the development corpus (``calibration.json``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).with_name("calibration.json")
MIN_SAMPLES = 8  # fewer scored values than this: the raw score is kept as it is


@dataclass(frozen=True)
class StepMap:
    points: tuple[tuple[float, float], ...]  # (raw score threshold, calibrated), increasing

    def __call__(self, score: float) -> float:
        if not self.points:
            return score
        thresholds = [p[0] for p in self.points]
        i = bisect.bisect_right(thresholds, score) - 1
        if i < 0:  # lower than any score the map was fitted on: never promoted
            return min(score, self.points[0][1])
        return self.points[i][1]


def fit_isotonic(pairs: Iterable[tuple[float, bool]], prior: float = 1.0) -> StepMap:
    """Non-decreasing map from raw score to accuracy; each block is smoothed towards 0.5 by
    ``prior`` pseudo-counts so a block of three right answers does not claim certainty."""
    ordered = sorted(pairs)
    if len(ordered) < MIN_SAMPLES:
        return StepMap(())
    blocks: list[list[float]] = []  # [first score, right, count]
    for score, ok in ordered:
        blocks.append([score, float(ok), 1.0])
        while len(blocks) > 1 and _mean(blocks[-2]) >= _mean(blocks[-1]):
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    points: list[tuple[float, float]] = []
    for b in blocks:  # smoothing may lower a small block below the one before: keep monotone
        smoothed = round((b[1] + 0.5 * prior) / (b[2] + prior), 3)
        points.append((b[0], max(smoothed, points[-1][1]) if points else smoothed))
    return StepMap(tuple(points))


def _mean(block: list[float]) -> float:
    return block[1] / block[2]


@dataclass
class Calibrator:
    maps: dict[str, StepMap] = field(default_factory=dict)  # field name → map

    def calibrate(self, name: str, method: str | None, score: float, found: bool) -> float:
        if not found:
            return 0.0
        step = self.maps.get(name)
        return round(step(score), 3) if step is not None else score

    def to_json(self) -> dict[str, list[list[float]]]:
        return {name: [list(p) for p in m.points] for name, m in self.maps.items()}

    @classmethod
    def from_json(cls, data: dict[str, list[list[float]]]) -> Calibrator:
        return cls({name: StepMap(tuple((p[0], p[1]) for p in pts)) for name, pts in data.items()})


@lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, list[list[float]]]]:
    if not SHIPPED.is_file():
        return {}
    data: dict[str, dict[str, list[list[float]]]] = json.loads(SHIPPED.read_text())
    return data


def shipped_calibrator(template: str) -> Calibrator | None:
    """The calibration shipped for a built-in template, None for others."""
    data = _shipped().get(template)
    return Calibrator.from_json(data) if data else None

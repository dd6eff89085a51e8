from __future__ import annotations

import random

from folio.analytics.histograms import BOUNDS_MS, OVERFLOW, bucket_of, percentile


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(q * len(ordered) + 0.999999) - 1)]


class TestPercentile:
    def test_empty(self) -> None:
        assert percentile({}, 0.5) is None

    def test_estimate_falls_in_the_bucket_of_the_true_value(self) -> None:
        rng = random.Random(7)
        values = [rng.lognormvariate(4, 1.2) for _ in range(5000)]
        counts: dict[int, int] = {}
        for value in values:
            counts[bucket_of(value)] = counts.get(bucket_of(value), 0) + 1
        for q in (0.5, 0.95, 0.99):
            truth = exact(values, q)
            index = bucket_of(truth)
            lower = 0.0 if index == 0 else BOUNDS_MS[index - 1]
            estimate = percentile(counts, q)
            assert estimate is not None
            assert lower <= estimate <= BOUNDS_MS[index], (q, truth, estimate)

    def test_interpolates_inside_one_bucket(self) -> None:
        # 100 values in (100, 200]: the median is half-way through that bucket
        assert percentile({bucket_of(150): 100}, 0.5) == 150.0

    def test_overflow_answers_the_last_bound(self) -> None:
        assert bucket_of(10 * BOUNDS_MS[-1]) == OVERFLOW
        assert percentile({OVERFLOW: 3}, 0.99) == BOUNDS_MS[-1]

    def test_bounds_are_inclusive_upper(self) -> None:
        assert bucket_of(100) == BOUNDS_MS.index(100)
        assert bucket_of(100.5) == BOUNDS_MS.index(200)

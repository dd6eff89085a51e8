"""Span matching at character IoU, as the benchmark scores it."""

from __future__ import annotations

Span = tuple[int, int, str]


def iou(a: Span, b: Span) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def matched(gold: list[Span], pred: list[Span], threshold: float = 0.9) -> int:
    """Greedy one-to-one matches of the same class with IoU ≥ ``threshold``."""
    pairs = sorted(
        (
            (iou(g, p), gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(pred)
            if g[2] == p[2]
        ),
        reverse=True,
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    for score, gi, pi in pairs:
        if score >= threshold and gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
    return len(used_g)

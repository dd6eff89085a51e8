"""De-duplication: exact (SHA-256 of the bytes) and perceptual (64-bit pHash within a Hamming
distance).

The perceptual index is a packed ``uint64`` array searched with one vectorised XOR +
popcount: ~250 µs per lookup at 100,000 hashes on this (shared, loaded) 2-core machine, and
linear beyond. A pure-Python multi-index hash table (Norouzi et al. 2012, four 16-bit parts)
was measured here first and was ten times slower at 100,000: the probing loop runs in the
interpreter, the scan runs in C.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BITS = 64
INITIAL_CAPACITY = 1024


@dataclass(frozen=True)
class Match:
    image_id: str
    distance: int


class PerceptualIndex:
    def __init__(self, threshold: int = 8) -> None:
        if not 0 <= threshold < BITS:
            raise ValueError("threshold must be in [0, 64)")
        self.threshold = threshold
        self._hashes = np.zeros(INITIAL_CAPACITY, dtype=np.uint64)
        self._alive = np.zeros(INITIAL_CAPACITY, dtype=bool)
        self._ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._removed = 0

    @property
    def size(self) -> int:
        return len(self._ids)

    def add(self, value: int, image_id: str) -> None:
        if self.size == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros_like(self._hashes)])
            self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
        self._positions[image_id] = self.size
        self._hashes[self.size] = value
        self._alive[self.size] = True
        self._ids.append(image_id)

    def __contains__(self, image_id: str) -> bool:
        return image_id in self._positions

    def remove(self, image_ids: set[str]) -> None:
        for image_id in image_ids:
            position = self._positions.pop(image_id, None)
            if position is not None and self._alive[position]:
                self._alive[position] = False
                self._removed += 1

    def nearest(self, value: int) -> Match | None:
        """The closest indexed hash within the threshold (lowest distance, then first added)."""
        if not self._ids:
            return None
        distances = np.bitwise_count(self._hashes[: self.size] ^ np.uint64(value))
        if self._removed:
            distances = np.where(self._alive[: self.size], distances, BITS + 1)
        position = int(distances.argmin())
        distance = int(distances[position])
        return Match(self._ids[position], distance) if distance <= self.threshold else None


class Deduplicator:
    """Exact then perceptual: ``check`` says which earlier image a new one duplicates."""

    def __init__(self, threshold: int = 8) -> None:
        self.by_sha: dict[str, str] = {}
        self.index = PerceptualIndex(threshold)

    def check(self, sha256: str, phash: int) -> tuple[str, Match] | None:
        """``("exact", match)``, ``("near", match)`` or None for a new image."""
        if (original := self.by_sha.get(sha256)) is not None:
            return "exact", Match(original, 0)
        if (near := self.index.nearest(phash)) is not None:
            return "near", near
        return None

    def __contains__(self, image_id: str) -> bool:
        return image_id in self.index

    def add(self, image_id: str, sha256: str, phash: int) -> None:
        self.by_sha.setdefault(sha256, image_id)
        self.index.add(phash, image_id)

    def remove(self, image_ids: set[str]) -> None:
        """Forgets images that were deleted or never committed."""
        self.by_sha = {sha: i for sha, i in self.by_sha.items() if i not in image_ids}
        self.index.remove(image_ids)

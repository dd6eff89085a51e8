"""Security primitives: password hashing, opaque secrets, and the JWT key ring."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from folio.core.db import utcnow

# OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("folio-dummy-password")
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (``password_hash`` None)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, API keys): enough, and fast to look up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class InvalidToken(Exception):
    pass


class KeyRotationUnavailable(Exception):
    pass


@dataclass(frozen=True)
class SigningKeyInfo:
    kid: str
    current: bool
    retired_at: datetime | None  # when it stopped signing; it still verifies until pruned


class KeyRing:
    """HMAC keys for JWTs, each with an id (``kid``) so the signing key can rotate.

    Kept in ``jwt-keys.json`` in the data directory (created on first start, mode 0600), or
    given by ``FOLIO_JWT_SECRET`` when several API machines must share it. A rotation by any
    process (``folio admin rotate-signing-key``, the admin endpoint) rewrites the file; the
    others re-read it when it changes, so new tokens get the new ``kid`` everywhere and tokens
    signed with a retired key verify until they expire.
    """

    RELOAD_EVERY_S = 1.0

    def __init__(
        self,
        keys: dict[str, bytes],
        current: str,
        *,
        retired: dict[str, datetime] | None = None,
        path: Path | None = None,
    ) -> None:
        self.keys = keys
        self.current = current
        self.retired: dict[str, datetime] = retired or {}
        self.path = path
        self._loaded_mtime: float | None = None
        self._next_check = 0.0

    @classmethod
    def from_secret(cls, secret: str) -> KeyRing:
        return cls({"env": secret.encode()}, "env")

    @classmethod
    def load_or_create(cls, path: Path) -> KeyRing:
        ring = cls({}, "", path=path)
        with ring._locked():
            if path.exists():
                ring._load()
            else:
                ring.rotate()
                ring.save(path)
                ring._loaded_mtime = path.stat().st_mtime
        return ring

    def _load(self) -> None:
        assert self.path is not None
        mtime = self.path.stat().st_mtime
        data = json.loads(self.path.read_text())
        self.keys = {kid: base64.b64decode(value) for kid, value in data["keys"].items()}
        self.current = data["current"]
        self.retired = {
            kid: datetime.fromisoformat(moment) for kid, moment in data.get("retired", {}).items()
        }
        self._loaded_mtime = mtime

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serializes read-modify-write of the key file between processes."""
        if self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def rotate(self) -> str:
        """A new signing key in memory; the previous one is retired but still verifies."""
        kid = f"k{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(2)}"
        if self.current:
            self.retired[self.current] = utcnow()
        self.keys[kid] = os.urandom(32)
        self.current = kid
        return kid

    def rotate_stored(self, *, keep_retired: timedelta) -> str:
        """Rotates the ring in its file, which every process re-reads; keys retired longer
        ago than ``keep_retired`` (the longest token lifetime) are dropped."""
        if self.path is None:
            raise KeyRotationUnavailable(
                "The signing key comes from FOLIO_JWT_SECRET: change the secret instead."
            )
        with self._locked():
            if self.path.exists():
                self._load()
            kid = self.rotate()
            cutoff = utcnow() - keep_retired
            for old in [k for k, moment in self.retired.items() if moment <= cutoff]:
                self.keys.pop(old, None)
                del self.retired[old]
            self.save(self.path)
            self._loaded_mtime = self.path.stat().st_mtime
        return kid

    def refresh(self, *, force: bool = False) -> None:
        """Re-reads the key file if another process rotated it (checked at most once a
        second unless ``force``)."""
        if self.path is None or (not force and time.monotonic() < self._next_check):
            return
        self._next_check = time.monotonic() + self.RELOAD_EVERY_S
        try:
            changed = self.path.stat().st_mtime != self._loaded_mtime
        except FileNotFoundError:
            return
        if changed:
            with self._locked():
                self._load()

    def describe(self) -> list[SigningKeyInfo]:
        self.refresh(force=True)
        return [
            SigningKeyInfo(kid=kid, current=kid == self.current, retired_at=self.retired.get(kid))
            for kid in sorted(self.keys)
        ]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "current": self.current,
            "keys": {kid: base64.b64encode(k).decode() for kid, k in self.keys.items()},
            "retired": {kid: moment.isoformat() for kid, moment in self.retired.items()},
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload))
        temporary.chmod(0o600)
        temporary.replace(path)

    def encode(self, claims: dict[str, Any], ttl: timedelta) -> str:
        self.refresh()
        now = utcnow()
        body = {**claims, "iat": now, "exp": now + ttl}
        return jwt.encode(
            body, self.keys[self.current], algorithm=JWT_ALGORITHM, headers={"kid": self.current}
        )

    def decode(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            if not isinstance(kid, str):
                raise InvalidToken("the token names no signing key")
            if kid not in self.keys:
                self.refresh(force=True)  # a key made by another process's rotation
            key = self.keys.get(kid)
            if key is None:
                raise InvalidToken("unknown signing key")
            return jwt.decode(
                token, key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "iat", "sub"]}
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not valid") from exc


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())

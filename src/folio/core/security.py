"""Security primitives: password hashing, opaque secrets, and the JWT key ring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
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


class KeyRing:
    """HMAC keys for JWTs, each with an id (``kid``) so the signing key can rotate.

    Kept in ``jwt-keys.json`` in the data directory (created on first start, mode 0600), or
    given by ``FOLIO_JWT_SECRET`` when several API machines must share it.
    """

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        self.keys = keys
        self.current = current

    @classmethod
    def from_secret(cls, secret: str) -> KeyRing:
        return cls({"env": secret.encode()}, "env")

    @classmethod
    def load_or_create(cls, path: Path) -> KeyRing:
        if path.exists():
            data = json.loads(path.read_text())
            keys = {kid: base64.b64decode(value) for kid, value in data["keys"].items()}
            return cls(keys, data["current"])
        ring = cls({}, "")
        ring.rotate()
        ring.save(path)
        return ring

    def rotate(self) -> str:
        kid = f"k{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(2)}"
        self.keys[kid] = os.urandom(32)
        self.current = kid
        return kid

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "current": self.current,
            "keys": {kid: base64.b64encode(k).decode() for kid, k in self.keys.items()},
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload))
        temporary.chmod(0o600)
        temporary.replace(path)

    def encode(self, claims: dict[str, Any], ttl: timedelta) -> str:
        now = utcnow()
        body = {**claims, "iat": now, "exp": now + ttl}
        return jwt.encode(
            body, self.keys[self.current], algorithm=JWT_ALGORITHM, headers={"kid": self.current}
        )

    def decode(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys.get(kid or "")
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

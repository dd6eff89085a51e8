"""Field-level encryption at rest: AES-256-GCM with key ids, for columns holding personal data
and secrets.

A stored value is ``fenc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``. New values are
encrypted with the active key; values are decrypted with whichever configured key their id
names, so keys rotate without downtime (``folio encryption rotate`` then re-encrypts the
rows). A value without the prefix is plaintext written before encryption was turned on: it is
read as it is and encrypted at its next write (or by ``folio encryption rotate``).

The key ring is process-wide (a column type has no other place to find it): the runtime
installs it at start from ``FOLIO_ENCRYPTION_KEYS``. Without keys, values are written as
plaintext, as before.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from folio.core.db import load_json

PREFIX = "fenc:v1:"
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
NONCE_BYTES = 12
KEY_BYTES = 32


class EncryptionError(Exception):
    """A stored value cannot be decrypted (its key is not configured, or it was altered)."""


class EncryptionKeyMissing(EncryptionError):
    pass


def parse_key(key_id: str, encoded: str) -> bytes:
    """A key as configured: 32 bytes, base64 (standard or URL-safe alphabet)."""
    if not KEY_ID.match(key_id):
        raise ValueError(f"encryption key id {key_id!r}: use 1-32 letters, digits, '_', '.', '-'")
    try:
        raw = base64.urlsafe_b64decode(encoded.strip().replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"encryption key {key_id!r} is not base64") from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(f"encryption key {key_id!r} must be 32 bytes (base64 of 32 random bytes)")
    return raw


def new_key() -> str:
    """A fresh key, as ``FOLIO_ENCRYPTION_KEYS`` takes it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_id_of(stored: str) -> str | None:
    """The id of the key ``stored`` was encrypted with; None for plaintext."""
    if not stored.startswith(PREFIX):
        return None
    return stored[len(PREFIX) :].split(":", 1)[0]


@dataclass(frozen=True)
class KeyRing:
    keys: Mapping[str, AESGCM]
    active: str | None  # None: encryption is off, values are written as plaintext

    @classmethod
    def from_config(cls, keys: Mapping[str, str], active: str | None) -> KeyRing:
        if not keys:
            return cls({}, None)
        parsed = {kid: AESGCM(parse_key(kid, value)) for kid, value in keys.items()}
        if active is None:
            if len(parsed) > 1:
                raise ValueError(
                    "FOLIO_ENCRYPTION_KEYS names several keys: set FOLIO_ENCRYPTION_ACTIVE_KEY "
                    "to the id new values are encrypted with"
                )
            active = next(iter(parsed))
        if active not in parsed:
            raise ValueError(f"FOLIO_ENCRYPTION_ACTIVE_KEY {active!r} is not in the keys")
        return cls(parsed, active)

    @property
    def enabled(self) -> bool:
        return self.active is not None

    def encrypt(self, plaintext: str) -> str:
        if self.active is None:
            return plaintext
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.active].encrypt(nonce, plaintext.encode(), self._aad(self.active))
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}{self.active}:{body}"

    def decrypt(self, stored: str) -> str:
        key_id = key_id_of(stored)
        if key_id is None:
            return stored  # written before encryption was turned on
        cipher = self.keys.get(key_id)
        if cipher is None:
            raise EncryptionKeyMissing(
                f"a stored value is encrypted with key {key_id!r}, which is not configured "
                "(FOLIO_ENCRYPTION_KEYS)"
            )
        body = stored[len(PREFIX) + len(key_id) + 1 :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad(key_id))
        except (binascii.Error, ValueError, InvalidTag) as exc:
            raise EncryptionError(f"a value under key {key_id!r} does not decrypt") from exc
        return plain.decode()

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` is already as a write would store it now."""
        return key_id_of(stored) == self.active

    @staticmethod
    def _aad(key_id: str) -> bytes:
        return f"{PREFIX}{key_id}".encode()


_ring = KeyRing({}, None)


def install(ring: KeyRing) -> None:
    global _ring
    _ring = ring


def keyring() -> KeyRing:
    return _ring


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted with the installed key ring (plaintext without one)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _ring.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _ring.decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (dict, list …) stored as encrypted JSON text. Without a key ring it is
    plain JSON text, which a JSON column's existing rows also are (read either way)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _ring.encrypt(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):  # a native JSON column's driver may decode it already
            return value
        return load_json(_ring.decrypt(value))

"""Resource versions (RFC 7644 §3.14): ``meta.version`` and the ``ETag`` header are a weak
entity tag over what the representation says, independent of the URL it is served under.
A write with ``If-Match`` naming another version answers 412 and changes nothing; a read with
``If-None-Match`` naming the current one answers 304."""

from __future__ import annotations

import hashlib
import json

from folio.scim.errors import ScimError

ANY = "*"


def version_of(*parts: object) -> str:
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(header: str, version: str) -> bool:
    """Whether a list of entity tags names ``version``, compared weakly (RFC 9110 §8.8.3.2),
    as SCIM's own examples send the weak tags back in ``If-Match``."""
    wanted = _opaque(version)
    return any(tag.strip() == ANY or _opaque(tag) == wanted for tag in header.split(","))


def check_if_match(if_match: str | None, version: str) -> None:
    if if_match is not None and not matches(if_match, version):
        raise ScimError(412, "The resource changed since that version was read; read it again.")

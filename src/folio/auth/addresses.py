"""Per-key IP allow-lists: where a request comes from, and whether its API key may be used
there.

The client address is the one uvicorn puts in the ASGI scope: the socket's peer, or the
``X-Forwarded-For`` address when the peer is a trusted proxy (uvicorn's ``--proxy-headers``,
on by default, with ``FORWARDED_ALLOW_IPS``, default ``127.0.0.1``). A header from anyone else
is ignored, so a client cannot claim an allowed address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, MutableMapping
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from folio.auth.errors import AddressNotAllowed, KeyRefused
from folio.core.principal import KEY_REFUSAL_KEY, Principal, scope_state

Network = IPv4Network | IPv6Network
logger = logging.getLogger("folio.security")


def networks(cidrs: Iterable[str] | None) -> tuple[Network, ...] | None:
    return None if cidrs is None else tuple(ip_network(c, strict=False) for c in cidrs)


def client_address(scope: MutableMapping[str, Any]) -> IPv4Address | IPv6Address | None:
    client = scope.get("client")
    if not client:
        return None
    try:
        address = ip_address(client[0])
    except ValueError:
        return None  # a test transport's made-up host, a Unix socket path
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 on a dual-stack socket is 10.0.0.1
    return address


def ensure_allowed(principal: Principal, scope: MutableMapping[str, Any]) -> None:
    """Raises :class:`AddressNotAllowed` when ``principal``'s key has an allow-list that the
    request's address is not on (an unknown address is on no list)."""
    allowed = principal.allowed_networks
    if allowed is None:
        return
    address = client_address(scope)
    if address is not None and any(address in network for network in allowed):
        return
    raise AddressNotAllowed(
        f"This API key may not be used from {address or 'an unknown address'}.",
        team_id=principal.team_id,
        user_id=principal.user_id or "",
        key_id=principal.key_id or "",
    )


def note_refusal(scope: MutableMapping[str, Any], error: KeyRefused) -> None:
    """Leaves the refusal for the audit trail of the key's team, and logs it."""
    scope_state(scope)[KEY_REFUSAL_KEY] = {
        "team_id": error.team_id,
        "user_id": error.user_id,
        "key_id": error.key_id,
        "code": error.code,
    }
    client = scope.get("client")
    logger.warning(
        "api key %s refused (%s) from %s", error.key_id, error.code, client[0] if client else "-"
    )

"""SSRF protection for outbound requests: refuse private, loopback, link-local (cloud
metadata), multicast and reserved addresses unless an allow-list names the host or network.

:class:`GuardedNetworkBackend` checks the address httpcore actually connects to, so a DNS
answer that changes between a check and the connection (rebinding) cannot slip through, and
every redirect hop is checked the same way.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

import anyio
import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL points at an address outbound requests may not reach."""


class HostNotFound(TargetRefused):
    """The host name does not resolve: nothing was refused, there is nothing to reach."""


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def allowed_by_list(host: str, address: Address, allowed: Sequence[str]) -> bool:
    for entry in allowed:
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_address(host: str, address: Address, allowed: Sequence[str], setting: str) -> None:
    if not is_public(address) and not allowed_by_list(host, address, allowed):
        raise TargetRefused(
            f"{host} resolves to {address}, a non-public address; add it to {setting} to allow it."
        )


async def resolve_checked(
    host: str, port: int, allowed: Sequence[str], setting: str
) -> list[Address]:
    """The addresses of ``host``; refuses the lot if any of them is not allowed."""
    try:
        infos = await anyio.to_thread.run_sync(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        )
    except socket.gaierror as exc:
        raise HostNotFound(f"The host {host} does not resolve.") from exc
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        check_address(host, address, allowed, setting)
        if address not in addresses:
            addresses.append(address)
    return addresses


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks the host itself, then connects to the checked address (TLS still
    verifies the original host name, which httpcore passes separately)."""

    def __init__(self, allowed: Sequence[str], setting: str) -> None:
        self.allowed, self.setting = list(allowed), setting
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, self.allowed, self.setting)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("Unix sockets are not reachable from outbound requests.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs ~30 ms of CPU, and
    every app start builds several transports. An SSLContext may be shared by connections."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport whose every connection goes through :class:`GuardedNetworkBackend`.
    Proxies from the environment are ignored: they would hide the real target."""

    def __init__(
        self, allowed: Sequence[str], setting: str, *, limits: httpx.Limits | None = None
    ) -> None:
        # keep every connection alive: a crawl goes back to the same hosts again and again
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=100)
        super().__init__(verify=shared_ssl_context(), trust_env=False, limits=limits)
        # httpx does not expose the network backend; the pool is rebuilt with ours
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=shared_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(allowed, setting),
        )

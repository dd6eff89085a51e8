"""The LDAP side of a directory, on ``ldap3`` (pure Python, blocking: callers run these
functions in a thread). Nothing here knows Folio's database."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

PAGE_SIZE = 500


class LdapFailure(Exception):
    """The directory could not be reached, refused the bind, or answered an error. The
    message names the step and LDAP's own reason, never a password."""


@dataclass(frozen=True)
class LdapConfig:
    url: str
    address: str  # the checked IP address to connect to (the URL's host may be a name)
    start_tls: bool
    verify_tls: bool
    ca_certificate: str | None
    bind_dn: str | None
    bind_password: str | None
    timeout_s: float

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (636 if parts.scheme == "ldaps" else 389)


@dataclass(frozen=True)
class Query:
    base: str
    search_filter: str
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    dn: str
    attributes: dict[str, list[str]]

    def first(self, name: str) -> str | None:
        for key, values in self.attributes.items():
            if key.lower() == name.lower() and values:
                return str(values[0])
        return None

    def every(self, name: str) -> list[str]:
        for key, values in self.attributes.items():
            if key.lower() == name.lower():
                return [str(value) for value in values]
        return []


def _server(config: LdapConfig) -> Server:
    tls = Tls(
        validate=ssl.CERT_REQUIRED if config.verify_tls else ssl.CERT_NONE,
        ca_certs_data=config.ca_certificate,
        valid_names=[config.host],
        sni=config.host,
    )
    return Server(
        config.address,
        port=config.port,
        use_ssl=urlsplit(config.url).scheme == "ldaps",
        tls=tls,
        get_info=NONE,
        connect_timeout=max(1, int(config.timeout_s)),
    )


def _bound(config: LdapConfig, dn: str | None, password: str | None, step: str) -> Connection:
    connection = Connection(
        _server(config),
        user=dn,
        password=password,
        receive_timeout=max(1, int(config.timeout_s)),  # ldap3 packs it as an int
        read_only=True,
        raise_exceptions=False,
    )
    try:
        connection.open()
        if config.start_tls and not connection.start_tls():
            raise LdapFailure(f"StartTLS failed: {connection.result.get('description')}")
        if not connection.bind():
            reason = connection.result.get("description") or "refused"
            raise LdapFailure(f"{step}: bind refused ({reason})")
    except (LDAPException, OSError) as exc:
        close(connection)
        raise LdapFailure(f"{step}: {type(exc).__name__}: {exc}") from exc
    except LdapFailure:
        close(connection)
        raise
    return connection


def close(connection: Connection) -> None:
    """Unbinds; a connection that broke on the way (a failed TLS handshake) may not even
    send the request, which is no failure of ours."""
    with contextlib.suppress(LDAPException, OSError):
        connection.unbind()


def service_connection(config: LdapConfig) -> Connection:
    """Bound as the configured service account (or anonymously without a bind DN)."""
    return _bound(config, config.bind_dn, config.bind_password, "service bind")


def search(connection: Connection, query: Query) -> Iterator[Entry]:
    """Every entry under ``query.base`` matching its filter, in pages (RFC 2696)."""
    try:
        results = connection.extend.standard.paged_search(
            query.base,
            query.search_filter,
            search_scope=SUBTREE,
            attributes=list(query.attributes),
            paged_size=PAGE_SIZE,
            generator=True,
        )
        for result in results:
            if result.get("type") == "searchResEntry":
                yield Entry(result["dn"], _strings(result.get("attributes", {})))
    except LDAPException as exc:
        raise LdapFailure(f"search of {query.base}: {type(exc).__name__}: {exc}") from exc
    if connection.result and connection.result.get("result") not in (0, None):
        raise LdapFailure(
            f"search of {query.base}: {connection.result.get('description')} "
            f"({connection.result.get('message') or 'no message'})"
        )


def _strings(attributes: object) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in dict(attributes).items():  # type: ignore[call-overload]
        values = value if isinstance(value, list) else [value]
        found[str(key)] = [v.decode() if isinstance(v, bytes) else str(v) for v in values]
    return found


def entries(config: LdapConfig, queries: Sequence[Query]) -> list[list[Entry]]:
    """The entries of each query, over one service connection."""
    connection = service_connection(config)
    try:
        return [list(search(connection, query)) for query in queries]
    finally:
        close(connection)


def authenticate(
    config: LdapConfig, users: Query, uid_attribute: str, username: str, password: str
) -> Entry | None:
    """The user's entry when ``password`` binds as them, else None. An empty password is
    refused here: LDAP takes a bind with a DN and no password as anonymous (RFC 4513 5.1.2)."""
    if not password or not username:
        return None
    found = entries(
        config,
        [
            Query(
                users.base,
                f"(&{users.search_filter}({uid_attribute}={escape_filter_chars(username)}))",
                users.attributes,
            )
        ],
    )[0]
    if len(found) != 1:
        return None
    try:
        connection = _bound(config, found[0].dn, password, "user bind")
    except LdapFailure:
        return None
    close(connection)
    return found[0]

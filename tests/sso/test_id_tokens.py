"""The ID-token checks on the real code path: discovery and keys fetched over HTTP from the
real provider, tokens signed with the provider's own key (a tampered, expired, wrongly
addressed or wrongly bound one is refused), and a key rotation at a restarted provider."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from tests.conftest import make_settings
from tests.sso.conftest import (
    OidcServer,
    free_port,
    signing_key,
    start_provider,
    stop_provider,
)

from folio.sso.oidc import IdTokenRejected, Metadata, OidcClient

CLIENT_ID = "folio-client"
NONCE = "n-0S6_WzA2Mj"


def relying_party(tmp_path: Path) -> OidcClient:
    return OidcClient(make_settings(tmp_path, sso_allowed_hosts=["127.0.0.1"]))


def claims(issuer: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": issuer,
        "sub": "alice",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
        "email": "alice@acme.test",
    }
    return {key: value for key, value in (base | changes).items() if value is not None}


def signed(key: RSAKey, payload: dict[str, Any], alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, payload, key)


@pytest.fixture
async def metadata(oidc: OidcServer, tmp_path: Path) -> tuple[OidcClient, Metadata]:
    client = relying_party(tmp_path)
    return client, await client.metadata(oidc.issuer)


class TestIdTokenChecks:
    async def test_a_valid_token_passes(
        self, oidc: OidcServer, metadata: tuple[OidcClient, Metadata]
    ) -> None:
        client, meta = metadata
        token = signed(oidc.key, claims(oidc.issuer))
        verified = await client.validate_id_token(meta, CLIENT_ID, token, nonce=NONCE)
        assert verified["sub"] == "alice"

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"aud": "another-client"}, "aud"),
            ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "exp"),
            ({"nonce": "replayed-or-forged"}, "nonce"),
            ({"nonce": None}, "nonce"),
            ({"iss": "http://127.0.0.1:1"}, "iss"),
            ({"aud": [CLIENT_ID, "other"], "azp": "other"}, "azp"),
        ],
        ids=["wrong-audience", "expired", "wrong-nonce", "no-nonce", "wrong-issuer", "azp"],
    )
    async def test_refused_claims(
        self,
        oidc: OidcServer,
        metadata: tuple[OidcClient, Metadata],
        changes: dict[str, Any],
        reason: str,
    ) -> None:
        client, meta = metadata
        token = signed(oidc.key, claims(oidc.issuer, **changes))
        with pytest.raises(IdTokenRejected) as refused:
            await client.validate_id_token(meta, CLIENT_ID, token, nonce=NONCE)
        assert reason in str(refused.value), str(refused.value)

    async def test_a_tampered_token_is_refused(
        self, oidc: OidcServer, metadata: tuple[OidcClient, Metadata]
    ) -> None:
        client, meta = metadata
        header, _, signature = signed(oidc.key, claims(oidc.issuer)).split(".")
        other = signed(oidc.key, claims(oidc.issuer, sub="admin")).split(".")[1]
        with pytest.raises(IdTokenRejected, match="signature"):
            await client.validate_id_token(
                meta, CLIENT_ID, f"{header}.{other}.{signature}", nonce=NONCE
            )

    async def test_foreign_keys_and_weak_algorithms_are_refused(
        self, oidc: OidcServer, metadata: tuple[OidcClient, Metadata]
    ) -> None:
        client, meta = metadata
        impostor = RSAKey.generate_key(2048, parameters={"kid": oidc.key.kid})
        with pytest.raises(IdTokenRejected, match="signature"):
            await client.validate_id_token(
                meta, CLIENT_ID, signed(impostor, claims(oidc.issuer)), nonce=NONCE
            )
        secret = OctKey.import_key(b"the client secret, known to the client" * 2)
        hs256 = jwt.encode({"alg": "HS256"}, claims(oidc.issuer), secret)
        with pytest.raises(IdTokenRejected, match="algorithm"):
            await client.validate_id_token(meta, CLIENT_ID, hs256, nonce=NONCE)


async def test_rotated_keys_are_fetched_once_and_unknown_keys_refused(
    tmp_path: Path,
) -> None:
    """The provider restarts with a new signing key: the next token names a key id the
    cache does not know, the key set is fetched again once, and the token verifies."""
    port, old, new = free_port(), signing_key("old"), signing_key("new")
    issuer = f"http://127.0.0.1:{port}"
    process = start_provider(tmp_path, port, [old])
    try:
        client = relying_party(tmp_path)
        meta = await client.metadata(issuer)
        await client.validate_id_token(meta, CLIENT_ID, signed(old, claims(issuer)), nonce=NONCE)
        assert client.jwks_fetches == 1
    finally:
        stop_provider(process)
    process = start_provider(tmp_path, port, [new, old])
    try:
        token = signed(new, claims(issuer))
        verified = await client.validate_id_token(meta, CLIENT_ID, token, nonce=NONCE)
        assert verified["sub"] == "alice" and client.jwks_fetches == 2
        await client.validate_id_token(meta, CLIENT_ID, token, nonce=NONCE)
        assert client.jwks_fetches == 2  # cached again
        stranger = signing_key("never-published")
        with pytest.raises(IdTokenRejected, match="signature"):
            await client.validate_id_token(
                meta, CLIENT_ID, signed(stranger, claims(issuer)), nonce=NONCE
            )
        assert client.jwks_fetches == 3  # one refetch for the unknown key, not a loop
    finally:
        stop_provider(process)

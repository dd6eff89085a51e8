"""The OpenID Connect relying party: discovery, the authorization request (PKCE S256, state,
nonce), the code exchange and the ID token's checks (signature against the provider's JWKS,
issuer, audience, expiry, nonce). authlib builds the PKCE challenge and the URL; joserfc
(authlib's JOSE library) verifies the token. Every request to a provider goes through the
guarded outbound transport, so an issuer URL cannot reach an internal address unless
``FOLIO_SSO_ALLOWED_HOSTS`` names it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from folio.config import Settings
from folio.core.errors import FolioError, Unauthorized
from folio.core.netguard import GuardedTransport, TargetRefused

SETTING = "FOLIO_SSO_ALLOWED_HOSTS"
# asymmetric signatures only: "none" and HS* (keyed with the client secret) are refused
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_S = 60
MAX_BODY = 512 * 1024


class ProviderUnavailable(FolioError):
    status = 502
    code = "IDP_UNAVAILABLE"
    title = "The identity provider could not be reached or answered wrongly"


class IdTokenRejected(Unauthorized):
    code = "SSO_TOKEN_INVALID"
    title = "The identity provider's answer was refused"


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    auth_methods: tuple[str, ...]
    userinfo_endpoint: str | None = None


@dataclass(frozen=True)
class Client:
    """The relying party's registration at one provider."""

    client_id: str
    client_secret: str | None
    redirect_uri: str


class OidcClient:
    """One per process: discovery documents and key sets are cached for
    ``sso_metadata_ttl_s``; a token signed with a key id the cache does not know fetches
    the key set again once (the provider rotated its keys)."""

    def __init__(self, settings: Settings) -> None:
        self.allowed = list(settings.sso_allowed_hosts)
        self.timeout = settings.sso_timeout_s
        self.ttl = settings.sso_metadata_ttl_s
        self._metadata: dict[str, tuple[float, Metadata]] = {}
        self._keys: dict[str, tuple[float, KeySet]] = {}
        self.jwks_fetches = 0  # read by the rotation test and the docs' figures

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=GuardedTransport(self.allowed, SETTING), timeout=self.timeout
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        return await self._send("GET", url)

    async def _send(self, method: str, url: str, **options: Any) -> dict[str, Any]:
        try:
            async with self._http() as http:
                response = await http.request(method, url, **options)
        except TargetRefused as exc:
            raise ProviderUnavailable(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from exc
        if len(response.content) > MAX_BODY:
            raise ProviderUnavailable(f"{url} answered more than {MAX_BODY} bytes.")
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(
                f"{url} did not answer JSON ({response.status_code})."
            ) from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{url} did not answer a JSON object.")
        if response.status_code >= 400:
            error = str(body.get("error") or response.status_code)[:100]
            raise IdTokenRejected(f"The provider refused the request: {error}.")
        return body

    def _fresh(self, fetched_at: float) -> bool:
        return time.monotonic() - fetched_at < self.ttl

    async def metadata(self, issuer: str) -> Metadata:
        cached = self._metadata.get(issuer)
        if cached is not None and self._fresh(cached[0]):
            return cached[1]
        document = await self._get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            # OpenID Connect Discovery §4.3: the document must name the issuer asked for
            raise ProviderUnavailable(
                f"The discovery document names issuer {document.get('issuer')!r}, not {issuer!r}."
            )
        try:
            metadata = Metadata(
                issuer=issuer,
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=document.get("end_session_endpoint"),
                userinfo_endpoint=document.get("userinfo_endpoint"),
                auth_methods=tuple(
                    document.get("token_endpoint_auth_methods_supported")
                    or ("client_secret_basic",)
                ),
            )
        except KeyError as exc:
            raise ProviderUnavailable(f"The discovery document lacks {exc.args[0]}.") from exc
        self._metadata[issuer] = (time.monotonic(), metadata)
        return metadata

    async def keys(self, metadata: Metadata, *, refetch: bool = False) -> KeySet:
        cached = self._keys.get(metadata.jwks_uri)
        if cached is not None and self._fresh(cached[0]) and not refetch:
            return cached[1]
        document = await self._get_json(metadata.jwks_uri)
        self.jwks_fetches += 1
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable("The provider's key set could not be read.") from exc
        self._keys[metadata.jwks_uri] = (time.monotonic(), keys)
        return keys

    def authorization_url(
        self,
        metadata: Metadata,
        client: Client,
        *,
        scopes: list[str],
        state: str,
        nonce: str,
        code_verifier: str,
    ) -> str:
        return add_params_to_uri(
            metadata.authorization_endpoint,
            [
                ("response_type", "code"),
                ("client_id", client.client_id),
                ("redirect_uri", client.redirect_uri),
                ("scope", " ".join(scopes)),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", create_s256_code_challenge(code_verifier)),
                ("code_challenge_method", "S256"),
            ],
        )

    async def exchange(
        self, metadata: Metadata, client: Client, *, code: str, code_verifier: str
    ) -> dict[str, Any]:
        """The token endpoint's answer for ``code`` (with the PKCE verifier)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.redirect_uri,
            "code_verifier": code_verifier,
        }
        auth: httpx.BasicAuth | None = None
        if client.client_secret is None:
            form["client_id"] = client.client_id  # a public client: PKCE alone
        elif "client_secret_basic" in metadata.auth_methods:
            auth = httpx.BasicAuth(client.client_id, client.client_secret)
        else:
            form |= {"client_id": client.client_id, "client_secret": client.client_secret}
        options: dict[str, Any] = {"data": form, "headers": {"Accept": "application/json"}}
        if auth is not None:
            options["auth"] = auth
        answer = await self._send("POST", metadata.token_endpoint, **options)
        if not isinstance(answer.get("id_token"), str):
            raise IdTokenRejected("The provider's token answer has no ID token.")
        return answer

    async def validate_id_token(
        self, metadata: Metadata, client_id: str, id_token: str, *, nonce: str
    ) -> dict[str, Any]:
        """The token's claims, once its signature, issuer, audience, expiry and nonce hold."""
        key_id = self._key_id(id_token)
        keys = await self.keys(metadata)
        if key_id is not None and not _has_key(keys, key_id):
            keys = await self.keys(metadata, refetch=True)
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise IdTokenRejected(f"The ID token's signature does not verify ({exc}).") from exc
        registry = JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": metadata.issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as exc:
            raise IdTokenRejected(f"The ID token was refused: {exc}.") from exc
        audience = token.claims.get("aud")
        several = isinstance(audience, list) and len(audience) > 1
        if several and token.claims.get("azp") != client_id:  # OpenID Connect Core §3.1.3.7
            raise IdTokenRejected("The ID token was issued to another party (azp).")
        return dict(token.claims)

    async def userinfo(self, metadata: Metadata, access_token: str) -> dict[str, Any]:
        """The userinfo endpoint's claims for ``access_token`` (a plain JSON answer; Folio
        registers for no signed or encrypted userinfo)."""
        if not metadata.userinfo_endpoint:
            return {}
        return await self._send(
            "GET",
            metadata.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )

    @staticmethod
    def _key_id(id_token: str) -> str | None:
        try:
            header = jws.extract_compact(id_token.encode()).headers()
        except (JoseError, ValueError) as exc:
            raise IdTokenRejected("The ID token is not a signed JWT.") from exc
        if header.get("alg") not in ALGORITHMS:
            raise IdTokenRejected(f"The ID token's algorithm {header.get('alg')!r} is refused.")
        kid = header.get("kid")
        return str(kid) if kid is not None else None

    def end_session_url(
        self, metadata: Metadata, client_id: str, id_token: str, post_logout: str | None
    ) -> str | None:
        """RP-initiated logout: where to send the browser so the provider signs out too."""
        if not metadata.end_session_endpoint:
            return None
        params = [("id_token_hint", id_token), ("client_id", client_id)]
        if post_logout:
            params.append(("post_logout_redirect_uri", post_logout))
        return add_params_to_uri(metadata.end_session_endpoint, params)


def _has_key(keys: KeySet, key_id: str) -> bool:
    return any(key.kid == key_id for key in keys.keys)


# what the ID token alone may say: who signed in, for whom, when; userinfo cannot change them
ID_TOKEN_ONLY = frozenset(
    {"iss", "aud", "sub", "azp", "exp", "iat", "nbf", "nonce", "auth_time", "acr", "amr", "sid"}
    | {"at_hash", "c_hash", "jti"}
)


def merge_userinfo(id_claims: dict[str, Any], userinfo: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims with the userinfo endpoint's added, which win for profile
    claims (e-mail, name, groups) and never for the token's own (``ID_TOKEN_ONLY``).

    OpenID Connect Core §5.3.2: the userinfo ``sub`` must equal the ID token's, else the
    answer is about somebody else (a substituted token) and is refused."""
    if not userinfo:
        return dict(id_claims)
    if userinfo.get("sub") != id_claims.get("sub"):
        raise IdTokenRejected("The userinfo answer is about another subject than the ID token.")
    extra = {name: value for name, value in userinfo.items() if name not in ID_TOKEN_ONLY}
    return dict(id_claims) | extra

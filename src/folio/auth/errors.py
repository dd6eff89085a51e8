from __future__ import annotations

from folio.core.errors import FolioError, Forbidden, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"
    title = "E-mail or password is wrong"


class InvalidToken(Unauthorized):
    code = "INVALID_TOKEN"
    title = "The token is not valid"


class TokenReused(Unauthorized):
    code = "TOKEN_REUSED"
    title = "A spent refresh token was used again; the session has been ended"


class InvalidMfaCode(Unauthorized):
    code = "INVALID_MFA_CODE"
    title = "The authentication code is wrong"


class AccountLocked(FolioError):
    status = 429
    code = "ACCOUNT_LOCKED"
    title = "Too many failed sign-ins"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.headers = {"Retry-After": str(max(1, retry_after_s))}


class RegistrationClosed(Forbidden):
    code = "REGISTRATION_CLOSED"
    title = "Sign-up is not open"


class KeyRefused(Forbidden):
    """A valid API key refused for its network policy; names the key for the audit trail."""

    def __init__(self, detail: str, *, team_id: str, user_id: str, key_id: str) -> None:
        super().__init__(detail)
        self.team_id, self.user_id, self.key_id = team_id, user_id, key_id


class AddressNotAllowed(KeyRefused):
    code = "ADDRESS_NOT_ALLOWED"
    title = "This API key may not be used from this address"


class IpAllowlistRequired(KeyRefused):
    code = "IP_ALLOWLIST_REQUIRED"
    title = "API keys need an IP allow-list here"

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

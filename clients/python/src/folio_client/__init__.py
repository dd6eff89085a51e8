"""folio-client: a typed Python client for the Folio API, sync (``Folio``) and async
(``AsyncFolio``) over httpx. The guide is docs/guides/sdk-cli.md in the Folio repository."""

from __future__ import annotations

__version__ = "0.1.0"  # the API version it speaks (OpenAPI info.version)

from folio_client._async import AsyncFolio
from folio_client._core import RetryPolicy
from folio_client._sync import Folio
from folio_client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FolioError,
    FolioTimeoutError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    UnprocessableDocumentError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from folio_client.webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "APIError",
    "AsyncFolio",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "Folio",
    "FolioError",
    "FolioTimeoutError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitedError",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailableError",
    "UnprocessableDocumentError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "verify_webhook",
]

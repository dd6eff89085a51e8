"""folio-client: a typed Python client for the Folio API (sync and async, over httpx).

    from folio_client import Folio
    folio = Folio("http://127.0.0.1:8000", api_key="fk_…")
    doc = folio.documents.upload("invoice.pdf")
    doc = folio.documents.wait(doc.id)
    print(folio.documents.text(doc.id))
"""

from __future__ import annotations

__version__ = "0.1.0"  # the API version it speaks (OpenAPI info.version)

from folio_client._async import AsyncFolio  # noqa: E402
from folio_client._sync import Folio  # noqa: E402
from folio_client.errors import (  # noqa: E402
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
from folio_client.webhooks import WebhookVerificationError, verify_webhook  # noqa: E402

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
    "ServerError",
    "ServiceUnavailableError",
    "UnprocessableDocumentError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "verify_webhook",
]

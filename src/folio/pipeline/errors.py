"""Failures of the pipeline, each with a stable code the API and CLI report as is."""

from __future__ import annotations


class PipelineError(Exception):
    code = "UNPROCESSABLE_DOCUMENT"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyDocument(PipelineError):
    code = "EMPTY_FILE"


class UnsupportedDocument(PipelineError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class CorruptDocument(PipelineError):
    code = "CORRUPT_DOCUMENT"


class PasswordRequired(PipelineError):
    code = "PASSWORD_REQUIRED"


class WrongPassword(PipelineError):
    code = "WRONG_PASSWORD"


class TooManyPages(PipelineError):
    code = "TOO_MANY_PAGES"


class ImageTooLarge(PipelineError):
    """Decompression bomb: declared pixels or decompression ratio above the limits."""

    code = "IMAGE_TOO_LARGE"


class OcrUnavailable(PipelineError):
    code = "OCR_ENGINE_UNAVAILABLE"
    retryable = True


class ResourceLimit(PipelineError):
    """The document needs more memory or structure (nesting) than the limits allow."""

    code = "RESOURCE_LIMIT"


class DocumentTooLarge(PipelineError):
    """Archive bomb: an office file whose unzipped parts exceed the limits."""

    code = "DOCUMENT_TOO_LARGE"

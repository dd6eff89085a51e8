"""Rules for an incoming file before anything is stored: its name and its size."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from folio.core.errors import FieldError, ValidationFailed

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_FILENAME = 255


@dataclass(frozen=True)
class IncomingFile:
    filename: str | None
    content_type: str | None
    stream: BinaryIO


def _invalid(code: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", code, message)])


def clean_filename(raw: str | None) -> str:
    """The name to show and to return on download; never used as a path.

    Control characters and ``..`` segments are refused: a client sending them is broken or
    hostile. Folders in the name are dropped (old browsers sent full Windows paths).
    """
    if not raw or not raw.strip():
        return "upload"
    if CONTROL_CHARACTERS.search(raw):
        raise _invalid("invalid_filename", "The filename contains control characters.")
    segments = re.split(r"[\\/]", raw)
    if any(segment.strip() == ".." for segment in segments):
        raise _invalid("invalid_filename", "The filename contains a '..' path segment.")
    name = unicodedata.normalize("NFC", segments[-1].strip())
    if name in ("", "."):
        raise _invalid("invalid_filename", "The filename has no name after its folders.")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:16] if dot else ""
        name = (stem or name)[: MAX_FILENAME - len(keep) - 1] + (f".{keep}" if keep else "")
    return name

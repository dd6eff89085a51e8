"""Active content in a PDF, found by walking its objects with pikepdf."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from folio.pipeline.intelligence.types import Severity, Threat

# name in the object → (threat code, severity, description)
_KEYS: dict[str, tuple[str, Severity, str]] = {
    "/JavaScript": ("PDF_JAVASCRIPT", Severity.high, "JavaScript code"),
    "/JS": ("PDF_JAVASCRIPT", Severity.high, "JavaScript code"),
    "/OpenAction": ("PDF_OPEN_ACTION", Severity.medium, "an action run when the file opens"),
    "/AA": ("PDF_ADDITIONAL_ACTIONS", Severity.medium, "actions triggered by events (AA)"),
    "/Launch": ("PDF_LAUNCH", Severity.critical, "a Launch action that starts a program"),
    "/EmbeddedFiles": ("PDF_EMBEDDED_FILE", Severity.medium, "embedded files"),
    "/EmbeddedFile": ("PDF_EMBEDDED_FILE", Severity.medium, "embedded files"),
    "/XFA": ("PDF_XFA", Severity.low, "an XFA form"),
    "/RichMedia": ("PDF_RICH_MEDIA", Severity.medium, "rich media (Flash/video)"),
}
MAX_OBJECTS = 200_000
MAX_DEPTH = 8


@dataclass
class PdfScan:
    threats: list[Threat] = field(default_factory=list)
    encrypted: bool = False
    has_javascript: bool = False
    has_embedded_files: bool = False


def _benign_open_action(dictionary: pikepdf.Dictionary) -> bool:
    """An OpenAction that only shows a page (a destination array or a GoTo action)."""
    action = dictionary.get("/OpenAction")
    if isinstance(action, pikepdf.Array):
        return True
    return isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo


def _is_direct_container(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


def _names_in(obj: pikepdf.Object, depth: int = 0) -> set[str]:
    """Risky names in an object and in the direct (inline) objects it contains; indirect ones
    are visited on their own by the caller."""
    found: set[str] = set()
    if isinstance(obj, pikepdf.Array) and depth < MAX_DEPTH:
        for item in obj:
            if _is_direct_container(item):
                found |= _names_in(item, depth + 1)
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return found
    dictionary = obj if isinstance(obj, pikepdf.Dictionary) else obj.stream_dict
    found.update(dictionary.keys() & _KEYS.keys())
    if "/OpenAction" in found and _benign_open_action(dictionary):
        found.discard("/OpenAction")
    for key in ("/S", "/Type", "/Subtype"):
        value = dictionary.get(key)
        if isinstance(value, pikepdf.Name) and str(value) in _KEYS:
            found.add(str(value))
    if depth < MAX_DEPTH:
        for value in dictionary.values():
            if _is_direct_container(value):
                found |= _names_in(value, depth + 1)
    return found


def _walk(pdf: pikepdf.Pdf) -> tuple[dict[str, int], bool]:
    """Threat code → first object number, and whether every object could be read."""
    seen: dict[str, int] = {}
    try:
        for index, obj in enumerate(pdf.objects):
            if index >= MAX_OBJECTS:
                return seen, False
            for name in _names_in(obj):
                seen.setdefault(_KEYS[name][0], obj.objgen[0])
    except pikepdf.PdfError:
        return seen, False
    return seen, True


def scan_pdf(path: Path) -> PdfScan:
    scan = PdfScan()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        scan.encrypted = True
        scan.threats.append(
            Threat(
                code="PDF_ENCRYPTED",
                severity=Severity.low,
                description="Encrypted PDF: its content could not be scanned.",
            )
        )
        return scan
    except pikepdf.PdfError:
        scan.threats.append(
            Threat(
                code="PDF_MALFORMED",
                severity=Severity.low,
                description="The PDF could not be parsed for active content.",
            )
        )
        return scan
    with pdf:
        scan.encrypted = pdf.is_encrypted
        seen, complete = _walk(pdf)
    if not complete:
        scan.threats.append(
            Threat(
                code="PDF_MALFORMED",
                severity=Severity.low,
                description="Part of the PDF could not be read: the scan is incomplete.",
            )
        )
    for code, objnum in seen.items():
        severity, what = next((s, d) for c, s, d in _KEYS.values() if c == code)
        scan.threats.append(
            Threat(
                code=code,
                severity=severity,
                description=f"The PDF contains {what}.",
                location=f"object {objnum}",
            )
        )
    scan.has_javascript = "PDF_JAVASCRIPT" in seen
    scan.has_embedded_files = "PDF_EMBEDDED_FILE" in seen
    if scan.encrypted:
        scan.threats.append(
            Threat(
                code="PDF_ENCRYPTED", severity=Severity.info, description="The PDF is encrypted."
            )
        )
    return scan

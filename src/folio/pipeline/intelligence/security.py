"""``scan_security``: active content and traps in PDFs, Office files and archives.

PDF (pikepdf): JavaScript, OpenAction, additional actions (AA), Launch, embedded files, XFA,
RichMedia, encryption. Office (oletools): VBA/XLM macros. Any file: the EICAR test string;
ZIP-based containers: compression ratio. The caller says whether extension and content disagree.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from folio.pipeline.intelligence.pdf_scan import scan_pdf
from folio.pipeline.intelligence.types import RiskLevel, SecurityReport, Severity, Threat

# built from two halves so that this source file is not itself flagged by a virus scanner
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MAX_READ = 64 * 1024 * 1024
RATIO_WARN = 100.0
_NOT_OFFICE = {"Text", "SLK"}
_OFFICE_MIMES = ("msword", "ms-excel", "ms-powerpoint", "officedocument", "macroenabled", "ole")
_RANK = [Severity.info, Severity.low, Severity.medium, Severity.high, Severity.critical]
_RISK = {
    Severity.info: RiskLevel.low,
    Severity.low: RiskLevel.low,
    Severity.medium: RiskLevel.medium,
    Severity.high: RiskLevel.high,
    Severity.critical: RiskLevel.critical,
}


def _eicar(path: Path) -> list[Threat]:
    with path.open("rb") as fh:
        data = fh.read(MAX_READ)
    if EICAR in data:
        return [
            Threat(
                code="EICAR_TEST_FILE",
                severity=Severity.critical,
                description="The EICAR antivirus test string is present.",
            )
        ]
    return []


def _zip_ratio(path: Path) -> float | None:
    try:
        with zipfile.ZipFile(path) as zf:
            packed = sum(i.compress_size for i in zf.infolist())
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return None  # not a ZIP container, or a damaged one
    return round(unpacked / packed, 2) if packed else None


def _macros(path: Path) -> list[Threat]:
    from oletools.olevba import VBA_Parser  # imported on demand: slow to import

    try:
        parser = VBA_Parser(str(path))
    except Exception:  # oletools raises its own and parser errors on damaged or foreign files
        return [
            Threat(
                code="OFFICE_UNSCANNABLE",
                severity=Severity.low,
                description="The Office file could not be parsed for macros.",
            )
        ]
    try:
        if parser.type in _NOT_OFFICE:
            return []  # olevba reads unknown files as VBA source text: nothing to report
        if not parser.detect_vba_macros() and not parser.detect_xlm_macros():
            return []
        results = parser.analyze_macros() or []
        suspicious = [kw for kind, kw, _ in results if kind in ("AutoExec", "Suspicious")]
    finally:
        parser.close()
    severity = Severity.high if suspicious else Severity.medium
    detail = f" (auto-run or suspicious keywords: {', '.join(sorted(set(suspicious))[:8])})"
    return [
        Threat(
            code="OFFICE_MACRO",
            severity=severity,
            description="The document contains macros" + (detail if suspicious else "."),
        )
    ]


def _is_office(path: Path, mime_type: str) -> bool:
    suffix = path.suffix.lower()
    return any(m in mime_type for m in _OFFICE_MIMES) or suffix in {
        ".doc",
        ".docx",
        ".docm",
        ".xls",
        ".xlsx",
        ".xlsm",
        ".ppt",
        ".pptx",
        ".pptm",
        ".dotm",
    }


def overall_risk(threats: list[Threat]) -> RiskLevel:
    if not threats:
        return RiskLevel.none
    return _RISK[max((t.severity for t in threats), key=_RANK.index)]


def scan_security(
    path: Path, mime_type: str, *, extension_mismatch: bool = False
) -> SecurityReport:
    threats = _eicar(path)
    report = SecurityReport(risk_level=RiskLevel.none, scanned=["eicar"])
    if mime_type == "application/pdf" or path.suffix.lower() == ".pdf":
        pdf = scan_pdf(path)
        threats += pdf.threats
        report.encrypted, report.has_javascript = pdf.encrypted, pdf.has_javascript
        report.has_embedded_files = pdf.has_embedded_files
        report.scanned.append("pdf")
    if _is_office(path, mime_type):
        found = _macros(path)
        threats += found
        report.has_macros = bool(found)
        report.scanned.append("macros")
    report.compression_ratio = _zip_ratio(path)
    if report.compression_ratio is not None:
        report.scanned.append("archive")
        if report.compression_ratio > RATIO_WARN:
            threats.append(
                Threat(
                    code="ARCHIVE_RATIO",
                    severity=Severity.high,
                    description=f"Compression ratio {report.compression_ratio}:1 "
                    "suggests a decompression bomb.",
                )
            )
    if extension_mismatch:
        report.extension_mismatch = True
        threats.append(
            Threat(
                code="EXTENSION_MISMATCH",
                severity=Severity.medium,
                description="The file name's extension does not match its content.",
            )
        )
    report.threats = threats
    report.risk_level = overall_risk(threats)
    return report

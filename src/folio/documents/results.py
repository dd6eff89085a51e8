"""Converts between the pipeline's result, stored page rows and the ``/results`` document.

One path only: stored rows become the pipeline's ``DocumentResult``, which becomes the
``/results`` document, so the server and ``folio process --json`` print the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from folio.documents.models import Document, DocumentPage, DocumentVersion
from folio.documents.schemas import DocumentResults, PageRead
from folio.pipeline import DocumentResult, Metadata, OcrInfo, Page, Word
from folio.pipeline.intelligence import Intelligence


def compact_word(word: Word) -> list[Any]:
    x0, y0, x1, y1 = word.bbox
    confidence = None if word.confidence is None else round(word.confidence, 1)
    return [
        word.text,
        round(x0, 2),
        round(y0, 2),
        round(x1, 2),
        round(y1, 2),
        word.start,
        word.end,
        confidence,
    ]


def expand_word(row: Sequence[Any]) -> Word:
    text, x0, y0, x1, y1, start, end, confidence = row
    return Word(text=text, bbox=(x0, y0, x1, y1), start=start, end=end, confidence=confidence)


def page_rows(document: Document, version: int, result: DocumentResult) -> list[DocumentPage]:
    return [
        DocumentPage(
            document_id=document.id,
            team_id=document.team_id,
            version=version,
            number=page.number,
            width=page.width,
            height=page.height,
            unit=page.unit,
            rotation=page.rotation,
            source=page.source,
            text=page.text,
            words=[compact_word(word) for word in page.words],
            ocr_confidence=page.ocr_confidence,
        )
        for page in result.pages
    ]


def pipeline_result_from_rows(
    document: Document,
    rows: Sequence[DocumentPage],
    *,
    include_words: bool = True,
    snapshot: DocumentVersion | None = None,
) -> DocumentResult:
    """``snapshot``: an older version's row; without it the document's latest results."""
    source: Document | DocumentVersion = snapshot or document
    return DocumentResult(
        kind=document.kind,
        mime_type=document.mime_type,
        metadata=Metadata.model_validate(source.doc_metadata),
        ocr=OcrInfo.model_validate(source.ocr),
        warnings=source.warnings,
        engine_versions=source.engine_versions,
        pages=[
            Page(
                number=row.number,
                width=row.width,
                height=row.height,
                unit=row.unit,
                rotation=row.rotation,
                source=row.source,
                text=row.text,
                ocr_confidence=row.ocr_confidence,
                words=[expand_word(w) for w in row.words] if include_words else [],
            )
            for row in rows
        ],
    )


def results_from_rows(
    document: Document,
    rows: Sequence[DocumentPage],
    *,
    include_words: bool,
    snapshot: DocumentVersion | None = None,
) -> DocumentResults:
    result = pipeline_result_from_rows(
        document, rows, include_words=include_words, snapshot=snapshot
    )
    source: Document | DocumentVersion = snapshot or document
    intelligence = Intelligence.model_validate(source.intelligence) if source.intelligence else None
    return results_from_pipeline(
        result,
        filename=document.filename,
        include_words=include_words,
        intelligence=intelligence,
        document_id=document.id,
        version=snapshot.version if snapshot else document.version,
    )


def version_row(document: Document, job_id: str | None) -> DocumentVersion:
    """A snapshot of the document's latest results, kept when a later run replaces them."""
    return DocumentVersion(
        document_id=document.id,
        team_id=document.team_id,
        version=document.version,
        job_id=job_id,
        options=document.options,
        page_count=document.page_count,
        word_count=document.word_count,
        language=document.language,
        doc_metadata=document.doc_metadata,
        ocr=document.ocr,
        warnings=document.warnings,
        engine_versions=document.engine_versions,
        intelligence=document.intelligence,
        document_type=document.document_type,
        processing_time_ms=document.processing_time_ms,
        started_at=document.started_at,
    )


def results_from_pipeline(
    result: DocumentResult,
    *,
    filename: str | None,
    include_words: bool = True,
    intelligence: Intelligence | None = None,
    document_id: str | None = None,
    version: int = 1,
) -> DocumentResults:
    return DocumentResults(
        document_id=document_id,
        filename=filename,
        version=version,
        kind=result.kind,
        mime_type=result.mime_type,
        metadata=result.metadata,
        ocr=result.ocr,
        warnings=result.warnings,
        engine_versions=result.engine_versions,
        intelligence=intelligence,
        pages=[_page_read(page, include_words) for page in result.pages],
    )


def _page_read(page: Page, include_words: bool) -> PageRead:
    return PageRead(
        number=page.number,
        width=page.width,
        height=page.height,
        unit=page.unit,
        rotation=page.rotation,
        source=page.source,
        text=page.text,
        ocr_confidence=page.ocr_confidence,
        words=page.words if include_words else None,
    )

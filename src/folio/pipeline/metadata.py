"""Document metadata: counts over the pages, the format's properties, PDF date strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from folio.pipeline.formats import Properties
from folio.pipeline.language import LanguageGuess
from folio.pipeline.pages import count_words
from folio.pipeline.types import Metadata, Page

# D:YYYYMMDDHHmmSSOHH'mm' — every part after the year is optional (ISO 32000-1, 7.9.4)
_PDF_DATE = re.compile(
    r"""^\s*(?:D\s*:)?\s*
    (?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?
    (?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?
    \s*(?:(?P<utc>Z)|(?P<sign>[+-])(?P<tzh>\d{2})'?(?P<tzm>\d{2})?'?)?""",
    re.VERBOSE,
)
# Some producers write ISO 8601 instead: 2022-04-03T18:05:42+02:00
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def parse_pdf_date(value: str | None) -> datetime | None:
    """A PDF date string as a datetime: aware when it names a zone, naive otherwise."""
    if not value:
        return None
    if _ISO_DATE.match(value):
        return _parse_iso(value)
    match = _PDF_DATE.match(value)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            min(int(parts["second"] or 0), 59),
        )
    except ValueError:
        return None
    zone = _zone(parts)
    return moment.replace(tzinfo=zone) if zone is not None else moment


def _zone(parts: dict[str, str | None]) -> timezone | None:
    if parts["utc"]:
        return UTC
    if not parts["sign"]:
        return None
    hours, minutes = int(parts["tzh"] or 0), int(parts["tzm"] or 0)
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if parts["sign"] == "-" else offset)


def _parse_iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def build_metadata(pages: list[Page], properties: Properties, language: LanguageGuess) -> Metadata:
    """``word_count`` counts whitespace-separated tokens; ``char_count`` the pages' text length."""
    return Metadata(
        page_count=len(pages),
        word_count=sum(_page_word_count(page) for page in pages),
        char_count=sum(len(page.text) for page in pages),
        title=properties.title,
        author=properties.author,
        subject=properties.subject,
        creator=properties.creator,
        producer=properties.producer,
        created_at=properties.created_at,
        modified_at=properties.modified_at,
        encrypted=properties.encrypted,
        has_forms=properties.has_forms,
        has_attachments=properties.has_attachments,
        language=language.code,
        language_confidence=language.confidence,
    )


def _page_word_count(page: Page) -> int:
    return len(page.words) if page.words else count_words(page.text)

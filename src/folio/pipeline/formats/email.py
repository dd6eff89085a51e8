"""E-mail (RFC 822 / .eml) with the standard library: headers, body text, attachment list."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from folio.pipeline.formats import ExtractContext, Extraction, Properties, clean_field
from folio.pipeline.formats.html import html_to_text
from folio.pipeline.formats.text import decode_text
from folio.pipeline.pages import native_pages, paginate_text

SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")
MAX_LISTED_ATTACHMENTS = 20


def extract_email(ctx: ExtractContext) -> Extraction:
    with ctx.path.open("rb") as stream:
        message = BytesParser(policy=policy.default).parse(stream)
    if not isinstance(message, EmailMessage):
        message = EmailMessage(policy.default)
    attachments = _attachment_names(message)
    if attachments:
        listed = ", ".join(attachments[:MAX_LISTED_ATTACHMENTS])
        ctx.warnings.append(f"{len(attachments)} attachment(s) not processed: {listed}")
    body = _body_text(message, ctx.options.limits.max_nesting_depth)
    text = _header_block(message) + "\n\n" + body
    pages = native_pages(paginate_text(text.strip()))
    ctx.check_page_count(len(pages))
    ctx.report_pages(pages)
    properties = Properties(
        title=_header(message, "Subject"),
        author=_header(message, "From"),
        created_at=_date(message),
        has_attachments=bool(attachments),
    )
    return Extraction(pages=pages, properties=properties)


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):
        return None
    return clean_field(" ".join(str(value).split())) if value is not None else None


def _header_block(message: Message) -> str:
    lines = []
    for name in SHOWN_HEADERS:
        value = _header(message, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _date(message: Message) -> datetime | None:
    try:
        header = message.get("Date")
        moment = getattr(header, "datetime", None)
    except (ValueError, TypeError, IndexError):
        return None
    return moment if isinstance(moment, datetime) else None


def _body_text(message: EmailMessage, max_depth: int) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _part_text(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content, max_depth=max_depth).text
    return content


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]  # EmailMessage's; caught below
    except (LookupError, ValueError, UnicodeError, AttributeError):
        payload = part.get_payload(decode=True)
        return decode_text(payload)[0] if isinstance(payload, bytes) else ""
    if isinstance(content, bytes):
        return decode_text(content)[0]
    return str(content)


def _attachment_names(message: EmailMessage) -> list[str]:
    names = []
    for index, part in enumerate(message.iter_attachments(), start=1):
        name = part.get_filename() or f"part {index} ({part.get_content_type()})"
        names.append(" ".join(str(name).split()))
    return names

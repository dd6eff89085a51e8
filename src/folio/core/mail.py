"""Outgoing e-mail: SMTP when configured, otherwise an outbox in the data directory."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import anyio

from folio.core.db import utcnow

logger = logging.getLogger("folio.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "application/pdf" …
    data: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.to, mail.subject
    message.set_content(mail.body)
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls

    async def send(self, mail: Mail) -> None:
        await anyio.to_thread.run_sync(self._send_blocking, _message(self.sender, mail))

    def _send_blocking(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class OutboxMailer:
    """Writes each mail to ``outbox/`` (one .eml file) and logs it, for a local user to read."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder, self.sender = folder, sender

    async def send(self, mail: Mail) -> None:
        message = _message(self.sender, mail)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{mail.to.replace('/', '_')}.eml"
        await anyio.to_thread.run_sync(path.write_bytes, message.as_bytes())
        logger.info("mail to %s (%s) written to %s", mail.to, mail.subject, path)

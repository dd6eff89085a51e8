"""A real SMTP server (aiosmtpd) on loopback that keeps what Folio sends (a pytest plugin)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def token_for(self, address: str, subject_part: str) -> str:
        for message in reversed(self.messages):
            if message["To"] == address and subject_part in message["Subject"]:
                body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
                return re.search(r"token=([\w-]+)", body).group(1)  # type: ignore[union-attr]
        raise AssertionError(f"no mail to {address} about {subject_part!r}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()

"""Account tests send real e-mail to the SMTP server of tests/smtp.py."""

from __future__ import annotations

import pytest

from tests.smtp import Inbox


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {
        "workers": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox.port,
        "login_max_failures": 3,
    }

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.crypto import EncryptedText
from folio.core.db import Base, TimestampMixin


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # system:admin
    personal_team_id: Mapped[str | None] = mapped_column(String(40))
    mfa_secret: Mapped[str | None] = mapped_column(EncryptedText)  # the TOTP seed
    mfa_enabled_at: Mapped[datetime | None] = mapped_column()
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)  # TOTP codes are single-use
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()

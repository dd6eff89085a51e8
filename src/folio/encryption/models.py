from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, utcnow


class EncryptionKeyUse(Base):
    """A key id that values in this database may be encrypted with: a start without that key
    stops with a clear error instead of failing reads one by one. Installation-wide data
    (no team): written at start and by ``folio encryption rotate``."""

    __tablename__ = "encryption_keys_used"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_used_at: Mapped[datetime] = mapped_column(default=utcnow)

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum, utcnow

DEFAULT_LOW_BALANCE = 100
DEFAULT_REFILL = 500


class CreditAccount(TimestampMixin, Base):
    """A team's credit balance and its alert and auto-refill settings."""

    __tablename__ = "credit_accounts"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    balance: Mapped[int] = mapped_column(Integer, default=0)
    low_balance_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_LOW_BALANCE)
    low_alerted: Mapped[bool] = mapped_column(Boolean, default=False)  # until back above
    auto_refill_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    refill_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_LOW_BALANCE)
    refill_amount: Mapped[int] = mapped_column(Integer, default=DEFAULT_REFILL)
    monthly_limit: Mapped[int | None] = mapped_column(Integer)


class TransactionKind(StrEnum):
    usage = "usage"  # an accepted image
    grant = "grant"  # by a system admin (purchases happen outside Folio)
    refund = "refund"  # the usage of a chunk that failed
    refill_request = "refill_request"  # auto-refill recorded; an admin grants it


class CreditTransaction(Base):
    __tablename__ = "credit_transactions"
    __table_args__ = (
        Index("ix_credit_transactions_team_id_id", "team_id", "id"),
        Index("ix_credit_transactions_chunk_id", "chunk_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind))
    amount: Mapped[int] = mapped_column(Integer)  # signed: usage is negative
    balance_after: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(40))
    chunk_id: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from folio.core.schemas import BoundedInt, Schema
from folio.credits.models import TransactionKind


class Granularity(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class BalanceRead(Schema):
    team_id: str
    current_balance: int
    monthly_usage: int
    monthly_limit: int | None
    low_balance_threshold: int
    auto_refill_enabled: bool
    refill_threshold: int
    refill_amount: int


class CreditSettingsUpdate(Schema):
    low_balance_threshold: BoundedInt | None = Field(default=None, ge=0)
    auto_refill_enabled: bool | None = None
    refill_threshold: BoundedInt | None = Field(default=None, ge=0)
    refill_amount: int | None = Field(default=None, gt=0, le=10_000_000)
    monthly_limit: BoundedInt | None = Field(default=None, ge=0)


class TransactionRead(Schema):
    id: str
    kind: TransactionKind
    amount: int
    balance_after: int
    job_id: str | None
    chunk_id: str | None
    description: str | None
    created_by: str | None
    created_at: datetime


class GrantCreate(Schema):
    team_id: str
    amount: int = Field(gt=0, le=100_000_000)
    description: str | None = Field(default=None, max_length=500)


class UsageBucket(Schema):
    start: date
    credits_used: int


class UsageRead(Schema):
    granularity: Granularity
    start_date: date
    end_date: date
    total: int
    buckets: list[UsageBucket]

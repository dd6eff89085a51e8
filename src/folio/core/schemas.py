from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# What the databases can hold and compare: SQLite and PostgreSQL integers are 64-bit, and dates
# near year 1 or 9999 overflow as soon as a bound is shifted by a day or a time zone.
MAX_INT = 2**63 - 1
MIN_YEAR = 2000
MAX_YEAR = 2100


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


D = TypeVar("D", date, datetime)


def _in_supported_years(value: D) -> D:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def _in_the_future(value: datetime) -> datetime:
    if value <= datetime.now(UTC):
        raise ValueError("must be in the future")
    return value


# Every integer a client sends (body or query); narrow it further with Field/Query(ge=, le=).
BoundedInt = Annotated[int, Field(ge=-MAX_INT - 1, le=MAX_INT)]
BoundedDate = Annotated[date, AfterValidator(_in_supported_years)]
# A naive datetime is a 422: the client says which moment it means (Z or an offset).
AwareDatetime = Annotated[pydantic.AwareDatetime, AfterValidator(_in_supported_years)]
FutureDatetime = Annotated[AwareDatetime, AfterValidator(_in_the_future)]

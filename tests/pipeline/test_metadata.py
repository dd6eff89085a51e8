"""PDF date strings in the document metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from folio.pipeline.metadata import parse_pdf_date


def zone(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D:20220403180542+02'00'", datetime(2022, 4, 3, 18, 5, 42, tzinfo=zone(2))),
        ("D:20220415133024-01'00'", datetime(2022, 4, 15, 13, 30, 24, tzinfo=zone(-1))),
        ("D:20230623063933Z", datetime(2023, 6, 23, 6, 39, 33, tzinfo=UTC)),
        ("D:20230410074654Z07'46'", datetime(2023, 4, 10, 7, 46, 54, tzinfo=UTC)),
        ("D:19990209153925+05'30", datetime(1999, 2, 9, 15, 39, 25, tzinfo=zone(5, 30))),
        ("D:2019", datetime(2019, 1, 1)),
        ("D:20190301", datetime(2019, 3, 1)),
        ("20161231184323", datetime(2016, 12, 31, 18, 43, 23)),
        ("2022-04-03T18:05:42+02:00", datetime(2022, 4, 3, 18, 5, 42, tzinfo=zone(2))),
        ("D:20221340000000", None),  # month 13
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_pdf_date(raw: str | None, expected: datetime | None) -> None:
    assert parse_pdf_date(raw) == expected

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from folio.core.errors import FieldError, ValidationFailed

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    ndjson = "ndjson"


class ExportLayout(StrEnum):
    sale_deeds = "sale_deeds"  # seed 003's Sale_Deeds sheet: one row per buyer / seller
    generic = "generic"  # one row per document, one sheet per list of objects


MEDIA_TYPES = {
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.json: "application/json",
    ExportFormat.ndjson: "application/x-ndjson",
}


@dataclass(frozen=True)
class ExportFilters:
    """Which documents: batches, a creation-date range (inclusive), an index range
    (``start_index`` ≤ i < ``end_index`` over the matching documents, oldest first)."""

    batch_ids: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    start_index: int = 0
    end_index: int | None = None

    def check(self) -> None:
        errors = []
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors.append(FieldError("end_date", "before_start", "end_date is before start_date"))
        if self.end_index is not None and self.end_index <= self.start_index:
            errors.append(
                FieldError("end_index", "before_start", "end_index must be above start_index")
            )
        if errors:
            raise ValidationFailed(errors)


def safe_name(text: str) -> str:
    return SAFE_NAME.sub("_", text).strip("._") or "export"


def export_filename(filters: ExportFilters, batch_names: list[str], extension: ExportFormat) -> str:
    """Seed 003's names: ``whole_data``, ``{batch}``, ``multiple_batches_{n}``,
    ``{start}_to_{end}`` (dates, else indexes)."""
    if len(filters.batch_ids) == 1:
        stem = safe_name(batch_names[0] if batch_names else filters.batch_ids[0])
    elif filters.batch_ids:
        stem = f"multiple_batches_{len(filters.batch_ids)}"
    elif filters.start_date or filters.end_date:
        start = filters.start_date.isoformat() if filters.start_date else "beginning"
        end = filters.end_date.isoformat() if filters.end_date else "latest"
        stem = f"{start}_to_{end}"
    elif filters.start_index or filters.end_index is not None:
        end = str(filters.end_index) if filters.end_index is not None else "end"
        stem = f"{filters.start_index}_to_{end}"
    else:
        stem = "whole_data"
    return f"{stem}.{extension}"

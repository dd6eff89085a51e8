"""Exports of extraction results: Excel (Sale_Deeds and generic), CSV, JSON, NDJSON and
searchable PDF."""

from folio.pipeline.fields.exports.excel import (
    SALE_DEED_COLUMNS,
    SALE_DEED_SHEET,
    sale_deed_rows,
    write_generic_xlsx,
    write_sale_deeds_xlsx,
)
from folio.pipeline.fields.exports.flatten import flatten
from folio.pipeline.fields.exports.searchable_pdf import write_searchable_pdf
from folio.pipeline.fields.exports.tabular import write_csv, write_json, write_ndjson

__all__ = [
    "SALE_DEED_COLUMNS",
    "SALE_DEED_SHEET",
    "flatten",
    "sale_deed_rows",
    "write_csv",
    "write_generic_xlsx",
    "write_json",
    "write_ndjson",
    "write_sale_deeds_xlsx",
    "write_searchable_pdf",
]

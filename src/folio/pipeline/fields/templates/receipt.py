"""Built-in ``receipt`` template: merchant, address, date and total of a till receipt."""

from __future__ import annotations

from folio.pipeline.fields.templates.builder import anchor, field, heuristic
from folio.pipeline.fields.types import (
    FieldType,
    Locator,
    LocatorKind,
    Pick,
    Position,
    Rule,
    Template,
)

T = FieldType

RECEIPT_TOTAL = (
    "grand total", "total amount", "total rm", "total (rm)", "total incl", "total inclusive",
    "nett total", "net total", "amount due", "total payable", "rounded total", "total sales",
    "total", "jumlah", "amount",
)  # fmt: skip
NOT_RECEIPT_TOTAL = (
    "sub", "subtotal", "qty", "quantity", "items", "item", "excl", "exclusive", "excluding",
    "total gst", "total tax", "total vat", "gst amount", "tax amount", "discount", "saving",
    "before", "rounding", "change", "tendered", "cash", "paid", "point", "points",
    "in total", "of total",
)  # fmt: skip
AMOUNT_WITH_CENTS = r"\d[.,]\s?\d{2}(?!\d)"


def receipt_template() -> Template:
    return Template(
        name="receipt",
        version=1,
        description="Till receipts: merchant, address, date, total",
        fields=[
            field("company", T.string, heuristic("receipt_company"), required=True),
            field("address", T.string, heuristic("receipt_address")),
            field(
                "date",
                T.date,
                anchor("date", "tarikh", "dated", position=Position.right_of),
                heuristic("document_date"),
            ),
            field(
                "total",
                T.money,
                heuristic("consistent_total"),
                Locator(
                    kind=LocatorKind.heuristic,
                    heuristic="rounded_total",
                    labels=list(RECEIPT_TOTAL),
                    exclude=list(NOT_RECEIPT_TOTAL),
                    position=Position.right_of,
                    value_pick="last",
                ),
                anchor(
                    *RECEIPT_TOTAL,
                    exclude=NOT_RECEIPT_TOTAL,
                    pick=Pick.max,
                    position=Position.right_of,
                    value_pick="last",
                ),
                heuristic("cash_less_change"),
                heuristic("largest_amount"),
                required=True,
                value_pattern=AMOUNT_WITH_CENTS,
            ),
        ],
        rules=[Rule(kind="required", field="total"), Rule(kind="range", field="total", min=0)],
    )

"""Templates as data: JSON round trip, custom fields with every locator kind, key_values."""

from __future__ import annotations

import json
from pathlib import Path

from folio.pipeline.fields import (
    FieldSpec,
    FieldType,
    Locator,
    LocatorKind,
    Position,
    Template,
    apply_template,
    builtin_templates,
    get_template,
)

from .conftest import INVOICES


def test_builtins_round_trip_through_json() -> None:
    names = [t.name for t in builtin_templates()]
    assert names == ["invoice", "receipt", "sale_deed", "key_values"]
    for template in builtin_templates():
        dumped = json.dumps(template.model_dump(mode="json"))
        assert Template.model_validate(json.loads(dumped)) == template


def _custom() -> Template:
    return Template(
        name="custom_invoice",
        version=3,
        fields=[
            FieldSpec(
                name="order_number",
                type=FieldType.string,
                locators=[Locator(kind=LocatorKind.regex, pattern=r"Ordernummer:\s*(\d+)")],
            ),
            FieldSpec(
                name="customer_number",
                type=FieldType.number,
                locators=[
                    Locator(
                        kind=LocatorKind.anchor,
                        labels=["klantnummer", "customer no"],
                        position=Position.right_of,
                    )
                ],
            ),
            FieldSpec(
                name="order_date",
                type=FieldType.date,
                locators=[Locator(kind=LocatorKind.anchor, labels=["orderdatum"])],
            ),
            FieldSpec(
                name="bic",
                type=FieldType.string,
                locators=[Locator(kind=LocatorKind.anchor, labels=["bic", "swift"])],
            ),
            FieldSpec(
                name="paid_by_ideal",
                type=FieldType.enum,
                enum_values=["iDEAL", "PayPal"],
                locators=[Locator(kind=LocatorKind.regex, pattern=r"(.*ideal.*)")],
            ),
            FieldSpec(
                name="websites",
                type=FieldType.list,
                item_type=FieldType.string,
                locators=[Locator(kind=LocatorKind.entity, entity="url")],
            ),
            FieldSpec(
                name="summary",
                type=FieldType.string,
                locators=[
                    Locator(kind=LocatorKind.llm, instruction="One sentence about the order")
                ],
            ),
            FieldSpec(
                name="kvk",
                type=FieldType.string,
                locators=[Locator(kind=LocatorKind.anchor, labels=["chamber of commerce"])],
            ),
        ],
    )


def test_custom_template_on_a_real_invoice(corpus: Path, process) -> None:
    extraction = apply_template(process(INVOICES / "coolblue1.pdf"), _custom())
    values = extraction.values()
    assert extraction.template == "custom_invoice" and extraction.template_version == 3
    assert values["order_number"] == "12572103"
    assert values["customer_number"] == 6669263
    assert values["order_date"] == "2014-04-18"
    assert values["bic"] == "INGBNL2A"
    assert values["paid_by_ideal"] == "iDEAL"
    assert values["websites"] == ["www.tabletcenter.nl"]
    assert extraction.fields["customer_number"].method == "anchor:right_of"
    # the LLM locator is recorded, never faked
    assert values["summary"] is None and extraction.llm_pending == ["summary"]
    assert "LLM" in (extraction.fields["summary"].missing_reason or "")
    assert values["kvk"] is None and extraction.fields["kvk"].missing_reason


def test_anchor_below_a_header(corpus: Path, process) -> None:
    template = Template(
        name="t",
        fields=[
            FieldSpec(
                name="due",
                type=FieldType.date,
                locators=[
                    Locator(
                        kind=LocatorKind.anchor, labels=["vervaldatum"], position=Position.below
                    )
                ],
            ),
        ],
    )
    extraction = apply_template(process(INVOICES / "saeco.pdf"), template)
    assert extraction.values()["due"] == "2022-09-22"
    assert extraction.fields["due"].method == "anchor:below"


def test_key_values(corpus: Path, process) -> None:
    extraction = apply_template(
        process(INVOICES / "FlipkartInvoice.pdf"), get_template("key_values")
    )
    pairs = {p["key"]: p["value"] for p in extraction.values()["pairs"]}
    assert pairs["Order ID"] == "OD304175096047380001"
    assert pairs["Invoice Date"] == "20-10-2015"
    assert pairs["VAT/TIN"] == "29670869006"


def test_scalar_from_a_table_column(corpus: Path, process) -> None:
    template = Template(name="t", fields=[
        FieldSpec(name="net", type=FieldType.money, locators=[
            Locator(kind=LocatorKind.table, labels=["grondslag"])]),
        FieldSpec(name="gross", type=FieldType.money, locators=[
            Locator(kind=LocatorKind.table, labels=["totaal"])]),
    ])  # fmt: skip
    extraction = apply_template(process(INVOICES / "saeco.pdf"), template)
    assert extraction.values() == {"net": 41.31, "gross": 49.99}
    assert extraction.fields["net"].method == "table" and extraction.fields["net"].bbox

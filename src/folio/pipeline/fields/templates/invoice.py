"""Built-in ``invoice`` template: generic labels in English, French, German, Dutch, Spanish,
Italian and Polish; no rule names a vendor."""

from __future__ import annotations

from folio.pipeline.fields.templates.builder import (
    anchor,
    column,
    entity,
    field,
    heuristic,
    llm,
    regex,
)
from folio.pipeline.fields.types import FieldSpec, FieldType, Pick, Position, Rule, Template

T = FieldType

NUMBER_LABELS = (
    "invoice number", "invoice no", "invoice #", "invoice num", "inv no", "inv #", "bill no",
    "bill number", "invoice id", "facture n°", "facture no", "numéro de facture", "n° de facture",
    "factuurnummer", "factuurnr", "rechnungsnummer", "rechnungsnr", "rechnung nr",
    "faktura nr", "numer faktury", "número de factura", "factura n°", "numero fattura",
    "fattura n", "document no", "tax invoice no", "receipt no", "receipt number",
    "booking id", "booking no", "booking number", "invoice",
)  # fmt: skip
NUMBER_VALUE = (
    r"(?<![\w-])(?!\d{1,4}[-./]\d{1,2}[-./]\d{2,4}\b)"
    r"#?[A-Z0-9][A-Z0-9_/.\-]*\d[A-Z0-9_/.\-]*(?<![.\-/])"
)
NUMBER_TOKEN = r"#?\s?([A-Z0-9][A-Z0-9_/.\-]*\d[A-Z0-9_/.\-]*)"
DATE_LABELS = (
    "invoice date", "date of invoice", "date of issue", "issue date", "issued on", "bill date",
    "billing date", "date facture", "date de facture", "factuurdatum", "factuur datum",
    "rechnungsdatum", "data wystawienia", "data faktury", "fecha de factura", "fecha",
    "data fattura", "invoice dt", "dated", "date", "datum", "du",
)  # fmt: skip
NOT_ISSUE_DATE = ("order date", "orderdatum", "delivery", "livraison", "check", "period")
DUE_LABELS = (
    "due date", "date due", "payment due", "due on", "pay by", "payment deadline",
    "date limite de paiement", "date d'échéance", "échéance", "vervaldatum", "uiterste betaaldatum",
    "fälligkeitsdatum", "fällig am", "zahlungsziel", "zahlbar bis", "termin płatności",
    "fecha de vencimiento", "scadenza",
)  # fmt: skip
TOTAL_LABELS = (
    "grand total", "total amount due", "amount due", "balance due", "total due", "total to pay",
    "amount payable", "net payable", "total ttc", "montant ttc", "net à payer", "somme à payer",
    "total à payer", "te betalen", "totaal", "factuur totaal", "gesamtbetrag", "rechnungsbetrag",
    "endbetrag", "zu zahlen", "do zapłaty", "razem do zapłaty", "total factura", "importe total",
    "totale", "total", "razem", "summe", "montant total",
)  # fmt: skip
NOT_TOTAL = (
    "sub", "subtotal", "subtotaal", "ht", "excl", "exclusief", "excluding", "net amount",
    "netto", "untaxed", "before tax", "total tax", "total vat", "tax total", "qty", "quantity",
    "items", "discount", "saving", "korting", "rabatt", "zwischensumme", "hors taxe",
)  # fmt: skip
UNTAXED_LABELS = (
    "total ht", "montant ht", "total hors taxes", "total excl", "total excluding", "exclusief btw",
    "excl. btw", "excl btw", "subtotal excl", "net amount", "amount untaxed", "untaxed amount",
    "total before tax", "taxable amount", "taxable value", "nettobetrag", "netto", "grondslag",
    "wartość netto", "base imponible", "imponibile", "montant eur ht", "subtotal", "sub total",
    "subtotaal", "zwischensumme", "sous-total",
)  # fmt: skip
TAX_LABELS = (
    "total tax", "tax amount", "total vat", "vat amount", "montant tva", "btw bedrag",
    "kwota vat", "mwst", "ust", "sales tax", "gst", "igst", "cgst", "sgst", "tva", "btw", "vat",
    "iva", "tax",
)  # fmt: skip
NOT_TAX = (
    "excl", "exclusief", "incl", "inclusief", "inclusive", "id", "nummer", "number", "no.", "reg",
    "ht", "total ttc", "tin", "identification", "uw btw", "intra", "exempt", "grondslag",
    "net amount", "subtotal", "before tax",
)  # fmt: skip
VAT_TOKEN = r"\b((?:[A-Z]{2}[ -]?)?[0-9][0-9A-Z .\-]{6,16}[0-9A-Z])\b"

LINE_ITEM_FIELDS = [
    field(
        "description",
        T.string,
        column(
            "description",
            "item",
            "désignation",
            "designation",
            "omschrijving",
            "beschreibung",
            "artikel",
            "product",
            "produit",
            "nazwa",
            "service",
            "product title",
            "particulars",
            "libellé",
        ),
    ),
    field(
        "quantity",
        T.number,
        column(
            "quantity",
            "qty",
            "quantité",
            "qté",
            "aantal",
            "menge",
            "hoeveelheid",
            "ilość",
            "nombre",
            "units",
            "anzahl",
        ),
    ),
    field(
        "unit_price",
        T.money,
        column(
            "unit price",
            "price",
            "rate",
            "prix unitaire",
            "p.u",
            "prijs",
            "einzelpreis",
            "vk-preis",
            "cena",
            "prix",
            "unit cost",
        ),
    ),
    field(
        "amount",
        T.money,
        column(
            "amount",
            "total",
            "line total",
            "montant",
            "bedrag",
            "zeilenbetrag",
            "betrag",
            "wartość",
            "prijs incl",
            "importe",
            "subtotal",
        ),
    ),
]


def _fields() -> list[FieldSpec]:
    return [
        field(
            "issuer",
            T.string,
            heuristic("web_issuer"),
            anchor(
                "sold by",
                "seller",
                "vendor",
                "supplier",
                "sprzedawca",
                "verkoper",
                "lieferant",
                "fournisseur",
                "issued by",
                # the payee of the bank transfer is the issuer
                "account holder",
                "titulaire du compte",
                "kontoinhaber",
                "rekeninghouder",
                "beneficiary name",
                "payment received by",
                position=Position.right_of,
            ),
            heuristic("web_brand"),
            heuristic("issuer"),
            llm("Name of the company that issued the invoice"),
        ),
        field(
            "invoice_number",
            T.string,
            regex(
                r"(?:invoice|facture|factuur|rechnung|faktura|factura)\s*(?:n[o°º]\.?|num"
                r"ber|nr\.?|nummer|#|id)\s*[:.#]?\s*" + NUMBER_TOKEN
            ),
            anchor(*NUMBER_LABELS, position=Position.right_of),
            anchor(*NUMBER_LABELS, "factuur", "facture", "rechnung", position=Position.below),
            value_pattern=NUMBER_VALUE,
        ),
        field(
            "issue_date",
            T.date,
            anchor(
                *DATE_LABELS,
                exclude=(*DUE_LABELS, *NOT_ISSUE_DATE),
            ),
            entity("date"),
        ),
        field("due_date", T.date, anchor(*DUE_LABELS)),
        field(
            "total",
            T.money,
            anchor(
                *TOTAL_LABELS,
                exclude=NOT_TOTAL,
                pick=Pick.max,
                position=Position.right_of,
                value_pick="last",
            ),
            anchor(*TOTAL_LABELS, exclude=NOT_TOTAL, pick=Pick.max, position=Position.below),
            required=True,
        ),
        field("currency", T.string, heuristic("currency")),
        field(
            "tax",
            T.money,
            anchor(
                *TAX_LABELS,
                exclude=NOT_TAX,
                pick=Pick.max,
                position=Position.right_of,
                value_pick="last",
            ),
            anchor(
                "btw bedrag",
                "montant tva",
                "kwota vat",
                "tax amount",
                "vat amount",
                position=Position.below,
            ),
        ),
        field(
            "subtotal",
            T.money,
            anchor(
                *UNTAXED_LABELS,
                position=Position.right_of,
                exclude=("incl", "ttc", "inclusief"),
                pick=Pick.max_of_best,
            ),
            anchor(*UNTAXED_LABELS, position=Position.below, pick=Pick.max_of_best),
            heuristic("untaxed_from_total"),
        ),
        field("iban", T.string, entity("iban"), transform="compact"),
        field(
            "vat_ids",
            T.list,
            entity("vat"),
            regex(
                r"(?<!\w)(?:vat|btw|tva|ust-?id\w*|nip|gstin|tin)\b[\s.:#/a-z]{0,12}" + VAT_TOKEN
            ),
            item_type=T.string,
            transform="compact",
        ),
        field("line_items", T.list, column(), item_type=T.object, fields=LINE_ITEM_FIELDS),
    ]


INVOICE_RULES = [
    Rule(kind="required", field="total"),
    Rule(kind="required", field="invoice_number"),
    Rule(kind="date_order", fields=["issue_date", "due_date"]),
    Rule(kind="add", fields=["subtotal", "tax"], field="total", tolerance=0.05),
    Rule(kind="range", field="total", min=0),
    Rule(kind="pattern", field="currency", pattern="[A-Z]{3}"),
]


def invoice_template() -> Template:
    return Template(
        name="invoice",
        version=1,
        description="Invoices: issuer, number, dates, currency, amounts, IBAN, VAT ids, lines",
        fields=_fields(),
        rules=INVOICE_RULES,
    )

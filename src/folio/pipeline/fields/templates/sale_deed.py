"""Built-in ``sale_deed`` template (Indian property sale deeds, seed 003 fields)."""

from __future__ import annotations

from folio.pipeline.fields.templates.builder import anchor, entity, field, heuristic, regex
from folio.pipeline.fields.templates.builder import section as section_of
from folio.pipeline.fields.types import (
    FieldSpec,
    FieldType,
    Locator,
    LocatorKind,
    Pick,
    Position,
    Rule,
    Template,
)

T = FieldType
R = Position.right_of

INDIAN_STATES = [
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat",
    "Haryana", "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh",
    "Maharashtra", "Manipur", "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab",
    "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana", "Tripura", "Uttar Pradesh", "Uttarakhand",
    "West Bengal", "Andaman and Nicobar Islands", "Chandigarh", "Delhi", "Jammu and Kashmir",
    "Ladakh", "Lakshadweep", "Puducherry", "Dadra and Nagar Haveli and Daman and Diu",
]  # fmt: skip

_NUM = r"(?:\s*(?:no\.?|number|#)?\s*\d+)?"
SELLER_START = rf"^\W*(?:\d+[.)]\s*)?(?:seller|vendor|transferor|executant){_NUM}\s*(?:[:\-.)]|$)"
BUYER_START = (
    rf"^\W*(?:\d+[.)]\s*)?(?:buyer|purchaser|vendee|transferee|claimant){_NUM}\s*(?:[:\-.)]|$)"
)
QUOTE = r"['\"\u2018\u2019]"
PROPERTY_START = (
    rf"^\W*(?:property details|schedule\s*{QUOTE}?[abc]?{QUOTE}?\s*property|description of "
    r"(?:the )?property|schedule of property|the schedule)"
)
OTHER_END = r"^\W*(?:witness|in witness|signed|signature|identified by)"
PARTY_END = f"{SELLER_START}|{BUYER_START}|{PROPERTY_START}|{OTHER_END}"
AREA = r"([\d,]+(?:\.\d+)?)\s*(?:sq\.?\s*(?:ft|feet|mtrs?|m)\.?|sft|square\s*(?:feet|metres))"
NAME_RE = (
    r"(?:name|seller|vendor|buyer|purchaser)\w*{num}\s*[:\-.)]\s*"
    r"(?:(?:mr|mrs|ms|smt|shri|sri|kum|dr)\.?\s+)?([A-Za-z][A-Za-z .']+?)"
    r"(?=\s*,|\s+(?:s/o|d/o|w/o|son of|daughter of|wife of|aged)\b|\s*$)"
).replace("{num}", _NUM)


SELLER_ROLES = ("seller", "vendor", "transferor", "grantor", "executant", "assignor")
BUYER_ROLES = ("buyer", "purchaser", "vendee", "transferee", "grantee", "claimant", "assignee")
MONEY = r"((?:rs\.?|inr|\u20b9|\$|\u00a3|\u20ac)\s*\d[\d,]*(?:\.\d+)?)"


def _parties(role_words: tuple[str, ...]) -> Locator:
    return Locator(kind=LocatorKind.heuristic, heuristic="deed_parties", labels=list(role_words))


def _party_fields(with_share: bool) -> list[FieldSpec]:
    fields = [
        field("name", T.string, regex(NAME_RE)),
        field(
            "gender",
            T.enum,
            anchor("gender", "sex", position=R),
            heuristic("gender"),
            enum_values=["Male", "Female", "Other"],
        ),
        field("aadhaar", T.string, entity("aadhaar"), entity="aadhaar"),
        field("pan", T.string, entity("pan"), entity="pan"),
        field(
            "address", T.string, anchor("address", "residing at", "resident of", "r/o", position=R)
        ),
        field(
            "pincode",
            T.string,
            anchor("pincode", "pin code", "pin"),
            entity("pincode"),
            entity="pincode",
        ),
        field(
            "state",
            T.enum,
            anchor("state", position=R),
            regex(r"([\s\S]+)", 1),
            enum_values=INDIAN_STATES,
        ),
        field(
            "phones",
            T.list,
            regex(r"(?:phone|mobile|mob\.?|contact|tel)\b[^\n]*", 0, pick=Pick.all),
            item_type=T.string,
            entity="phone",
            max_items=3,
        ),
        field("email", T.string, entity("email"), entity="email"),
    ]
    if with_share:
        fields.append(
            field(
                "property_share",
                T.string,
                regex(r"share\w*[^\n%/]{0,30}?(\d+(?:\.\d+)?\s*%|\d+\s*/\s*\d+|full|entire)"),
            )
        )
    return fields


def _property_fields() -> list[FieldSpec]:
    return [
        field(
            "schedule_b_area",
            T.number,
            regex(r"schedule\s*['\"\u2018\u2019]?b['\"\u2018\u2019]?[^\n]*?" + AREA),
        ),
        field(
            "schedule_c_area",
            T.number,
            regex(r"schedule\s*['\"\u2018\u2019]?c['\"\u2018\u2019]?[^\n]*?" + AREA),
        ),
        field(
            "schedule_c_address",
            T.string,
            anchor(
                "schedule c property",
                "schedule 'c' property",
                "schedule c address",
                "schedule c",
                "property address",
                position=R,
            ),
            regex(r"^\W*(?:\d+\s+)?property\s*:\s*(.+)$"),
        ),
        field(
            "pincode",
            T.string,
            anchor("pincode", "pin code", "pin"),
            entity("pincode"),
            entity="pincode",
        ),
        field(
            "state",
            T.enum,
            anchor("state", position=R),
            regex(r"([\s\S]+)", 1),
            enum_values=INDIAN_STATES,
        ),
        field(
            "sale_consideration",
            T.money,
            anchor(
                "sale consideration",
                "total consideration",
                "consideration amount",
                "consideration of",
                "consideration",
                position=R,
            ),
            regex(r"consideration(?:\s+of)?\s*[:\-]?\s*" + MONEY),
            regex(r"\bsum\s+of\s+" + MONEY),
        ),
        field(
            "stamp_duty",
            T.money,
            anchor(
                "stamp duty fee",
                "stamp duty paid",
                "stamp duty land tax",
                "stamp duty",
                "documentary stamp tax",
                "transfer tax",
                "conveyance tax",
                position=R,
            ),
        ),
        field(
            "registration_fee",
            T.money,
            anchor(
                "registration fee",
                "registration fees",
                "reg. fee",
                "recording fee",
                "land registry fee",
                "registry fee",
                position=R,
            ),
        ),
        field(
            "guidance_value",
            T.money,
            anchor("guidance value", "market value", "government value", position=R),
        ),
        field(
            "cash_payment",
            T.boolean,
            anchor("paid in cash", "cash payment", "payment in cash", "cash mode", position=R),
        ),
    ]


def sale_deed_template() -> Template:
    return Template(
        name="sale_deed",
        version=1,
        description="Property sale deeds: document, property, fees, buyers and sellers",
        fields=[
            field(
                "document_id",
                T.string,
                anchor(
                    "document no",
                    "document number",
                    "document id",
                    "doc no",
                    "registration no",
                    "registration number",
                    "regd no",
                    "instrument no",
                    "instrument number",
                    "title number",
                    "deed no",
                    position=R,
                ),
                required=True,
            ),
            field(
                "transaction_date",
                T.date,
                anchor(
                    "date of execution",
                    "execution date",
                    "date of registration",
                    "registered on",
                    "transaction date",
                    "dated",
                    "date",
                ),
                entity("date"),
            ),
            field(
                "registration_office",
                T.string,
                anchor(
                    "registration office",
                    "sub-registrar office",
                    "registering office",
                    "office of the sub-registrar",
                    "sro",
                    position=R,
                ),
                regex(r"(sub[- ]?registrar(?:'s)?\s+office[^\n]*)"),
            ),
            field(
                "property",
                T.object,
                section_of(PROPERTY_START, OTHER_END),
                fields=_property_fields(),
            ),
            field(
                "sellers",
                T.list,
                section_of(SELLER_START, PARTY_END),
                _parties(SELLER_ROLES),
                item_type=T.object,
                fields=_party_fields(with_share=True),
            ),
            field(
                "buyers",
                T.list,
                section_of(BUYER_START, PARTY_END),
                _parties(BUYER_ROLES),
                item_type=T.object,
                fields=_party_fields(with_share=False),
            ),
        ],
        rules=[
            Rule(kind="required", field="document_id"),
            Rule(kind="required", field="sellers"),
            Rule(kind="required", field="buyers"),
            Rule(kind="pattern", field="sellers[].pan", pattern=r"[A-Z]{5}\d{4}[A-Z]"),
            Rule(kind="pattern", field="buyers[].pan", pattern=r"[A-Z]{5}\d{4}[A-Z]"),
            Rule(kind="pattern", field="property.pincode", pattern=r"[1-9]\d{5}"),
            Rule(kind="range", field="property.sale_consideration", min=0),
        ],
    )

"""Receipt rules on receipts laid out word by word (as OCR reports them): a photo taken at an
angle, a total read from cash less change, the date printed with a time, amounts with a
glued currency code, and calibrated confidence."""

from __future__ import annotations

import math

import pytest

from folio.pipeline import DocumentResult
from folio.pipeline.fields import apply_template, find_money, get_template
from folio.pipeline.fields.calibration import Calibrator, fit_isotonic
from folio.pipeline.fields.layout import document_lines
from folio.pipeline.types import (
    DocumentKind,
    Metadata,
    OcrInfo,
    OcrMode,
    Page,
    PageSource,
    Word,
)

RECEIPT = [
    (160, "KEDAI RUNCIT MAJU SDN BHD"),
    (140, "NO. 12, JALAN MERANTI 3,"),
    (150, "43000 KAJANG, SELANGOR"),
    (20, "BORN 22/05/1995 CLUB MEMBER"),
    (20, "INVOICE 1042    30/03/2018 12:36"),
    (20, "MINERAL WATER 2 X 1.50        3.00"),
    (20, "BREAD                         4.60"),
    (20, "TOTAL                         7.60"),
    (20, "CASH                         10.00"),
    (20, "CHANGE                        2.40"),
]


def receipt(rows: list[tuple[int, str]], degrees: float = 0.0) -> DocumentResult:
    """Word boxes of 12 px wide characters on 30 px lines, turned by ``degrees``."""
    turn = math.radians(degrees)
    words, pos = [], 0
    for row, (x, text) in enumerate(rows):
        col = 0
        for token in text.split(" "):
            if token:
                x0, y0 = x + col * 12, 40 + row * 30
                cx, cy = x0 + len(token) * 6, y0 + 11
                nx = cx * math.cos(turn) - cy * math.sin(turn)
                ny = cx * math.sin(turn) + cy * math.cos(turn) + 60
                box = (nx - len(token) * 6, ny - 11, nx + len(token) * 6, ny + 11)
                words.append(Word(text=token, bbox=box, start=pos, end=pos + len(token)))
                pos += len(token) + 1
            col += len(token) + 1
    text = "\n".join(t for _, t in rows)
    page = Page(
        number=1, width=700, height=700, unit="px", source=PageSource.ocr, text=text, words=words
    )
    return DocumentResult(
        kind=DocumentKind.image,
        mime_type="image/jpeg",
        metadata=Metadata(page_count=1, word_count=len(words), char_count=len(text)),
        pages=[page],
        ocr=OcrInfo(mode=OcrMode.auto, pages_ocr=1),
    )


def test_fields_of_a_level_receipt() -> None:
    values = apply_template(receipt(RECEIPT), get_template("receipt")).values()

    assert values["company"] == "KEDAI RUNCIT MAJU SDN BHD"
    assert values["address"] == "NO. 12, JALAN MERANTI 3, 43000 KAJANG, SELANGOR"
    assert values["date"] == "2018-03-30"  # printed with a time, not the birthday above it
    assert values["total"] == 7.60
    # the labelled total agrees with cash less change: the arithmetic confirms it
    assert apply_template(receipt(RECEIPT), get_template("receipt")).fields["total"].method == (
        "arithmetic"
    )


def test_cash_less_change_when_no_total_line_is_read() -> None:
    rows = [r for r in RECEIPT if not r[1].startswith("TOTAL")]

    total = apply_template(receipt(rows), get_template("receipt")).fields["total"]

    assert total.value == 7.60 and total.method == "derived"


def test_a_photo_taken_at_an_angle_is_levelled() -> None:
    level = document_lines(receipt(RECEIPT))
    turned = document_lines(receipt(RECEIPT, degrees=4))

    assert [ln.text for ln in turned] == [ln.text for ln in level]
    values = apply_template(receipt(RECEIPT, degrees=-4), get_template("receipt")).values()
    assert values["total"] == 7.60 and values["company"] == "KEDAI RUNCIT MAJU SDN BHD"


def test_the_reported_box_is_the_page_s_own() -> None:
    result = receipt(RECEIPT, degrees=4)
    total = apply_template(result, get_template("receipt")).fields["total"]

    word = next(w for w in result.pages[0].words if w.text == "7.60")
    assert total.bbox == word.bbox


def test_a_currency_code_glued_to_the_amount() -> None:
    assert [m.value for m in find_money("total RM367.10")] == [(367.10, "MYR")]
    assert find_money("code AB12.50") == []


def test_isotonic_calibration_is_monotone_and_smoothed() -> None:
    pairs = [(0.3, False)] * 6 + [(0.5, True), (0.5, False)] * 3 + [(0.9, True)] * 10
    step = fit_isotonic(pairs)

    values = [step(s) for s in (0.0, 0.3, 0.5, 0.7, 0.9, 1.0)]
    assert values == sorted(values)
    assert step(0.3) < 0.2 and 0.9 <= step(0.9) < 1.0
    calibrator = Calibrator({"total": step})
    assert calibrator.calibrate("total", "anchor", 0.9, found=False) == 0.0
    assert calibrator.calibrate("other", "anchor", 0.42, found=True) == 0.42
    assert fit_isotonic(pairs[:5]).points == ()  # too few to fit: the raw score stays


def test_the_document_settles_day_or_month_first() -> None:
    us = [(20, "SHIPPED 03/20/2023"), (20, "DATE 04/05/2023 10:15"), (20, "TOTAL 9.00")]
    eu = [(20, "SHIPPED 20/03/2023"), (20, "DATE 04/05/2023 10:15"), (20, "TOTAL 9.00")]
    template = get_template("receipt")  # day first unless the document says otherwise

    assert apply_template(receipt(us), template).values()["date"] == "2023-04-05"
    assert apply_template(receipt(eu), template).values()["date"] == "2023-05-04"


def _values(rows: list[tuple[int, str]]) -> dict:
    return apply_template(receipt(rows), get_template("receipt")).values()


def test_a_second_name_line_joins_the_merchant() -> None:
    rows = [
        (160, "RESTORAN SRI MELATI"),
        (200, "MELATI CORNER"),
        (200, "(001234567-K)"),
        (140, "NO. 8, JALAN DAHLIA 2,"),
        (150, "43000 KAJANG, SELANGOR"),
        *RECEIPT[4:],
    ]
    values = _values(rows)
    assert values["company"] == "RESTORAN SRI MELATI MELATI CORNER"
    assert values["address"] == "NO. 8, JALAN DAHLIA 2, 43000 KAJANG, SELANGOR"


def test_a_lot_number_is_no_postcode() -> None:
    rows = [
        (160, "KEDAI RUNCIT MAJU SDN BHD"),
        (140, "LOT P.T. 41234, BATU 5"),
        (140, "JALAN MERANTI, MUKIM ULU"),
        (150, "43000 KAJANG, SELANGOR"),
        (150, "88-TMN SRI MELATI"),
        *RECEIPT[4:],
    ]
    address = _values(rows)["address"]
    assert address == (
        "LOT P.T. 41234, BATU 5 JALAN MERANTI, MUKIM ULU 43000 KAJANG, SELANGOR 88-TMN SRI MELATI"
    )


@pytest.mark.parametrize(
    ("printed", "day"),
    [
        ("01:34PM 568017 05 02-18", "2018-02-05"),
        ("[SALES]2018-01-0522:55:25", "2018-01-05"),
        ("BIZDATE: 10/02/Z017", "2017-02-10"),
        ("23 -03-18 18:09 SH01", "2018-03-23"),
        ("05:23PM 568268 05-05~18", "2018-05-05"),
        ("DATE 12~04/2019", "2019-04-12"),
    ],
)
def test_a_date_with_an_ocr_slip(printed: str, day: str) -> None:
    rows = [r for r in RECEIPT if "/" not in r[1]]
    rows.insert(4, (20, printed))
    date = apply_template(receipt(rows), get_template("receipt")).fields["date"]
    assert date.value == day and date.method == "heuristic"


def test_the_total_that_payment_less_change_settles() -> None:
    rows = [
        *RECEIPT[:5],
        (20, "MINERAL WATER 2 X 1.50        3.00"),
        (20, "BREAD                         4.60"),
        (20, "DISCOUNT VOUCHER             50.00"),
        (20, "TTL                           7.60"),
        (20, "RINGGIT MALAYSIA             10.00"),  # tendered, under no payment label
        (20, "CHANGE DUE                    2.40"),
    ]
    total = apply_template(receipt(rows), get_template("receipt")).fields["total"]
    assert total.value == 7.60 and total.method == "arithmetic"


def test_the_total_that_sub_total_and_tax_settle() -> None:
    """The total printed on a line of its own (its label lost) and the tendered cash misread:
    sub-total plus tax names the total, not cash less change."""
    rows = [
        *RECEIPT[:5],
        (20, "BREAD                         92.50"),
        (20, "SUB-TOTAL                     92.50"),
        (20, "DISC                           0.00"),
        (20, "GST                            1.50"),
        (20, "ROUNDING ADJ                   0.00"),
        (200, "94.00"),
        (20, "CASH                          04.00"),
        (20, "CHANGE                         0.00"),
    ]
    total = apply_template(receipt(rows), get_template("receipt")).fields["total"]
    assert total.value == 94.00 and total.method == "arithmetic"


def test_a_misread_total_label_amount_gives_way_to_the_arithmetic() -> None:
    rows = [
        *RECEIPT[:5],
        (20, "BREAD                          7.60"),
        (20, "TOTAL                          1.60"),  # OCR dropped the 7
        (200, "7.60"),  # printed large, its label lost
        (20, "CASH                          10.00"),
        (20, "CHANGE                         2.40"),
    ]
    assert _values(rows)["total"] == 7.60


def test_a_time_with_dots_does_not_turn_the_date_month_first() -> None:
    rows = [*RECEIPT[:3], (20, "DATE 10/01/2018"), (20, "TIME: 09.20.00"), *RECEIPT[5:]]
    assert _values(rows)["date"] == "2018-01-10"


def test_an_address_line_is_not_taken_for_the_merchant() -> None:
    """The merchant's name unreadable: its first address line is no company name."""
    rows = [
        (160, "#%@ 1#"),
        (140, "LOT P.T. 2811, JALAN ANGSA,"),
        (150, "TAMAN BERKELEY 41150 KLANG"),
        *RECEIPT[4:],
    ]
    values = _values(rows)
    assert values["company"] is None  # nor the address's second line
    assert values["address"] == "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG"


def test_a_labelled_phone_number_ends_the_address() -> None:
    rows = [
        (160, "KEDAI RUNCIT MAJU SDN BHD"),
        (140, "NO.12, JALAN SS4C/5, PETALING JAYA"),
        (150, "SELANGOR DARUL EHSAN"),
        (150, "1EL: 012-2060 778"),  # TEL as OCR read it
        *RECEIPT[4:],
    ]
    assert _values(rows)["address"] == "NO.12, JALAN SS4C/5, PETALING JAYA SELANGOR DARUL EHSAN"


def test_without_a_payment_the_largest_amount_off_payment_lines() -> None:
    rows = [*RECEIPT[:5], (20, "BREAD  4.60"), (20, "CAKE  12.40"), (20, "TTL 17.00")]
    rows.append((20, "SST 6%  1.02"))
    assert _values(rows)["total"] == 17.00


def test_a_rounding_line_alone_gives_no_total_of_zero() -> None:
    rows = [*RECEIPT[:5], (20, "BREAD  4.60"), (20, "ROUNDING  0.00"), (20, "TTL  4.60")]
    assert _values(rows)["total"] == 4.60


def test_tax_included_in_total_is_no_total_and_an_underscore_is_a_space() -> None:
    rows = [
        *RECEIPT[:5],
        (20, "BREAD  4.60"),
        (20, "TOTAL INCL. GST  <RM_34.80"),
        (20, "GST @6% INCLUDED IN TOTAL  RM 1.97"),
    ]
    assert _values(rows)["total"] == 34.80


def test_a_registration_number_in_misread_brackets_is_no_part_of_the_name() -> None:
    rows = [(160, "KEDAI MAJU MART 5/B {519537-X)"), *RECEIPT[1:]]
    assert _values(rows)["company"] == "KEDAI MAJU MART S/B"


def test_a_space_ocr_put_beside_the_decimal_mark() -> None:
    assert [m.value for m in find_money("CHANGE DUE : 43 .30")] == [(43.30, None)]
    assert [m.value for m in find_money("TOTAL 65. 20")] == [(65.20, None)]


def test_a_sub_total_repeated_in_a_tax_summary_confirms_nothing() -> None:
    """The tax line unread (``asl`` for GST): the sub-total again in the summary's first
    column is no total; the labelled total stands."""
    rows = [
        *RECEIPT[:5],
        (20, "VALUE PACK A            235.85"),
        (20, "SUBTOTAL (EXCLUDING GST) 235.85"),
        (20, "asl (6%)                 14.15"),
        (20, "TOTAL AMOUNT DUE        250.00"),
        (20, "6% SR    235.85   14.15   250.00"),
    ]
    assert _values(rows)["total"] == 250.00

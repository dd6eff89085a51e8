"""OCR slips mended against the lexicons; words of their own (names, plurals) left alone."""

from __future__ import annotations

import pytest

from folio.pipeline.fields.spelling import mend_address, mend_company


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("42000 KLANG, SCLANGOR", "42000 KLANG, SELANGOR"),  # c for e
        ("Subang Jaya Setangor", "Subang Jaya Selangor"),  # t for l
        ("NO.7,JA:AN MAWAR 2/1", "NO.7,JALAN MAWAR 2/1"),  # a mark for a letter
        ("No.3, JIn Cempaka 4", "No.3, Jln Cempaka 4"),  # I for l
        ("LOT G1O, SRI Ma11 CITY", "LOT G10, SRI Mall CITY"),  # O for 0, 1 for l
        ("12 Baker Streel, London", "12 Baker Street, London"),
    ],
)
def test_address_slips_are_mended(read: str, meant: str) -> None:
    assert mend_address(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "88-KAMPUNG UTARA, KUALA LUMPUR",  # UTARA is a word, not a slip of UTAMA
        "NO 9, JALAN MERBAU, TAMAN SRI",  # names not in the lexicon stay as read
        "Rue de la Paix 75002 Paris",
        "NO 3, JALAN ALAN 2, 43000 KAJANG",  # four letters in an address: never mended
    ],
)
def test_words_of_their_own_stay(text: str) -> None:
    assert mend_address(text) == text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("KEDAI MAJU MART S/D", "KEDAI MAJU MART S/B"),
        ("KEDAI MAJU MART 5/8", "KEDAI MAJU MART S/B"),
        ("KEDAI MAJU MARTS/D", "KEDAI MAJU MART S/B"),  # the space before the form lost
        ("KEDAI MAJU NART S/B", "KEDAI MAJU MART S/B"),  # a four-letter word: look-alikes only
        ("SRI LAUT SEAFOOD RESTAURANT SDN DHD", "SRI LAUT SEAFOOD RESTAURANT SDN BHD"),
        ("MAWAR CONFECTIUNERY SDN BHD", "MAWAR CONFECTIONERY SDN BHD"),
        ("TERATAI RESTAURANTS SDN BHD", "TERATAI RESTAURANTS SDN BHD"),
        ("CAHAYA SERVICE SDN BHD", "CAHAYA SERVICE SDN BHD"),
    ],
)
def test_company_legal_forms_and_trade_words(read: str, meant: str) -> None:
    assert mend_company(read) == meant

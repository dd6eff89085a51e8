"""The general recognisers around the entity model: names, places, organisations, addresses,
groups and identifiers found by their form, their layout or a context word, with exact offsets."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from folio.pipeline.intelligence import extract_entities
from folio.pipeline.intelligence.addresses import address_blocks
from folio.pipeline.intelligence.candidates import Candidate
from folio.pipeline.intelligence.entities import merge_addresses
from folio.pipeline.intelligence.types import Entity


def found(text: str, kind: str) -> list[str]:
    entities = extract_entities(text)
    for e in entities:
        assert text[e.start : e.end] == e.text  # offsets index the text exactly
    return [e.text for e in entities if e.type == kind]


class TestNames:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("Producer Liviana Palerma explained it to the press.", "Liviana Palerma"),
            ("Mrs. Barbara Yudina Apt. 675 62314 Mellemvej 32", "Barbara Yudina"),
            ("have you heard Tamara T Stanković speak yet?", "Tamara T Stanković"),
            ("sometimes people call me višeslav", "višeslav"),
            ("She named him Luís", "Luís"),
            ("I met Thomas Techer-Guillon at the office.", "Thomas Techer-Guillon"),
            ("I met Sr. Miguel Rezende at the office.", "Miguel Rezende"),
        ],
    )  # fmt: skip
    def test_name_spans_hold_the_name_only(self, text: str, name: str) -> None:
        assert name in found(text, "person")

    def test_speakers_and_kin_are_people(self) -> None:
        text = 'Vsevolod: "Who are you?"\nHeather:"I\'m Daniel\'s daughter".'
        assert set(found(text, "person")) == {"Vsevolod", "Heather", "Daniel"}

    def test_the_one_spoken_to_before_a_quote_is_a_person(self) -> None:
        assert found('Mehrudin shouted at Tiffany: "What are you doing?"', "person") == [
            "Mehrudin",
            "Tiffany",
        ]

    def test_an_author_named_before_the_work_is_a_person(self) -> None:
        assert found("Unlike the Ruoho novel, it is short.", "person") == ["Ruoho"]
        assert found("Unlike the Ásgeirsdóttir novel, it is short.", "person") == ["Ásgeirsdóttir"]
        assert found("Unlike the old novel, it is short.", "person") == []
        assert found("Unlike the French novel, it is short.", "person") == []

    def test_a_title_inside_a_sentence_is_not_the_name(self) -> None:
        assert found("It was signed by Dr. Liesl Van der Merwe.", "person") == [
            "Liesl Van der Merwe"
        ]

    def test_an_adverb_after_call_me_is_not_a_name(self) -> None:
        assert found("Can you call me back?", "person") == []

    def test_a_word_after_the_is_a_figure_not_a_name(self) -> None:
        assert found("They are evil and were sent by the Devil.", "person") == []

    def test_a_cue_in_a_lower_case_text_names_in_lower_case(self) -> None:
        text = "name:    hyuuma t. maida\naddress:     unit 4526 box 0671\ndpo ap 40902"
        assert found(text, "person") == ["hyuuma t. maida"]

    def test_names_in_a_text_written_in_lower_case(self) -> None:
        # chat and search boxes: no capitals anywhere, so case cannot rule a name out
        assert found("they had three kids: marta, jonas and priya.", "person") == [
            "marta",
            "jonas",
            "priya",
        ]
        assert found("hi, my name is tomas novak and i need help", "person") == ["tomas novak"]
        assert found("the meeting with david and sarah moved to friday", "person") == [
            "david",
            "sarah",
        ]
        assert found("i love cheese, bread and wine", "person") == []
        # in cased text the same lower-case words are not names
        assert found("We invited marta, jonas and priya. Jonas came.", "person") == ["Jonas"]

    def test_street_names_and_keywords_are_not_people(self) -> None:
        assert found("Meet at the corner of Elm Road and Philip Bypass.", "person") == []
        assert found("Inject SELECT * FROM users WHERE id = 1", "person") == []


class TestPlaces:
    def test_countries_and_cued_towns(self) -> None:
        assert found("Estonia was super fun to visit!", "location") == ["Estonia"]
        assert "KURZENKIRCHEN" in found(
            "Acme is a design agency based in KURZENKIRCHEN.", "location"
        )
        assert "LYCKSELE" in found("We returned to LYCKSELE by helicopter.", "location")

    def test_the_town_line_above_a_country_line(self) -> None:
        text = "Agatha Ottarsdóttir\n\nEBEN\nAustria"
        assert found(text, "location") == ["EBEN", "Austria"]

    def test_the_country_line_may_end_with_a_postcode(self) -> None:
        text = "* Astrid Berg\n* Broomfield\n* New Zealand 57006"
        assert found(text, "location") == ["Broomfield", "New Zealand"]
        assert found("I love Austria and\nSpain", "location") == ["Austria", "Spain"]

    def test_lower_case_words_are_not_places(self) -> None:
        assert found("I visited france and chad last year.", "location") == []


class TestOrganisations:
    @pytest.mark.parametrize(
        ("text", "org"),
        [
            ("Invoice from Kinetic Widgets GmbH, Berlin", "Kinetic Widgets GmbH"),
            ("The Shepherd Ltd. board met today.", "Shepherd Ltd."),
            ("MR. D.I.Y. (M) SDN BHD\n(860671-D)\nLOT 1851", "MR. D.I.Y. (M) SDN BHD"),
            ("B & BEST RESTAURANT\nNO.12, JALAN SS4C/5\nTOTAL 9.00", "B & BEST RESTAURANT"),
            ("Standard And Poors is a design agency based in Paris.", "Standard And Poors"),
            ("I worked at Deloitte as a midwife.", "Deloitte"),
            ("I work for Brandt & Lind A/S.", "Brandt & Lind A/S"),
            ("Supplier: Parini, Doglioni e Salvo s.r.l.", "Parini, Doglioni e Salvo s.r.l."),
            ("The employer is Schmidtke Köster GbR", "Schmidtke Köster GbR"),
            ("The first version was recorded for Halvorsen Music in Oslo.", "Halvorsen Music"),
            ("Vantora songwriter Ilse Brandt wrote it.", "Vantora"),
            ("Pryce, Oduya and Lindqvist lawyer Ann Lee filed it.", "Pryce, Oduya and Lindqvist"),
            ("She printed her Vantora resignation letter.", "Vantora"),
        ],
    )  # fmt: skip
    def test_legal_forms_trade_lines_and_cues(self, text: str, org: str) -> None:
        assert org in found(text, "organization")

    def test_the_line_between_a_name_and_an_address_is_the_organisation(self) -> None:
        text = "Dreux Joly\nPaxata\nPSC 3294, Box 9168\nAPO AA 61487"
        assert found(text, "organization") == ["Paxata"]
        assert found("Dreux Joly\nPaxata\nsee you soon", "organization") == []

    def test_a_lower_case_postal_block_names_its_person_and_organisation(self) -> None:
        text = "- karin holt\n- payroll clerk\n- brightwell care\n- 12 rue du centre\n- marke"
        assert found(text, "person") == ["karin holt"]
        assert found(text, "organization") == ["brightwell care"]
        assert found("karin holt\nsee you soon\nthanks", "person") == []

    def test_an_ensemble_is_not_a_person(self) -> None:
        text = "The Symcat Orchestra was founded in 1977."
        assert found(text, "person") == []
        assert found(text, "organization") == ["Symcat Orchestra"]

    def test_a_group_or_a_noun_phrase_before_a_job_word_is_no_employer(self) -> None:
        assert found("German engineer Hans Bauer said so.", "organization") == []
        assert found("Our engineer Ann Lee said so.", "organization") == []

    def test_a_day_or_a_group_one_has_is_no_company(self) -> None:
        assert found("I placed my Christmas order and my German card.", "organization") == []

    def test_short_legal_forms_must_keep_their_case(self) -> None:
        assert found("Excuse me, To me it was Juan se fue.", "organization") == []

    def test_a_trade_word_below_the_head_is_not_a_name(self) -> None:
        head = "ACME\n1 Main St\nSpringfield\nReceipt\n"
        assert found(head + "FRIED NOODLE\n", "organization") == []


class TestReading:
    def test_a_greek_delta_printed_as_the_increment_sign_is_read_as_the_letter(self) -> None:
        # "KATO POLEMIDIA" with its Delta printed as U+2206
        town = "\u039a\u0391\u03a4\u03a9 \u03a0\u039f\u039b\u0395\u039c\u0399\u2206\u0399\u0391"
        text = f"I'm Maria Pappa, originally from {town}, and i'm 23 y/o."
        assert found(text, "location") == [town]

    def test_the_names_of_a_sql_statement_are_not_entities(self) -> None:
        text = "Inject SELECT * FROM Users WHERE client_ip = ?%//!%20|86.121.97.248|%20/"
        assert [e.type for e in extract_entities(text)] == ["ip_address"]


class TestAddresses:
    def test_the_models_address_stops_before_a_phone_line(self) -> None:
        text = "unit 3301 box 0912\ndpo ap 40317\n633 2041 office\n(412)555-0187 fax"
        phone = text.index("633 2041")
        model = Candidate("address", 0, phone + 15, text[: phone + 15], 0.5, source="ner")
        number = Candidate("phone", phone, phone + 8, "633 2041", 0.6)
        addresses = [c for c in merge_addresses([model, number], text) if c.type == "address"]
        assert [c.text for c in addresses] == ["unit 3301 box 0912\ndpo ap 40317"]

    @pytest.mark.parametrize(
        ("text", "address"),
        [
            ("Send a new one to 99449 18 McPherson Road Suite 019 CHARLEROI Victoria? Thanks",
             "99449 18 McPherson Road Suite 019 CHARLEROI Victoria"),
            ("User: 5586 Þórunnarstræti 31, Arnsdorf, Germany",
             "5586 Þórunnarstræti 31, Arnsdorf, Germany"),
            ("Address:     03555 Vicolo Calcirelli 13 Suite 694 Valderice Trapani",
             "03555 Vicolo Calcirelli 13 Suite 694 Valderice Trapani"),
            ("and Unit 8524 Box 0979\nDPO AA 56703", "Unit 8524 Box 0979\nDPO AA 56703"),
            ("It is at 609 P.O. Box 186 Apt. 561, ALT-DIETMANNS, Austria",
             "609 P.O. Box 186 Apt. 561, ALT-DIETMANNS, Austria"),
            ("Stop at the corner of 5th Avenue and Main Street.",
             "the corner of 5th Avenue and Main Street"),
            ("Jacob lives on 90 Whitchurch Road street.", "90 Whitchurch Road"),
        ],
    )  # fmt: skip
    def test_cued_and_special_forms(self, text: str, address: str) -> None:
        assert found(text, "address") == [address]

    @pytest.mark.parametrize(
        ("text", "address"),
        [
            ("Janin-Hande-Straße 3/7", "Janin-Hande-Straße 3/7"),
            ("To Via Cherubini, 0\n00137, Roma (RM).", "Via Cherubini, 0\n00137, Roma (RM)"),
            ("aleja Fredry 20/40\n96-367 Zduńska Wola", "aleja Fredry 20/40\n96-367 Zduńska Wola"),
            ("She is at Skogsgatan 332\n44538 Ängelholm now.", "Skogsgatan 332\n44538 Ängelholm"),
            ("39, avenue de Gautier", "39, avenue de Gautier"),
            ("Sent to 4114 Hollis Street\nArden Bay\n, 13\n 00617",
             "4114 Hollis Street\nArden Bay\n, 13\n 00617"),
            ("Kerkstraat 12, Larnaca, Cyprus (Greek) 72423",
             "Kerkstraat 12, Larnaca, Cyprus (Greek) 72423"),
            ("Please check 51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland",
             "51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland"),
            ("It's in 0269 Stensås terrasse 38\n Suite 621\n ARENDAL\n Norway",
             "0269 Stensås terrasse 38\n Suite 621\n ARENDAL\n Norway"),
        ],
    )  # fmt: skip
    def test_european_street_and_postcode_forms(self, text: str, address: str) -> None:
        assert found(text, "address") == [address]

    def test_a_list_of_addresses_is_read_as_its_addresses(self) -> None:
        text = (
            "Here they are: the corner of ul. Grochowa 80 and Lahtinen Road, and Unit 8524 Box"
            " 0979\nDPO AA 56703"
        )
        assert found(text, "address") == [
            "the corner of ul. Grochowa 80 and Lahtinen Road",
            "Unit 8524 Box 0979\nDPO AA 56703",
        ]

    def test_postal_block_of_a_receipt_head(self) -> None:
        text = (
            "SYARIKAT PERNIAGAAN GIN KEE\n(81109-A)\nNO 290, JALAN AIR PANAS,\nSETAPAK,\n"
            "53200, KUALA LUMPUR\nTEL : 03-40210276\nGST ID : 000750673920\nTAX INVOICE"
        )
        assert found(text, "address") == ["NO 290, JALAN AIR PANAS,\nSETAPAK,\n53200, KUALA LUMPUR"]

    def test_a_postcode_line_without_street_lines_is_not_a_postal_block(self) -> None:
        assert list(address_blocks("Office closed.\n75008 Paris\n")) == []
        assert len(list(address_blocks("Acme\n12 Rue de la Paix,\n75008 Paris\n"))) == 1


class TestGroupsAndIdentifiers:
    def test_lower_case_group_words_need_a_verb_of_being(self) -> None:
        assert found("I am cambodian but I live in Leeds.", "nrp") == ["cambodian"]
        assert found("the cambodian restaurant", "nrp") == []
        assert found("he is a conservative, she is an atheist.", "nrp") == [
            "conservative",
            "atheist",
        ]
        assert found("that is a conservative estimate", "nrp") == []
        assert found("the wall is green and tall", "nrp") == []

    def test_group_words_in_the_plural(self) -> None:
        assert found("The Republicans and the Catholics met.", "nrp") == [
            "Republicans",
            "Catholics",
        ]
        assert found("Meet me at Vedzizhev Greens.", "nrp") == []

    def test_twelve_digit_cards_need_a_card_word_and_checksum(self) -> None:
        assert found("card number 630427373398 is lost", "credit_card") == ["630427373398"]
        assert found("order number 630427373398 is lost", "credit_card") == []
        assert found("card number 630427373399 is lost", "credit_card") == []

    @pytest.mark.parametrize(
        ("text", "licence"),
        [
            ("my driver's license is S123-4567-8901", "S123-4567-8901"),
            ("Please update my drivers license: WDL6Q8CM3Z2B", "WDL6Q8CM3Z2B"),
            ("I have a driver license, number k5569123", "k5569123"),
            ("DL# H12345678", "H12345678"),
        ],
    )  # fmt: skip
    def test_driving_licences_after_their_cue(self, text: str, licence: str) -> None:
        assert found(text, "drivers_license") == [licence]

    def test_a_phone_after_a_licence_word_stays_a_phone(self) -> None:
        text = "Driver license required. Call 415-555-2671"
        assert found(text, "drivers_license") == []
        assert found(text, "phone") == ["415-555-2671"]

    @pytest.mark.parametrize(
        ("text", "phone"),
        [
            ("Call me at 0521833786.", "0521833786"),
            ("My number is 98762328", "98762328"),
            ("You can reach 514 047 966 anytime", "514 047 966"),
            ("Text 0074-833 78 please", "0074-833 78"),
        ],
    )  # fmt: skip
    def test_national_numbers_a_phone_word_names(self, text: str, phone: str) -> None:
        assert found(text, "phone") == [phone]

    def test_amounts_and_account_numbers_are_not_phones(self) -> None:
        assert found("Account number 296664039561", "phone") == []
        assert found("Call total 70.00 0.00 15.00", "phone") == []

    def test_two_short_numbers_are_not_a_phone_without_a_cue(self) -> None:
        assert found("Suite 541 6343 Skogstien 106", "phone") == []
        assert found("Call 541 6343 today", "phone") == ["541 6343"]


class TestDatesAndTimes:
    @pytest.mark.parametrize(
        ("text", "dates"),
        [
            ("We met March 3rd at 5pm.", ["March 3rd", "5pm"]),
            ("at 5 p.m. sharp", ["5 p.m."]),
            ("It was 2021-03-05T10:00:00.", ["2021-03-05T10:00:00"]),
            ("Appointment: Wednesday, June 5, 2024 14:30", ["Wednesday, June 5, 2024", "14:30"]),
            ("DATE : 9/3/2018 20:54:50", ["9/3/2018", "20:54:50"]),
            ("on the last Sunday before noon", ["noon"]),
            ("IP 10.1.2.3, a 1:2 ratio, version 3.10", []),
        ],
    )  # fmt: skip
    def test_times_weekdays_and_iso_forms(self, text: str, dates: list[str]) -> None:
        assert found(text, "date") == dates


def test_receipt_fields_are_found_as_entities(corpus: Path) -> None:
    """On SROIE's ground-truth transcripts, the company and the address are entities of their
    types on most receipts (measured 0.95 and 0.79)."""
    hits = {"company": 0, "address": 0}
    total = 0
    for path in sorted((corpus / "sroie/data/box").glob("*.csv")):
        key = json.loads((path.parent.parent / "key" / f"{path.stem}.json").read_text())
        lines = path.read_text(errors="replace").splitlines()
        text = "\n".join(",".join(ln.split(",")[8:]) for ln in lines)
        entities = extract_entities(text)
        total += 1
        hits["company"] += _holds(entities, "organization", key["company"])
        hits["address"] += _holds(entities, "address", key["address"])
    assert hits["company"] / total >= 0.85
    assert hits["address"] / total >= 0.7


def _holds(entities: list[Entity], kind: str, gold: str) -> bool:
    def norm(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    want = norm(gold)
    return any(
        e.type == kind and SequenceMatcher(None, norm(e.text), want).ratio() >= 0.9
        for e in entities
    )

"""Synthetic training data for the entity model: templates written here, values from Faker.

Each example is ``(text, [(start, end, label), …])``. Templates cover chat turns, letters,
forms, records, and receipt/invoice layouts with line breaks; values come from Faker in many
locales (names, companies, streets, cities), and a share of texts get OCR-like noise or a
changed case. Nothing here is taken from an evaluation set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from faker import Faker

from folio.pipeline.intelligence.nrp import NRP

LABELS = ("PERSON", "ORG", "GPE", "ADDRESS", "DATE", "NORP")
Example = tuple[str, list[tuple[int, int, str]]]
LOCALES = (
    "en_US", "en_GB", "en_IN", "en_AU", "en_CA", "en_IE", "en_NZ", "de_DE", "de_AT", "fr_FR",
    "es_ES", "it_IT", "nl_NL", "pt_PT", "pt_BR", "sv_SE", "da_DK", "no_NO", "fi_FI", "pl_PL",
    "cs_CZ", "hu_HU", "el_GR", "is_IS", "hr_HR", "ro_RO", "tr_TR", "es_MX", "fr_CA",
    "id_ID", "sk_SK", "sl_SI", "lt_LT", "et_EE",
)  # fmt: skip
# chat turns, letters, records; {P} person, {F} first name, {L} last name, {O} organisation,
# {C} city, {K} country, {S} state, {A} street address, {M} multi-line address, {D} date,
# {T} time, {N} nationality/religion/politics; {ph} {em} {num} {amt} {dl} are unlabelled fill
SENTENCES = (
    "My name is {P}.", "my name is {P}", "I am {P} and I live at {A}.", "Hi, this is {F}.",
    "Hello {F}, how can I help you today?", "Dear {P},", "Dear Mr. {L},", "Dear Ms {L},",
    "Kind regards,\n{P}\n{O}", "Best,\n{F}", "Thanks, {F}!", "{P} called about the refund.",
    "Please send the documents to {P} at {A}.", "The package was delivered to {M}.",
    "Ship to:\n{P}\n{M}", "Billing address: {A}, {C}", "Our office is at {A}, {C} {S}.",
    "I moved from {C} to {C2} last year.", "She was born in {C}, {K} on {D}.",
    "He has lived in {K} since {Y}.", "We visited {C} in {Y}.", "The meeting is on {D} at {T}.",
    "Can we reschedule to {D}?", "Appointment: {D} {T}", "DOB: {D}", "Date of birth: {D}",
    "{P} was hired by {O} in {Y}.", "{O} announced a new CEO, {P}, on {D}.",
    "I work for {O} in {C}.", "I've been a customer of {O} since {Y}.",
    "Contact {P} at {ph} or {em}.", "Call me at {ph}.", "Phone: {ph}", "Email: {em}",
    "The {N} delegation arrived in {C} on {D}.", "He is {N} and speaks three languages.",
    "She identifies as {N}.", "As a {N} citizen, {F} needs a visa for {K}.",
    "The survey asked whether respondents were {N} or {N2}.", "My family is {N}.",
    "Religion: {N}", "Nationality: {N}", "Political affiliation: {N}",
    "{P} ({N}) was elected in {Y}.", "Patient {P}, {age} years old, seen on {D}.",
    "Name: {P}\nAddress: {M}\nPhone: {ph}", "Customer: {P}\nAccount opened {D}",
    "Driver's license number {dl} was issued to {P} in {S}.", "License no. {dl}, exp {D}.",
    "The {O} branch on {A} closes at {T}.", "{O} is headquartered in {C}, {K}.",
    "I'd like to update my address to {A}.", "My new address is {M}", "Where is {A}?",
    "Take the bus to {A} and walk two blocks.", "Meet me at the corner of {st} and {st2}.",
    "The shop at {A} was closed on {D}.", "Order #{num} for {P} ships {D}.",
    "{F} {L} and {F2} flew from {C} to {C2} on {D}.", "{L} said the report was late.",
    "According to {O}, sales grew in {Y}.", "I spoke to {F} from {O} yesterday.",
    "The {O} team in {C} won the contract.", "{P}, {O}, {C}", "{P} - {O}",
    "User: {P}\nBot: Thanks, what is your date of birth?\nUser: {D}",
    "Bot: What's your address? User: {A}", "Bot: Who should we contact? User: {P}",
    "I was born on {D} in {C}.", "Send it before {T} on {D}, please.", "See you {D}!",
    "The {N} community of {C} held a festival.", "{F} is {age} and lives in {S}.",
    "We have offices in {C}, {C2} and {K}.", "Travel: {C} -> {K}, {D}",
    "Card holder {P} paid {amt} on {D}.", "Invoice sent to {O}, {M}",
    "The property at {M} was sold in {Y}.", "From: {P} <{em}>", "cc: {P}, {P2}",
    "Employee {P} (ID {num}) joined {O} on {D}.", "{K} signed the agreement on {D}.",
    "Please call {F} back after {T}.", "My manager {P} approved it.",
    "I'm {F}, a {N} student at {O}.", "{F} grew up in {C} before moving to {K}.",
    "{O} was founded in {Y} and now serves customers across northern {K}.",
    "Shares of {O} fell after the report.", "The deal between {O} and {O2} closed {D}.",
    "I bought it from {O} last month.", "Is {O} open on {D}?", "{O} has an office in {C}.",
    "My employer, {O}, pays on the {D}.", "The {O} app keeps crashing.", "{O} sponsors the event.",
    "We flew over {K} and landed in {C}.", "Temperatures in {C} dropped below zero.",
    "The river runs through {C} and {C2}.", "Tourists from {K} love {C}.",
    "{P} plays for the {C} team.", "{P} wrote the book in {Y}.", "{L}'s new album came out {D}.",
    "Thanks {F}, I got it.", "Hey {F}! Long time.", "Tell {F} I said hi.",
    "The {N} government announced new rules.", "Most of the residents are {N}.",
    "{P} is a {N} politician.", "A {N} restaurant opened on {st}.", "They are {N} by faith.",
    "Delivery address:\n{M}", "Address: {A}, {C}, {K}", "Return to sender: {P}, {M}",
    "Located at {A} in downtown {C}.", "Our new store: {A}\n{C}",
    "Applicant: {P}\nDate of birth: {D}\nNationality: {N}\nAddress: {M}",
    "Issued on {D} by {O}, {C}.", "{K}'s capital is {C}.",
)  # fmt: skip
# people in any position of a sentence: subject, object, lists, quotes, headings
VERBS = (
    "met", "called", "emailed", "thanked", "married", "hired", "visited", "helped", "told",
    "asked", "replaced", "interviewed", "trained", "followed", "warned", "paid", "invited",
    "texted", "blamed", "forgave", "introduced", "congratulated", "sued", "defeated",
)  # fmt: skip
PEOPLE = (
    "{F} {verb} {F2} after lunch.", "{P} {verb} {P2} twice last week.",
    "Yesterday {F} {verb} {F2}.", "Why has {F} {verb} {L}?", "{F} and {F2} {verb} {F3}.",
    "{F}, {F2}, {F3} and {F4} came along.", "We invited {F}, {F2} and {F3}.",
    "Present: {P}, {P2}, {P3}", "{P} ({O})", '{F}: "Sure, see you."', '"I agree," said {P}.',
    "{P} wrote: thanks!", "According to {P}, the plan works.", "Photo by {P}",
    "Written by {P} and {P2}", "Interview with {P}", "{L} scored twice.", "{F} is always on time.",
    "Ask {F} about it.", "Is {F} coming?", "That was {F}'s idea.", "The {L} report was late.",
    "{P}\n{job}\n{O}", "{P}\n{job}", "{job}: {P}", "{F}?", "{p_lower} lives in {c_lower}",
    "hi my name is {p_lower}", "{P} and I went to {C}.", "Please add {P} to the account.",
    "Remove {P} from the list.", "{P} is my new neighbour.",
    "{F} had given {F2} the keys.", "{F} had {verb} {F2} before.", "{P} had {verb} {L} already.",
    "Please change the name to {P}.", "The account should be in the name of {P}.",
    "Have you heard {P} speak yet?", "{p_lower} said it was fine.", "i'm {p_lower}'s son.",
    "{P}\n{O}\n{M}", "{P}\n{job}\n{O}\n{M}", "{P}\n\n{C}\n{K}", "{P}\n{M}\n{ph}",
)  # fmt: skip
NEGATIVES = (
    "What are my options?", "Thank you for your help.", "The total is {amt}.",
    "Please reply to this email.", "I need to reset my password.", "Subtotal {amt}",
    "Qty 2 x {amt}", "Your order number is {num}.", "The invoice is overdue by {age} days.",
    "Payment received, thank you!", "TOTAL {amt}", "Tax invoice", "Cash change {amt}",
    "The weather was nice.", "It was about {age} percent cheaper.", "Item description price",
    "This product is not eligible for return.", "Please keep this receipt.", "GST 6% {amt}",
    "Cool, what's the address?", "Great, thanks!", "Sure, send it over.", "Okay, see you then.",
    "Perfect, that works for me.", "Awesome, thank you.", "Right, let's start.",
    "I work as a {job}.", "She used to work for {O} as a {job}.", "{job} wanted.",
)  # fmt: skip
SHOP_WORDS = (
    "Trading", "Store", "Mart", "Hardware", "Restaurant", "Bakery", "Pharmacy", "Enterprise",
    "Supermarket", "Cafe", "Stationery", "Kitchen", "Motors", "Books",
)  # fmt: skip
LEGAL_SUFFIXES = (
    "Ltd", "Ltd.", "LLC", "Inc.", "GmbH", "S.A.", "B.V.", "Pvt Ltd", "Pte Ltd", "Sdn Bhd",
    "Sdn. Bhd.", "S/B", "PLC", "Co.", "& Co", "AG", "SARL", "Oy", "AB",
)  # fmt: skip
STREET_WORDS = ("Jalan", "Jln", "Lorong", "Road", "Street", "Avenue", "Marg", "Rue", "Via",
                "Calle", "Strasse", "Lane", "Persiaran", "Lebuh", "Soi", "Gali")  # fmt: skip
NUMBER_WORDS = ("No. ", "NO.", "Lot ", "Unit ", "#", "", "Plot ", "Shop ", "G-")
AREA_WORDS = ("Taman", "Bandar", "Kampung", "Sector", "Nagar", "Colony", "Industrial Park",
              "Business Centre", "Plaza", "Phase", "Block")  # fmt: skip
RECEIPT_TITLES = ("TAX INVOICE\n", "RECEIPT\n", "INVOICE\n", "CASH BILL\n", "")
STAFF_CUES = ("CASHIER: ", "Served by ", "Customer: ", "SALESPERSON: ")
FOOTERS = (
    "THANK YOU", "THANK YOU, PLEASE COME AGAIN", "GOODS SOLD ARE NOT RETURNABLE",
    "*** THANK YOU ***\nPLEASE COME AGAIN", "Thank you for shopping with us!",
    "EXCHANGE WITHIN 7 DAYS WITH RECEIPT", "Have a nice day", "SERVED BY COUNTER 2",
)  # fmt: skip
RELATIVE_DATES = ("yesterday", "today", "tomorrow", "last week", "next Monday", "last year",
                  "this morning", "the 1990s", "two days ago")  # fmt: skip
_SLOT = re.compile(r"\{(\w+)\}")


class Recipe:
    """Fills templates with Faker values; one instance per seed gives the same examples."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = []
        for index, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed + index)
            self.fakers.append(fake)
        self.fake = self.fakers[0]

    def pick_faker(self) -> Faker:
        # English-speaking locales twice as likely: most documents are written in English
        return self.rng.choice(self.fakers + self.fakers[:7])

    def _name(self, fake: Faker) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return f"{fake.first_name()} {fake.last_name()}"
        if roll < 0.7:
            return fake.name()
        if roll < 0.85:
            return f"{fake.first_name()} {fake.first_name()[0]}. {fake.last_name()}"
        return f"{fake.first_name()} {fake.last_name()}-{fake.last_name()}"

    def _date(self) -> str:
        day = date(1940, 1, 1) + timedelta(days=self.rng.randrange(36000))
        formats = ("%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y",
                   "%d %b %Y", "%b %d", "%B %d", "%d-%m-%y", "%A, %B %d", "%B %Y", "%Y",
                   "%d %b, %Y", "%A")  # fmt: skip
        text = day.strftime(self.rng.choice(formats))
        roll = self.rng.random()
        if roll < 0.12:
            return self.rng.choice(RELATIVE_DATES)
        return text.lower() if roll < 0.17 else text

    def _time(self) -> str:
        hour, minute = self.rng.randrange(24), self.rng.choice((0, 15, 30, 45, 5, 20))
        clock = hour % 12 or 12
        return self.rng.choice(
            (f"{hour:02d}:{minute:02d}", f"{clock}:{minute:02d} {'am' if hour < 12 else 'PM'}",
             f"{clock} {'AM' if hour < 12 else 'pm'}", "noon", "midnight", f"{clock} o'clock")
        )  # fmt: skip

    def _price(self, high: int) -> str:
        whole = self.rng.randrange(1, high)
        return f"{whole}.{self.rng.randrange(100):02d}"

    def _street(self, fake: Faker) -> str:
        text = fake.street_address()
        if self.rng.random() < 0.2:
            text += self.rng.choice((f", Apt. {self.rng.randrange(1, 999)}",
                                     f" Suite {self.rng.randrange(1, 999)}",
                                     f", Unit {self.rng.randrange(1, 40)}"))  # fmt: skip
        return text

    def _multiline(self, fake: Faker) -> str:
        text = fake.address()
        if self.rng.random() < 0.4:
            text = text.replace("\n", ", ")
        return text

    def value(self, slot: str, fake: Faker) -> tuple[str, str | None]:
        """``(text, label or None)`` for a template slot."""
        base = slot.rstrip("0123456789")
        makers: dict[str, Callable[[], tuple[str, str | None]]] = {
            "P": lambda: (self._name(fake), "PERSON"),
            "F": lambda: (fake.first_name(), "PERSON"),
            "L": lambda: (fake.last_name(), "PERSON"),
            "O": lambda: (fake.company(), "ORG"),
            "C": lambda: (fake.city(), "GPE"),
            "K": lambda: (self.rng.choice(self.fakers).current_country(), "GPE"),
            "S": lambda: (self.fakers[0].state(), "GPE"),
            "A": lambda: (self._street(fake), "ADDRESS"),
            "M": lambda: (self._multiline(fake), "ADDRESS"),
            "st": lambda: (fake.street_name(), "ADDRESS"),
            "D": lambda: (self._date(), "DATE"),
            "T": lambda: (self._time(), "DATE"),
            "Y": lambda: (str(self.rng.randrange(1950, 2030)), "DATE"),
            "N": lambda: (self._nrp(), "NORP"),
            "ph": lambda: (fake.phone_number(), None),
            "em": lambda: (fake.email(), None),
            "num": lambda: (str(self.rng.randrange(1000, 99999999)), None),
            "amt": lambda: (self.rng.choice(("$", "€", "£", "RM", "")) + self._price(9999), None),
            "age": lambda: (str(self.rng.randrange(2, 99)), None),
            "dl": lambda: (self._licence(), None),
            "verb": lambda: (self.rng.choice(VERBS), None),
            "job": lambda: (fake.job(), None),
            "p_lower": lambda: (self._name(fake).lower(), "PERSON"),
            "c_lower": lambda: (fake.city().lower(), "GPE"),
        }
        return makers[base]()

    def _nrp(self) -> str:
        word = self.rng.choice(NRP)
        return word.lower() if self.rng.random() < 0.15 else word

    def _licence(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTWXYZ"
        return "".join(self.rng.choice(letters) for _ in range(self.rng.randrange(0, 3))) + str(
            self.rng.randrange(10**6, 10**9)
        )

    def fill(self, template: str) -> Example:
        fake = self.pick_faker()
        out: list[str] = []
        spans: list[tuple[int, int, str]] = []
        cursor = 0
        length = 0
        for m in _SLOT.finditer(template):
            out.append(template[cursor : m.start()])
            length += m.start() - cursor
            text, label = self.value(m.group(1), fake)
            if label:
                spans.append((length, length + len(text), label))
            out.append(text)
            length += len(text)
            cursor = m.end()
        out.append(template[cursor:])
        return "".join(out), spans

    def _shop(self, fake: Faker) -> str:
        if self.rng.random() < 0.6:
            name = fake.company()
        else:
            name = f"{fake.last_name()} {self.rng.choice(SHOP_WORDS)}"
        if self.rng.random() < 0.5:
            name = f"{name} {self.rng.choice(LEGAL_SUFFIXES)}"
        return name.upper() if self.rng.random() < 0.7 else name

    def _address_lines(self, fake: Faker) -> str:
        """Faker's address, or one built from the parts many countries' addresses share:
        a lot/unit number, a street word and name, an area, a postcode and a town."""
        if self.rng.random() < 0.5:
            lines = fake.address().split("\n")
        else:
            word = self.rng.choice(STREET_WORDS)
            street = f"{word} {fake.last_name()} {self.rng.randrange(1, 30)}"
            if self.rng.random() < 0.5:
                street = f"{fake.last_name()} {self.rng.choice(STREET_WORDS)}"
            number = f"{self.rng.choice(NUMBER_WORDS)}{self.rng.randrange(1, 300)}"
            area = f"{self.rng.choice(AREA_WORDS)} {fake.last_name()}"
            town = f"{fake.postcode()} {fake.city()}"
            lines = [f"{number}, {street},", f"{area},", town]
            if self.rng.random() < 0.5:
                lines[-1] += f", {fake.state() if hasattr(fake, 'state') else fake.city()}"
        text = self.rng.choice(("\n", " ", "\n")).join(lines)
        return text.upper() if self.rng.random() < 0.6 else text

    def receipt(self) -> Example:
        """A receipt or invoice head: shop, address lines, phone, date, lines, total, footer."""
        fake = self.pick_faker()
        parts: list[tuple[str, str | None]] = []
        parts.append((self._shop(fake), "ORG"))
        parts.append(("\n", None))
        if self.rng.random() < 0.4:
            reg = self.rng.randrange(10**5, 10**7)
            parts.append((f"(CO. REG {reg}-{self.rng.choice('ABCDKPTU')})\n", None))
        parts.append((self._address_lines(fake), "ADDRESS"))
        cue = self.rng.choice(("TEL", "Tel", "PHONE", "TEL NO."))
        parts.append((f"\n{cue}: {fake.phone_number()}\n", None))
        if self.rng.random() < 0.4:
            parts.append((f"GST ID: {self.rng.randrange(10**11, 10**12)}\n", None))
        parts.append((self.rng.choice(RECEIPT_TITLES), None))
        parts.append(
            (self.rng.choice(("DATE: ", "Date ", "", "DATE\n:\n", "INVOICE DATE: ")), None)
        )
        parts.append((self._date(), "DATE"))
        if self.rng.random() < 0.5:
            parts.extend(((" ", None), (self._time(), "DATE")))
        parts.append(("\n", None))
        if self.rng.random() < 0.4:
            parts.append((self.rng.choice(STAFF_CUES), None))
            parts.append((self._name(fake), "PERSON"))
            parts.append(("\n", None))
        for _ in range(self.rng.randrange(1, 6)):
            words = " ".join(fake.word() for _ in range(self.rng.randrange(1, 4)))
            item = words.upper() if self.rng.random() < 0.7 else words.title()
            sep = self.rng.choice((" ", "\n"))
            qty = self.rng.randrange(1, 5)
            parts.append((f"{item}{sep}{qty}{sep}{self._price(999)}\n", None))
        sep = self.rng.choice((" ", " :\n", ": "))
        parts.append((f"TOTAL{sep}{self._price(9999)}\n", None))
        parts.append((self.rng.choice(FOOTERS), None))
        text, spans, length = "", [], 0
        for piece, label in parts:
            if label:
                spans.append((length, length + len(piece), label))
            text += piece
            length += len(piece)
        return text, spans

    def noisy(self, example: Example) -> Example:
        """Case changes and same-length OCR confusions (offsets unchanged)."""
        text, spans = example
        roll = self.rng.random()
        changed = text.upper() if roll < 0.08 else text.lower() if roll < 0.14 else text
        if len(changed) == len(text):  # "ß".upper() is "SS": a case change must keep offsets
            text = changed
        if self.rng.random() < 0.15:
            swaps = {"O": "0", "l": "1", "I": "l", "S": "5", "e": "c", "rn": "m"}
            chars = list(text)
            for i, ch in enumerate(chars):
                if ch in swaps and len(swaps[ch]) == 1 and self.rng.random() < 0.03:
                    chars[i] = swaps[ch]
            text = "".join(chars)
        return text, spans

    def examples(self, count: int) -> Iterator[Example]:
        for _ in range(count):
            roll = self.rng.random()
            if roll < 0.12:
                example = self.receipt()
            elif roll < 0.2:
                example = self.fill(self.rng.choice(NEGATIVES))
            elif roll < 0.45:
                example = self.fill(self.rng.choice(PEOPLE))
            else:
                example = self.fill(self.rng.choice(SENTENCES))
            yield self.noisy(example)

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

# LAW is not used by Folio: it is kept so that a law's name is not learnt as an organisation
LABELS = ("PERSON", "ORG", "GPE", "ADDRESS", "DATE", "NORP", "LAW")
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
    # a name opening the text is a person as often as a shop on a receipt is a company
    "{F} lives on {st}.", "{F} lives in {C} now.", "{F} works at {O}.", "{F} moved to {A}.",
    "{P} lives at {A}, {C}.", "{F} {verb} me yesterday.", "{F} was born in {Y}.",
    "{F} will pick you up at {T}.", "{F} {L} has left {O}.", "{P} is on leave until {D}.",
    # a capitalised word before a name is not part of it
    '{F} turned to {F2}: "Are you ready?"', '{F} {verb} {F2}: "{Word}!"', "{F} asked {L}: why?",
    "The {P} version of the song is better.", "The {L} recording sold a million copies.",
    # a name in a few words of another language: only the name is labelled
    "{F} se fue ayer.", "{F} est parti.", "{F} ist schon weg.", "{F} è arrivato.",
    "Ciao {F}, come stai?", "{F} dijo que no.", "Hola, soy {F}.", "{F} a dit oui.",
    # a role before a name is not part of it: "Producer Ann Lee said"
    "{role} {P} said the plan works.", "{role} {P} explained to {O} why.", "Ask {role} {L}.",
    # dashes and apostrophes as text extraction garbles them (an en dash read as three
    # characters): not part of the name
    "Thanks to {P} {dash} she fixed it.", "In memory of {P} {dash} {D}", "{P} {dash} {job}",
    "A gift for {P} {dash} from all of us.", "It was {F}{apos}s idea.", "{P}{apos}s car is red.",
    "Unlike {F}, I stayed home.", "Besides {P}, nobody came.", "Except for {F}, all agreed.",
    "Unlike the {L} report, this one is short.", "Apart from {P}, the team is new.",
    # people listed in running text (first names, full names, surnames with a title)
    # ({names} is a list of two to seven first names, each a person)
    "We were {age}: {names}.", "{names} stayed behind.", "Our children are {names}.",
    "The winners were {P}, {P2} and {P3}.", "The guests: {names}.", "Invited: {names}",
    "Mr {L}, Ms {L2} and Dr {L3} were present.", "I told {F} and {F2} about {F3}.",
    "{P} and {P2} signed for {O}.", "They have {age} grandchildren: {names}.",
    # the same in lower case, as chat is often typed
    "we had {age} kids: {names_lower}.", "ask {f_lower} or {f_lower2}", "{names_lower} came",
    "i'm {p_lower} but my friends call me {f_lower}", "{p_lower} lives at {a_lower}",
    "me and {f_lower} went to {c_lower}", "tell {f_lower} i said thanks",
)  # fmt: skip
# organisations where only an organisation fits; Faker's "Davis, Reynolds and Williamson"
# names look like a list of people and must be learnt in these positions too
ORGS = (
    "She joined {O} as a {job} in {Y}.", "{O} reported a loss for {Y}.",
    "A spokesperson for {O} declined to comment.", "The contract with {O} ends {D}.",
    "The lawyers of {O} filed the claim.", "I have an account with {O}.",
    "{O} and {O2} agreed to merge.", "The {ensemble} sang first.", "Sponsored by {O}",
    "{O}'s annual report is out.", "Under {law}, {O} had to pay.",
    "{O} serves customers across southern {K}.", "The {ensemble} toured eastern {K} in {Y}.",
    "The {ensemble} plays all over {dK}.", "{P} explained to {O}: it was late.",
    "{P} told {media}: we are ready.", "In an interview with {media}, {P} said no.",
    "I was a {job} at {O} for {age} years.",
    "Our supplier, {O}, raised its prices.", "She cancelled her {O} subscription.",
    "my {O} account was closed", "His {O} pension is small.", "the {O} contract ends {D}",
    "{P}, chief executive of {O}, resigned.",
    "The {O} foundation paid for the school.", "Audited by {O}.", "Funding: {O}",
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
    # lists of things are not lists of names; quoted sayings are not people
    "The shop sells {words}.", "We saw {words} and more.", "they had {words} on the menu",
    '"{Word} is all we need" was the slogan.', '"{Word} comes first," she said.',
    "The {N} film was shown in {dK}.", "We ate {N} food.", "A {N} novel about {words}.",
    "I love {N} music.", "From the {N} painting (see {P}).", "The {N} artist sold it.",
    # holidays are dates, laws are laws, royal and honorary titles are no one's name
    "We close on {holiday}.", "The week after {holiday} {P} moved to {C}.",
    "On {holiday} we drove to {C}.", "Under {law}, tenants are protected.", "{O} broke {law}.",
    "The {royal} visited {C} on {D}.", "A letter from the {royal} arrived.",
    "I WANT TO TALK TO A MANAGER!", "PLEASE HELP ME WITH MY ORDER", "IS ANYONE THERE???",
    # everyday things in lower case, and code words in capitals, are not names
    "There is a mistake on my {thing}.", "I lost my {thing} yesterday.", "Where is my {thing}?",
    "can i pay the {thing} online", "Please attach a copy of your {thing}.",
    "Run SELECT * FROM {Word} WHERE id = {age}", "Press ENTER to continue.",
    "Error: NULL value in column {age}", "Type DELETE to confirm.",
)  # fmt: skip
SHOP_WORDS = (
    "Trading", "Store", "Mart", "Hardware", "Restaurant", "Bakery", "Pharmacy", "Enterprise",
    "Supermarket", "Cafe", "Stationery", "Kitchen", "Motors", "Books", "Cake House",
    "Noodle House", "Tea House", "Corner", "Electrical", "Florist", "Optical", "Tailor",
    "Seafood", "Bistro", "Grocer", "Steakhouse", "Textiles", "Frozen Food",
)  # fmt: skip
# what receipts sell, in the upper case they are printed in: words a name might look like
ITEMS = (
    "FRIED RICE", "FRIED NOODLE", "ICED TEA", "HOT COFFEE", "CHICKEN WING", "MILO ICE",
    "PLAIN BREAD", "CHEESE ROLL", "BUTTER CAKE", "MINERAL WATER", "WHITE RICE", "BEEF SOUP",
    "PAPER BAG", "A4 PAPER", "BALL PEN", "PVC PIPE", "CABLE TIE", "WOOD SCREW", "LED BULB",
    "SPRING ROLL", "CURRY PUFF", "GREEN TEA", "ORANGE JUICE", "EGG TART", "FISH BALL",
    "ROUNDING ADJ", "SERVICE CHARGE", "GRAND TOTAL", "CASH", "CHANGE", "DISCOUNT",
)  # fmt: skip
PARTICLES = ("van", "van der", "van de", "de", "de la", "da", "von", "Van der", "del", "al", "bin")
# an ensemble's name holds its kind: "the Symcat Orchestra"
ENSEMBLES = ("Orchestra", "Choir", "Band", "Quartet", "Ensemble", "Singers", "Players")
# a dash as written, and as mis-decoded UTF-8 shows it (Windows-1252, Windows-1255)
DASHES = ("-", "\u2013", "\u2014", "\u00e2\u20ac\u201c", "\u00e2\u20ac\u201d", "\u05d2\u20ac\u201c")
ROLES = ("Producer", "Director", "Coach", "Senator", "Professor", "songwriter", "drummer",
         "Manager", "Captain", "editor", "Judge", "Inspector", "chef", "Governor")  # fmt: skip
HOLIDAYS = (
    "Labor Day", "Labour Day", "Christmas Day", "Christmas Eve", "Easter Monday", "Good Friday",
    "New Year's Day", "Thanksgiving", "Independence Day", "Boxing Day", "Memorial Day",
    "Whit Monday", "Bastille Day", "King's Day", "Midsummer", "Halloween", "Mother's Day",
)  # fmt: skip
LAW_TOPICS = ("Civil Rights", "Data Protection", "Companies", "Consumer Rights", "Clean Air",
              "Employment", "Housing", "Freedom of Information", "Equality", "Privacy")  # fmt: skip
ROYALS = ("Princess Royal", "Prince of Wales", "Queen", "King", "Duke of Edinburgh", "Pope",
          "Crown Prince", "Grand Duke", "Lord Mayor", "Speaker of the House")  # fmt: skip
THINGS = (
    "credit card", "credit card statement", "bank account", "phone bill", "insurance policy",
    "tax return", "driving licence", "utility bill", "gas bill", "lease agreement", "payslip",
    "debit card", "loan application", "health insurance card", "library card", "boarding pass",
)  # fmt: skip
DIRECTIONS = ("Southern", "Northern", "Eastern", "Western", "Central")
MEDIA = ("TV", "Radio", "News", "Times", "Magazine", "FM", "Daily", "Post", "Channel")
LEAD_LINES = ("{num}", "WELCOME", "*** COPY ***", "ORIGINAL", "OFFICIAL RECEIPT", "")
BLOCK_CUES = (
    "Billing address:", "Shipping address:", "Bill to:", "Ship to:", "Deliver to:",
    "Recipient:", "Sold to:", "Invoice to:", "Contact:", "Attn:", "",
)  # fmt: skip
BULLETS = ("", "", "", "", "- ", "> ", "\u2022 ")
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
        if roll < 0.82:
            return f"{fake.first_name()} {fake.first_name()[0]}. {fake.last_name()}"
        if roll < 0.85:  # family names with a particle: "Anna van der Berg", "Luis de la Cruz"
            return f"{fake.first_name()} {self.rng.choice(PARTICLES)} {fake.last_name()}"
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
            "f_lower": lambda: (fake.first_name().lower(), "PERSON"),
            "a_lower": lambda: (self._street(fake).lower(), "ADDRESS"),
            "words": lambda: (self._words(fake), None),
            "thing": lambda: (self.rng.choice(THINGS), None),
            "ensemble": lambda: (f"{fake.company()} {self.rng.choice(ENSEMBLES)}", "ORG"),
            "role": lambda: (self.rng.choice(ROLES), None),
            "dash": lambda: (self.rng.choice(DASHES), None),
            "apos": lambda: (self.rng.choice(("'", "\u2019", "\u00e2\u20ac\u2122")), None),
            "holiday": lambda: (self.rng.choice(HOLIDAYS), "DATE"),
            "law": lambda: (self._law(), "LAW"),
            "royal": lambda: (self.rng.choice(ROYALS), None),
            "dK": lambda: (f"{self.rng.choice(DIRECTIONS)} {fake.current_country()}", "GPE"),
            "media": lambda: (f"{fake.last_name()} {self.rng.choice(MEDIA)}", "ORG"),
            "Word": lambda: (fake.word().capitalize(), None),
        }
        return makers[base]()

    def _law(self) -> str:
        act = f"the {self.rng.choice(LAW_TOPICS)} Act"
        year = self.rng.randrange(1900, 2030)
        roll = self.rng.random()
        if roll < 0.3:
            roman = self.rng.choice(("I", "II", "IV", "VI", "VII", "IX", "XII"))
            return f"Title {roman} of {act} of {year}"
        if roll < 0.6:
            return f"Section {self.rng.randrange(1, 200)} of {act} {year}"
        return f"{act} of {year}"

    def _words(self, fake: Faker) -> str:
        words = [self.fakers[0].word() for _ in range(self.rng.randrange(2, 6))]
        return ", ".join(words[:-1]) + self.rng.choice((" and ", ", and ")) + words[-1]

    def _names(self, fake: Faker, lower: bool) -> tuple[str, list[tuple[int, int]]]:
        """Two to seven first names, ", " and "and" between them, with each name's offsets."""
        names = [fake.first_name() for _ in range(self.rng.randrange(2, 8))]
        if lower:
            names = [n.lower() for n in names]
        text, spans = "", []
        for index, name in enumerate(names):
            if index:
                last = index == len(names) - 1
                text += self.rng.choice((" and ", ", and ")) if last else ", "
            spans.append((len(text), len(text) + len(name)))
            text += name
        return text, spans

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
            if m.group(1).startswith("names"):
                text, names = self._names(fake, lower=m.group(1).endswith("lower"))
                spans.extend((length + s, length + e, "PERSON") for s, e in names)
                label = None
            else:
                text, label = self.value(m.group(1), fake)
            if label:
                spans.append((length, length + len(text), label))
            out.append(text)
            length += len(text)
            cursor = m.end()
        out.append(template[cursor:])
        return "".join(out), spans

    def _shop(self, fake: Faker) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            name = fake.company()
        elif roll < 0.7:
            name = f"{fake.last_name()} {self.rng.choice(SHOP_WORDS)}"
        elif roll < 0.8:
            name = f"{fake.last_name()}'s {self.rng.choice(SHOP_WORDS)}"
        elif roll < 0.85:
            name = f"{self.rng.choice(SHOP_WORDS)} {fake.last_name()}"
        elif roll < 0.9:  # a number in the brand: "7 Days Mart", "88 Hardware"
            name = f"{self.rng.randrange(1, 1000)} {fake.last_name()} {self.rng.choice(SHOP_WORDS)}"
        else:  # the owner's name above the trade, printed in capitals: both are the shop's
            sep = self.rng.choice(("\n", " "))
            owner = f"{fake.first_name()} {fake.last_name()}"
            return f"{owner}{sep}{self.rng.choice(SHOP_WORDS)}".upper()
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
        if self.rng.random() < 0.3:  # not every receipt opens with the shop's name
            lead = self.fill(self.rng.choice(LEAD_LINES))[0]
            parts.append((f"{lead}\n" if lead else "", None))
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
            if self.rng.random() < 0.5:
                words = self.rng.choice(ITEMS)
            else:
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

    def postal_block(self) -> Example:
        """A name over its address, as on envelopes, forms and signatures: a cue, the name,
        maybe a job and a company, the address lines, maybe a phone; lines indented or
        bulleted alike, sometimes all in lower case."""
        fake = self.pick_faker()
        indent = self.rng.choice(("", "", "  ", "    ", "\t"))
        bullet = self.rng.choice(BULLETS)
        lower = self.rng.random() < 0.15
        cue = self.rng.choice(BLOCK_CUES) if self.rng.random() < 0.35 else ""
        parts: list[tuple[str, str | None]] = []
        if cue:
            parts.append((cue + self.rng.choice((" ", "\n" + indent + bullet)), None))
        else:
            parts.append((indent + bullet, None))
        if self.rng.random() < 0.2:
            parts.append((f"{self.rng.choice(('Mr.', 'Mrs.', 'Ms', 'Dr.'))} ", None))
        parts.append((self._name(fake), "PERSON"))
        if self.rng.random() < 0.3:
            parts.append((f"\n{indent}{bullet}{fake.job()}", None))
        if self.rng.random() < 0.5 and not lower:  # a company is not named in lower case
            parts.extend(((f"\n{indent}{bullet}", None), (fake.company(), "ORG")))
        lines = self._multiline(fake).split("\n")
        parts.append((self.rng.choice((f"\n{indent}{bullet}", " ", f"\n\n{indent}{bullet}")), None))
        town_only = self.rng.random() < 0.15  # a name over a town and a country, no street
        if town_only:
            parts.append((fake.city(), "GPE"))
        else:
            parts.append(((f"\n{indent}{bullet}").join(lines), "ADDRESS"))
        if town_only or self.rng.random() < 0.3:  # a country line closes a letter sent abroad
            country = self.rng.choice(self.fakers).current_country()
            parts.extend(((f"\n{indent}{bullet}", None), (country, "GPE")))
            if self.rng.random() < 0.5:
                parts.append((f" {fake.postcode()}", None))
        if self.rng.random() < 0.3:
            parts.append((f"\n{indent}{bullet}{fake.phone_number()}", None))
        text, spans, length = "", [], 0
        for piece, label in parts:
            if lower and len(piece.lower()) == len(piece):
                piece = piece.lower()
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
            elif roll < 0.21:
                example = self.postal_block()
            elif roll < 0.28:
                example = self.fill(self.rng.choice(NEGATIVES))
            elif roll < 0.5:
                example = self.fill(self.rng.choice(PEOPLE))
            elif roll < 0.55:
                example = self.fill(self.rng.choice(ORGS))
            else:
                example = self.fill(self.rng.choice(SENTENCES))
            yield self.noisy(example)

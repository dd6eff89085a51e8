"""OCR slips in names and addresses mended against small lexicons of words that recur on
documents of every shop: street and building words in several languages, states and regions,
legal forms and trade words. A word is changed only when it is not a lexicon word itself and
exactly one lexicon word is within one slip of it (``Setangor`` → ``Selangor``, ``JA:AN`` →
``JALAN``, ``Ma11`` → ``Mall``, ``SDN DHD`` → ``SDN BHD``); names of their own are left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ADDRESS_WORDS = (
    "road", "street", "avenue", "lane", "drive", "boulevard", "highway", "building", "floor",
    "level", "block", "unit", "suite", "centre", "center", "plaza", "mall", "square", "park",
    "industrial", "estate", "market", "tower", "court", "garden", "gardens", "village", "town",
    "city", "district", "station", "junction", "north", "south", "east", "west", "jalan", "jln",
    "lorong", "lrg", "taman", "tmn", "bandar", "bdr", "kawasan", "perindustrian", "seksyen",
    "kampung", "kpg", "bukit", "bkt", "sungai", "pusat", "medan", "persiaran", "lebuh",
    "lebuhraya", "mukim", "batu", "bangunan", "wisma", "menara", "tingkat", "pangsapuri",
    "kompleks", "perumahan", "desa", "indah", "jaya", "utama", "utara", "selatan", "timur",
    "barat", "tengah", "baru", "lama", "darul", "ehsan", "takzim", "makmur", "naim", "ridzuan",
    "aman", "selangor", "johor", "kedah", "kelantan", "melaka", "malacca", "negeri", "sembilan",
    "pahang", "perak", "perlis", "pulau", "pinang", "penang", "sabah", "sarawak", "terengganu",
    "kuala", "lumpur", "putrajaya", "labuan", "malaysia", "singapore", "petaling", "klang",
    "kelang", "cheras", "puchong", "kajang", "ampang", "kepong", "setapak", "subang", "shah",
    "alam", "seremban", "ipoh", "kuantan", "kuching", "kinabalu", "bahru", "skudai",
    "damansara", "bangsar", "kota", "rue", "place", "chemin", "allee", "strasse", "platz",
    "weg", "gasse", "straat", "plein", "laan", "calle", "avenida", "carrera", "via", "viale",
    "piazza", "corso", "nagar", "marg", "colony", "sector",
)  # fmt: skip
ADDRESS_WORDS = frozenset(_ADDRESS_WORDS)
_TRADE_WORDS = (
    "restaurant", "restaurants", "restoran", "enterprise", "enterprises", "trading", "hardware",
    "stationery", "bookstore", "bookshop", "supermarket", "minimarket", "market", "markets",
    "bakery", "pharmacy", "confectionery", "furnishing", "furnishings", "furniture", "holding",
    "holdings", "industry", "industries", "service", "services", "machinery", "electrical",
    "electronics", "seafood", "kitchen", "kitchenette", "cafe", "station", "marketing",
    "distributor", "distributors", "agency", "resources", "international", "corporation",
    "company", "limited", "berhad", "sendirian", "private", "mart", "shop", "store", "kedai",
)  # fmt: skip
TRADE_WORDS = frozenset(_TRADE_WORDS)
# characters OCR takes for one another: compared after folding each class to one letter
CONFUSABLE = str.maketrans({"1": "l", "|": "l", "i": "l", "0": "o", "5": "s", "8": "b"})
JUNK = re.compile(r"[:;_~^`'\".,]")
TOKEN = re.compile(r"[^\s,]+")


def _fold(word: str) -> str:
    return word.lower().translate(CONFUSABLE)


@lru_cache(maxsize=4)
def _folded(lexicon: frozenset[str]) -> dict[str, str]:
    return {_fold(w): w for w in lexicon}


def _one_slip(a: str, b: str) -> bool:
    """Levenshtein distance of exactly one."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# letters OCR confuses in print (beyond the digit look-alikes folded above)
LOOK_ALIKE = frozenset({("l", "t"), ("c", "e"), ("o", "u"), ("a", "o"), ("e", "o"), ("c", "o")})
LOOK_ALIKE_PAIRS = LOOK_ALIKE | {(b, a) for a, b in LOOK_ALIKE} | {("n", "m"), ("m", "n")}


def _look_alike(a: str, b: str) -> bool:
    """Same length, and the one letter that differs is a look-alike pair."""
    if len(a) != len(b):
        return False
    return all(x == y or (x, y) in LOOK_ALIKE_PAIRS for x, y in zip(a, b, strict=True))


def _styled(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def mend_word(token: str, lexicon: frozenset[str], shortest: int = 5) -> str:
    """``token`` or the one lexicon word it is an OCR slip of (trailing punctuation kept);
    none shorter than ``shortest``, and a four-letter word only for a look-alike letter."""
    core = token.rstrip(".,;:")
    tail = token[len(core) :]
    letters = sum(ch.isalpha() for ch in core)
    if len(core) < 3 or core.lower() in lexicon or letters < len(core) - 2 or letters < 2:
        return token
    folded = _folded(lexicon)
    key = _fold(core)
    if key in folded:
        return _styled(folded[key], core) + tail
    if len(core) < shortest:
        return token
    near = [w for k, w in folded.items() if len(k) >= shortest and _one_slip(key, k)]
    if len(near) != 1 or not JUNK.sub("", core).isalpha():
        return token
    if len(core) < 5 and not _look_alike(key, _fold(near[0])):
        return token
    if not JUNK.search(core) and not _look_alike(key, _fold(near[0])):
        return token  # a plural, another word of the language: not a slip
    return _styled(near[0], core) + tail


def mend(text: str, lexicon: frozenset[str], shortest: int = 5) -> str:
    return TOKEN.sub(lambda m: mend_word(m.group(0), lexicon, shortest), text)


def mend_address(text: str) -> str:
    text = DIGIT_O.sub("0", text)
    return mend(text, ADDRESS_WORDS)


DIGIT_O = re.compile(r"(?<=\d)[Oo](?![a-z])")
# legal forms at the end of a company name, as OCR misreads them (``S/D``, ``5/8``, ``DHD``)
FORM_SLIPS = (
    (re.compile(r"\b[S5$][/|l1I][B8D]$"), "S/B"),
    (re.compile(r"(?<=[A-Z]{3})[S5$]/[B8D]$"), " S/B"),  # the space before it lost
    (re.compile(r"\b[S5$][D0O][NM]\s+[B8D][HN][D0O]\.?$"), "SDN BHD"),
    (re.compile(r"(?<=\s)[B8D][H][D0O]\.?$"), "BHD"),
)


def mend_company(text: str) -> str:
    stripped = text.rstrip(" .")
    for pattern, form in FORM_SLIPS:
        if pattern.search(stripped):
            stripped = pattern.sub(form, stripped)
            break
    return mend(stripped, TRADE_WORDS, shortest=4) + text[len(text.rstrip(" .")) :]

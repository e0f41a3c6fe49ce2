"""Normalising Arabic and Persian text so that spelling variants compare equal.

Used wherever two spellings of a word must match: the comment word list today, search next.
`كـلـمة`, `كَلِمَة`, `كلمه` and Persian `كلمه` all normalise to the same string.
"""

import re
import unicodedata

# Harakat and other combining marks of the Arabic block: fathatan..sukun, superscript alef,
# Quranic annotation marks, and the small high/low signs.
_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08ff]"
)
TATWEEL = "\u0640"
# Invisible characters that split a word without changing how it reads: zero-width space,
# word joiner, BOM, soft hyphen, and the bidi controls. ZWNJ and ZWJ are handled apart.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
ZWNJ = "\u200c"
ZWJ = "\u200d"

_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",  # alef forms
        "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي",  # alef maqsura, Persian yeh, yeh+hamza
        "ؤ": "و",  # waw with hamza
        "ة": "ه", "ۀ": "ه", "ہ": "ه", "ھ": "ه", "ە": "ه",  # taa marbuta, heh variants
        "ک": "ك", "ڪ": "ك", "ګ": "ك",  # Persian and other kaf forms
        "ڤ": "ف",  # veh, written for v in loanwords (ڤيتامين/فيتامين)
        "ء": "",  # a lone hamza is often omitted in writing
    }
)  # fmt: skip
# Every decimal digit (Arabic-Indic, Persian, Latin, and the rest of Unicode) to ASCII.
_DIGITS = {
    cp: str(unicodedata.digit(chr(cp)))
    for cp in range(0x1FC00)  # no decimal digits lie above this
    if unicodedata.category(chr(cp)) == "Nd"
}


_FOLD_AND_DIGITS = {**_FOLD, **_DIGITS}  # one pass over the text, not two


def normalize(text: str, zwnj: str = "") -> str:
    """Fold text for matching: NFKC, no marks or tatweel or invisible characters, one alef,
    yeh, heh and kaf, ASCII digits, lower-case Latin, single spaces.

    ZWNJ (the Persian half-space) becomes `zwnj`: nothing by default, so `میخواهم` and
    `می‌خواهم` match; search keeps it to index the parts of a word as well (analysis.py).
    """
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", text)
    text = text.replace(TATWEEL, "").replace(ZWNJ, zwnj).replace(ZWJ, "")
    text = _INVISIBLE.sub("", text)
    text = text.translate(_FOLD_AND_DIGITS)
    return " ".join(text.casefold().split())


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return _WORD.findall(normalize(text))

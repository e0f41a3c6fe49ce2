"""Text analysis for search, the same for indexing and for queries on every database.

A text becomes two lists of terms: the exact terms (normalised words: no harakat, one alef,
yeh and kaf, ASCII digits, see khabar.lib.arabic) and the stemmed terms (Arabic and Persian
light stemming, Snowball for English). Stories index both, so that an exact form ranks above
a word that only shares its stem, and over-stemming cannot flood the results.
"""

import re
from functools import lru_cache

import Stemmer

from khabar.lib.arabic import words

_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

# Stop words, written already normalised (ة as ه, ى as ي, no hamza on alef).
_STOP_TEXT = {
    "ar": "في من علي الي عن مع ان او ثم قد لا ما لم لن هذا هذه ذلك تلك الذي التي الذين هو هي هم "
    "كان كانت يكون وقد كما بين بعد قبل عند حتي منذ اي كل غير ايضا و ف ب ل ك",
    "fa": "و در به از كه را اين ان با براي تا هم يا بر شد شده مي است بود هست خود",
    "en": "a an and are as at be by for from has in is it of on or that the to was were will with",
}
STOP_WORDS = frozenset(word for text in _STOP_TEXT.values() for word in text.split())

# Light stemming after Lucene's ArabicStemmer: one prefix, then suffixes, keeping at least
# two letters. Longest prefixes first.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_FA_SUFFIXES = ("هايي", "هاي", "ها", "ترين", "تر", "ان", "ات", "يي", "ي")

_english = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem_arabic(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def stem_persian(word: str) -> str:
    for suffix in _FA_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def stem(word: str, language: str) -> str:
    if _ARABIC_LETTER.search(word):
        return stem_persian(word) if language == "fa" else stem_arabic(word)
    if word.isdigit():
        return word
    return _english.stemWord(word)


def exact_terms(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


def analyze(text: str, language: str) -> tuple[list[str], list[str]]:
    """(exact terms, stemmed terms) of a text in an edition's language."""
    exact = exact_terms(text)
    return exact, [stem(w, language) for w in exact]

"""Text analysis for search, the same for indexing and for queries on every database.

A text becomes two lists of terms: the exact terms (normalised words: no harakat, one alef,
yeh and kaf, ASCII digits, see khabar.lib.arabic) and the stemmed terms (Arabic and Persian
light stemming, Snowball for English). Stories index both, so that an exact form ranks above
a word that only shares its stem, and over-stemming cannot flood the results.
"""

import re
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import Stemmer

from khabar.lib.arabic import ZWNJ, normalize

_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

# Stop words, written already normalised (ة as ه, ى as ي, no hamza on alef).
_STOP_TEXT = {
    "ar": "في من علي الي عن مع ان او ثم قد لا ما لم لن هذا هذه ذلك تلك الذي التي الذين هو هي هم "
    "كان كانت يكون وقد كما بين بعد قبل عند حتي منذ اي كل غير ايضا و ف ب ل ك",
    "fa": "و در به از كه را اين ان با براي تا هم يا بر شد شده مي است بود هست خود",
    "en": "a an and are as at be by for from has in is it of on or that the to was were will with",
}
STOP_WORDS = frozenset(word for text in _STOP_TEXT.values() for word in text.split())
# Persian only: the parts a ZWNJ sets apart from their word (see tokens()), plural and
# comparative suffixes, verbal prefixes, the ezafe and possessive endings. In Arabic some are
# words (ام in ام قصر, شان for شأن).
_ZWNJ_PARTS = frozenset({"ها", "هاي", "هايي", "اي", "ي", "تر", "ترين", "مي", "نمي", "ام", "ات",
                         "اش", "مان", "تان", "شان"})  # fmt: skip
_STOP = {"fa": STOP_WORDS | _ZWNJ_PARTS}


def stop_words(language: str) -> frozenset[str]:
    return _STOP.get(language, STOP_WORDS)


# Light stemming after Lucene's ArabicStemmer: one prefix, then suffixes, keeping at least
# two letters. Longest prefixes first.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "ولل", "فلل", "لل", "ال", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Persian: plural and comparative endings. Not a lone ی: it makes adjectives and abstract
# nouns (داور referee, داوری refereeing; ملت nation, ملی national), and taking it off joined
# them: one more wrong result on the hard negatives than Lucene, for 0.016 of nDCG@10.
_FA_SUFFIXES = ("هايي", "هاي", "ها", "ترين", "تر", "ان", "ات", "يي")

_english = Stemmer.Stemmer("english")


# Long stems are reduced to a skeleton: first letter kept, long vowels after it dropped, and
# the letters that transliteration swaps made one (ج/غ for g, ط/ت for t). Names and loanwords
# are spelled many ways (ماموجرام/الماموغرام, ميجاوات/ميغاواط, سينوجرافيا/سينوغرافيا), and a
# hamza's seat comes out as و or ي (مسئولي/مسؤولون). Short stems keep their vowels: there
# they tell words apart (كاتب/كتب). Measured on the relevance set: nDCG@10 0.930 -> 0.964.
_SKELETON_FROM = 5
_SKELETON_LETTERS = str.maketrans({"ج": "غ", "ك": "غ", "ط": "ت", "ا": None, "و": None, "ي": None})


@lru_cache(maxsize=65536)
def stem_arabic(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    if len(word) >= _SKELETON_FROM:
        word = word[0] + word[1:].translate(_SKELETON_LETTERS)
    return word


@lru_cache(maxsize=65536)
def stem_persian(word: str) -> str:
    for suffix in _FA_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=262144)
def stem(word: str, language: str) -> str:
    if _ARABIC_LETTER.search(word):
        return stem_persian(word) if language == "fa" else stem_arabic(word)
    if word.isdigit():
        return word
    # q and k stand for the same Arabic letter in transliterated names (Qasim/Kasim, Iraq/Irak).
    return _english.stemWord(word).replace("q", "k")


@lru_cache(maxsize=65536)
def word_forms(word: str, language: str) -> tuple[str, str]:
    """A word of a shown text as a query term would be: (its normalised form, its stem).
    Remembered by the process: a search page meets the same words of its results' texts on
    every request, and normalising them again was a third of the page's time."""
    folded = normalize(word)
    return folded, stem(folded, language)


LONGEST_WORD = 60
_TOKEN = re.compile(r"\w+(?:\u200c+\w+)*")


def tokens(text: str, zwnj: str = "whole") -> list[str]:
    """The normalised words of a text.

    One rule for ZWNJ, three uses. A word written with one (`سریع‌السیر`, `کتاب‌های`) is, in a
    story's index ("both"), its parts in order, so that a reader who types a space (`سریع
    السیر`, `دانش آموزان`) finds it and a quoted phrase runs through it, and its whole form
    (`سريعالسير`) after the text, so that a reader who types it solid finds it too. In a query
    ("whole") it is its whole form, which a story has however it wrote the word, with or
    without the ZWNJ; in a quoted phrase ("parts"), its parts.
    """
    words, whole = [], []
    for chunk in text.split():
        chunk_words, chunk_whole = _chunk_tokens(chunk, zwnj)
        words += chunk_words
        whole += chunk_whole
    return words + whole


# A text is analysed piece by piece, a piece being what lies between two spaces, and each
# piece's analysis is remembered: a story repeats the same few hundred pieces, and normalising
# its text character by character was half the time of building the index. It gives what the
# whole text would: whitespace is left as it is by every step of normalize() (NFKC composes
# nothing across it), and a word never spans it.
@lru_cache(maxsize=131072)
def _chunk_tokens(chunk: str, zwnj: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words, whole forms to put after the text) of a piece of text without whitespace."""
    words, whole = [], []
    for token in _TOKEN.findall(normalize(chunk, zwnj=ZWNJ)):
        if ZWNJ not in token:
            words.append(token)
            continue
        parts = [p for p in token.split(ZWNJ) if p]
        if zwnj == "whole":
            words.append("".join(parts))
        else:
            words.extend(parts)
            if zwnj == "both":
                whole.append("".join(parts))
    return tuple(words), tuple(whole)


@lru_cache(maxsize=131072)
def _chunk_terms(chunk: str, zwnj: str, language: str):
    """(exact terms, stems, exact whole forms, their stems) of a piece of text without
    whitespace; see analyze()."""
    stop = stop_words(language)
    out = []
    for found in _chunk_tokens(chunk, zwnj):
        exact = tuple(w for w in found if w not in stop and len(w) <= LONGEST_WORD)
        out += [exact, tuple(stem(w, language) for w in exact)]
    return tuple(out)


def analyze(text: str, language: str, document: bool = False,
            phrase: bool = False) -> tuple[list[str], list[str]]:  # fmt: skip
    """(exact terms, stemmed terms) of a text in an edition's language: of a query's words, of
    a quoted phrase, or of a story to index (see tokens() for words written with a ZWNJ).

    Words longer than any real one (a pasted link, a run of code) are left out: nobody
    searches for them, and PostgreSQL refuses a lexeme over 2,047 bytes."""
    zwnj = "both" if document else "parts" if phrase else "whole"
    pieces = [_chunk_terms(chunk, zwnj, language) for chunk in text.split()]
    exact = list(chain.from_iterable(map(itemgetter(0), pieces)))
    stems = list(chain.from_iterable(map(itemgetter(1), pieces)))
    if any(map(itemgetter(2), pieces)):  # words written with a ZWNJ, in a story
        exact += chain.from_iterable(map(itemgetter(2), pieces))
        stems += chain.from_iterable(map(itemgetter(3), pieces))
    return exact, stems

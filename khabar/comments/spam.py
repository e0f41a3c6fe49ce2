"""Signs of spam in a comment's text, as spam programs write it to slip past a word list and a
link count: spaced or dotted letters, look-alike letters, links written out in words, short
links that hide where they go, contact numbers, repeated text, shouting. Plain functions over
the text; rules.hold_reasons turns what they find into reasons to hold a comment.

Each sign only holds a comment for a moderator (never refuses it), so a false alarm costs a
reader a wait, not their comment.
"""

import re

from khabar.lib.arabic import normalize

# Services whose links hide where they lead: a reader (and a moderator) cannot tell.
SHORTENERS = (
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly",
    "rebrand.ly", "t.ly", "shorturl.at", "rb.gy", "tiny.cc", "s.id", "v.gd", "bl.ink",
    "short.io", "shorte.st", "adf.ly", "lnkd.in", "trib.al", "qr.net", "x.co",
)  # fmt: skip
_SHORT_LINK = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.)?(?:"
    + "|".join(re.escape(host) for host in SHORTENERS)
    + r")(?![\w-])(?:/|\b)",
    re.IGNORECASE,
)
_TLD = r"(?:com|net|org|info|biz|xyz|io|me|co|online|site|shop|top|club|iq|ir|sa|ae)"
# An address written so that it is not a link: "site dot com", "site[.]com", "site . com",
# "www . site".
_HIDDEN_LINK = re.compile(
    rf"[\w-]{{2,}}\s*(?:\[\.\]|\(\.\)|\s(?:dot|نقطة|دوت)\s)\s*{_TLD}\b"
    rf"|[\w-]{{2,}}(?:\s+\.\s*|\s*\.\s+){_TLD}\b"
    r"|\bw\s*w\s*w\s*\.\s+\S|\bwww\s+\.",
    re.IGNORECASE,
)
# A telephone number (international, or a national one starting with 0) or a messenger handle:
# how spam asks to be contacted without a link.
_PHONE = re.compile(r"(?:\+|(?<![\d])0)\d(?:[\s-]?\d){8,}")
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_]{3,}")
_SAME_CHARACTER = re.compile(r"(.)\1{29,}", re.DOTALL)
_LATIN = re.compile(r"[A-Za-z]")
# Cyrillic and Greek letters that look like Latin ones, as spam spells "cаsinо" (Cyrillic а, о).
_LOOKALIKES = str.maketrans(
    "асеорхуіјѕԁɡһАВСЕНІЈКМОРЅТХУαορνκτι",
    "aceopxyijsdghABCEHIJKMOPSTXYaopvkti",
)
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# Arabic prefixes that stick to a word: the article, and, with, for, so, like.
_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")


def short_links(text: str) -> bool:
    return bool(_SHORT_LINK.search(text))


def hidden_links(text: str) -> bool:
    return bool(_HIDDEN_LINK.search(text))


def contact_details(text: str) -> bool:
    return bool(_PHONE.search(text) or _HANDLE.search(text))


def look_alike_letters(text: str) -> bool:
    """A word that mixes Latin letters with Cyrillic or Greek ones."""
    return any(
        _LATIN.search(word) and _OTHER_SCRIPT.search(word) for word in re.findall(r"\w+", text)
    )


def repeated(text: str) -> bool:
    """The same few words over and over, or one character in a long run."""
    if _SAME_CHARACTER.search(text):
        return True
    found = re.findall(r"\w+", normalize(text))
    return len(found) >= 10 and len(set(found)) / len(found) < 0.3


def shouting(text: str) -> bool:
    """Mostly capital Latin letters, over enough letters to be more than an acronym or two."""
    letters = _LATIN.findall(text)
    upper = sum(1 for c in letters if c.isupper())
    return len(letters) >= 20 and upper / len(letters) >= 0.7


def _merge_spelled(found: list[str]) -> list[str]:
    """Join runs of three or more single letters ("c a s i n o", "c.a.s.i.n.o") into a word."""
    merged, run = [], []
    for word in [*found, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        merged.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            merged.append(word)
    return merged


def _strip_prefix(word: str) -> str:
    for prefix in _PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


def _spellings(text: str) -> list[str]:
    """The text's words as " w1 w2 … " strings: as written, with spelled-out letters joined,
    and with Arabic prefixes taken off, after folding look-alike letters and normalising."""
    found = re.findall(r"\w+", normalize(text.translate(_LOOKALIKES)))
    merged = _merge_spelled(found)
    return [f" {' '.join(words)} " for words in (found, merged, [_strip_prefix(w) for w in merged])]


def contains_phrase(text: str, phrases) -> bool:
    """Whether any held phrase is in the text, however it is spelled out or prefixed."""
    spellings = _spellings(text)
    for phrase in phrases:
        wanted = " ".join(re.findall(r"\w+", normalize(phrase)))
        if wanted and any(f" {wanted} " in spelling for spelling in spellings):
            return True
    return False


def signs(text: str) -> list[str]:
    """The hold reasons (rules.HOLD_REASONS codes) that the text itself gives."""
    checks = [
        ("short-link", short_links),
        ("hidden-link", hidden_links),
        ("contact", contact_details),
        ("look-alike", look_alike_letters),
        ("repeated", repeated),
        ("shouting", shouting),
    ]
    return [code for code, check in checks if check(text)]

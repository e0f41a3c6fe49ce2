"""Arrival: which edition `/` sends a reader to, from the browser's Accept-Language alone.

Nothing is remembered (no cookie, no session): the edition pages stay the same bytes for
everyone, and only the redirect at `/` depends on the header (it says so with
`Vary: Accept-Language`, and no shared cache keeps it).
"""

import re
from collections.abc import Iterable, Sequence

# A browser sends a handful of ranges; a header longer than this is not a browser's, and
# reading it whole would let anyone make every arrival cost more.
MAX_HEADER_LENGTH = 1024
MAX_RANGES = 32

# RFC 9110 §12.5.4 / RFC 4647: a language range ("fa-IR", "en", "*") and an optional weight
# (q=0 to q=1 with at most three decimals). Anything else in an entry makes it ignored,
# not the whole header.
_RANGE = re.compile(r"(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)")
_WEIGHT = re.compile(r"[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The header's language ranges, lower-cased, with their weights, most wanted first (ties
    keep the header's order). Malformed entries are skipped; q=0 ranges are kept, as they say
    what the reader refuses."""
    ranges = []
    for position, entry in enumerate(header[:MAX_HEADER_LENGTH].split(",")[:MAX_RANGES]):
        tag, *params = (part.strip() for part in entry.split(";"))
        if not _RANGE.fullmatch(tag):
            continue
        weight = 1.0
        for param in params:
            if match := _WEIGHT.fullmatch(param.replace(" ", "")):
                weight = float(match.group(1))
            elif param:
                break
        else:
            ranges.append((tag.lower(), weight, position))
    ranges.sort(key=lambda item: (-item[1], item[2]))
    return [(tag, weight) for tag, weight, _position in ranges]


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0]


def _matches(language_range: str, language: str) -> bool:
    """Whether an edition in `language` ("fa", "en", or a regional "en-gb") answers the range:
    the same tag, or the same primary language (fa-IR → fa, en → en-gb). A reader asking for
    Persian of Iran reads a Persian edition rather than none."""
    language = language.lower()
    return language_range == language or _primary(language_range) == _primary(language)


def _default(editions: Sequence):
    return next((e for e in editions if e.is_default), editions[0])


def edition_for_accept_language(header: str | None, editions: Iterable):
    """The edition `/` sends a reader to: the first of the reader's languages, by weight, that
    an edition speaks; the default edition when none does, when the header is missing or
    unreadable, or for `*`. Several editions in one language: the default one, else the
    first given. None only when there is no edition at all.

    `editions` are objects with `language` and `is_default` (Edition rows)."""
    editions = list(editions)
    if not editions:
        return None
    default = _default(editions)
    ranges = parse_accept_language(header or "")
    # "fa;q=0" refuses every Persian edition, "fa-ir;q=0" only one in fa-IR (RFC 4647).
    refused = {tag for tag, weight in ranges if weight == 0 and tag != "*"}
    allowed = [
        e for e in editions if not refused & {e.language.lower(), _primary(e.language.lower())}
    ]
    for tag, weight in ranges:
        if weight == 0:
            continue
        if tag == "*":
            return default if default in allowed else (allowed or [default])[0]
        speaking = [e for e in allowed if _matches(tag, e.language)]
        if speaking:
            exact = [e for e in speaking if e.language.lower() == tag] or speaking
            return next((e for e in exact if e.is_default), exact[0])
    return default

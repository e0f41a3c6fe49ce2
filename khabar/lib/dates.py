"""Dates and numbers in an edition's locale.

Babel applies the CLDR pattern (day periods such as ص/م, the Arabic comma) but always writes
Latin digits, so the digits are mapped afterwards to the edition's numbering system.
"""

import unicodedata
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

# The digit zero of each numbering system an edition may use (CLDR numbering system ids);
# the other nine digits follow it in Unicode, which digit_map() checks.
ZERO_DIGITS = {
    "latn": "0",
    "arab": "\u0660",  # Arabic-Indic: ٠١٢٣٤٥٦٧٨٩
    "arabext": "\u06f0",  # Extended Arabic-Indic (Persian, Urdu): ۰۱۲۳۴۵۶۷۸۹
}


def digit_map(numbering_system: str) -> dict[int, str]:
    """A str.translate table from ASCII digits to those of a numbering system."""
    try:
        zero = ord(ZERO_DIGITS[numbering_system])
    except KeyError:
        raise ValueError(f"Unsupported numbering system: {numbering_system!r}") from None
    digits = "".join(chr(zero + i) for i in range(10))
    assert [unicodedata.digit(d) for d in digits] == list(range(10))
    return str.maketrans("0123456789", digits)


_MAPS = {name: digit_map(name) for name in ZERO_DIGITS}


def localize_digits(text: str, numbering_system: str) -> str:
    """Write the ASCII digits in text with the digits of the numbering system."""
    if numbering_system == "latn":
        return text
    try:
        return text.translate(_MAPS[numbering_system])
    except KeyError:
        raise ValueError(f"Unsupported numbering system: {numbering_system!r}") from None


@lru_cache(maxsize=16384)
def format_local_datetime(
    moment: datetime, *, locale: str, numbering_system: str, pattern: str, time_zone: str
) -> str:
    """Format an aware datetime in a time zone with a CLDR pattern and a numbering system.

    For 2024-01-26 18:27 UTC in Asia/Baghdad with ar_IQ, arab and "dd/MM/y، h:mm a" this gives
    "٢٦/٠١/٢٠٢٤، ٩:٢٧ م".

    Memoised: a list or a comment thread formats the same moments for every reader.
    """
    if moment.tzinfo is None:
        raise ValueError("format_local_datetime needs an aware datetime")
    local = moment.astimezone(ZoneInfo(time_zone))
    text = format_datetime(local, pattern, locale=locale)
    return localize_digits(text, numbering_system)

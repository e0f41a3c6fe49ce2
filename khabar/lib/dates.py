"""Dates and numbers in an edition's locale and calendar.

Babel applies the CLDR pattern (day periods such as ص/م, the Arabic comma) but always writes
Latin digits, so the digits are mapped afterwards to the edition's numbering system.

Babel knows the Gregorian calendar only (python-babel/babel#810), whatever the locale says. For
the Solar Hijri ("persian") and the Umm al-Qura Hijri ("islamic-umalqura") calendars the date
fields of the pattern (era, year, quarter, month, day) are taken from jdatetime and hijridate
and named from the tables below; every other field (weekday, hour, minute, am/pm, time zone)
is still Babel's, since the day and the time of day are the same in every calendar.
"""

import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import jdatetime
from babel import Locale
from babel.dates import DateTimeFormat, format_datetime, get_quarter_names, parse_pattern
from hijridate import Gregorian, Hijri

# The digit zero of each numbering system an edition may use (CLDR numbering system ids);
# the other nine digits follow it in Unicode, which digit_map() checks.
ZERO_DIGITS = {
    "latn": "0",
    "arab": "\u0660",  # Arabic-Indic: ٠١٢٣٤٥٦٧٨٩
    "arabext": "\u06f0",  # Extended Arabic-Indic (Persian, Urdu): ۰۱۲۳۴۵۶۷۸۹
}

# The calendars an edition may choose, by their CLDR (BCP 47 "ca") names. Other code and the
# edition's model rely on these three names.
GREGORIAN = "gregorian"
PERSIAN = "persian"
ISLAMIC_UMALQURA = "islamic-umalqura"
CALENDARS = (GREGORIAN, PERSIAN, ISLAMIC_UMALQURA)


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


# Month names, wide and abbreviated, by calendar and language. They are CLDR's (the
# calendars' "format" months of fa, ar and en, and root for the Solar Hijri months in English),
# with one exception: CLDR's Arabic Solar Hijri months are rough phonetic renderings (فرفردن,
# تار, شهرفار, اسفندار) that Arabic readers do not use, so the Arabic table writes the
# Persian names with Arabic letters (ي, and أ/إ where Arabic writes a hamza), as Arabic-language
# news services write them. A language without a table reads the English one.
_ZWNJ = "\u200c"  # Persian writes these compounds with a zero-width non-joiner, as CLDR does
MONTHS = {
    PERSIAN: {
        "fa": {
            "wide": ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                     "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"),
        },
        "ar": {
            "wide": ("فروردين", "أرديبهشت", "خرداد", "تير", "مرداد", "شهريور",
                     "مهر", "آبان", "آذر", "دي", "بهمن", "إسفند"),
        },
        "en": {
            "wide": ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                     "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"),
        },
    },
    ISLAMIC_UMALQURA: {
        "ar": {
            "wide": ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
                     "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة"),
        },
        "fa": {
            "wide": ("محرم", "صفر", f"ربیع{_ZWNJ}الاول", f"ربیع{_ZWNJ}الثانی",
                     f"جمادی{_ZWNJ}الاول", f"جمادی{_ZWNJ}الثانی", "رجب", "شعبان", "رمضان",
                     "شوال", f"ذی{_ZWNJ}قعده", f"ذی{_ZWNJ}حجه"),
        },
        "en": {
            "wide": ("Muharram", "Safar", "Rabiʻ I", "Rabiʻ II", "Jumada I", "Jumada II",
                     "Rajab", "Shaʻban", "Ramadan", "Shawwal", "Dhuʻl-Qiʻdah", "Dhuʻl-Hijjah"),
            "abbreviated": ("Muh.", "Saf.", "Rab. I", "Rab. II", "Jum. I", "Jum. II", "Raj.",
                            "Sha.", "Ram.", "Shaw.", "Dhuʻl-Q.", "Dhuʻl-H."),
        },
    },
}  # fmt: skip

# Era names (pattern letter G), abbreviated and wide, from the same CLDR data, but for the
# Arabic Solar Hijri era, which CLDR leaves to root's "AP": written هـ.ش as Arabic writes it.
ERAS = {
    PERSIAN: {
        "fa": {"abbreviated": "ه\u200d.ش.", "wide": "هجری شمسی"},
        "ar": {"abbreviated": "هـ.ش", "wide": "هجري شمسي"},
        "en": {"abbreviated": "AP", "wide": "AP"},
    },
    ISLAMIC_UMALQURA: {
        "ar": {"abbreviated": "هـ", "wide": "هـ"},
        "fa": {"abbreviated": "ه\u200d.ق.", "wide": "هجری قمری"},
        "en": {"abbreviated": "AH", "wide": "AH"},
    },
}

_WIDTHS = {3: "abbreviated", 4: "wide", 5: "narrow"}


def month_name(calendar: str, language: str, month: int, width: str = "wide") -> str:
    """The name of month (1-12) of a non-Gregorian calendar in a language. CLDR gives the same
    abbreviated and wide names for most of them; narrow is the name's first letter."""
    names = MONTHS[calendar].get(language) or MONTHS[calendar]["en"]
    if width == "narrow":
        return names["wide"][month - 1][0]
    return names.get(width, names["wide"])[month - 1]


def era_name(calendar: str, language: str, width: str = "abbreviated") -> str:
    names = ERAS[calendar].get(language) or ERAS[calendar]["en"]
    return names["wide" if width == "wide" else "abbreviated"]


class CalendarDate(NamedTuple):
    """A day in a calendar: its year, month (1-12), day of month and day of year."""

    calendar: str
    year: int
    month: int
    day: int
    day_of_year: int


@lru_cache(maxsize=4096)
def calendar_date(day: date, calendar: str) -> CalendarDate | None:
    """The Gregorian day in another calendar, or None outside the range its converter covers
    (Umm al-Qura's tables run from 1924-08-01 to 2077-11-16).

    Memoised: a page's dates fall on a few days."""
    if calendar == PERSIAN:
        try:
            solar = jdatetime.date.fromgregorian(date=day)
        except ValueError:
            return None
        return CalendarDate(PERSIAN, solar.year, solar.month, solar.day, solar.yday())
    if calendar == ISLAMIC_UMALQURA:
        try:
            lunar = Gregorian(day.year, day.month, day.day).to_hijri()
            new_year = Hijri(lunar.year, 1, 1).to_gregorian()
        except OverflowError:
            return None
        day_of_year = (day - date(new_year.year, new_year.month, new_year.day)).days + 1
        return CalendarDate(ISLAMIC_UMALQURA, lunar.year, lunar.month, lunar.day, day_of_year)
    raise ValueError(f"Unsupported calendar: {calendar!r}")


class _CalendarFormat(DateTimeFormat):
    """Babel's field formatter with the date fields taken from another calendar."""

    def __init__(self, value: datetime | date, locale: Locale, day: CalendarDate):
        super().__init__(value, locale)
        self.day = day

    def __getitem__(self, name: str) -> str:
        char, num = name[0], len(name)
        day = self.day
        if char in "yYu":
            # The week-based year (Y) is taken as the calendar year: weeks are numbered in the
            # Gregorian calendar only (see w and W below).
            year = f"{day.year:0{num}d}"
            return year[-2:] if num == 2 else year
        if char in "ML":
            if num <= 2:
                return f"{day.month:0{num}d}"
            return month_name(day.calendar, self.locale.language, day.month, _WIDTHS[num])
        if char == "d":
            return f"{day.day:0{num}d}"
        if char == "D":
            return f"{day.day_of_year:0{num}d}"
        if char == "F":
            return str((day.day - 1) // 7 + 1)
        if char == "G":
            return era_name(day.calendar, self.locale.language, _WIDTHS[max(3, num)])
        if char in "Qq":
            quarter = (day.month - 1) // 3 + 1
            if num <= 2:
                return f"{quarter:0{num}d}"
            context = "format" if char == "Q" else "stand-alone"
            return get_quarter_names(_WIDTHS[num], context, self.locale)[quarter]
        if char in "wW":
            raise ValueError(f"Week numbers are not supported in the {day.calendar} calendar")
        return super().__getitem__(name)


@lru_cache(maxsize=64)
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


def format_calendar(value: datetime | date, pattern: str, *, locale: str, calendar: str) -> str:
    """A CLDR pattern applied to a local date or datetime in a calendar, in Latin digits.

    Outside the range of the calendar's converter the Gregorian date is written, rather than
    failing a whole page over an archive story from 1900."""
    if calendar != GREGORIAN:
        day = value.date() if isinstance(value, datetime) else value
        in_calendar = calendar_date(day, calendar)
        if in_calendar is not None:
            return parse_pattern(pattern) % _CalendarFormat(value, _locale(locale), in_calendar)
    return parse_pattern(pattern).apply(value, _locale(locale))


@lru_cache(maxsize=16384)
def format_local_datetime(
    moment: datetime,
    *,
    locale: str,
    numbering_system: str,
    pattern: str,
    time_zone: str,
    calendar: str = GREGORIAN,
) -> str:
    """Format an aware datetime in a time zone with a CLDR pattern, a numbering system and a
    calendar ("gregorian", "persian" or "islamic-umalqura").

    For 2024-01-26 18:27 UTC in Asia/Baghdad with ar_IQ, arab and "dd/MM/y، h:mm a" this gives
    "٢٦/٠١/٢٠٢٤، ٩:٢٧ م"; for 2026-12-03 10:30 UTC in Asia/Tehran with fa_IR, arabext,
    "y/MM/dd، HH:mm" and the persian calendar, "۱۴۰۵/۰۹/۱۲، ۱۴:۰۰". The moment is converted to
    the time zone first, so the day (and so the date in any calendar) is the edition's local
    day.

    Memoised: a list or a comment thread formats the same moments for every reader.
    """
    if moment.tzinfo is None:
        raise ValueError("format_local_datetime needs an aware datetime")
    local = moment.astimezone(ZoneInfo(time_zone))
    if calendar == GREGORIAN:
        # A parsed Locale, not its name: Babel would parse the name again on every call, half
        # of the time this takes.
        text = format_datetime(local, pattern, locale=_locale(locale))
    else:
        text = format_calendar(local, pattern, locale=locale, calendar=calendar)
    return localize_digits(text, numbering_system)


@lru_cache(maxsize=4096)
def format_local_date(
    day: date, *, locale: str, numbering_system: str, pattern: str, calendar: str = GREGORIAN
) -> str:
    """A calendar day (no time, no zone: an archive's day, a filter's bounds) written with a
    date-only CLDR pattern such as "d MMMM y" in a calendar and a numbering system."""
    if isinstance(day, datetime):
        raise ValueError("format_local_date takes a date; use format_local_datetime for a moment")
    return localize_digits(
        format_calendar(day, pattern, locale=locale, calendar=calendar), numbering_system
    )

"""Dates in the Solar Hijri and Umm al-Qura calendars, at the days where they turn: Nowruz,
the end of Esfand, the last day of a Hijri month, and moments that are one day in the
edition's zone and another in UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from khabar.lib.dates import (
    MONTHS,
    calendar_date,
    format_calendar,
    format_local_date,
    format_local_datetime,
)

TEHRAN = ZoneInfo("Asia/Tehran")  # UTC+3:30 all year since 2022
RIYADH = ZoneInfo("Asia/Riyadh")  # UTC+3
BAGHDAD = ZoneInfo("Asia/Baghdad")  # UTC+3
PERSIAN = {"locale": "fa_IR", "numbering_system": "arabext", "time_zone": "Asia/Tehran",
           "calendar": "persian"}  # fmt: skip
HIJRI = {"locale": "ar_SA", "numbering_system": "arab", "time_zone": "Asia/Riyadh",
         "calendar": "islamic-umalqura"}  # fmt: skip


def persian(moment, pattern="y/MM/dd", **overrides):
    return format_local_datetime(moment, pattern=pattern, **{**PERSIAN, **overrides})


def hijri(moment, pattern="d MMMM y", **overrides):
    return format_local_datetime(moment, pattern=pattern, **{**HIJRI, **overrides})


def test_persian_digits_for_a_december_day():
    assert persian(datetime(2026, 12, 3, 12, 0, tzinfo=TEHRAN)) == "۱۴۰۵/۰۹/۱۲"


def test_nowruz_of_a_leap_year():
    # 1403 is a leap year: 1 Farvardin fell on 20 March 2024, the day of the equinox.
    assert persian(datetime(2024, 3, 19, 23, 59, tzinfo=TEHRAN), "d MMMM y") == "۲۹ اسفند ۱۴۰۲"
    assert persian(datetime(2024, 3, 20, 0, 0, tzinfo=TEHRAN), "d MMMM y") == "۱ فروردین ۱۴۰۳"
    assert calendar_date(date(2024, 3, 20), "persian").day_of_year == 1


def test_nowruz_of_a_common_year_after_a_leap_year():
    # 1404 is common; the leap day of 1403 (Esfand 30) pushes its Nowruz to 21 March 2025.
    assert persian(datetime(2025, 3, 20, 12, 0, tzinfo=TEHRAN), "d MMMM y") == "۳۰ اسفند ۱۴۰۳"
    assert persian(datetime(2025, 3, 21, 0, 0, tzinfo=TEHRAN), "d MMMM y") == "۱ فروردین ۱۴۰۴"


def test_esfand_has_thirty_days_in_a_leap_year_only():
    leap_end = calendar_date(date(2025, 3, 20), "persian")
    assert (leap_end.year, leap_end.month, leap_end.day, leap_end.day_of_year) == (1403, 12, 30,
                                                                                   366)  # fmt: skip
    common_end = calendar_date(date(2026, 3, 20), "persian")
    assert (common_end.year, common_end.month, common_end.day, common_end.day_of_year) == (
        1404, 12, 29, 365)  # fmt: skip
    # The day after Esfand 29 of a common year is Nowruz, not Esfand 30.
    assert persian(datetime(2026, 3, 21, 8, 0, tzinfo=TEHRAN), "d MMMM y") == "۱ فروردین ۱۴۰۵"


def test_a_story_at_23_59_in_tehran_is_that_tehran_day():
    # 23:59 on 12 Azar 1405 in Tehran is 20:29 UTC on 3 December; at 00:10 on 13 Azar in
    # Tehran it is still 3 December in UTC (20:40), yet the Solar Hijri day has turned.
    late = datetime(2026, 12, 3, 20, 29, tzinfo=UTC)
    assert persian(late, "y/MM/dd، HH:mm") == "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹"
    after_midnight = datetime(2026, 12, 3, 20, 40, tzinfo=UTC)
    assert persian(after_midnight, "y/MM/dd، HH:mm") == "۱۴۰۵/۰۹/۱۳، ۰۰:۱۰"


def test_the_hijri_month_turns_at_the_editions_midnight_not_utcs():
    # Umm al-Qura: 29 Sha'ban 1447 is 17 February 2026, 1 Ramadan is the 18th. At 21:30 UTC
    # on the 17th it is already 00:30 on the 18th in Riyadh.
    assert hijri(datetime(2026, 2, 17, 20, 59, tzinfo=UTC)) == "٢٩ شعبان ١٤٤٧"
    assert hijri(datetime(2026, 2, 17, 21, 0, tzinfo=UTC)) == "١ رمضان ١٤٤٧"
    assert hijri(datetime(2026, 2, 17, 21, 30, tzinfo=UTC), "d MMMM y، h:mm a") == (
        "١ رمضان ١٤٤٧، ١٢:٣٠ ص"
    )
    # The same UTC moment in a zone still on the 17th is still Sha'ban.
    assert hijri(datetime(2026, 2, 17, 21, 30, tzinfo=UTC), time_zone="Europe/London") == (
        "٢٩ شعبان ١٤٤٧"
    )


def test_the_hijri_year_turns_at_the_last_day_of_dhu_al_hijjah():
    # 1 Muharram 1448 is 16 June 2026 (Umm al-Qura): Dhu al-Hijjah 1447 has 29 days.
    assert hijri(datetime(2026, 6, 15, 23, 59, tzinfo=RIYADH)) == "٢٩ ذو الحجة ١٤٤٧"
    assert hijri(datetime(2026, 6, 16, 0, 0, tzinfo=RIYADH)) == "١ محرم ١٤٤٨"
    assert calendar_date(date(2026, 6, 16), "islamic-umalqura").day_of_year == 1
    assert calendar_date(date(2026, 6, 15), "islamic-umalqura").day_of_year == 355  # a 355-day year


@pytest.mark.parametrize(
    ("locale", "numbering_system", "expected"),
    [
        ("fa_IR", "arabext", "پنجشنبه ۱۲ آذر ۱۴۰۵، ساعت ۱۴:۰۰"),
        ("ar_IQ", "arab", "الخميس ١٢ آذر ١٤٠٥، ساعت ١٤:٠٠"),
        ("en", "latn", "Thursday 12 Azar 1405، ساعت 14:00"),
    ],
)
def test_solar_hijri_month_and_weekday_names_in_each_language(locale, numbering_system, expected):
    moment = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    pattern = "EEEE d MMMM y، 'ساعت' HH:mm"
    assert persian(moment, pattern, locale=locale, numbering_system=numbering_system) == expected


@pytest.mark.parametrize(
    ("locale", "month", "expected"),
    [
        ("ar_SA", 3, "ربيع الأول"),
        ("ar_SA", 12, "ذو الحجة"),
        ("fa_IR", 3, "ربیع\u200cالاول"),
        ("fa_IR", 12, "ذی\u200cحجه"),
        ("en", 9, "Ramadan"),
        ("en", 11, "Dhuʻl-Qiʻdah"),
    ],
)
def test_hijri_month_names_in_each_language(locale, month, expected):
    # The 15th of each month of 1447, found through the converter.
    day = next(
        d
        for d in (date.fromordinal(date(2025, 6, 20).toordinal() + n) for n in range(400))
        if (calendar_date(d, "islamic-umalqura").month, calendar_date(d, "islamic-umalqura").day)
        == (month, 15)
    )
    assert format_calendar(day, "MMMM", locale=locale, calendar="islamic-umalqura") == expected


def test_every_calendar_has_twelve_names_in_every_language():
    for calendar, languages in MONTHS.items():
        for language, widths in languages.items():
            for names in widths.values():
                assert len(names) == 12, (calendar, language)
                assert len(set(names)) == 12, (calendar, language)


def test_abbreviated_and_narrow_months_era_and_quarter():
    day = date(2026, 12, 3)  # 12 Azar 1405; 23 Jumada II 1448
    assert format_calendar(day, "MMM y G", locale="en", calendar="persian") == "Azar 1405 AP"
    assert format_calendar(day, "MMMMM", locale="fa", calendar="persian") == "آ"
    assert format_calendar(day, "GGGG", locale="fa", calendar="persian") == "هجری شمسی"
    assert format_calendar(day, "QQQ", locale="en", calendar="persian") == "Q3"
    assert format_calendar(day, "d MMM y G", locale="en", calendar="islamic-umalqura") == (
        "23 Jum. II 1448 AH"
    )
    assert format_calendar(day, "yy/M/d D F", locale="en", calendar="islamic-umalqura") == (
        "48/6/23 171 4"
    )


def test_english_edition_on_the_persian_calendar_keeps_babels_time_of_day():
    moment = datetime(2024, 3, 20, 21, 27, tzinfo=TEHRAN)
    assert persian(moment, "d MMMM y, h:mm a", locale="en", numbering_system="latn") == (
        "1 Farvardin 1403, 9:27 PM"
    )


def test_week_numbers_are_refused_outside_the_gregorian_calendar():
    with pytest.raises(ValueError):
        persian(datetime(2026, 12, 3, 12, 0, tzinfo=TEHRAN), "w y")


def test_unknown_calendar_is_refused():
    with pytest.raises(ValueError):
        persian(datetime(2026, 12, 3, 12, 0, tzinfo=TEHRAN), calendar="hebrew")


def test_gregorian_is_the_default_and_unchanged():
    moment = datetime(2024, 1, 26, 18, 27, tzinfo=UTC)
    arabic = {"locale": "ar_IQ", "numbering_system": "arab", "pattern": "dd/MM/y، h:mm a",
              "time_zone": "Asia/Baghdad"}  # fmt: skip
    assert format_local_datetime(moment, **arabic) == "٢٦/٠١/٢٠٢٤، ٩:٢٧ م"
    assert format_local_datetime(moment, calendar="gregorian", **arabic) == "٢٦/٠١/٢٠٢٤، ٩:٢٧ م"


def test_outside_the_umm_al_qura_tables_the_gregorian_date_is_written():
    # hijridate covers 1924-08-01 to 2077-11-16; an older archive story still gets a date.
    moment = datetime(1920, 5, 1, 12, 0, tzinfo=RIYADH)
    assert hijri(moment, "d/M/y") == "١/٥/١٩٢٠"


def test_a_day_without_a_time_in_each_calendar():
    day = date(2025, 3, 20)
    fa = {"locale": "fa_IR", "numbering_system": "arabext", "pattern": "d MMMM y"}
    assert format_local_date(day, calendar="persian", **fa) == "۳۰ اسفند ۱۴۰۳"
    assert format_local_date(day, **fa) == "۲۰ مارس ۲۰۲۵"
    ar = {"locale": "ar_SA", "numbering_system": "arab", "pattern": "EEEE d MMMM y"}
    assert format_local_date(day, calendar="islamic-umalqura", **ar) == "الخميس ٢٠ رمضان ١٤٤٦"
    with pytest.raises(ValueError):
        format_local_date(datetime(2025, 3, 20, tzinfo=UTC), calendar="persian", **fa)

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from khabar.lib.dates import format_local_datetime, localize_digits

BAGHDAD = ZoneInfo("Asia/Baghdad")
ARABIC = {"locale": "ar_IQ", "numbering_system": "arab", "pattern": "dd/MM/y، h:mm a"}


def fmt(moment, time_zone="Asia/Baghdad", **overrides):
    return format_local_datetime(moment, time_zone=time_zone, **{**ARABIC, **overrides})


def test_reference_page_time():
    assert fmt(datetime(2024, 1, 26, 21, 27, tzinfo=BAGHDAD)) == "٢٦/٠١/٢٠٢٤، ٩:٢٧ م"


def test_utc_moment_is_shown_in_the_edition_zone():
    assert fmt(datetime(2024, 1, 26, 18, 27, tzinfo=UTC)) == "٢٦/٠١/٢٠٢٤، ٩:٢٧ م"


def test_midnight_is_twelve_in_the_morning():
    assert fmt(datetime(2024, 3, 5, 0, 0, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١٢:٠٠ ص"


def test_noon_is_twelve_in_the_afternoon():
    assert fmt(datetime(2024, 3, 5, 12, 0, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١٢:٠٠ م"


def test_a_minute_past_midnight_and_past_noon():
    assert fmt(datetime(2024, 3, 5, 0, 1, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١٢:٠١ ص"
    assert fmt(datetime(2024, 3, 5, 12, 1, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١٢:٠١ م"


def test_last_minute_before_noon_and_midnight():
    assert fmt(datetime(2024, 3, 5, 11, 59, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١١:٥٩ ص"
    assert fmt(datetime(2024, 3, 5, 23, 59, tzinfo=BAGHDAD)) == "٠٥/٠٣/٢٠٢٤، ١١:٥٩ م"


def test_single_digit_day_and_month_are_zero_padded():
    assert fmt(datetime(2025, 1, 1, 9, 5, tzinfo=BAGHDAD)) == "٠١/٠١/٢٠٢٥، ٩:٠٥ ص"


def test_day_changes_with_the_zone():
    # 22:30 UTC on the 31st is already the 1st of the month in Baghdad (UTC+3).
    assert fmt(datetime(2024, 12, 31, 22, 30, tzinfo=UTC)) == "٠١/٠١/٢٠٢٥، ١:٣٠ ص"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Cairo: UTC+2 in winter, UTC+3 from the last Friday of April 2024 (daylight saving).
        (datetime(2024, 4, 25, 20, 0, tzinfo=UTC), "٢٥/٠٤/٢٠٢٤، ١٠:٠٠ م"),
        (datetime(2024, 4, 26, 20, 0, tzinfo=UTC), "٢٦/٠٤/٢٠٢٤، ١١:٠٠ م"),
        # Across the spring-forward gap: 23:59 local on the 25th, then 01:00 on the 26th.
        (datetime(2024, 4, 25, 21, 59, tzinfo=UTC), "٢٥/٠٤/٢٠٢٤، ١١:٥٩ م"),
        (datetime(2024, 4, 25, 22, 0, tzinfo=UTC), "٢٦/٠٤/٢٠٢٤، ١:٠٠ ص"),
    ],
)
def test_zone_with_daylight_saving(utc, expected):
    assert fmt(utc, time_zone="Africa/Cairo", locale="ar_EG") == expected


def test_edition_with_latin_digits():
    moment = datetime(2024, 1, 26, 21, 27, tzinfo=BAGHDAD)
    assert fmt(moment, locale="ar", numbering_system="latn") == "26/01/2024، 9:27 م"


def test_persian_digits_and_english_pattern():
    moment = datetime(2024, 1, 26, 21, 27, tzinfo=ZoneInfo("Asia/Tehran"))
    persian = fmt(moment, time_zone="Asia/Tehran", locale="fa_IR", numbering_system="arabext",
                  pattern="y/MM/dd HH:mm")  # fmt: skip
    assert persian == "۲۰۲۴/۰۱/۲۶ ۲۱:۲۷"
    english = fmt(moment, time_zone="Asia/Tehran", locale="en", numbering_system="latn",
                  pattern="d MMMM y, h:mm a")  # fmt: skip
    assert english == "26 January 2024, 9:27 PM"


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        fmt(datetime(2024, 1, 26, 21, 27))


def test_digits_of_each_numbering_system():
    assert localize_digits("0123456789", "arab") == "٠١٢٣٤٥٦٧٨٩"
    assert localize_digits("0123456789", "arabext") == "۰۱۲۳۴۵۶۷۸۹"
    assert localize_digits("0123456789", "latn") == "0123456789"
    with pytest.raises(ValueError):
        localize_digits("1", "klingon")

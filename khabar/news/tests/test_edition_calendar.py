"""An edition's calendar: chosen in the admin among CLDR's names, checked against its pattern,
and used by Edition.format_datetime and format_date."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from khabar.news.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "x"))
    return client


def edition_form(edition, **changes):
    fields = ["code", "name", "tagline", "language", "locale", "numbering_system",
              "direction", "end_marker", "time_zone", "datetime_pattern", "calendar",
              "comment_mode"]  # fmt: skip
    data = {name: getattr(edition, name) for name in fields}
    data["is_default"] = "on" if edition.is_default else ""
    return {**data, **changes}


def test_the_calendars_are_cldrs_names_and_gregorian_is_the_default(edition):
    assert Edition.Calendar.values == ["gregorian", "persian", "islamic-umalqura"]
    assert edition.calendar == "gregorian"


def test_the_admin_offers_the_calendars_in_arabic_and_saves_the_choice(admin_client, edition):
    url = f"/admin/news/edition/{edition.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert '<select name="calendar"' in html
    for value, label in [("gregorian", "ميلادي"), ("persian", "هجري شمسي (فارسي)"),
                         ("islamic-umalqura", "هجري (أم القرى)")]:  # fmt: skip
        assert f'<option value="{value}"' in html
        assert label in html
    response = admin_client.post(url, edition_form(edition, calendar="islamic-umalqura"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.calendar == "islamic-umalqura"
    listing = admin_client.get("/admin/news/edition/").content.decode()
    assert "هجري (أم القرى)" in listing


def test_a_week_number_pattern_is_refused_outside_the_gregorian_calendar(admin_client, edition):
    url = f"/admin/news/edition/{edition.pk}/change/"
    response = admin_client.post(
        url, edition_form(edition, calendar="persian", datetime_pattern="'week' w, y")
    )
    assert response.status_code == 200
    assert "أرقام الأسابيع w وW للتقويم الميلادي وحده" in response.content.decode()
    edition.refresh_from_db()
    assert edition.calendar == "gregorian"
    # The same pattern is fine in the Gregorian calendar, where weeks are numbered.
    edition.datetime_pattern = "'week' w, y"
    edition.full_clean()


def test_an_unknown_calendar_is_refused_by_the_model(edition):
    edition.calendar = "hebrew"
    with pytest.raises(ValidationError) as error:
        edition.full_clean()
    assert "calendar" in error.value.message_dict


def test_the_edition_formats_in_its_calendar(edition):
    moment = datetime(2026, 12, 3, 20, 29, tzinfo=UTC)  # 23:29 in Baghdad
    assert edition.format_datetime(moment) == "٠٣/١٢/٢٠٢٦، ١١:٢٩ م"
    edition.calendar = "persian"
    assert edition.format_datetime(moment) == "١٢/٠٩/١٤٠٥، ١١:٢٩ م"
    assert edition.format_date(date(2026, 12, 3)) == "١٢ آذر ١٤٠٥"
    edition.calendar = "islamic-umalqura"
    assert edition.format_datetime(moment) == "٢٣/٠٦/١٤٤٨، ١١:٢٩ م"
    assert edition.format_date(date(2026, 12, 3)) == "٢٣ جمادى الآخرة ١٤٤٨"

"""Reader pages of editions on the Solar Hijri and Umm al-Qura calendars, through the test
client: every date a reader sees is in the edition's calendar and digits (date line, lists,
corrections, comments, search, the feeds' correction notes), while the dates for machines
(datetime attributes, Open Graph, JSON-LD, RSS and Atom) stay ISO 8601 / RFC 822 Gregorian."""

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest

from khabar.comments.models import Comment
from khabar.news import actions
from khabar.news.models import Article, Correction
from khabar.reader.tests import editions

pytestmark = pytest.mark.django_db

# 23:59 on 12 Azar 1405 in Tehran (UTC+3:30) is 20:29 on 3 December 2026 in UTC.
LATE_IN_TEHRAN = datetime(2026, 12, 3, 20, 29, tzinfo=UTC)
# 00:30 on 18 February 2026 in Baghdad (1 Ramadan 1447) is still the 17th (29 Sha'ban) in UTC.
PAST_MIDNIGHT_IN_BAGHDAD = datetime(2026, 2, 17, 21, 30, tzinfo=UTC)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def machine_dates(html):
    """Every datetime attribute, Open Graph time and JSON-LD date of a page, parsed."""
    found = re.findall(r'datetime="([^"]+)"', html)
    found += re.findall(r'property="article:\w+_time" content="([^"]+)"', html)
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        found += re.findall(
            r'"date(?:Published|Modified)": "([^"]+)"', json.dumps(json.loads(block))
        )
    return [datetime.fromisoformat(value) for value in found]


@pytest.fixture
def persian_edition(db):
    built = editions.build("fa")
    built.edition.calendar = "persian"
    built.edition.save(update_fields=["calendar"])
    story = Article.objects.create(
        edition=built.edition, section=built.section, headline="نشست شبانهٔ شورای شهر شیراز",
        lead="شورای شهر تا نیمه‌شب دربارهٔ بودجهٔ آب گفت‌وگو کرد.",
        body="<p>نشست شورا یک دقیقه پیش از نیمه‌شب پایان یافت.</p>",
    )  # fmt: skip
    actions.do_publish(story, at=LATE_IN_TEHRAN)
    correction = Correction.objects.create(
        article=story, kind=Correction.Kind.CORRECTION, note="ساعت پایان نشست درست شد.", version=2
    )
    Correction.objects.filter(pk=correction.pk).update(created_at=LATE_IN_TEHRAN)
    comment = Comment.objects.create(
        article=story, name="سارا", body="ممنون از گزارش دقیق.", status=Comment.Status.APPROVED
    )
    comment.place_in_thread()
    Comment.objects.filter(pk=comment.pk).update(created_at=LATE_IN_TEHRAN)
    Article.objects.filter(pk=story.pk).update(comment_count=1)
    story.refresh_from_db()
    return built, story


def test_the_persian_article_page_reads_in_solar_hijri_with_persian_digits(client, persian_edition):
    _, story = persian_edition
    html = page(client, story.get_absolute_url())
    # The date line: 12 Azar 1405, 23:59 in Tehran, with the edition's pattern and digits.
    assert '<time class="story-time" datetime="' in html
    assert "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹" in html
    assert "۲۰۲۶" not in html  # no Gregorian year for readers
    # The update line and the corrections list show the correction's day in Solar Hijri too.
    assert html.count("۱۴۰۵/۰۹/۱۲، ۲۳:۵۹") >= 3
    # Machine dates on the same page: ISO 8601, Gregorian, the same instant.
    moments = machine_dates(html)
    assert len(moments) >= 5
    assert all(m.year == 2026 and m.month == 12 for m in moments)
    assert LATE_IN_TEHRAN in moments
    assert re.search(r'datetime="2026-12-0[34]T[0-9:]+[+-][0-9:]+"', html)


def test_the_persian_comments_show_solar_hijri_dates(client, persian_edition):
    built, story = persian_edition
    html = page(client, f"/{built.edition.code}/comments/{story.news_code}")
    assert "ممنون از گزارش دقیق." in html
    assert "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹" in html
    assert LATE_IN_TEHRAN in machine_dates(html)


@pytest.mark.parametrize("page_name", ["front", "section", "tag", "author", "corrections"])
def test_persian_lists_date_their_stories_in_solar_hijri(client, persian_edition, page_name):
    built, story = persian_edition
    story.tags.add(built.tag)
    story.authors.add(built.author)
    html = page(client, built.pages()[page_name])
    assert "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹" in html
    # The other story, published 26 January 2024 at 21:57 in Tehran: 6 Bahman 1402.
    if page_name != "corrections":
        assert "۱۴۰۲/۱۱/۰۶، ۲۱:۵۷" in html
    # Machine dates there are ISO 8601 (fromisoformat reads every one).
    assert machine_dates(html)


def test_persian_search_results_are_dated_in_solar_hijri(client, persian_edition):
    built, _story = persian_edition
    html = page(client, f"/{built.edition.code}/search/?q=شورا")
    assert "نشست شبانهٔ شورای شهر شیراز" in html
    assert "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹" in html


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_persian_feeds_keep_machine_dates_and_write_notes_in_solar_hijri(
    client, persian_edition, fmt
):
    built, story = persian_edition
    response = client.get(f"/{built.edition.code}/feeds/{fmt}.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    if fmt == "rss":
        assert "<pubDate>Thu, 03 Dec 2026 20:29:00 +0000</pubDate>" in xml
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    [entry] = [e for e in parsed.entries if e.id.endswith(f"/news/{story.news_code}")]
    assert tuple(entry.published_parsed[:5]) == (2026, 12, 3, 20, 29)
    # The correction's note in the item is dated as readers read dates.
    assert "ساعت پایان نشست درست شد." in entry.summary
    assert "۱۴۰۵/۰۹/۱۲، ۲۳:۵۹" in entry.summary


@pytest.fixture
def hijri_edition(db):
    built = editions.build("ar")
    built.edition.calendar = "islamic-umalqura"
    built.edition.datetime_pattern = "d MMMM y، h:mm a"
    built.edition.save(update_fields=["calendar", "datetime_pattern"])
    story = Article.objects.create(
        edition=built.edition, section=built.section, headline="الأسواق تستقبل أول أيام رمضان",
        body="<p>امتلأت الأسواق بعد منتصف الليل بقليل.</p>",
    )  # fmt: skip
    actions.do_publish(story, at=PAST_MIDNIGHT_IN_BAGHDAD)
    return built, story


def test_the_hijri_article_page_turns_the_month_at_the_editions_midnight(client, hijri_edition):
    built, story = hijri_edition
    html = page(client, story.get_absolute_url())
    # 17 February in UTC, but 18 February in Baghdad: 1 Ramadan, not 29 Sha'ban.
    assert "١ رمضان ١٤٤٧، ١٢:٣٠ ص" in html
    assert "شعبان" not in html
    moments = machine_dates(html)
    assert PAST_MIDNIGHT_IN_BAGHDAD in moments
    assert all(m.year == 2026 for m in moments)
    front = page(client, f"/{built.edition.code}/")
    assert "١ رمضان ١٤٤٧، ١٢:٣٠ ص" in front
    # The story of 26 January 2024 (21:27 in Baghdad): 14 Rajab 1445.
    assert "١٤ رجب ١٤٤٥، ٩:٢٧ م" in front

"""The search page's date filters mean whole days in the edition's time zone, not the site's
(Baghdad here): a story published just after midnight in Tehran is that day's for the Persian
edition, though it is still the day before in Baghdad and in UTC."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from khabar.news import actions
from khabar.news.models import Article, Edition, Section
from khabar.search.service import day_bounds, search

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def publish(edition, headline, at):
    section = Section.objects.get_or_create(edition=edition, name="s", slug="s", position=1)[0]
    article = Article.objects.create(edition=edition, section=section, headline=headline,
                                     body=f"<p>{headline}</p>")  # fmt: skip
    actions.do_publish(article, at=at)
    return article


@pytest.fixture
def persian(edition):
    return Edition.objects.create(code="fa", name="خبر فارسی", language="fa", locale="fa_IR",
                                  numbering_system="arabext", time_zone="Asia/Tehran")  # fmt: skip


@pytest.fixture
def english(edition):
    return Edition.objects.create(code="en", name="Khabar", language="en", locale="en",
                                  direction="ltr", time_zone="America/New_York")  # fmt: skip


def listed(html: str) -> list[int]:
    """The news codes of the stories a results page lists."""
    return [
        int(code) for code in re.findall(r'class="story-link" href="/[a-z]+/news/([0-9]+)/', html)
    ]


def found(edition, word, day_from, day_to):
    results = search(edition, word, date_from=day_from, date_to=day_to)
    return [a.headline for a in results.page.object_list]


def test_day_bounds_are_the_editions_midnights(persian, english):
    start, end = day_bounds(persian, date(2024, 3, 21), date(2024, 3, 21))
    assert start.astimezone(UTC) == datetime(2024, 3, 20, 20, 30, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2024, 3, 21, 20, 30, tzinfo=UTC)
    # New York's day, on the day its clocks go forward, is 23 hours long.
    start, end = day_bounds(english, date(2024, 3, 10), date(2024, 3, 10))
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    assert day_bounds(persian) == (None, None)


def test_a_story_just_after_midnight_in_tehran_is_that_days(client, persian):
    after = publish(persian, "آزمایشگاه تازه در شیراز", datetime(2024, 3, 21, 0, 15, tzinfo=TEHRAN))
    before = publish(persian, "آزمایشگاه کهنه در تبریز",
                     datetime(2024, 3, 20, 23, 59, tzinfo=TEHRAN))  # fmt: skip
    # In Baghdad and in UTC, both went out on 20 March.
    assert after.published_at.astimezone(ZoneInfo("Asia/Baghdad")).date() == date(2024, 3, 20)
    assert found(persian, "آزمایشگاه", date(2024, 3, 21), date(2024, 3, 21)) == [after.headline]
    assert found(persian, "آزمایشگاه", date(2024, 3, 20), date(2024, 3, 20)) == [before.headline]
    assert found(persian, "آزمایشگاه", None, date(2024, 3, 20)) == [before.headline]
    assert found(persian, "آزمایشگاه", date(2024, 3, 21), None) == [after.headline]
    # Through the page, as a reader fills the form.
    html = client.get("/fa/search/", {"q": "آزمایشگاه", "from": "2024-03-21",
                                      "to": "2024-03-21"}).content.decode()  # fmt: skip
    assert listed(html) == [after.news_code]


def test_an_evening_story_in_new_york_is_that_days_though_the_next_in_baghdad(client, english):
    story = publish(english, "Laboratory opens in Queens", datetime(2024, 3, 20, 22, 30,
                                                                     tzinfo=NEW_YORK))  # fmt: skip
    assert story.published_at.astimezone(ZoneInfo("Asia/Baghdad")).date() == date(2024, 3, 21)
    assert found(english, "laboratory", date(2024, 3, 20), date(2024, 3, 20)) == [story.headline]
    assert found(english, "laboratory", date(2024, 3, 21), date(2024, 3, 21)) == []
    html = client.get("/en/search/", {"q": "laboratory", "from": "2024-03-21"}).content.decode()
    assert listed(html) == []
    html = client.get("/en/search/", {"q": "laboratory", "to": "2024-03-20"}).content.decode()
    assert listed(html) == [story.news_code]

"""The path for queries that match more stories than the engine scores one by one (common
words in a large archive), made to run here on a few stories by lowering the threshold: the
newest matches and the newest stories holding every word are ranked, filters still apply, and
an old story is still found by a date range or a rare word."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from khabar.search import backends
from khabar.search.service import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(make_article, section, other_section, monkeypatch):
    monkeypatch.setattr(backends.SQLiteBackend, "SCORED", 4)
    # PostgreSQL: a first window of one day, smaller than the archive (a story every day),
    # so that a filtered or rarer query widens it or goes on to all the index's matches.
    monkeypatch.setattr(backends.PostgresBackend, "SCORED", 2)
    monkeypatch.setattr(backends.PostgresBackend, "DAYS", 1)
    monkeypatch.setattr(backends.PostgresBackend, "WINDOW", 1)
    start = timezone.now() - timedelta(days=400)
    old = make_article("المياه والكهرباء في تقرير قديم", at=start,
                       body="<p>تقرير عن المياه والكهرباء ومحطة الزبير.</p>")  # fmt: skip
    common = [
        make_article(f"المياه في خبر رقم {i}", at=start + timedelta(days=10 + i),
                     body="<p>خبر عن المياه.</p>",
                     section=other_section if i % 2 else section)
        for i in range(12)
    ]  # fmt: skip
    return old, common


def ids(edition, text, **kwargs):
    return [a.pk for a in search(edition, text, **kwargs).page.object_list]


def test_a_common_word_ranks_its_newest_matches(edition, archive):
    old, common = archive
    found = ids(edition, "المياه")
    assert found and set(found) <= {a.pk for a in common} | {old.pk}
    assert common[-1].pk in found  # the newest story that has the word


def test_the_story_holding_every_word_is_found_however_old(edition, archive):
    old, _common = archive
    assert ids(edition, "المياه الكهرباء")[0] == old.pk
    assert ids(edition, "المياه الزبير")[0] == old.pk  # a rare word beside a common one
    assert ids(edition, '"المياه والكهرباء"') == [old.pk]  # a phrase, checked story by story


def test_filters_apply_before_the_window(edition, archive, other_section):
    old, common = archive
    day = timezone.localtime(old.published_at).date()
    assert ids(edition, "المياه", date_from=day, date_to=day) == [old.pk]
    in_section = ids(edition, "المياه", section=other_section)
    assert in_section and all(
        a.section_id == other_section.pk for a in common if a.pk in in_section
    )
    newest = ids(edition, "المياه", sort="date")
    assert newest[0] == common[-1].pk
    assert newest == sorted(newest, key=lambda i: -next(
        a.published_at.timestamp() for a in [old, *common] if a.pk == i))  # fmt: skip


def test_dates_are_whole_days_in_the_site_time_zone(edition, make_article):
    # 23:30 in Baghdad on 1 March is 20:30 UTC: it belongs to 1 March, not to 2 March.
    zone = timezone.get_current_timezone()
    story = make_article("قمة المياه", at=datetime(2025, 3, 1, 23, 30, tzinfo=zone))
    assert ids(edition, "المياه", date_from=date(2025, 3, 1), date_to=date(2025, 3, 1)) == [
        story.pk
    ]
    assert ids(edition, "المياه", date_from=date(2025, 3, 2)) == []


def test_newest_first_finds_a_story_filed_early_and_published_late(edition, make_article,
                                                                   monkeypatch):  # fmt: skip
    from khabar.search import service

    monkeypatch.setattr(service, "CANDIDATES", 3)
    start = timezone.now() - timedelta(days=30)
    waited = make_article("المياه في خبر انتظر النشر", publish=False)  # filed first
    others = [make_article(f"المياه في خبر {i}", at=start + timedelta(days=i)) for i in range(6)]
    from khabar.news import actions

    actions.do_publish(waited, at=start + timedelta(days=5, hours=12))  # among the newest
    newest = ids(edition, "المياه", sort="date")
    assert newest == [waited.pk, others[5].pk, others[4].pk]

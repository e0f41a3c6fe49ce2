"""PostgreSQL: each story's section and day travel with its terms into one GIN index, follow
the story when it moves, and the newest matches found a window of days at a time are exactly
the newest matches, with or without filters."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from khabar.newsroom import actions as newsroom
from khabar.search import backends
from khabar.search.backends import Filters, PostgresBackend, parse
from khabar.search.backends.postgres import day_of
from khabar.search.models import SearchDocument
from khabar.search.service import day_bounds, search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index of terms, section and day is PostgreSQL's")


def test_the_index_holds_the_terms_the_section_and_the_day():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_gin'")
        (definition,) = cursor.fetchone()
    assert "USING gin (document, section_id, day)" in definition


def test_a_story_moved_to_another_section_is_found_in_its_new_section_only(
    edition, section, other_section, make_article, editor
):
    at = timezone.now() - timedelta(days=3)
    story = make_article("محطة تحلية المياه في البصرة", at=at)
    document = SearchDocument.objects.get(article=story)
    assert (document.section_id, document.day) == (section.pk, day_of(at))

    newsroom.do_save(editor, story, base_revision=story.revision, section=other_section)
    document.refresh_from_db()
    assert document.section_id == other_section.pk
    found = search(edition, "المياه", section=other_section).page.object_list
    assert [a.pk for a in found] == [story.pk]
    assert list(search(edition, "المياه", section=section).page.object_list) == []


@pytest.fixture
def archive(edition, section, other_section, make_article):
    """Sixty stories, one a day: every one holds المياه, every seventh الزبير; sections
    alternate."""
    start = timezone.now() - timedelta(days=61)
    return [
        make_article(
            "المياه والزبير" if i % 7 == 0 else f"المياه في خبر {i}",
            at=start + timedelta(days=i, hours=i % 5),
            section=other_section if i % 2 else section,
        )
        for i in range(60)
    ]


def newest(edition, text, n, filters):
    """The newest `n` candidates holding every word, without windows: one ordered join."""
    start, end = filters.start, filters.end
    candidates = edition.articles.published().order_by()
    if filters.section_id:
        candidates = candidates.filter(section_id=filters.section_id)
    if start:
        candidates = candidates.filter(published_at__gte=start)
    if end:
        candidates = candidates.filter(published_at__lt=end)
    sql, params = candidates.values("id", "published_at").query.sql_with_params()
    query = parse(text, "ar")
    return PostgresBackend().ranked_ids(query, sql, list(params), "date")[:n], (sql, params)


def test_windows_of_days_find_exactly_the_newest_matches(edition, other_section, archive,
                                                         monkeypatch):  # fmt: skip
    oldest = timezone.localtime(archive[0].published_at).date()
    ranges = [
        (None, None),
        (oldest + timedelta(days=5), oldest + timedelta(days=40)),
        (oldest + timedelta(days=50), None),
    ]
    checked = 0
    for days in (1, 4, 90):  # first windows narrower than the matches' spacing, and wider
        monkeypatch.setattr(PostgresBackend, "DAYS", days)
        monkeypatch.setattr(PostgresBackend, "WINDOW", 1)  # DAYS decides the first window
        for text in ("المياه", "الزبير", "المياه الزبير", '"المياه والزبير"'):
            for section_id in (None, other_section.pk):
                for date_from, date_to in ranges:
                    start, end = day_bounds(edition, date_from, date_to)
                    filters = Filters(section_id, start, end)
                    for n in (1, 3, 12, 100):
                        expected, (sql, params) = newest(edition, text, n, filters)
                        engine = backends.backend(filters)
                        every = engine._tsquery(parse(text, "ar"))
                        with connection.cursor() as cursor:
                            found = engine._newest_matching_ids(cursor, every, sql, list(params), n)
                        assert found == expected, (days, text, section_id, date_from, n)
                        checked += bool(found)
    assert checked > 200  # most combinations find stories: the comparison is not of nothing

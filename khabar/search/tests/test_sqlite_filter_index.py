"""Migration 0005_sqlite_filter_index: on SQLite, an index of the stories holds every column
that search's filters read, led by the id, so that on a large archive (where SQLite's planner
picks it, see bench/search.py) the filters are applied to each index match without reading
the story's row. On PostgreSQL the migration leaves the database as it was."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khabar.news.models import Tag
from khabar.search import backends
from khabar.search.service import search

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite index")
def test_the_index_covers_every_column_the_filters_read(edition, section, make_article,
                                                        monkeypatch):  # fmt: skip
    # Over the threshold, so that the ranking of the newest matches (the join) runs.
    monkeypatch.setattr(backends.SQLiteBackend, "SCORED", 2)
    for i in range(4):
        make_article(f"المياه في خبر رقم {i}", tags=["المياه"])
    tag = Tag.objects.get(name="المياه")
    today = edition.articles.latest("published_at").published_at.date()
    with CaptureQueriesContext(connection) as captured:
        assert search(edition, "المياه", section=section, date_from=today, date_to=today).page
        assert search(edition, "المياه", sort="date").page
        assert search(edition, "المياه", tag=tag).page
    joins = [q["sql"] for q in captured.captured_queries if "JOIN (SELECT" in q["sql"]]
    assert len(joins) >= 3
    read = {col for sql in joins for col in re.findall(r'"news_article"\."(\w+)"', sql)}
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA index_info('search_article_filter')")
        indexed = [row[2] for row in cursor.fetchall()]
    assert indexed[0] == "id"
    assert read <= set(indexed), f"not in the index: {read - set(indexed)}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL is left alone")
def test_postgresql_gets_no_such_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'search_article_filter'")
        assert cursor.fetchone()[0] == 0

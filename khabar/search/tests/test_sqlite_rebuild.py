"""SQLite: `reindex` stops FTS5's merging after each transaction while it rebuilds the index
(SQLiteBackend.rebuilding) and puts it back when done, or when the rebuild fails, so that
stories published afterwards are merged as before."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from khabar.search.backends import SQLiteBackend, backend
from khabar.search.service import search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's merging"),
]


def automerge():
    """FTS5's setting as stored in the index (absent until first set: FTS5's default, 4)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM search_fts_config WHERE k = 'automerge'")
        row = cursor.fetchone()
    return 4 if row is None else row[0]


def test_reindex_rebuilds_without_merging_and_merges_again_after(edition, make_article,
                                                                 monkeypatch):  # fmt: skip
    stories = [make_article(f"محطة المياه رقم {i}") for i in range(3)]
    seen = []
    index_many = SQLiteBackend.index_many

    def watched(self, articles):
        seen.append(automerge())
        index_many(self, articles)

    monkeypatch.setattr(SQLiteBackend, "index_many", watched)
    call_command("reindex", batch=1, stdout=io.StringIO())
    assert seen == [0, 0, 0]
    assert automerge() == SQLiteBackend.AUTOMERGE == 4
    assert {a.pk for a in search(edition, "المياه").page.object_list} == {s.pk for s in stories}


def test_a_failed_rebuild_puts_merging_back(edition, make_article, monkeypatch):
    make_article("محطة المياه")

    def broken(self, articles):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SQLiteBackend, "index_many", broken)
    with pytest.raises(RuntimeError):
        call_command("reindex", stdout=io.StringIO())
    assert automerge() == 4
    assert isinstance(backend(), SQLiteBackend)

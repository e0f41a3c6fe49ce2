"""PostgreSQL: several searches looked up together, a round of windows of days in one statement,
with first windows sized from the words' shares in PostgreSQL's statistics, find exactly what
each finds alone and what one ordered join finds, whatever the sizes; the shares are read from
the statistics ANALYZE leaves."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khabar.search.backends import Filters, PostgresBackend, parse
from khabar.search.backends import postgres as pg
from khabar.search.service import day_bounds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the windows of days are PostgreSQL's")


@pytest.fixture(autouse=True)
def _fresh_shares(monkeypatch):
    # The shares are kept per process: each test reads its own database's.
    monkeypatch.setattr(pg, "_shares", (-math.inf, {}, 1.0, 0.0))


@pytest.fixture
def archive(edition, section, other_section, make_article):
    """Forty stories, one a day: every one holds المياه, every third الكهرباء, every fifth
    الزبير; sections alternate."""
    start = timezone.now() - timedelta(days=41)
    return [
        make_article(
            " ".join(
                ["المياه"]
                + ["والكهرباء"] * (i % 3 == 0)
                + ["في الزبير"] * (i % 5 == 0)
                + [f"خبر {i}"]
            ),
            at=start + timedelta(days=i, hours=i % 5),
            section=other_section if i % 2 else section,
        )
        for i in range(40)
    ]


def candidates_sql(edition, filters):
    candidates = edition.articles.published().order_by()
    if filters.section_id:
        candidates = candidates.filter(section_id=filters.section_id)
    if filters.start:
        candidates = candidates.filter(published_at__gte=filters.start)
    if filters.end:
        candidates = candidates.filter(published_at__lt=filters.end)
    sql, params = candidates.values("id", "published_at").query.sql_with_params()
    return sql, list(params)


def newest(tsquery, n, sql, params):
    """The newest `n` candidates matching `tsquery`, without windows: one ordered join."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id FROM search_searchdocument d JOIN ({sql}) a ON a.id = d.article_id "
            "WHERE d.document @@ %s::tsquery ORDER BY a.published_at DESC, a.id DESC LIMIT %s",
            [*params, tsquery, n],
        )
        return [row[0] for row in cursor.fetchall()]


def test_searches_looked_up_together_find_the_newest_matches_of_each(
    edition, other_section, archive, monkeypatch
):
    monkeypatch.setattr(PostgresBackend, "WINDOW", 1)  # DAYS and the shares decide
    oldest = timezone.localtime(archive[0].published_at).date()
    checked = 0
    for days in (1, 7):
        monkeypatch.setattr(PostgresBackend, "DAYS", days)
        # 1.0: no estimate; 0.3 and 0.05: first windows of a few days to all of them; 1e-9:
        # few expected in the whole index, so every match at once.
        for share in (1.0, 0.3, 0.05, 1e-9):
            for text in ("المياه الكهرباء", "الكهرباء الزبير", "المياه الكنغر"):
                for section_id in (None, other_section.pk):
                    for date_from in (None, oldest + timedelta(days=20)):
                        filters = Filters(section_id, *day_bounds(edition, date_from, None))
                        sql, params = candidates_sql(edition, filters)
                        engine = PostgresBackend(filters)
                        query = parse(text, "ar")
                        any_word = engine._tsquery(query, any_term=True, stems=True)
                        every = engine._tsquery(query, stems=True)
                        for n in (1, 4, 30):
                            searches = [(any_word, n + 1, 1.0), (every, n, share)]
                            with connection.cursor() as cursor:
                                found = engine._newest_matching(cursor, searches, sql, params)
                            expected = [newest(any_word, n + 1, sql, params),
                                        newest(every, n, sql, params)]  # fmt: skip
                            assert [[i for i, _at in rows] for rows in found] == expected, (
                                days, share, text, section_id, date_from, n,
                            )  # fmt: skip
                            checked += bool(expected[1])
    assert checked > 100  # most combinations find stories holding both words


def test_the_other_searches_are_given_up_when_the_first_finds_few(edition, archive):
    sql, params = candidates_sql(edition, Filters())
    engine = PostgresBackend()
    query = parse("الزبير الكهرباء", "ar")
    searches = [(engine._tsquery(query, any_term=True, stems=True), 30, 1.0),
                (engine._tsquery(query, stems=True), 5, 1.0)]  # fmt: skip
    with connection.cursor() as cursor:
        found = engine._newest_matching(cursor, searches, sql, params, wanted_beyond=29)
    # Under thirty stories hold either word: the newest holding both are not wanted.
    assert 0 < len(found[0]) < 30
    assert found[1] == []


def test_the_shares_come_from_the_statistics_analyze_leaves(archive):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
        listed, least, stories = pg.lexeme_shares(cursor)
        engine = PostgresBackend()
        every_story = engine._share_holding(cursor, parse("المياه", "ar"))
        water_and_power = engine._share_holding(cursor, parse("المياه الكهرباء", "ar"))
    assert stories == 40
    assert every_story == pytest.approx(1.0)
    assert water_and_power == pytest.approx(14 / 40, abs=0.03)  # الكهرباء in 14 of 40
    assert least <= min(listed.values())


def test_a_search_expected_to_be_rare_asks_for_every_match_at_once(edition, archive):
    sql, params = candidates_sql(edition, Filters())
    engine = PostgresBackend()
    every = engine._tsquery(parse("الزبير الكهرباء", "ar"), stems=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        (rows,) = engine._newest_matching(cursor, [(every, 30, 1e-9)], sql, params)
    assert [i for i, _at in rows] == newest(every, 30, sql, params) != []
    statements = [q["sql"] for q in queries if "search_searchdocument" in q["sql"]]
    # One statement, the index asked without a day range (the shares were read before).
    assert len(statements) == 2 and "day >=" not in statements[-1]

"""PostgreSQL: one tsvector per published story (search_searchdocument.document) holding its
exact forms and, marked apart, its stems, with field weights; ranked by ts_rank_cd. One GIN
index holds the terms with the story's section and day (0004_pg_filters), so that the newest
matches of a search, filtered or not, come from the index without reading documents."""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from khabar.news.models import Article
from khabar.search.backends.base import Filters
from khabar.search.query import Query, document_terms


def day_of(moment: datetime) -> int:
    """The UTC day of a time, as days since 1970-01-01: search_searchdocument.day."""
    return int(moment.timestamp() // 86400)


class PostgresBackend:
    # ts_rank_cd weights for D, C, B, A: stemmed body, stemmed lead and exact body, stemmed
    # headline and exact lead, exact headline.
    WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"
    STEM = "~"  # stems are kept apart from exact forms in the one tsvector

    def index(self, article: Article) -> None:
        self.index_many([article])

    def index_many(self, articles) -> None:
        """Index or re-index stories (with their edition loaded) in one executemany."""
        rows = []
        for article in articles:
            terms = document_terms(article)
            fields = [
                (terms["exact_headline"], "A", ""), (terms["exact_lead"], "B", ""),
                (terms["exact_body"], "C", ""), (terms["stem_headline"], "B", self.STEM),
                (terms["stem_lead"], "C", self.STEM), (terms["stem_body"], "D", self.STEM),
            ]  # fmt: skip
            day = day_of(article.published_at) if article.published_at else None
            rows.append((article.pk, self._tsvector(fields), article.section_id, day))
        if not rows:
            return
        sql = (
            "INSERT INTO search_searchdocument (article_id, document, section_id, day) "
            "VALUES (%s, %s::tsvector, %s, %s) ON CONFLICT (article_id) DO UPDATE SET "
            "document = EXCLUDED.document, section_id = EXCLUDED.section_id, day = EXCLUDED.day"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def indexed_ids(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id FROM search_searchdocument")
            return [row[0] for row in cursor.fetchall()]

    def optimize(self) -> None:
        """After a rebuild: planner statistics, and the GIN pending list merged (VACUUM)."""
        # VACUUM cannot run inside a transaction (reindex called from one, as in tests).
        vacuum = "" if connection.in_atomic_block else "VACUUM "
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum}ANALYZE search_searchdocument")

    @staticmethod
    def _tsvector(fields) -> str:
        """A tsvector literal with positions (phrases need them) and weights, written here
        rather than by to_tsvector(), which would parse our terms again."""
        positions: dict[str, list[str]] = {}
        position = 1
        for terms, weight, marker in fields:
            for term in terms:
                positions.setdefault(marker + term, []).append(f"{min(position, 16383)}{weight}")
                position += 1
            position += 1  # a gap, so that a phrase cannot run from one field into the next
        return " ".join(
            "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(marks[:256])
            for lexeme, marks in positions.items()
        )

    def remove(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument WHERE article_id = %s", [article_id])

    @staticmethod
    def _lexeme(term: str) -> str:
        return "'" + term.replace("'", "''").replace("\\", "") + "'"

    def _tsquery(self, query: Query, any_term: bool = False) -> str:
        lexeme = self._lexeme

        terms = [f"({lexeme(e)} | {lexeme(self.STEM + s)})" for e, s in query.terms]
        phrases = ["(" + " <-> ".join(lexeme(t) for t in p) + ")" for p in query.phrases]
        if any_term and len(terms) > 1:
            terms = ["(" + " | ".join(terms) + ")"]
        return " & ".join(terms + phrases)

    # A query that more stories match is ranked over the newest that match it, and the newest
    # that hold every word: ts_rank_cd reads each story's whole document (~15 µs a story), so
    # ranking every match of a common word among a million stories would take seconds.
    SCORED = 200

    # The newest matches are looked for among the stories of the newest DAYS days first, then
    # in a window widened to hold about 1.5 times the matches wanted at the rate the last one
    # found them; a window with none means a rare query, whose every match the index gives.
    DAYS = 1
    WIDEN = 1.5
    MOST_WINDOWS = 6

    def __init__(self, filters: Filters | None = None):
        self.filters = filters or Filters()

    def _matching(self, cursor, tsquery: str, low: int | None) -> list[int]:
        """Ids of the stories matching `tsquery` from day `low` on (every day if None), in the
        filters' section, as the GIN index gives them: (document, section_id, day) in one
        scan, reading no document unless the query has a phrase to check."""
        conditions, args = ["document @@ %s::tsquery"], [tsquery]
        if self.filters.section_id is not None:
            conditions.append("section_id = %s")
            args.append(self.filters.section_id)
        # Only a lower bound: btree_gin reads a range `day >= low` from `low` to the newest day,
        # which a window of the newest days is; an upper bound would have it read every older
        # day of the archive. The candidates' SQL keeps the stories after the end date out.
        if low is not None:
            conditions.append("day >= %s")
            args.append(low)
        cursor.execute(
            f"SELECT article_id FROM search_searchdocument WHERE {' AND '.join(conditions)}", args
        )
        return [row[0] for row in cursor.fetchall()]

    def _newest_matching_ids(self, cursor, tsquery: str, candidates_sql: str, params: list,
                             n: int) -> list[int]:  # fmt: skip
        """Ids of the newest `n` candidates matching `tsquery`, newest first, unscored: the
        callers rank them. (Contrast SQLiteBackend._rank_over_newest, which returns scored
        rows.)

        The index's matches in a window of the newest days (of the date range, if the search
        has one), then the candidates among them, newest first; the window widens until it
        holds `n` of them or the whole archive. Two statements, not one join: joined,
        PostgreSQL would rather scan the whole story table."""
        filters = self.filters
        now = filters.now or timezone.now()
        top = day_of(min(now, filters.end) if filters.end else now)
        bottom = day_of(filters.start) if filters.start else None
        width, oldest = self.DAYS, bottom
        for _attempt in range(self.MOST_WINDOWS):
            low = top - width + 1
            if oldest is not None and low <= oldest:
                low = oldest
            matched = self._matching(cursor, tsquery, low)
            # The first window also asks for the day of the oldest candidate (if no date range
            # gives it), in the same statement: a window reaching it holds every match.
            ids, first = self._newest_candidates(cursor, matched, candidates_sql, params, n,
                                                 with_oldest=oldest is None)  # fmt: skip
            if oldest is None and first is not None:
                oldest = day_of(first)
            if len(ids) == n or (oldest is not None and low <= oldest):
                return ids
            if not ids:
                break  # a rare query: all its matches at once
            width = int(width * n / len(ids) * self.WIDEN) + 1
        matched = self._matching(cursor, tsquery, bottom)
        return self._newest_candidates(cursor, matched, candidates_sql, params, n)[0]

    @staticmethod
    def _newest_candidates(cursor, ids: list[int], candidates_sql: str, params: list, n: int,
                           with_oldest: bool = False):  # fmt: skip
        """The newest `n` of `ids` that are candidates, newest first; and if `with_oldest`,
        the publication time of the oldest candidate of all (None if none of `ids` is one)."""
        if not ids:
            return [], None
        oldest = f", (SELECT min(c.published_at) FROM ({candidates_sql}) c)" if with_oldest else ""
        cursor.execute(
            f"SELECT a.id{oldest} FROM ({candidates_sql}) a WHERE a.id = ANY(%s) "
            "ORDER BY a.published_at DESC, a.id DESC LIMIT %s",
            [*(params if with_oldest else []), *params, ids, n],
        )
        rows = cursor.fetchall()
        return [row[0] for row in rows], (rows[0][1] if rows and with_oldest else None)

    def candidates(self, query: Query, candidates_sql: str, params: list, limit: int,
                   scored: int | None = None):  # fmt: skip
        """Stories matching any query word (and every phrase), best ts_rank_cd first, with the
        query's exact terms and stems that each holds: (id, score, exact terms, stems).

        A query matching at most `scored` (SCORED) stories is ranked over all of them; a larger
        one over the newest that many that match any word and the newest that hold every word.
        Each document is read once, for its rank and for the terms it holds."""
        any_term, every = self._tsquery(query, any_term=True), self._tsquery(query)
        scored = scored or self.SCORED
        with connection.cursor() as cursor:
            ids = self._newest_matching_ids(cursor, any_term, candidates_sql, params, scored + 1)
            if len(ids) > scored and len(query.terms) > 1:
                ids = set(ids[:scored])
                ids.update(self._newest_matching_ids(cursor, every, candidates_sql, params, scored))
            if not ids:
                return []
            lexemes = [(e, self.STEM + s) for e, s in query.terms]
            tests = "".join(", doc @@ %s::tsquery, doc @@ %s::tsquery" for _pair in lexemes)
            cursor.execute(
                f"SELECT a.id, ts_rank_cd(%s::float4[], doc, %s::tsquery) AS score{tests} "
                "FROM (SELECT article_id, document || ''::tsvector AS doc "
                "FROM search_searchdocument WHERE article_id = ANY(%s) OFFSET 0) d "
                "JOIN news_article a ON a.id = d.article_id "
                "ORDER BY 2 DESC, a.published_at DESC, a.id DESC LIMIT %s",
                [self.WEIGHTS, any_term, *(self._lexeme(t) for pair in lexemes for t in pair),
                 list(ids), limit],
            )  # fmt: skip
            rows = []
            for i, score, *held in cursor.fetchall():
                exact = {e for (e, _s), hit in zip(query.terms, held[0::2], strict=True) if hit}
                stems = {s for (_e, s), hit in zip(query.terms, held[1::2], strict=True) if hit}
                rows.append((i, score, exact, stems))
            return rows

    def holding(self, query: Query, ids: list[int]) -> set[int]:
        """Those of `ids` whose stories hold every word and phrase."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id FROM search_searchdocument WHERE article_id = ANY(%s) "
                "AND document @@ %s::tsquery",
                [list(ids), self._tsquery(query)],
            )
            return {row[0] for row in cursor.fetchall()}

    def ranked_ids(self, query: Query, candidates_sql: str, params: list, sort: str,
                   limit: int | None = None):  # fmt: skip
        """Ids of the stories holding every word and phrase, best or newest first; the first
        `limit` of them if given. Newest first with a limit takes the newest `limit` matches
        by id (stories are indexed about in the order they are published), then orders them
        by their time."""
        every = self._tsquery(query)
        with connection.cursor() as cursor:
            if sort == "date" and limit is not None:
                ids = self._newest_matching_ids(cursor, every, candidates_sql, params, limit)
                cursor.execute(
                    "SELECT id FROM news_article WHERE id = ANY(%s) "
                    "ORDER BY published_at DESC, id DESC",
                    [ids],
                )
                return [row[0] for row in cursor.fetchall()]
            order = "a.published_at DESC, a.id DESC"
            if sort != "date":
                order = f"ts_rank_cd(%s::float4[], d.document, q) DESC, {order}"
            cursor.execute(
                f"SELECT a.id FROM search_searchdocument d JOIN ({candidates_sql}) a "
                "ON a.id = d.article_id, CAST(%s AS tsquery) q WHERE d.document @@ q "
                f"ORDER BY {order} LIMIT %s",
                [*params, every, *([] if sort == "date" else [self.WEIGHTS]), limit],
            )
            return [row[0] for row in cursor.fetchall()]

"""PostgreSQL: one tsvector per published story (search_searchdocument.document, GIN-indexed)
holding its exact forms and, marked apart, its stems, with field weights; ranked by
ts_rank_cd."""

from django.db import connection

from khabar.news.models import Article
from khabar.search.query import Query, document_terms


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
            rows.append((article.pk, self._tsvector(fields)))
        if not rows:
            return
        sql = (
            "INSERT INTO search_searchdocument (article_id, document) VALUES (%s, %s::tsvector) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document"
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

    # The newest stories tested one by one, first; and the most ever tested that way (~10 µs
    # a story) before asking the GIN index for every match instead.
    WINDOW, MOST = 600, 12_000

    def _newest_matching_ids(self, cursor, tsquery: str, candidates_sql: str, params: list,
                             n: int) -> list[int]:  # fmt: skip
        """Ids of the newest `n` candidates matching `tsquery`, newest (highest id) first,
        unscored: the callers rank them. (Contrast SQLiteBackend._rank_over_newest, which
        returns scored rows.)

        First the newest stories, each document tested: a common word is done there, or in
        one wider window sized by how often the first one matched (filters make matches
        sparser). Failing that, a rarer query: every match from the GIN index, newest first,
        checked a slice at a time."""
        window_sql = (
            f"SELECT d.article_id FROM search_searchdocument d JOIN ({candidates_sql}) a "
            "ON a.id = d.article_id WHERE d.document @@ %s::tsquery AND d.article_id > %s "
            "ORDER BY d.article_id DESC LIMIT %s"
        )
        cursor.execute("SELECT max(article_id) FROM search_searchdocument")
        top = cursor.fetchone()[0] or 0
        size = max(self.WINDOW, 2 * n)
        cursor.execute(window_sql, [*params, tsquery, top - size, n])
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) == n or top - size <= 0:
            return ids
        if ids and size * n / len(ids) * 1.5 <= self.MOST:
            size = int(size * n / len(ids) * 1.5)
            cursor.execute(window_sql, [*params, tsquery, top - size, n])
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) == n or top - size <= 0:
                return ids
        # The GIN index's matches (a bitmap scan; with phrases loosened to all their words,
        # which the index answers without reading documents), newest first, then checked
        # against the candidates and the exact query a slice at a time until `n` are found.
        # Joined in one statement, PostgreSQL would rather scan the whole story table.
        cursor.execute(
            "SELECT article_id FROM search_searchdocument WHERE document @@ %s::tsquery",
            [tsquery.replace(" <-> ", " & ")],
        )
        matches = sorted((row[0] for row in cursor.fetchall()), reverse=True)
        found = []
        for start in range(0, len(matches), 2000):
            cursor.execute(
                f"SELECT a.id FROM ({candidates_sql}) a JOIN search_searchdocument d "
                "ON d.article_id = a.id WHERE a.id = ANY(%s) AND d.document @@ %s::tsquery "
                "ORDER BY a.id DESC LIMIT %s",
                [*params, matches[start : start + 2000], tsquery, n - len(found)],
            )
            found += [row[0] for row in cursor.fetchall()]
            if len(found) >= n:
                break
        return found

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

"""SQLite FTS5 with BM25: the index is the virtual table search_fts (made by migration
0001), one row per published story, its rowid the story's id, six columns of analysed terms.

A query whose words match more than SQLiteBackend.SCORED stories is ranked over the newest
matches (see SQLiteBackend.candidates): at a million stories, scoring every story that holds a
common word takes seconds.
"""

import contextlib
import math

from django.db import connection, transaction

from khabar.news.models import Article
from khabar.search.backends.base import weights_for
from khabar.search.query import Query, document_terms


class SQLiteBackend:
    # Newest first goes by story id (the order stories were filed in): service.newest_first
    # looks for stories filed long ago and published late apart.
    NEWEST_BY_TIME = False
    COLUMNS = ("exact_headline", "exact_lead", "exact_body",
               "stem_headline", "stem_lead", "stem_body")  # fmt: skip

    def index(self, article: Article) -> None:
        self.index_many([article])

    def index_many(self, articles) -> None:
        """Index or re-index stories (with their edition loaded): one DELETE and one INSERT
        statement for the lot, each run over every row."""
        rows = []
        for article in articles:
            terms = document_terms(article)
            rows.append((article.pk, *(" ".join(terms[k]) for k in self.COLUMNS)))
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [r[:1] for r in rows])
            cursor.executemany(
                f"INSERT INTO search_fts (rowid, {', '.join(self.COLUMNS)}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )

    def indexed_ids(self) -> list[int]:
        # The docsize shadow table holds one small row per story: no term text is read.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM search_fts_docsize")
            return [row[0] for row in cursor.fetchall()]

    # FTS5's default: after each transaction, merge segments a little, `automerge` of a level
    # at a time.
    AUTOMERGE = 4

    @contextlib.contextmanager
    def rebuilding(self):
        """For the length of a rebuild of the whole index: no merging after each transaction.

        FTS5 merges incrementally, a few pages after each commit, resuming each time where it
        stopped inside the segments it merges. During a rebuild, that work grew with the
        index: measured on a fresh build of bench/search.py's million stories, 0.55 ms of
        CPU per story at first, 2 ms at 170,000 stories and 6 ms at 220,000, nearly all of it
        in the commits, reading the same segment pages again (1 GiB read every 4 s); without
        it, 0.6 ms at first and 1.1 ms at 300,000. FTS5 still merges a level in one pass when
        it holds 16 segments (`crisismerge`), and optimize() merges everything at the end."""
        self._set_automerge(0)
        try:
            yield
        finally:
            self._set_automerge(self.AUTOMERGE)

    @staticmethod
    def _set_automerge(pages: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', %s)", [pages]
            )

    def optimize(self) -> None:
        """Merge the index's segments into one after a rebuild (fewer b-trees to read per
        term), a few thousand pages per transaction so that publishing never waits long: a
        negative 'merge' is an incremental 'optimize'; it is done when it writes (almost)
        nothing."""
        for _ in range(100_000):
            with transaction.atomic(), connection.cursor() as cursor:
                before = connection.connection.total_changes
                cursor.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('merge', -2000)")
                if connection.connection.total_changes - before < 2:
                    return

    def remove(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [article_id])

    @staticmethod
    def _match(query: Query, any_term: bool = False) -> str:
        # Terms are \w+ after analysis, so quoting each one is all the escaping FTS5 needs.
        terms = [
            f'({{exact_headline exact_lead exact_body}} : "{e}" OR '
            f'{{stem_headline stem_lead stem_body}} : "{s}")'
            for e, s in query.terms
        ]
        phrases = [
            '{exact_headline exact_lead exact_body} : "' + " ".join(p) + '"' for p in query.phrases
        ]
        if any_term and len(terms) > 1:
            terms = ["(" + " OR ".join(terms) + ")"]
        return " AND ".join(terms + phrases)

    # Beyond this many stories matching a query anywhere in the index, BM25 costs too much:
    # bm25() counts every match of every query term for its IDF, and would score them all.
    SCORED = 1_000

    def candidates(self, query: Query, candidates_sql: str, params: list, limit: int,
                   scored: int | None = None):  # fmt: skip
        """Stories matching any query word (and every phrase), best first, with the query's
        exact terms and stems that each holds: (id, score, exact terms, stems).

        A query matching at most SCORED stories is ranked by BM25 over all of them. A larger
        one is ranked over the newest SCORED matches, the newest SCORED holding every word and
        every match of its rarer words, by a BM25 without term frequencies or lengths (a
        field weight per word, times the word's IDF), so that no step reads every match.
        (`scored` is for PostgreSQL, which scores fewer; SCORED here is already the most a
        caller asks for.)"""
        any_term = self._match(query, any_term=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
                "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
                [any_term, self.SCORED],
            )
            if cursor.fetchone() is None:
                return self._bm25(query, candidates_sql, params, limit)
            return self._rank_over_newest(query, candidates_sql, params, limit)

    def _bm25(self, query: Query, candidates_sql: str, params: list, limit: int):
        weights = ", ".join(str(w) for w in weights_for(query.language))
        sql = (
            f"SELECT a.id, bm25(search_fts, {weights}) "
            f"FROM search_fts JOIN ({candidates_sql}) a ON a.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s ORDER BY bm25(search_fts, {weights}), "
            "a.published_at DESC, a.id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self._match(query, any_term=True), limit])
            rows = cursor.fetchall()
        if not rows:
            return []
        ids = [i for i, _score in rows]
        hits = self._hits(list(enumerate(query.terms)), min(ids), max(ids), by_column=False)
        sets = self._term_sets(query, hits, ids)
        return [(i, -score, *sets[i]) for i, score in rows]

    def _rank_over_newest(self, query: Query, candidates_sql: str, params: list, limit: int):
        """Rows (id, score, exact terms, stems) of the best `limit` stories among the newest
        SCORED that match any word, the newest SCORED older than those that hold every word,
        and every match of each rare word (one held by at most SCORED stories in the whole
        index), scored by a BM25 without term frequencies or lengths: per word, its field
        weight times its IDF. (Contrast PostgresBackend._newest_matching_ids, which returns
        ids only, unscored.)"""
        join = (
            # The time as stored (ISO text, which sorts as the time does): no parsing.
            f"SELECT a.id, CAST(a.published_at AS TEXT) FROM search_fts JOIN ({candidates_sql}) a "
            "ON a.id = search_fts.rowid WHERE search_fts MATCH %s"
        )
        newest = " ORDER BY search_fts.rowid DESC LIMIT %s"
        numbered_terms = list(enumerate(query.terms))
        with connection.cursor() as cursor:
            cursor.execute(join + newest, [*params, self._match(query, any_term=True),
                                           self.SCORED])  # fmt: skip
            published_at = dict(cursor.fetchall())  # story id: its time; every story ranked
            if not published_at:
                return []
            # The window: the ids of the newest stories matching any word.
            window_low, window_high = min(published_at), max(published_at)
            holding_every_word: dict = {}
            if len(query.terms) > 1:
                cursor.execute(join + " AND search_fts.rowid < %s" + newest,
                               [*params, self._match(query), window_low,
                                self.SCORED])  # fmt: skip
                holding_every_word = dict(cursor.fetchall())
            rare = {}  # term number: stories holding it, in the whole index
            for term_number, pair in numbered_terms:
                alone = self._match(Query(terms=[pair], phrases=query.phrases))
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s "
                    "LIMIT %s)",
                    [alone, self.SCORED + 1],
                )
                count = cursor.fetchone()[0]
                if count <= self.SCORED:
                    rare[term_number] = count
                    cursor.execute(join + " AND search_fts.rowid < %s" + newest,
                                   [*params, alone, window_low, self.SCORED])  # fmt: skip
                    published_at.update(cursor.fetchall())
            # The highest id stands for the index's size: no count over every row.
            cursor.execute("SELECT max(rowid) FROM search_fts")
            index_size = cursor.fetchone()[0] or 1
        published_at.update(holding_every_word)
        hits = self._hits(numbered_terms, window_low, window_high, by_column=True)
        oldest = min(published_at)
        if oldest < window_low:  # stories before the window: where their rare words are
            older = self._hits(
                [term for term in numbered_terms if term[0] in rare], oldest, window_low - 1, True
            )
            for key, story_ids in older.items():
                hits.setdefault(key, set()).update(story_ids)
        window_size = window_high - window_low + 1
        idf = {}
        for term_number, _pair in numbered_terms:
            if term_number in rare:
                frequency = rare[term_number]
            else:  # as often in the whole index as in the window
                in_window = set().union(
                    *(hits.get((term_number, column), set()) for column in range(6))
                )
                frequency = len(in_window) * index_size / window_size
            idf[term_number] = math.log(1 + (index_size - frequency + 0.5) / (frequency + 0.5))
        score = dict.fromkeys(published_at, 0.0)
        field_weights = weights_for(query.language)
        for (term_number, column), story_ids in hits.items():
            weight = idf[term_number] * field_weights[column]
            for story_id in story_ids:
                if story_id in score:
                    score[story_id] += weight
        # Older than the window and found through every word: each word is there, in which
        # field is not known; count it as in the body.
        guessed = [number for number, _pair in numbered_terms if number not in rare]
        body_weight = field_weights[2]
        for story_id in holding_every_word:
            if story_id < window_low:
                score[story_id] += sum(idf[number] * body_weight for number in guessed)
        best = sorted(
            published_at,
            key=lambda story_id: (score[story_id], published_at[story_id], story_id),
            reverse=True,
        )[:limit]
        term_sets = self._term_sets(query, hits, best)
        rows = []
        for story_id in best:
            exact, stems = term_sets[story_id]
            if story_id < window_low and story_id in holding_every_word:
                exact |= {query.terms[term_number][0] for term_number in guessed}
                stems |= {query.terms[term_number][1] for term_number in guessed}
            rows.append((story_id, score[story_id], exact, stems))
        return rows

    def _hits(self, terms, low: int, high: int, by_column: bool):
        """{(term number, column number): ids} of the stories between two ids that hold each
        of the (number, (exact, stem)) terms: per column, or (by_column=False) in any exact
        column (0) or any stemmed one (3). One statement; FTS5 reads only those terms' index
        entries in that range of ids."""
        parts, args = [], []
        groups = [(c, [c]) for c in range(6)] if by_column else [(0, [0, 1, 2]), (3, [3, 4, 5])]
        for n, (e, s) in terms:
            for c, columns in groups:
                names = " ".join(self.COLUMNS[k] for k in columns)
                parts.append(
                    f"SELECT {n}, {c}, rowid FROM search_fts WHERE search_fts MATCH %s "
                    "AND rowid BETWEEN %s AND %s"
                )
                args += [f'{{{names}}} : "{e if c < 3 else s}"', low, high]
        hits: dict[tuple[int, int], set[int]] = {}
        if parts:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), args)
                for n, c, i in cursor.fetchall():
                    hits.setdefault((n, c), set()).add(i)
        return hits

    @staticmethod
    def _term_sets(query: Query, hits, ids) -> dict[int, tuple[set[str], set[str]]]:
        """{id: (the query's exact terms it holds, the query's stems it holds)}."""
        sets = {i: (set(), set()) for i in ids}
        for (n, c), found in hits.items():
            exact, stem = query.terms[n]
            for i in found & sets.keys():
                sets[i][c >= 3].add(stem if c >= 3 else exact)
        return sets

    def holding(self, query: Query, ids: list[int]) -> set[int]:
        """Those of `ids` whose stories hold every word and phrase: a lookup of each id in the
        index (FTS5 seeks to a rowid), for a few hundred ids at most."""
        match, found = self._match(query), set()
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 200):
                chunk = ids[start : start + 200]
                cursor.execute(
                    " UNION ALL ".join(
                        ["SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid = %s"]
                        * len(chunk)
                    ),
                    [arg for i in chunk for arg in (match, i)],
                )
                found.update(row[0] for row in cursor.fetchall())
        return found

    def ranked_ids(self, query: Query, candidates_sql: str, params: list, sort: str,
                   limit: int | None = None):  # fmt: skip
        """Ids of the stories holding every word and phrase, best or newest first; the first
        `limit` of them if given.

        Newest first with a limit reads the index from its newest entry down and stops after
        `limit` matches (stories are indexed about in the order they are published), then
        orders those by their time: a common word does not sort every story that holds it."""
        weights = ", ".join(str(w) for w in weights_for(query.language))
        join = (
            f"SELECT a.id, a.published_at FROM search_fts JOIN ({candidates_sql}) a "
            "ON a.id = search_fts.rowid WHERE search_fts MATCH %s"
        )
        if sort == "date" and limit is not None:
            sql = (
                f"SELECT id FROM ({join} ORDER BY search_fts.rowid DESC LIMIT %s) "
                "ORDER BY published_at DESC, id DESC"
            )
        elif sort == "date":
            sql = f"{join} ORDER BY a.published_at DESC, a.id DESC LIMIT %s"
        else:
            order = f"bm25(search_fts, {weights}), a.published_at DESC, a.id DESC"
            sql = f"{join} ORDER BY {order} LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self._match(query), -1 if limit is None else limit])
            return [row[0] for row in cursor.fetchall()]

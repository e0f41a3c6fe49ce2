"""One search interface, two backends: SQLite FTS5 (BM25) and PostgreSQL (tsvector, GIN,
ts_rank_cd). Both index and query the analyzer's terms, so Arabic and Persian spelling
variants, prefixes and digits match the same way on either database.

Ranking: headline over lead over body, exact forms over stems; newer stories win ties. On
SQLite a query whose words match more than SQLiteBackend.SCORED stories is ranked over the
newest matches (see SQLiteBackend.candidates): at a million stories, scoring every story that
holds a common word takes seconds.
"""

import math
import re
from dataclasses import dataclass, field

from django.db import connection, transaction

from khabar.lib.analysis import analyze, stem
from khabar.lib.html import html_to_text
from khabar.news.models import Article

MAX_QUERY_LENGTH = 200
_PHRASE = re.compile(r'"([^"]+)"')


class BadQuery(ValueError):
    """A query with nothing to search for, or too long; the message is for the reader."""


@dataclass
class Query:
    terms: list[tuple[str, str]] = field(default_factory=list)  # (exact, stem), all required
    phrases: list[list[str]] = field(default_factory=list)  # exact terms in a row
    language: str = "ar"

    @property
    def words(self) -> set[str]:
        return {t for pair in self.terms for t in pair} | {t for p in self.phrases for t in p}


def parse(text: str, language: str) -> Query:
    text = (text or "").replace("\x00", " ")
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)  # lone surrogates
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery("too-long")
    query = Query(language=language)
    for phrase in _PHRASE.findall(text):
        exact, _stems = analyze(phrase, language, phrase=True)
        if len(exact) > 1:
            query.phrases.append(exact)
        elif exact:
            query.terms.append((exact[0], stem(exact[0], language)))
    rest = _PHRASE.sub(" ", text)
    exact, stems = analyze(rest, language)
    for pair in zip(exact, stems, strict=True):
        if pair not in query.terms:
            query.terms.append(pair)
    if not query.terms and not query.phrases:
        raise BadQuery("empty")
    return query


def document_terms(article: Article) -> dict[str, list[str]]:
    language = article.edition.language
    out = {}
    for name, text in (
        ("headline", article.headline),
        ("lead", article.lead),
        ("body", html_to_text(article.body)),
    ):
        exact, stems = analyze(text, language, document=True)
        out[f"exact_{name}"], out[f"stem_{name}"] = exact, stems
    return out


# Field weights: headline, lead, body. A word found in its exact form is in the exact fields
# and in the stemmed ones, so it counts twice in Arabic and Persian, where light stemming and
# skeletons join words that differ (النقل/انتقال); Snowball's English stems seldom join
# different words, so there an exact form adds half. Measured on the relevance set.
FIELD_WEIGHTS = (3.0, 1.5, 0.5)
EXACT_SHARE = {"en": 0.5}


def weights_for(language: str) -> tuple[float, ...]:
    """Per field: exact headline, lead, body, then the stemmed ones."""
    share = EXACT_SHARE.get(language, 1.0)
    return tuple(w * share for w in FIELD_WEIGHTS) + FIELD_WEIGHTS


class SQLiteBackend:
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
            return self._newest(query, candidates_sql, params, limit)

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

    def _newest(self, query: Query, candidates_sql: str, params: list, limit: int):
        join = (
            # The time as stored (ISO text, which sorts as the time does): no parsing.
            f"SELECT a.id, CAST(a.published_at AS TEXT) FROM search_fts JOIN ({candidates_sql}) a "
            "ON a.id = search_fts.rowid WHERE search_fts MATCH %s"
        )
        newest = " ORDER BY search_fts.rowid DESC LIMIT %s"
        terms = list(enumerate(query.terms))
        with connection.cursor() as cursor:
            cursor.execute(join + newest, [*params, self._match(query, any_term=True),
                                           self.SCORED])  # fmt: skip
            found = dict(cursor.fetchall())
            if not found:
                return []
            low, high = min(found), max(found)
            every: dict = {}
            if len(query.terms) > 1:
                cursor.execute(join + " AND search_fts.rowid < %s" + newest,
                               [*params, self._match(query), low, self.SCORED])  # fmt: skip
                every = dict(cursor.fetchall())
            rare = {}  # term number: stories holding it, in the whole index
            for n, pair in terms:
                alone = self._match(Query(terms=[pair], phrases=query.phrases))
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s "
                    "LIMIT %s)",
                    [alone, self.SCORED + 1],
                )
                count = cursor.fetchone()[0]
                if count <= self.SCORED:
                    rare[n] = count
                    cursor.execute(join + " AND search_fts.rowid < %s" + newest,
                                   [*params, alone, low, self.SCORED])  # fmt: skip
                    found.update(cursor.fetchall())
            cursor.execute("SELECT max(rowid) FROM search_fts")
            total = cursor.fetchone()[0] or 1
        found.update(every)
        hits = self._hits(terms, low, high, by_column=True)
        first = min(found)
        if first < low:  # stories before the window: where their rare words are
            older = self._hits([t for t in terms if t[0] in rare], first, low - 1, True)
            for key, ids in older.items():
                hits.setdefault(key, set()).update(ids)
        stories = high - low + 1
        idf = {}
        for n, _pair in terms:
            if n in rare:
                df = rare[n]
            else:  # as often in the whole index as in the window
                window = set().union(*(hits.get((n, c), set()) for c in range(6)))
                df = len(window) * total / stories
            idf[n] = math.log(1 + (total - df + 0.5) / (df + 0.5))
        score = dict.fromkeys(found, 0.0)
        field_weights = weights_for(query.language)
        for (n, c), ids in hits.items():
            weight = idf[n] * field_weights[c]
            for i in ids:
                if i in score:
                    score[i] += weight
        # Older than the window and found through every word: each word is there, in which
        # field is not known; count it as in the body.
        guessed = [n for n, _pair in terms if n not in rare]
        for i in every:
            if i < low:
                score[i] += sum(idf[n] * field_weights[2] for n in guessed)
        best = sorted(found, key=lambda i: (score[i], found[i], i), reverse=True)[:limit]
        sets = self._term_sets(query, hits, best)
        rows = []
        for i in best:
            exact, stems = sets[i]
            if i < low and i in every:
                exact |= {query.terms[n][0] for n in guessed}
                stems |= {query.terms[n][1] for n in guessed}
            rows.append((i, score[i], exact, stems))
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

    def _newest(self, cursor, tsquery: str, candidates_sql: str, params: list, n: int):
        """Ids of the newest `n` candidates matching `tsquery`.

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
            ids = self._newest(cursor, any_term, candidates_sql, params, scored + 1)
            if len(ids) > scored and len(query.terms) > 1:
                ids = set(ids[:scored])
                ids.update(self._newest(cursor, every, candidates_sql, params, scored))
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
                ids = self._newest(cursor, every, candidates_sql, params, limit)
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


def backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()


def sync(article: Article) -> None:
    """Keep the index in step with a story, inside the caller's transaction: published stories
    (scheduled and embargoed too: the time is checked when searching) are in, others out."""
    if article.status == Article.Status.PUBLISHED:
        backend().index(article)
    else:
        backend().remove(article.pk)

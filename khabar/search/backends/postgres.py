"""PostgreSQL: one tsvector per published story (search_searchdocument.document) holding its
exact forms and, marked apart, its stems, with field weights; ranked by ts_rank_cd. One GIN
index holds the terms with the story's section and day (0004_pg_filters), so that the newest
matches of a search, filtered or not, come from the index without reading documents."""

import math
import time
from datetime import datetime

from django.db import connection

from khabar.news.models import Article
from khabar.search.backends.base import Filters
from khabar.search.query import Query, document_terms


def day_of(moment: datetime) -> int:
    """The UTC day of a time, as days since 1970-01-01: search_searchdocument.day."""
    return int(moment.timestamp() // 86400)


# The share of stories that hold each of the commonest stems and exact forms, from PostgreSQL's
# statistics of the documents (ANALYZE samples them: the most common lexemes and their
# frequencies), read once per process every SHARES_FOR seconds: (when read, {lexeme: share},
# the least share listed, which every lexeme not listed is under, the documents' number).
_shares: tuple[float, dict[str, float], float, float] = (-math.inf, {}, 1.0, 0.0)
SHARES_FOR = 600


def lexeme_shares(cursor) -> tuple[dict[str, float], float, float]:
    """({lexeme: share of the stories holding it}, the share under which every other lexeme
    is, how many documents), as the planner estimates a search's matches; ({}, 1.0, 0.0)
    before any ANALYZE."""
    global _shares
    if time.monotonic() - _shares[0] > SHARES_FOR:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
            "AND s.tablename = 'search_searchdocument' AND s.attname = 'document' "
            "WHERE c.oid = 'search_searchdocument'::regclass"
        )
        stories, lexemes, freqs = cursor.fetchone()
        # After the lexemes' frequencies come the least and the greatest (tsvector's stats).
        listed = dict(zip(lexemes or [], freqs or [], strict=False))
        _shares = (time.monotonic(), listed, min(listed.values(), default=1.0),
                   max(stories or 0.0, 0.0))  # fmt: skip
    return _shares[1], _shares[2], _shares[3]


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

    def _tsquery(self, query: Query, any_term: bool = False, stems: bool = False) -> str:
        """The query as a tsquery: each word in its exact form or its stem. With `stems`, each
        word by its stem alone, which matches the same stories (a story indexed under an exact
        form is indexed under its stem too, by the same analyzer) with one GIN entry a word
        instead of two: the index then intersects the words' lists, skipping through the
        longer ones, where an OR in each word would have it read every list whole."""
        lexeme = self._lexeme

        terms = [
            lexeme(self.STEM + s) if stems else f"({lexeme(e)} | {lexeme(self.STEM + s)})"
            for e, s in query.terms
        ]
        phrases = ["(" + " <-> ".join(lexeme(t) for t in p) + ")" for p in query.phrases]
        if any_term and len(terms) > 1:
            terms = ["(" + " | ".join(terms) + ")"]
        return " & ".join(terms + phrases)

    # A query that more stories match is ranked over the newest that match it, and the newest
    # that hold every word: ts_rank_cd reads each story's whole document (~15 µs a story), so
    # ranking every match of a common word among a million stories would take seconds.
    SCORED = 200

    # The newest matches are looked for among the stories of the newest days first (at least
    # DAYS, and enough to hold about WINDOW stories), then in a window widened to hold about
    # WIDEN times the matches wanted at the rate the last one found them, at most MOST_WINDOWS
    # times before asking for every match.
    DAYS = 1
    WINDOW = 2000
    WIDEN = 1.5
    MOST_WINDOWS = 6
    ALL_AT_ONCE = 3000

    # The newest matches are found by their day of publication (the index's day column), not
    # by story id: a story filed long ago and published late is among them in its place, so
    # service.newest_first need not look for such stories apart.
    NEWEST_BY_TIME = True

    def __init__(self, filters: Filters | None = None):
        self.filters = filters or Filters()

    def _newest_matching_ids(self, cursor, tsquery: str, candidates_sql: str, params: list,
                             n: int) -> list[int]:  # fmt: skip
        """Ids of the newest `n` candidates matching `tsquery`, newest first, unscored: the
        callers rank them. (Contrast SQLiteBackend._rank_over_newest, which returns scored
        rows.)"""
        (rows,) = self._newest_matching(cursor, [(tsquery, n, 1.0)], candidates_sql, params)
        return [i for i, _at in rows]

    def _share_holding(self, cursor, query: Query) -> float:
        """The share of the stories expected to hold every word of `query` (by its stem), as if
        the words came independently: the product of their shares, a word not among the
        commonest counting as the least common of those (so the expectation is, if anything,
        high, and the first window small)."""
        listed, least, _stories = lexeme_shares(cursor)
        share = 1.0
        for _exact, stem in query.terms:
            share *= listed.get(self.STEM + stem, least)
        return share

    def _newest_matching(self, cursor, searches: list[tuple[str, int, float]],
                         candidates_sql: str, params: list, wanted_beyond: int | None = None,
                         rank: list | None = None) -> list[list[tuple]]:  # fmt: skip
        """For each (tsquery, n, share) of `searches`: (id, time of publication) of the newest
        `n` candidates matching the tsquery, newest first; the time as microseconds since 1970,
        which psycopg reads far faster than a datetime through Django's time zone loader (a
        millisecond for a few hundred rows). With `wanted_beyond`, the searches after the first
        are given up (empty) if the first finds at most that many. With `rank` (the weights, a
        tsquery and lexemes), each row also has the story's ts_rank_cd for that tsquery and
        whether it holds each lexeme, from one read of its document in the same statement.

        Each search looks at the index's matches in a window of the newest candidates' days,
        widened until it holds `n` of them or reaches the oldest candidate. The first window
        holds about WINDOW stories, or, if `share` (the share of stories expected to match)
        says more are needed, enough for WIDEN times `n` matches. The searches' windows are
        looked up together, one statement a round (_round), the first of which also finds the
        candidates' days: a search done in one window costs one statement with the others.
        """
        # Phrases loosened to all their words, which the index answers without reading any
        # document; the phrases themselves are checked on the newest matches only, as needed.
        state = [
            {"loose": q.replace(" <-> ", " & "), "phrases": q if " <-> " in q else None,
             "n": n, "stories": max(self.WINDOW, n * self.WIDEN / max(share, 1e-9)),
             "low": None, "width": None, "attempts": 0, "final": False}
            for q, n, share in searches
        ]  # fmt: skip
        # A search expected to match few stories in the whole index (ALL_AT_ONCE) asks for
        # every match at once, with no day range for the index to read: a range is a list of
        # every story of its days, read whatever the words (a rare word's list is short).
        stories = lexeme_shares(cursor)[2] if any(s < 1 for _q, _n, s in searches) else 0.0
        for search, (_q, _n, share) in zip(state, searches, strict=True):
            if share < 1 and share * stories <= self.ALL_AT_ONCE:
                search["final"] = True
                search["low"] = day_of(self.filters.start) if self.filters.start else None
        found: list[list[tuple[int, int]]] = [[] for _search in searches]
        pending = list(range(len(searches)))
        days = None
        while pending:
            bounds, results = self._round(cursor, [state[k] for k in pending], days,
                                          candidates_sql, params, rank)  # fmt: skip
            if days is None:
                if bounds[0] is None:  # no candidates
                    return found
                days = bounds[:2]
            top, oldest = days
            for k, (rows, matched, first_low) in zip(list(pending), results, strict=True):
                search = state[k]
                if search["width"] is None and not search["final"]:
                    search["width"], search["low"] = top - first_low + 1, first_low
                found[k] = rows
                low, n = search["low"], search["n"]
                if search["final"] or len(rows) == n or low == oldest:
                    pending.remove(k)
                    continue
                search["attempts"] += 1
                # Few matches in all the days left, at this window's rate: all of them at once,
                # which the index answers from the words' lists without a day range to read;
                # a range is a list of every story of its days. The candidates' days are picked
                # after.
                few = matched * (top - oldest + 1) <= self.ALL_AT_ONCE * (top - low + 1)
                if few or search["attempts"] == self.MOST_WINDOWS:
                    search["final"] = True
                    search["low"] = day_of(self.filters.start) if self.filters.start else None
                    continue
                # Wide enough for about WIDEN times the matches wanted at the rate found so far;
                # none found yet: a rarer query, sixteen times wider.
                search["width"] = int(search["width"] * (n / len(rows) * self.WIDEN if rows
                                                         else 16)) + 1  # fmt: skip
                search["low"] = max(top - search["width"] + 1, oldest)
            if wanted_beyond is not None and 0 not in pending and len(found[0]) <= wanted_beyond:
                return [found[0]] + [[] for _search in searches[1:]]
        return found

    def _round(self, cursor, searches: list[dict], days: tuple[int, int] | None,
               candidates_sql: str, params: list, rank: list | None = None):  # fmt: skip
        """One statement: for each search, the newest `n` candidates among the stories matching
        its tsquery from its day `low` on (every day if None) whose days are within `days`
        (oldest, newest) and whose documents match its phrases if any, as (id, microseconds
        since 1970) newest first; and how many stories of those days match, candidates or not.
        Returns ((newest day, oldest day), [(rows, matched, low) for each search]), the days
        found here when `days` is None, and each search's first window (its `low`) with them.

        The candidates' newest and oldest days bound the windows: the first window ends at the
        newest story (which may be days before now), and one reaching the oldest holds every
        match; the story table's indexes on edition or section, status and time answer. With
        them, the index's size (the planner's estimate) gives stories a day, and a first window
        is as many days (at least DAYS) as hold its search's `stories`.

        The GIN index (document, section_id, day) gives the matches, reading no document; they
        are sorted by day, newest first, and each looked up as a candidate by primary key in
        that order (the lateral subquery, kept apart by OFFSET 0, is the candidates' SQL for one
        id: left to itself PostgreSQL may rather read every candidate of the edition and hash
        them), and the Incremental Sort by time within each day stops pulling matches once the
        day holding the n-th is complete. So only the matches of the days needed are looked up,
        and a phrase is checked on those only. With `rank`, the `n` found are ranked above the
        LIMIT, each document read once (see candidates())."""
        ctes, args, selects, tail = [], [], [], []
        if days is None:
            ctes.append(
                "w AS MATERIALIZED (SELECT top, oldest, greatest((SELECT reltuples FROM pg_class "
                "WHERE oid = 'search_searchdocument'::regclass)::float8, 1) / (top - oldest + 1) "
                "AS a_day FROM (SELECT floor(extract(epoch FROM max(a.published_at)) / 86400)"
                "::int AS top, floor(extract(epoch FROM min(a.published_at)) / 86400)::int AS "
                f"oldest FROM ({candidates_sql}) a) b)"
            )
            args += params
            selects.append("SELECT -1, NULL::int8, NULL::int8, top::int8, oldest::int8, "
                           "NULL::float4, NULL::bool[] FROM w")  # fmt: skip
            top, oldest = "(SELECT top FROM w)", "(SELECT oldest FROM w)"
        else:
            top, oldest = str(int(days[0])), str(int(days[1]))
        for k, search in enumerate(searches):
            if days is None and not search["final"]:
                ctes.append(f"l{k} AS (SELECT greatest(top - greatest(%s, ceil(%s / a_day))::int "
                            "+ 1, oldest) AS low FROM w)")  # fmt: skip
                args += [self.DAYS, search["stories"]]
                low = f"(SELECT low FROM l{k})"
            else:
                low = "NULL" if search["low"] is None else str(int(search["low"]))
            conditions = ["document @@ %s::tsquery"]
            args.append(search["loose"])
            if self.filters.section_id is not None:
                conditions.append("section_id = %s")
                args.append(self.filters.section_id)
            # Only a lower bound in the index: btree_gin reads a range `day >= low` from `low`
            # to the newest day, which a window of the newest days is; an upper bound would
            # have it read every older day of the archive. Later days (past the date range's
            # end, or not yet published) are no candidates: left out before looking them up.
            if low != "NULL":
                conditions.append(f"day >= {low}")
            ctes.append(f"m{k} AS MATERIALIZED (SELECT day, article_id FROM "
                        f"search_searchdocument WHERE {' AND '.join(conditions)})")  # fmt: skip
            selects.append(f"SELECT {k}, NULL, NULL, count(*), {low}, NULL, NULL FROM m{k} "
                           f"WHERE day BETWEEN {oldest} AND {top}")  # fmt: skip
            check = (
                " JOIN search_searchdocument d ON d.article_id = c.id "
                "AND d.document @@ %s::tsquery" if search["phrases"] else ""
            )  # fmt: skip
            newest = (
                f"SELECT a.id, a.at FROM (SELECT day, article_id "
                f"FROM m{k} WHERE day BETWEEN {oldest} AND {top} ORDER BY day DESC) m "
                "CROSS JOIN LATERAL (SELECT c.id, c.published_at, "
                "(extract(epoch FROM c.published_at) * 1000000)::int8 AS at "
                f"FROM ({candidates_sql}) c{check} WHERE c.id = m.article_id OFFSET 0) a "
                "ORDER BY m.day DESC, a.published_at DESC, a.id DESC LIMIT %s"
            )
            ctes.append(f"x{k} AS MATERIALIZED ({newest})")
            args += [*params, *([search["phrases"]] if search["phrases"] else []), search["n"]]
            if rank is None:
                selects.append(f"SELECT {k}, id, at, NULL, NULL, NULL, NULL FROM x{k}")
                continue
            # Ranked only if this round is the search's last (as _newest_matching decides):
            # a window that is widened after would have its documents read for nothing.
            last = "TRUE" if search["final"] or low == "NULL" else (
                f"((SELECT count(*) FROM x{k}) = {int(search['n'])} OR {low} = {oldest})"
            )  # fmt: skip
            # setweight() with no lexemes to change is a plain copy: each document is read from
            # its TOAST table once for the rank and the tests (as `document || ''` did, which
            # also merged the vector with nothing, lexeme by lexeme: a third of the time).
            weights, tsquery, lexemes = rank
            tests = ", ".join("d.doc @@ %s::tsquery" for _lexeme in lexemes)
            selects.append(
                f"SELECT {k}, x.id, x.at, NULL, NULL, ts_rank_cd(%s::float4[], d.doc, "
                f"%s::tsquery), ARRAY[{tests}]::bool[] FROM x{k} x CROSS JOIN LATERAL "
                "(SELECT setweight(document, 'A', '{}'::text[]) AS doc FROM "
                f"search_searchdocument WHERE article_id = x.id OFFSET 0) d WHERE {last}"
            )
            tail += [weights, tsquery, *lexemes]
            selects.append(f"SELECT {k}, id, at, NULL, NULL, NULL, NULL FROM x{k} WHERE NOT {last}")
        cursor.execute(f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}", [*args, *tail])
        bounds = days
        results: list[tuple[list, int, int | None]] = [([], 0, None) for _search in searches]
        for k, i, at, count, low_day, score, held in cursor.fetchall():
            if k < 0:
                bounds = (count, low_day)
            elif i is None:
                results[k] = (results[k][0], count, low_day)
            else:
                results[k][0].append((i, at) if rank is None else (i, at, score, held))
        return bounds, results

    def candidates(self, query: Query, candidates_sql: str, params: list, limit: int,
                   scored: int | None = None):  # fmt: skip
        """Stories matching any query word (and every phrase), best ts_rank_cd first, with the
        query's exact terms and stems that each holds: (id, score, exact terms, stems).

        A query matching at most `scored` (SCORED) stories is ranked over all of them; a larger
        one over the newest that many that match any word and the newest that hold every word.
        Each document is read once, for its rank and for the terms it holds."""
        any_term, every = self._tsquery(query, any_term=True), self._tsquery(query, stems=True)
        scored = scored or self.SCORED
        lexemes = [(e, self.STEM + s) for e, s in query.terms]
        # Ranked as they are found: the rows come with their rank and the lexemes they hold.
        rank = [self.WEIGHTS, any_term, [self._lexeme(t) for pair in lexemes for t in pair]]
        with connection.cursor() as cursor:
            # The newest that hold every word are looked for with the newest that hold any, in
            # the same statements, and kept only if those are too many to score.
            searches = [(self._tsquery(query, any_term=True, stems=True), scored + 1, 1.0)]
            if len(query.terms) > 1:
                searches.append((every, scored, self._share_holding(cursor, query)))
            found, *holding_every = self._newest_matching(
                cursor, searches, candidates_sql, params, wanted_beyond=scored, rank=rank
            )
        if len(found) > scored and holding_every:
            found = found[:scored] + holding_every[0]
        rows, seen = [], set()
        for i, at, score, held in found:
            if i not in seen:
                seen.add(i)
                exact = {e for (e, _s), hit in zip(query.terms, held[0::2], strict=True) if hit}
                stems = {s for (_e, s), hit in zip(query.terms, held[1::2], strict=True) if hit}
                rows.append((i, score, exact, stems, at))
        # Best first, then newest: the times came with the matches.
        rows.sort(key=lambda row: (row[1], row[4], row[0]), reverse=True)
        return [row[:4] for row in rows[:limit]]

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
        by their day of publication, a window of days at a time (_newest_matching)."""
        every = self._tsquery(query)
        with connection.cursor() as cursor:
            if sort == "date" and limit is not None:
                stems = self._tsquery(query, stems=True)
                share = self._share_holding(cursor, query)
                (rows,) = self._newest_matching(cursor, [(stems, limit, share)], candidates_sql,
                                                params)  # fmt: skip
                # In time order already, unless a document's day is stale (see models).
                rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
                return [i for i, _at in rows]
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

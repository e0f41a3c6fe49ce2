"""One search interface, two backends: SQLite FTS5 (BM25) and PostgreSQL (tsvector, GIN,
ts_rank_cd). Both index and query the analyzer's terms, so Arabic and Persian spelling
variants, prefixes and digits match the same way on either database.

Ranking: headline over lead over body, exact forms over stems; newer stories win ties.
"""

import re
from dataclasses import dataclass, field

from django.db import connection

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

    @property
    def words(self) -> set[str]:
        return {t for pair in self.terms for t in pair} | {t for p in self.phrases for t in p}


def parse(text: str, language: str) -> Query:
    text = (text or "").replace("\x00", " ")
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)  # lone surrogates
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery("too-long")
    query = Query()
    for phrase in _PHRASE.findall(text):
        exact, _stems = analyze(phrase, language)
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
        exact, stems = analyze(text, language)
        out[f"exact_{name}"], out[f"stem_{name}"] = exact, stems
    return out


class SQLiteBackend:
    # bm25() weights per column: exact headline, lead, body, then the stemmed ones.
    WEIGHTS = (10.0, 4.0, 1.0, 5.0, 2.0, 0.5)

    def index(self, article: Article) -> None:
        terms = document_terms(article)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [article.pk])
            cursor.execute(
                "INSERT INTO search_fts (rowid, exact_headline, exact_lead, exact_body, "
                "stem_headline, stem_lead, stem_body) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [article.pk, *(" ".join(terms[k]) for k in (
                    "exact_headline", "exact_lead", "exact_body",
                    "stem_headline", "stem_lead", "stem_body"))],
            )  # fmt: skip

    def remove(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [article_id])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")

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

    def candidates(self, query: Query, candidates_sql: str, params: list, limit: int):
        """Stories matching any query word (and every phrase), best BM25 first, with their
        terms: (id, score, exact terms, stems)."""
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        sql = (
            f"SELECT a.id, bm25(search_fts, {weights}), exact_headline || ' ' || exact_lead "
            "|| ' ' || exact_body, stem_headline || ' ' || stem_lead || ' ' || stem_body "
            f"FROM search_fts JOIN ({candidates_sql}) a ON a.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s ORDER BY bm25(search_fts, {weights}), "
            "a.published_at DESC, a.id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self._match(query, any_term=True), limit])
            return [
                (i, -score, set(exact.split()), set(stems.split()))
                for i, score, exact, stems in cursor.fetchall()
            ]

    def ranked_ids(self, query: Query, candidates_sql: str, params: list, sort: str):
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        order = (
            "a.published_at DESC, a.id DESC"
            if sort == "date"
            else f"bm25(search_fts, {weights}), a.published_at DESC, a.id DESC"
        )
        sql = (
            f"SELECT a.id FROM search_fts JOIN ({candidates_sql}) a ON a.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s ORDER BY {order}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self._match(query)])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend:
    # ts_rank_cd weights for D, C, B, A: stemmed body, stemmed lead and exact body, stemmed
    # headline and exact lead, exact headline.
    WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"
    STEM = "~"  # stems are kept apart from exact forms in the one tsvector

    def index(self, article: Article) -> None:
        terms = document_terms(article)
        fields = [
            (terms["exact_headline"], "A", ""), (terms["exact_lead"], "B", ""),
            (terms["exact_body"], "C", ""), (terms["stem_headline"], "B", self.STEM),
            (terms["stem_lead"], "C", self.STEM), (terms["stem_body"], "D", self.STEM),
        ]  # fmt: skip
        sql = (
            "INSERT INTO search_searchdocument (article_id, document) VALUES (%s, %s::tsvector) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [article.pk, self._tsvector(fields)])

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

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument")

    def _tsquery(self, query: Query, any_term: bool = False) -> str:
        def lexeme(term: str) -> str:
            return "'" + term.replace("'", "''").replace("\\", "") + "'"

        terms = [f"({lexeme(e)} | {lexeme(self.STEM + s)})" for e, s in query.terms]
        phrases = ["(" + " <-> ".join(lexeme(t) for t in p) + ")" for p in query.phrases]
        if any_term and len(terms) > 1:
            terms = ["(" + " | ".join(terms) + ")"]
        return " & ".join(terms + phrases)

    _LEXEME = re.compile(r"'((?:[^']|'')*)'")

    def candidates(self, query: Query, candidates_sql: str, params: list, limit: int):
        """Stories matching any query word (and every phrase), best ts_rank_cd first, with
        their terms: (id, score, exact terms, stems)."""
        sql = (
            f"SELECT a.id, ts_rank_cd(%s::float4[], d.document, q), d.document::text "
            f"FROM search_searchdocument d JOIN ({candidates_sql}) a ON a.id = d.article_id, "
            "CAST(%s AS tsquery) q WHERE d.document @@ q "
            "ORDER BY 2 DESC, a.published_at DESC, a.id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.WEIGHTS, *params, self._tsquery(query, any_term=True),
                                 limit])  # fmt: skip
            rows = []
            for i, score, document in cursor.fetchall():
                lexemes = {m.replace("''", "'") for m in self._LEXEME.findall(document)}
                stems = {x[len(self.STEM) :] for x in lexemes if x.startswith(self.STEM)}
                rows.append((i, score, lexemes - {self.STEM + x for x in stems}, stems))
            return rows

    def ranked_ids(self, query: Query, candidates_sql: str, params: list, sort: str):
        order = (
            "a.published_at DESC, a.id DESC"
            if sort == "date"
            else "ts_rank_cd(%s::float4[], d.document, q) DESC, a.published_at DESC, a.id DESC"
        )
        sql = (
            f"SELECT a.id FROM search_searchdocument d JOIN ({candidates_sql}) a "
            f"ON a.id = d.article_id, CAST(%s AS tsquery) q WHERE d.document @@ q ORDER BY {order}"
        )
        args = [*params, self._tsquery(query)] + ([] if sort == "date" else [self.WEIGHTS])
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
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

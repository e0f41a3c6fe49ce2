"""One search interface (base.SearchBackend), two backends: SQLite FTS5 (BM25) and PostgreSQL
(tsvector, GIN, ts_rank_cd). Both index and query the analyzer's terms, so Arabic and Persian
spelling variants, prefixes and digits match the same way on either database.

Ranking: headline over lead over body, exact forms over stems; newer stories win ties.

Callers import from here (backend, sync, and the query names re-exported below), not from
the modules inside: which backend runs is this package's business.
"""

from django.db import connection

from khabar.news.models import Article
from khabar.search.backends.base import Filters, SearchBackend, weights_for
from khabar.search.backends.postgres import PostgresBackend
from khabar.search.backends.sqlite import SQLiteBackend
from khabar.search.query import MAX_QUERY_LENGTH, BadQuery, Query, document_terms, parse

__all__ = [
    "MAX_QUERY_LENGTH",
    "BadQuery",
    "Filters",
    "PostgresBackend",
    "Query",
    "SQLiteBackend",
    "SearchBackend",
    "backend",
    "document_terms",
    "parse",
    "sync",
    "weights_for",
]


def backend(filters: Filters | None = None) -> SearchBackend:
    """The backend for the database in use, for a search narrowed by `filters` if given (the
    PostgreSQL one narrows its index scan with them; SQLite's reads them from its SQL)."""
    if connection.vendor == "postgresql":
        return PostgresBackend(filters)
    return SQLiteBackend()


def sync(article: Article) -> None:
    """Keep the index in step with a story, inside the caller's transaction: published stories
    (scheduled and embargoed too: the time is checked when searching) are in, others out."""
    if article.status == Article.Status.PUBLISHED:
        backend().index(article)
    else:
        backend().remove(article.pk)

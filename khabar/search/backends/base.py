"""What every search backend implements (SearchBackend), and the field weights both rank with.

A backend keeps an index of the published stories' terms (khabar.search.query.document_terms)
and answers queries over a set of candidate stories given as SQL: the caller's published,
filtered stories, `SELECT id, published_at ...` with its params. Each backend runs inside the
caller's transaction; none commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from khabar.news.models import Article
from khabar.search.query import Query

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


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to besides its words, for a backend to narrow its index scan
    with (backends.backend(filters)): the candidates' SQL applies them in full, so a backend
    may use them or not. `start` and `end` bound the publication time (end excluded)."""

    section_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None


# A row of candidates(): (story id, score, the query's exact terms it holds, the query's stems
# it holds). Higher scores are better on both backends.
CandidateRow = tuple[int, float, set[str], set[str]]


class SearchBackend(Protocol):
    """The interface of SQLiteBackend (FTS5, BM25) and PostgresBackend (tsvector, ts_rank_cd)."""

    # Whether ranked_ids(sort="date") finds the newest matches by their time of publication
    # (True) or by story id (False), which misses a story filed long ago and published late.
    NEWEST_BY_TIME: bool

    def index(self, article: Article) -> None:
        """Index or re-index one story (its edition loaded)."""

    def index_many(self, articles: Iterable[Article]) -> None:
        """Index or re-index stories (their editions loaded), replacing any entry they had;
        a few statements for the lot, not a few per story."""

    def remove(self, article_id: int) -> None:
        """Take a story out of the index; nothing happens if it was not in."""

    def indexed_ids(self) -> list[int]:
        """The ids of every story in the index, in no particular order."""

    def optimize(self) -> None:
        """Tidy the index after a rebuild (merged segments, planner statistics); safe to call
        inside or outside a transaction."""

    def candidates(
        self, query: Query, candidates_sql: str, params: list, limit: int,
        scored: int | None = None,
    ) -> list[CandidateRow]:  # fmt: skip
        """At most `limit` of the candidate stories matching ANY of the query's words (and
        every phrase), best first, as CandidateRows, for the caller to reorder by how many
        words each holds.

        A query matching few stories is ranked over all its matches; one matching more than
        the backend can score quickly (its SCORED, or `scored` if given) is ranked over the
        newest of them, so that a common word never scores every story that holds it."""

    def holding(self, query: Query, ids: list[int]) -> set[int]:
        """Those of `ids` (a few hundred at most) whose stories hold every word and phrase."""

    def ranked_ids(
        self, query: Query, candidates_sql: str, params: list, sort: str,
        limit: int | None = None,
    ) -> list[int]:  # fmt: skip
        """Ids of the candidate stories holding EVERY word and phrase: best first, or newest
        first when `sort` is "date"; the first `limit` of them if given.

        Newest first with a limit takes the newest `limit` matches by story id (stories are
        indexed about in the order they are published), then orders them by their time; the
        caller looks apart for a story filed early and published late."""

"""Searching an edition: the query, the filters, one page of results with highlighted
snippets. The newsroom and the reader page both call search()."""

import re
from dataclasses import dataclass
from html import escape

from django.core.paginator import Page, Paginator
from django.utils.safestring import SafeString, mark_safe

from khabar.lib.analysis import stem
from khabar.lib.arabic import normalize
from khabar.lib.html import html_to_text
from khabar.news.models import Article
from khabar.search.backends import Query, backend, parse

PAGE_SIZE = 20
CANDIDATES = 1000  # the best matches of any word, reordered by how many words they match
SNIPPET_WORDS = 36
_WORD = re.compile(r"\w+")


@dataclass
class Results:
    query: Query
    page: Page


def search(edition, text: str, *, section=None, date_from=None, date_to=None,
           sort: str = "relevance", page: int = 1, now=None) -> Results:  # fmt: skip
    query = parse(text, edition.language)
    candidates = Article.objects.published(now).filter(edition=edition)
    if section is not None:
        candidates = candidates.filter(section=section)
    if date_from:
        candidates = candidates.filter(published_at__date__gte=date_from)
    if date_to:
        candidates = candidates.filter(published_at__date__lte=date_to)
    sql, params = candidates.values("id", "published_at").query.sql_with_params()
    engine = backend()
    if sort == "date":
        # Newest first: every word required, as a reader scanning the latest expects.
        ids = engine.ranked_ids(query, sql, list(params), "date")
    else:
        ids = rank_by_coverage(query, engine.candidates(query, sql, list(params), CANDIDATES))
    paginator = Paginator(ids, PAGE_SIZE)
    result_page = paginator.get_page(page)
    stories = Article.objects.select_related("edition", "section__edition").in_bulk(
        list(result_page.object_list)
    )
    result_page.object_list = [stories[i] for i in result_page.object_list if i in stories]
    return Results(query, result_page)


def rank_by_coverage(query: Query, rows) -> list[int]:
    """Stories that hold more of the query's words first, then more of its exact forms, then
    the engine's score (BM25 or ts_rank_cd); the engine's order (newer first) breaks ties."""

    def key(row):
        _id, score, exact, stems = row
        covered = sum(1 for e, s in query.terms if e in exact or s in stems)
        exact_hits = sum(1 for e, _s in query.terms if e in exact)
        return (-covered, -exact_hits, -score)

    return [row[0] for row in sorted(rows, key=key)]


def _matches(word: str, query: Query, language: str) -> bool:
    folded = normalize(word)
    return folded in query.words or stem(folded, language) in query.words


def highlight(text: str, query: Query, language: str, limit: int | None = None) -> SafeString:
    """The text escaped, with the words that match the query in <mark>; cut to a window of
    `limit` words around the first match."""
    tokens = re.split(r"(\w+)", text)
    if limit:
        words = [i for i, t in enumerate(tokens) if _WORD.fullmatch(t)]
        hits = [i for i in words if _matches(tokens[i], query, language)]
        if len(words) > limit:
            start = max(0, words.index(hits[0]) - limit // 3) if hits else 0
            window = words[start : start + limit]
            tokens = tokens[window[0] : window[-1] + 1]
            tokens = (["… "] if start else []) + tokens + (["…"] if window[-1] < words[-1] else [])
    out = []
    for token in tokens:
        if _WORD.fullmatch(token) and _matches(token, query, language):
            out.append(f"<mark>{escape(token)}</mark>")
        else:
            out.append(escape(token))
    return mark_safe("".join(out))


def snippet(article: Article, query: Query) -> SafeString:
    language = article.edition.language
    text = article.lead or html_to_text(article.body)
    body = html_to_text(article.body)
    if not any(_matches(w, query, language) for w in _WORD.findall(text)):
        text = body
    return highlight(text, query, language, SNIPPET_WORDS)

"""Searching an edition: the query, the filters, one page of results with highlighted
snippets (search(), for the reader page), and the same analyzer and index over the desk's
lists (desk_matches(), for the newsroom)."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.paginator import Page, Paginator
from django.db.models import Min
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from khabar.lib.analysis import word_forms
from khabar.lib.arabic import normalize
from khabar.lib.html import html_to_text
from khabar.news.models import Article, Edition
from khabar.search.backends import Filters, backend, weights_for
from khabar.search.query import BadQuery, Query, document_terms, parse

PAGE_SIZE = 20
CANDIDATES = 1000  # the best matches of any word, reordered by how many words they match
SNIPPET_WORDS = 36
_WORD = re.compile(r"\w+")


@dataclass
class Results:
    query: Query
    page: Page


def search(edition, text: str, *, section=None, tag=None, date_from=None, date_to=None,
           sort: str = "relevance", page: int = 1, now=None) -> Results:  # fmt: skip
    query = parse(text, edition.language)
    # No ORDER BY in the subquery: PostgreSQL would sort every published story before joining.
    candidates = Article.objects.published(now).filter(edition=edition).order_by()
    if section is not None:
        candidates = candidates.filter(section=section)
    if tag is not None:
        candidates = candidates.filter(tags=tag)
    # Whole days in the edition's time zone (a Tehran reader's 21 March is Tehran's, from
    # 20:30 UTC the day before), as bounds on the column (an index range), not __date, which
    # SQLite computes per row.
    start, end = day_bounds(edition, date_from, date_to)
    if start:
        candidates = candidates.filter(published_at__gte=start)
    if end:
        candidates = candidates.filter(published_at__lt=end)
    engine = backend(Filters(section.pk if section is not None else None, start, end))
    if sort == "date":
        # Newest first: every word required, as a reader scanning the latest expects.
        ids = newest_first(engine, query, candidates)
    else:
        sql, params = candidates.values("id", "published_at").query.sql_with_params()
        ids = rank_by_coverage(query, engine.candidates(query, sql, list(params), CANDIDATES))
    paginator = Paginator(ids, PAGE_SIZE)
    result_page = paginator.get_page(page)
    stories = Article.objects.select_related("edition", "section__edition").in_bulk(
        list(result_page.object_list)
    )
    result_page.object_list = [stories[i] for i in result_page.object_list if i in stories]
    return Results(query, result_page)


def edition_zone(edition) -> ZoneInfo:
    """The edition's time zone, where its readers' days begin and end."""
    try:
        return ZoneInfo(edition.time_zone)
    except (ZoneInfoNotFoundError, ValueError):  # validated on save; a row from elsewhere
        return timezone.get_current_timezone()


def day_bounds(edition, date_from=None, date_to=None):
    """(start, end) of the days from `date_from` to `date_to` inclusive in the edition's time
    zone, as aware datetimes (end excluded); None for a side not given."""
    zone = edition_zone(edition)
    start = datetime.combine(date_from, time.min, zone) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone) if date_to else None
    return start, end


def newest_first(engine, query: Query, candidates) -> list[int]:
    """The newest CANDIDATES stories holding every word, newest first.

    SQLite's engine takes the newest matches by story id, which is the order stories were filed
    in, not published in; a story filed long ago and published within the span of those matches
    (a scheduled one, a draft that waited) is looked for apart and put in its place. PostgreSQL's
    looks for them by their day of publication (NEWEST_BY_TIME): none is missed."""
    sql, params = candidates.values("id", "published_at").query.sql_with_params()
    ids = engine.ranked_ids(query, sql, list(params), "date", limit=CANDIDATES)
    if len(ids) < CANDIDATES:
        return ids  # every match is there
    if engine.NEWEST_BY_TIME:
        return ids  # an engine that finds them by their time of publication misses none
    span = Article.objects.filter(pk__in=ids).aggregate(oldest=Min("published_at"))
    late = candidates.filter(published_at__gte=span["oldest"], pk__lt=min(ids))
    late = list(late.order_by("-published_at").values_list("id", flat=True)[:CANDIDATES])
    extra = list(engine.holding(query, late)) if late else []
    if not extra:
        return ids
    merged = Article.objects.filter(pk__in=ids + extra).order_by("-published_at", "-id")
    return list(merged.values_list("id", flat=True)[:CANDIDATES])


def bad_query_message(error: BadQuery) -> str:
    """What the reader page and the desk say about a query they cannot search for."""
    if error.args and error.args[0] == "too-long":
        return _("The search is too long: use a few words.")
    return _("Type one or more words to search for.")


def rank_by_coverage(query: Query, rows) -> list[int]:
    """Stories that hold more of the query's words first, then the engine's score (BM25 or
    ts_rank_cd, where an exact form counts in its own fields and in its stem's); the engine's
    order (newer first) breaks ties. Counting exact forms apart before the score was tried and
    measured worse (Arabic nDCG@10 0.930 without it, 0.924 with it)."""

    def key(row):
        _id, score, exact, stems = row
        covered = sum(1 for e, s in query.terms if e in exact or s in stems)
        return (-covered, -score)

    return [row[0] for row in sorted(rows, key=key)]


def _matches(word: str, query: Query, language: str) -> bool:
    """Whether a word of a text is one the query asks for, exactly or by its stem."""
    folded, stemmed = word_forms(word, language)
    words = query.words
    return folded in words or stemmed in words


def highlight(text: str, query: Query, language: str, limit: int | None = None) -> SafeString:
    """The text escaped, with the words that match the query in <mark>; cut to a window of
    `limit` words around the first match.

    Split on words with a capturing group, the text's words are the odd items and what lies
    between them the even ones: no item is matched against the pattern again, and only the
    words up to the first match and those of the window are looked up (a long body's other
    words were most of a search page's time)."""
    tokens = re.split(r"(\w+)", text)
    words = len(tokens) // 2
    first, last, before, after = 0, len(tokens), "", ""
    if limit and words > limit:
        hit = next((n for n in range(words) if _matches(tokens[2 * n + 1], query, language)), None)
        start = max(0, hit - limit // 3) if hit is not None else 0
        end = min(start + limit, words)  # the window: words start .. end - 1
        first, last = 2 * start + 1, 2 * end
        before, after = ("… " if start else ""), ("…" if end < words else "")
    out = [before]
    for i in range(first, last):
        token = tokens[i]
        if i % 2 and _matches(token, query, language):
            out.append(f"<mark>{escape(token)}</mark>")
        else:
            out.append(escape(token))
    out.append(after)
    return mark_safe("".join(out))


def snippet(article: Article, query: Query) -> SafeString:
    language = article.edition.language
    text = article.lead
    if not text or not any(_matches(w, query, language) for w in _WORD.findall(text)):
        text = html_to_text(article.body)
    return highlight(text, query, language, SNIPPET_WORDS)


# The desk: published stories through the index, the few stories still in the newsroom (drafts,
# submitted, unpublished: the index leaves them out) through the same analyzer in Python.

_NEWS_CODE = re.compile(r"\d{1,18}")  # any script's digits; news codes fit a bigint
_FIELDS = ("headline", "lead", "body")


def desk_matches(stories, text: str) -> list[int]:
    """Ids of the stories of a desk list (any edition, any state) that hold every word of
    `text` (exact form or stem) and every quoted phrase, most relevant first; a news code typed
    as digits (in any script) puts that story first.

    Relevance as on the reader page (every story here holds every word): more of the words in
    their exact form first; then stories still in the newsroom before published ones, each
    by its score (the engine's, or the index's column weights in Python). At most CANDIDATES
    published stories per language: a desk list, not an archive search. Raises BadQuery.
    """
    languages = sorted(set(Edition.objects.values_list("language", flat=True))) or ["ar"]
    queries, error = {}, BadQuery("empty")
    for language in languages:
        # Stop words differ by language: "the" is nothing in English, a word elsewhere.
        try:
            queries[language] = parse(text, language)
        except BadQuery as bad:
            error = bad
    if not queries:
        raise error
    stories = stories.order_by()
    found = []  # (-share of exact forms, 0 in the newsroom / 1 published, -score, id)
    for language, query in queries.items():
        in_language = stories.filter(edition__language=language)
        published = in_language.filter(status=Article.Status.PUBLISHED)
        for i, score, exact, _stems in _indexed(query, published):
            found.append((-_exact_share(query, exact), 1, -score, i))
        rest = (
            in_language.exclude(status=Article.Status.PUBLISHED)
            .select_related(None)
            .select_related("edition")
            .only("headline", "lead", "body", "edition__language")
        )
        for article in rest:
            # The terms the index would hold for it, were it published.
            terms = document_terms(article)
            fields = [(terms[f"exact_{f}"], terms[f"stem_{f}"]) for f in _FIELDS]
            if _holds(query, fields):
                exact = {t for field_exact, _s in fields for t in field_exact}
                found.append((-_exact_share(query, exact), 0, -_score(query, fields), article.pk))
    ids = [row[-1] for row in sorted(found, key=lambda row: row[:3])]
    code = text.strip()
    if _NEWS_CODE.fullmatch(code):
        first = list(stories.filter(news_code=int(normalize(code))).values_list("id", flat=True))
        ids = first + [i for i in ids if i not in first]
    return ids


def _indexed(query: Query, published) -> list:
    """Index rows (id, score, exact terms, stems) of the published stories holding every word:
    the all-words set first (no limit on how far down it reaches), then the terms of its best
    for ranking, in the engine's order."""
    engine = backend()
    sql, params = published.values("id", "published_at").query.sql_with_params()
    ids = engine.ranked_ids(query, sql, list(params), "relevance", limit=CANDIDATES)
    if not ids:
        return []
    best = Article.objects.filter(pk__in=ids).order_by().values("id", "published_at")
    sql, params = best.query.sql_with_params()
    # All of them ranked: the list is already cut to CANDIDATES.
    return engine.candidates(query, sql, list(params), CANDIDATES, scored=CANDIDATES)


def _exact_share(query: Query, exact: set[str]) -> float:
    if not query.terms:
        return 1.0
    return sum(1 for e, _s in query.terms if e in exact) / len(query.terms)


def _holds(query: Query, fields: list[tuple[list[str], list[str]]]) -> bool:
    """Every word (exact form or stem) somewhere, every phrase within one field."""
    exact = {t for field_exact, _s in fields for t in field_exact}
    stems = {t for _e, field_stems in fields for t in field_stems}
    if not all(e in exact or s in stems for e, s in query.terms):
        return False
    return all(
        any(_contains(field_exact, phrase) for field_exact, _s in fields)
        for phrase in query.phrases
    )


def _contains(terms: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(terms[i : i + n] == phrase for i in range(len(terms) - n + 1))


def _score(query: Query, fields) -> float:
    """Each word counts by the best field it is in, exact forms above stems, with the
    index's field weights."""
    weights = weights_for(query.language)
    total = 0.0
    for e, s in query.terms:
        total += max(
            (we if e in field_exact else ws if s in field_stems else 0.0)
            for (field_exact, field_stems), we, ws in zip(
                fields, weights[:3], weights[3:], strict=True
            )
        )
    return total

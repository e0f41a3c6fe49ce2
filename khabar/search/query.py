"""The query model and its parser, and the terms a story is indexed under: both sides of the
same analysis (khabar.lib.analysis), kept together so that what a reader types and what the
index holds are spelled the same way on either database."""

import re
from dataclasses import dataclass, field
from functools import cached_property

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

    # Computed once: a Query is complete when parse() returns it, and a page of snippets asks
    # for its words for every word it shows (service._matches).
    @cached_property
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
    """The terms a story is indexed under, per field: exact_headline, exact_lead, exact_body,
    stem_headline, stem_lead, stem_body (the story's edition loaded)."""
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

"""The relevance set (khabar/search/relevance/*.json) and its measures: nDCG@10, MRR and
recall@10 per language, and wrong results in the top ten for the hard negatives.

Used by bench/relevance.py (ours and the baselines, on scratch databases) and by the tests,
which hold our figures at or above the stored ones (relevance/expected.json).
"""

import json
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from khabar.news import actions
from khabar.news.demo import load_stories
from khabar.news.models import Article, Edition, Section

SET_DIR = Path(__file__).resolve().parent / "relevance"
EDITIONS = {
    "ar": {"name": "خبر", "locale": "ar_IQ", "numbering_system": "arab", "direction": "rtl"},
    "fa": {"name": "خبر", "locale": "fa_IR", "numbering_system": "arabext", "direction": "rtl"},
    "en": {"name": "Khabar", "locale": "en", "numbering_system": "latn", "direction": "ltr"},
}
K = 10


def load_set(language: str) -> dict | None:
    path = SET_DIR / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def corpus(language: str, data: dict) -> list[dict]:
    """The stories judged by a set: its own, and for Arabic the demo stories too."""
    stories = list(data["stories"])
    if language == "ar":
        stories += load_stories()
    return stories


def load_corpus(language: str, stories: list[dict]) -> tuple[Edition, dict[int, str]]:
    """Publish the stories in an edition of their language; returns {article id: key}."""
    edition, _ = Edition.objects.get_or_create(
        code=f"rel{language}", defaults={"language": language, **EDITIONS[language]}
    )
    sections = {}
    keys = {}
    for story in stories:
        name = story.get("section", "news")
        if name not in sections:
            sections[name], _ = Section.objects.get_or_create(
                edition=edition, slug=name, defaults={"name": name}
            )
        body = "".join(f"<p>{escape(p)}</p>" for p in story["body"])
        article = Article.objects.create(
            edition=edition, section=sections[name], headline=story["headline"],
            lead=story.get("lead", ""), body=body,
        )  # fmt: skip
        actions.do_publish(article)
        keys[article.pk] = story["key"]
    return edition, keys


@dataclass
class Scores:
    ndcg: float
    mrr: float
    recall: float
    wrong: int  # wrong results in the top ten of the hard negatives
    queries: int


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def score(queries: list[dict], ranked: dict[str, list[str]]) -> Scores:
    """`ranked` maps a query id to the story keys an engine returned, best first."""
    ndcgs, rrs, recalls, wrong = [], [], [], 0
    for query in queries:
        judged = query.get("judgments", {})
        results = ranked.get(query["id"], [])[:K]
        if query.get("kind") == "hard-negative":
            wrong += len(set(results) & set(query.get("wrong", [])))
            if not judged:
                continue
        ideal = dcg(sorted(judged.values(), reverse=True))
        ndcgs.append(dcg([judged.get(key, 0) for key in results]) / ideal if ideal else 0.0)
        rank = next((i for i, key in enumerate(results) if judged.get(key, 0) >= 2), None)
        rrs.append(1 / (rank + 1) if rank is not None else 0.0)
        relevant = {key for key, grade in judged.items() if grade >= 1}
        recalls.append(len(relevant & set(results)) / len(relevant) if relevant else 0.0)
    n = len(ndcgs) or 1
    return Scores(sum(ndcgs) / n, sum(rrs) / n, sum(recalls) / n, wrong, len(queries))


def run_ours(language: str, data: dict, edition: Edition, keys: dict[int, str]) -> Scores:
    from khabar.search.query import BadQuery
    from khabar.search.service import search

    ranked = {}
    for query in data["queries"]:
        try:
            page = search(edition, query["text"], page=1)
            ids = list(page.page.paginator.object_list)[:K]
        except BadQuery:
            ids = []
        ranked[query["id"]] = [keys[i] for i in ids if i in keys]
    return score(data["queries"], ranked)

"""Our search holds its measured relevance on the fixed set, on SQLite and on PostgreSQL."""

import json

import pytest

from khabar.search import relevance

pytestmark = pytest.mark.django_db

EXPECTED = json.loads((relevance.SET_DIR / "expected.json").read_text(encoding="utf-8"))
LANGUAGES = [lang for lang in relevance.EDITIONS if lang in EXPECTED]


@pytest.mark.parametrize("language", LANGUAGES)
def test_relevance_holds(language):
    data = relevance.load_set(language)
    edition, keys = relevance.load_corpus(language, relevance.corpus(language, data))
    scores = relevance.run_ours(language, data, edition, keys)
    expected = EXPECTED[language]
    assert scores.ndcg >= expected["ndcg"]
    assert scores.mrr >= expected["mrr"]
    assert scores.recall >= expected["recall"]
    assert scores.wrong <= expected["wrong"]


def test_measures():
    queries = [
        {"id": "q1", "judgments": {"a": 3, "b": 1}},
        {"id": "q2", "kind": "hard-negative", "judgments": {}, "wrong": ["x"]},
    ]
    perfect = relevance.score(queries, {"q1": ["a", "b"], "q2": []})
    assert (perfect.ndcg, perfect.mrr, perfect.recall, perfect.wrong) == (1.0, 1.0, 1.0, 0)
    poor = relevance.score(queries, {"q1": ["z", "b", "a"], "q2": ["x"]})
    assert poor.mrr == pytest.approx(1 / 3) and poor.wrong == 1 and poor.ndcg < 1

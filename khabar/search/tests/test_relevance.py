"""Our search holds its measured relevance on the fixed set, on SQLite and on PostgreSQL."""

import json

import pytest

from khabar.search import relevance

pytestmark = pytest.mark.django_db

EXPECTED = json.loads((relevance.SET_DIR / "expected.json").read_text(encoding="utf-8"))
LANGUAGES = [lang for lang in relevance.EDITIONS if lang in EXPECTED]


@pytest.mark.parametrize("language", LANGUAGES)
def test_relevance_holds(language):
    # Every edition's stories in the one index, as bench/relevance.py and a real site have
    # them: BM25's word statistics are the index's, not one edition's.
    loaded = {}
    for name in LANGUAGES:
        data = relevance.load_set(name)
        loaded[name] = (data, *relevance.load_corpus(name, relevance.corpus(name, data)))
    data, edition, keys = loaded[language]
    scores = relevance.run_ours(language, data, edition, keys)
    expected = EXPECTED[language]
    assert round(scores.ndcg, 3) >= expected["ndcg"]
    assert round(scores.mrr, 3) >= expected["mrr"]
    assert round(scores.recall, 3) >= expected["recall"]
    assert scores.wrong <= expected["wrong"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_stored_figures_keep_us_ahead_of_lucene(language):
    """The bar of the issue, on the stored figures (Lucene itself runs in bench/relevance.py,
    which needs Java): ahead of Lucene BM25 in Arabic, level with it in Persian and English,
    and no more wrong results for the hard negatives."""
    ours, lucene = EXPECTED[language], EXPECTED["lucene"][language]
    if language == "ar":
        assert ours["ndcg"] > lucene["ndcg"] and ours["mrr"] > lucene["mrr"]
    else:
        assert ours["ndcg"] >= lucene["ndcg"] and ours["mrr"] >= lucene["mrr"]
    assert ours["wrong"] <= lucene["wrong"]


def test_measures():
    queries = [
        {"id": "q1", "judgments": {"a": 3, "b": 1}},
        {"id": "q2", "kind": "hard-negative", "judgments": {}, "wrong": ["x"]},
    ]
    perfect = relevance.score(queries, {"q1": ["a", "b"], "q2": []})
    assert (perfect.ndcg, perfect.mrr, perfect.recall, perfect.wrong) == (1.0, 1.0, 1.0, 0)
    poor = relevance.score(queries, {"q1": ["z", "b", "a"], "q2": ["x"]})
    assert poor.mrr == pytest.approx(1 / 3) and poor.wrong == 1 and poor.ndcg < 1

"""Relevance of search on the fixed set in khabar/search/relevance/: nDCG@10, MRR and recall@10
per language, and wrong results in the top ten for hard negatives.

    .venv/bin/python bench/relevance.py                # SQLite, and PostgreSQL if it answers

Systems: ours on SQLite (FTS5 over the analyzer's terms) and on PostgreSQL (tsvector); ours
with Snowball's Arabic stemmer in place of our own (SQLite, Arabic); two
baselines on the raw text: SQLite FTS5 `unicode61 remove_diacritics 2`, and PostgreSQL's own
text search configuration (`arabic`, `simple` for Persian, `english`); and the peer, Lucene BM25
with its Arabic, Persian and English analyzers, run from the Anserini fat jar inside the PyPI
wheel of pyserini 0.21.0 on the machine's Java (skipped with a message where Java is absent).
Each database run is a child process on a scratch database.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "KHABAR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/khabar_relevance"
)
LANGUAGES = ["ar", "fa", "en"]
PG_CONFIG = {"ar": "arabic", "fa": "simple", "en": "english"}


def fts5_baseline(stories, queries, score):
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(key UNINDEXED, headline, lead, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(s["key"], s["headline"], s.get("lead", ""), " ".join(s["body"])) for s in stories],
    )
    ranked = {}
    for query in queries:
        tokens = re.findall(r"\w+", query["text"])
        if not tokens:
            ranked[query["id"]] = []
            continue
        match = " AND ".join(f'"{t}"' for t in tokens)
        rows = db.execute(
            "SELECT key FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 10.0, 4.0, 1.0) LIMIT 10",
            [match],
        ).fetchall()
        ranked[query["id"]] = [r[0] for r in rows]
    return score(queries, ranked)


def postgres_baseline(language, stories, queries, score):
    from django.db import connection

    config = PG_CONFIG[language]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS baseline (key text, doc tsvector)")
        cursor.execute("TRUNCATE baseline")
        for s in stories:
            cursor.execute(
                f"INSERT INTO baseline VALUES (%s, setweight(to_tsvector('{config}', %s), 'A') || "
                f"setweight(to_tsvector('{config}', %s), 'B') || "
                f"setweight(to_tsvector('{config}', %s), 'C'))",
                [s["key"], s["headline"], s.get("lead", ""), " ".join(s["body"])],
            )
        ranked = {}
        for query in queries:
            cursor.execute(
                f"SELECT key FROM baseline, plainto_tsquery('{config}', %s) q WHERE doc @@ q "
                "ORDER BY ts_rank_cd(doc, q) DESC LIMIT 10",
                [query["text"]],
            )
            ranked[query["id"]] = [r[0] for r in cursor.fetchall()]
    return score(queries, ranked)


JAR_NAME = "anserini-0.21.0-fatjar.jar"
JAR_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "khabar" / JAR_NAME


def anserini_jar() -> Path | None:
    """The Anserini fat jar from the pyserini 0.21.0 wheel on PyPI, fetched once and kept in
    the user's cache (no other part of pyserini is used)."""
    if JAR_CACHE.exists():
        return JAR_CACHE
    import zipfile

    with tempfile.TemporaryDirectory() as tmp:
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "pyserini==0.21.0", "-d", tmp],
            capture_output=True, text=True,
        )  # fmt: skip
        wheels = list(Path(tmp).glob("pyserini-0.21.0-*.whl"))
        if fetched.returncode or not wheels:
            return None
        with zipfile.ZipFile(wheels[0]) as wheel:
            data = wheel.read(f"pyserini/resources/jars/{JAR_NAME}")
    JAR_CACHE.parent.mkdir(parents=True, exist_ok=True)
    JAR_CACHE.write_bytes(data)
    return JAR_CACHE


def lucene_peer(language, stories, queries, score, jar):
    """Lucene BM25 with its own analyzer for the language, as Anserini runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "corpus").mkdir()
        with open(tmp / "corpus" / "docs.jsonl", "w", encoding="utf-8") as out:
            for s in stories:
                text = "\n".join([s["headline"], s.get("lead", ""), " ".join(s["body"])])
                out.write(json.dumps({"id": s["key"], "contents": text}, ensure_ascii=False))
                out.write("\n")
        with open(tmp / "topics.tsv", "w", encoding="utf-8") as out:
            for q in queries:
                out.write(f"{q['id']}\t{' '.join(q['text'].split())}\n")
        java = ["java", "-cp", str(jar)]
        subprocess.run(
            [*java, "io.anserini.index.IndexCollection", "-collection", "JsonCollection",
             "-input", str(tmp / "corpus"), "-index", str(tmp / "index"), "-generator",
             "DefaultLuceneDocumentGenerator", "-threads", "1", "-language", language,
             "-storePositions"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*java, "io.anserini.search.SearchCollection", "-index", str(tmp / "index"),
             "-topics", str(tmp / "topics.tsv"), "-topicreader", "TsvString", "-output",
             str(tmp / "run.txt"), "-bm25", "-language", language, "-hits", "10"],
            check=True, capture_output=True,
        )  # fmt: skip
        ranked: dict[str, list[str]] = {}
        for line in (tmp / "run.txt").read_text(encoding="utf-8").splitlines():
            qid, _q0, key, _rank, _score, _tag = line.split()
            ranked.setdefault(qid, []).append(key)
    return score(queries, ranked)


def lucene(results: dict) -> None:
    import shutil

    if shutil.which("java") is None:
        print("Java is not installed: the Lucene peer is skipped.")
        return
    jar = anserini_jar()
    if jar is None:
        print("The Anserini jar could not be fetched from PyPI: the Lucene peer is skipped.")
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    import django

    django.setup()
    from khabar.search import relevance

    for language in LANGUAGES:
        data = relevance.load_set(language)
        if data is not None:
            stories = relevance.corpus(language, data)
            scores = lucene_peer(language, stories, data["queries"], relevance.score, jar)
            results[f"lucene-bm25/{language}"] = vars(scores)


def with_snowball_arabic(data, edition, keys):
    """Our engine with Snowball's Arabic stemmer (PyStemmer) in place of our light stemmer, the
    rest unchanged: the comparison that decided which stemmer to keep."""
    import Stemmer

    from khabar.lib import analysis
    from khabar.news.models import Article
    from khabar.search import relevance
    from khabar.search.backends import backend

    ours = analysis.stem_arabic
    analysis.stem_arabic = Stemmer.Stemmer("arabic").stemWord
    analysis.stem.cache_clear()
    try:
        for article in Article.objects.filter(edition=edition).select_related("edition"):
            backend().index(article)
        return relevance.run_ours("ar", data, edition, keys)
    finally:
        analysis.stem_arabic = ours
        analysis.stem.cache_clear()
        for article in Article.objects.filter(edition=edition).select_related("edition"):
            backend().index(article)


def child() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from khabar.search import relevance

    call_command("migrate", verbosity=0)
    results = {}
    for language in LANGUAGES:
        data = relevance.load_set(language)
        if data is None:
            continue
        stories = relevance.corpus(language, data)
        edition, keys = relevance.load_corpus(language, stories)
        results[f"ours/{connection.vendor}/{language}"] = relevance.run_ours(
            language, data, edition, keys
        )
        if connection.vendor == "sqlite" and language == "ar":
            results["ours-snowball-ar/sqlite/ar"] = with_snowball_arabic(data, edition, keys)
        if connection.vendor == "sqlite":
            results[f"fts5-unicode61/{language}"] = fts5_baseline(
                stories, data["queries"], relevance.score
            )
        else:
            results[f"postgres-{PG_CONFIG[language]}/{language}"] = postgres_baseline(
                language, stories, data["queries"], relevance.score
            )
    print(json.dumps({k: vars(v) for k, v in results.items()}))


def run(database: str) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore::UserWarning"}
    with tempfile.TemporaryDirectory() as data_dir:
        env["KHABAR_DATA_DIR"] = data_dir
        admin = None
        if database == "postgres":
            import psycopg

            admin_url = urllib.parse.urlsplit(PG_URL)._replace(path="/postgres").geturl()
            name = urllib.parse.urlsplit(PG_URL).path.lstrip("/")
            try:
                admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
            except psycopg.OperationalError:
                print("PostgreSQL not reachable: skipped")
                return {}
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = PG_URL
        else:
            env.pop("DATABASE_URL", None)
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--child"], cwd=ROOT, env=env, check=True,
                capture_output=True, text=True,
            )  # fmt: skip
            return json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child()
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {}
    for database in databases:
        results.update(run(database))
    lucene(results)
    print(f"{'system / language':<28} {'nDCG@10':>8} {'MRR':>7} {'R@10':>7} {'wrong':>6} queries")
    for name in sorted(results, key=lambda n: (n.rsplit("/", 1)[1], n)):
        s = results[name]
        print(f"{name:<28} {s['ndcg']:8.3f} {s['mrr']:7.3f} {s['recall']:7.3f} "
              f"{s['wrong']:6d} {s['queries']}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Publication to fresh page: how long after an editor saves a correction readers get it through
the embedded page cache, on the story's page, the front page, its section, its tag and the feed.

    .venv/bin/python bench/purge.py                       # SQLite, 10 corrections
    .venv/bin/python bench/purge.py --rounds 20 --workers 4
    .venv/bin/python bench/purge.py --database postgres://postgres@127.0.0.1:5432/khabar_bench

A scratch data directory gets the demo site; gunicorn (--workers, sync) serves it behind the
embedded cache, as bin/run does. Each round warms the five pages (each answered from the cache),
saves a correction of a demo story in this process (the desk: commit, then purge after commit),
and five readers side by side ask for their page again until the new headline shows. Printed:
the save (commit and purge), the time until the last of the five pages is fresh, and whether
any reader was answered a stale page after the save returned (the purge is exact and
synchronous, so there should be none). The peer, measured in the same run: the same five pages
rendered by Django with the cache missing (what any fresh answer costs at least), and the
freshness a cache without purge gives (the pages' max-age, waited out, not measured).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database", default="", help="a DATABASE_URL (default: SQLite)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="khabar_purge_bench_"))
    os.environ.update(KHABAR_DATA_DIR=str(data_dir), KHABAR_PAGE_CACHE="embedded", DEBUG="0",
                      DJANGO_SETTINGS_MODULE="khabar.settings")  # fmt: skip
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from khabar.news.models import Article
    from khabar.newsroom.actions import do_correct
    from khabar.pagecache.tests.servers import (
        app_environment,
        collect_static,
        read_page,
        start_gunicorn,
        stop,
    )

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    static = collect_static(data_dir / "static")
    editor = User.objects.filter(username="bench-editor").first() or User.objects.create_superuser(
        "bench-editor", "bench@example.org", "pass-phrase-123"
    )
    stories = list(
        Article.objects.published().filter(tags__isnull=False).distinct()
        .select_related("edition", "section__edition")[: args.rounds]
    )  # fmt: skip
    database = args.database or f"sqlite:///{data_dir / 'khabar.sqlite3'}"
    process, base = start_gunicorn(data_dir, database_url=database, static=static,
                                   workers=args.workers, **app_environment())  # fmt: skip
    saves, fresh_times, renders, stale_answers = [], [], [], 0
    try:
        for number, story in enumerate(stories * (args.rounds // len(stories) + 1)):
            if number >= args.rounds:
                break
            story.refresh_from_db()
            tag = story.tags.first()
            urls = [story.get_absolute_url(), f"/{story.edition.code}/",
                    story.section.get_absolute_url(), tag.get_absolute_url(),
                    f"/{story.edition.code}/feeds/rss.xml"]  # fmt: skip
            for url in urls:
                for _ in range(2):
                    seen, _text = read_page(base, url)
                assert seen == "HIT", (url, seen)
            headline = f"{story.headline.split(' — ')[0]} — تصحيح {number + 1}"
            started = time.monotonic()
            do_correct(editor, story, kind="correction", note="صُحّح العنوان.",
                       base_revision=story.revision, headline=headline)  # fmt: skip
            saves.append(time.monotonic() - started)
            stale = []

            def fresh_after(url, headline=headline, started=started, stale=stale):
                while time.monotonic() - started < 10:
                    if headline in read_page(base, url)[1]:
                        return time.monotonic() - started
                    stale.append(url)
                return float("inf")

            with ThreadPoolExecutor(len(urls)) as readers:
                fresh_times.append(max(readers.map(fresh_after, urls)))
            stale_answers += len(stale)
            # The peer: the same five pages rendered with the cache missing (purged by hand),
            # side by side as above.
            from khabar.pagecache.purge import embedded_store
            from khabar.settings import KHABAR_PAGE_CACHE_DIR

            embedded_store(KHABAR_PAGE_CACHE_DIR).clear()
            begun = time.monotonic()
            with ThreadPoolExecutor(len(urls)) as readers:
                list(readers.map(lambda url: read_page(base, url), urls))
            renders.append(time.monotonic() - begun)
    finally:
        stop(process)

    def ms(values, fraction):
        return f"{percentile(values, fraction) * 1000:.0f} ms"

    engine = "PostgreSQL" if args.database.startswith("postgres") else "SQLite"
    print(f"publication to fresh page, embedded cache, gunicorn {args.workers} sync workers, "
          f"{engine}, {len(fresh_times)} corrections, 5 pages each (article, front, section, "
          f"tag, feed)")  # fmt: skip
    print(f"  save (commit + purge):          median {ms(saves, 0.5)}, max {ms(saves, 1)}")
    print(f"  save to all 5 pages fresh:      median {ms(fresh_times, 0.5)}, "
          f"p95 {ms(fresh_times, 0.95)}, max {ms(fresh_times, 1)}")  # fmt: skip
    print(f"  peer, the 5 pages uncached:     median {ms(renders, 0.5)}")
    ratio = statistics.median(fresh_times) / statistics.median(renders)
    print(f"  fresh / uncached render:        {ratio:.2f}x")
    print(f"  stale answers after the save:   {stale_answers}")
    print("  without purge (max-age only):   up to KHABAR_PAGE_MAX_AGE (60 s by default)")


if __name__ == "__main__":
    main()

"""Publication to fresh page: how long after an editor saves a correction readers get it through
the embedded page cache, nginx's file tree and Varnish, on the story's page, the front page, its
section, its tag, the tag's list with a query string (`?page=N`, the page that shows the story)
and the feed.

    .venv/bin/python bench/purge.py                       # SQLite, 10 corrections
    .venv/bin/python bench/purge.py --rounds 20 --workers 4
    .venv/bin/python bench/purge.py --database postgres://postgres@127.0.0.1:5432/khabar_bench

A scratch data directory gets the demo site; gunicorn (--workers, sync) serves it behind the
embedded cache, as bin/run does; when installed, nginx (deploy/nginx/khabar.conf, plain HTTP)
sends the page cache's files in front of it, and a Varnish (deploy/varnish) sits in front of it
too. Each round warms the six pages (each answered from the cache), saves a correction of a demo
story in this process (the desk: commit, then purge after commit, of the embedded cache, which
removes the files nginx sends, and of the Varnish), and six readers side by side ask for their
page again until the new headline shows. Printed: the save (commit and purge), the time until
the last of the six pages is fresh, and whether any reader was answered a stale page after the
save returned (the purge is exact and synchronous, so there should be none). The peer, measured
in the same run: the same six pages rendered by Django with the cache missing (what any fresh
answer costs at least), and the freshness a cache without purge gives (the pages' max-age,
waited out, not measured).
"""

import argparse
import os
import shutil
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
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from khabar.news.models import Article
    from khabar.pagecache.tests.servers import (
        app_environment,
        collect_static,
        start_gunicorn,
        start_nginx,
        start_varnish,
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
    process, app_base = start_gunicorn(data_dir, database_url=database, static=static,
                                       workers=args.workers, **app_environment())  # fmt: skip
    started_servers = [process]
    fronts = [("embedded cache (gunicorn)", app_base)]
    try:
        if shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists():
            varnish, varnish_base = start_varnish(data_dir / "varnish", [app_base])
            started_servers.append(varnish)
            settings.KHABAR_VARNISH_URLS = [varnish_base]  # the desk purges it too
            fronts.append(("Varnish (xkey) before the embedded cache", varnish_base))
        else:
            print("varnishd is not installed: Varnish not measured")
        if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
            nginx, _http, nginx_base = start_nginx(data_dir / "nginx", app=app_base,
                                                   data_dir=data_dir, tls=False)  # fmt: skip
            started_servers.append(nginx)
            fronts.append(("nginx file tree before the embedded cache", nginx_base))
        else:
            print("nginx is not installed: nginx not measured")
        results = [(name, rounds(base, stories, editor, args.rounds)) for name, base in fronts]
    finally:
        for server in reversed(started_servers):
            stop(server)

    def ms(values, fraction):
        return f"{percentile(values, fraction) * 1000:.0f} ms"

    engine = "PostgreSQL" if args.database.startswith("postgres") else "SQLite"
    for name, (saves, fresh_times, renders, stale_answers) in results:
        print(f"publication to fresh page through the {name}, gunicorn {args.workers} sync "
              f"workers, {engine}, {len(fresh_times)} corrections, 6 pages each (article, "
              f"front, section, tag, tag ?page=N, feed)")  # fmt: skip
        print(f"  save (commit + purge):          median {ms(saves, 0.5)}, max {ms(saves, 1)}")
        print(f"  save to all 6 pages fresh:      median {ms(fresh_times, 0.5)}, "
              f"p95 {ms(fresh_times, 0.95)}, max {ms(fresh_times, 1)}")  # fmt: skip
        print(f"  peer, the 6 pages uncached:     median {ms(renders, 0.5)}")
        ratio = statistics.median(fresh_times) / statistics.median(renders)
        print(f"  fresh / uncached render:        {ratio:.2f}x")
        print(f"  stale answers after the save:   {stale_answers}")
    print("without purge (max-age only): up to KHABAR_PAGE_MAX_AGE (60 s by default)")


def shows(text: str, headline: str) -> bool:
    """Whether a page (HTML, escaped by the templates) or a feed (XML) shows the headline."""
    from django.utils.html import escape

    return headline in text or escape(headline) in text


def listed(base, list_url, headline):
    """The list's page with a query string (?page=N) that shows the story."""
    from khabar.pagecache.tests.servers import fetch

    for number in range(1, 20):
        status, _headers, body = fetch(f"{base}{list_url}?page={number}")
        if status != 200:
            break
        if shows(body.decode(), headline):
            return f"{list_url}?page={number}"
    raise AssertionError(f"{headline} is on no page of {list_url}")


def rounds(base, stories, editor, count):
    """`count` corrections read through `base`: (saves, fresh times, uncached renders, stale
    answers after the save)."""
    from khabar.newsroom.actions import do_correct
    from khabar.pagecache.purge import purge
    from khabar.pagecache.tests.servers import read_page

    saves, fresh_times, renders, stale_answers = [], [], [], 0
    for number, story in enumerate(stories * (count // len(stories) + 1)):
        if number >= count:
            break
        story.refresh_from_db()
        tag = story.tags.first()
        urls = [story.get_absolute_url(), f"/{story.edition.code}/",
                story.section.get_absolute_url(), tag.get_absolute_url(),
                listed(base, tag.get_absolute_url(), story.headline),
                f"/{story.edition.code}/feeds/rss.xml"]  # fmt: skip
        for url in urls:
            for _ in range(2):
                read_page(base, url)
        headline = f"{story.headline.split(' — ')[0]} — تصحيح {time.monotonic():.0f}"
        started = time.monotonic()
        do_correct(editor, story, kind="correction", note="صُحّح العنوان.",
                   base_revision=story.revision, headline=headline)  # fmt: skip
        saves.append(time.monotonic() - started)
        stale = []

        def fresh_after(url, headline=headline, started=started, stale=stale):
            while time.monotonic() - started < 10:
                if shows(read_page(base, url)[1], headline):
                    return time.monotonic() - started
                stale.append(url)
            return float("inf")

        with ThreadPoolExecutor(len(urls)) as readers:
            fresh_times.append(max(readers.map(fresh_after, urls)))
        stale_answers += len(stale)
        # The peer: the same six pages rendered with every cache missing (purged by their
        # keys), read side by side as above.
        purge([f"s{story.news_code}", f"f{story.edition.code}", f"feed-{story.edition.code}"])
        begun = time.monotonic()
        with ThreadPoolExecutor(len(urls)) as readers:
            list(readers.map(lambda url: read_page(base, url), urls))
        renders.append(time.monotonic() - begun)
    return saves, fresh_times, renders, stale_answers


if __name__ == "__main__":
    main()

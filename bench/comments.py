"""Comment threads of 10,000 comments: server time of the first and of a later comments page.

    .venv/bin/python bench/comments.py                  # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/comments.py --database sqlite --requests 500

Each database run happens in a fresh child process on a scratch database (a temporary SQLite
file, or a `khabar_bench` PostgreSQL database that is dropped afterwards). The time measured is
Django's whole handling of GET /<edition>/comments/<code>?partial=1 — middleware, queries,
templates — through the test client, without network. Target: p95 <= 30 ms on both databases,
with the same number of queries for 10 comments as for 10,000.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "KHABAR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/khabar_bench"
)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def seed(article, total: int, top_level_share: float = 0.3):
    """`total` approved comments: a share at the top level, the rest replies at depths 1-3."""
    import random

    from django.utils import timezone

    from khabar.comments.models import Comment
    from khabar.news.models import Article

    rng = random.Random(7)
    now = timezone.now()
    words = [
        "خبر",
        "تعليق",
        "رأي",
        "شكرًا",
        "الوزارة",
        "المدينة",
        "الماء",
        "الكهرباء",
        "الطلاب",
        "المستشفى",
    ]
    top_count = int(total * top_level_share)

    def text():
        return " ".join(rng.choice(words) for _ in range(rng.randint(6, 40)))

    tops = Comment.objects.bulk_create(
        Comment(article=article, name=f"قارئ {i}", body=text(), status="approved",
                created_at=now, approved_at=now)
        for i in range(top_count)
    )  # fmt: skip
    for comment in tops:
        comment.root_id = comment.pk
        comment.path = f"{comment.pk:012d}"
    Comment.objects.bulk_update(tops, ["root", "path"], batch_size=1000)
    pool = list(tops)
    replies = []
    for i in range(total - top_count):
        parent = rng.choice(pool)
        if parent.depth >= 3:
            parent = tops[rng.randrange(len(tops))]
        replies.append(
            Comment(article=article, parent=parent, root_id=parent.root_id, depth=parent.depth + 1,
                    name=f"مجيب {i}", body=text(), status="approved", approved_at=now)
        )  # fmt: skip
        if len(replies) == 1000 or i == total - top_count - 1:
            created = Comment.objects.bulk_create(replies)
            for reply in created:
                reply.path = f"{reply.parent.path}/{reply.pk:012d}"
            Comment.objects.bulk_update(created, ["path"], batch_size=1000)
            pool.extend(created)
            replies = []
    # created_at is auto_now_add: spread the top-level comments over a day for realistic order.
    for offset, comment in enumerate(tops):
        comment.created_at = now - timezone.timedelta(seconds=offset)
    Comment.objects.bulk_update(tops, ["created_at"], batch_size=1000)
    Article.objects.filter(pk=article.pk).update(comment_count=total, comments_changed_at=now)


def measure(path: str, requests: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(10):  # warm up
        client.get(path)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return timings, len(queries), response


def child(requests: int, total: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    os.environ.setdefault("KHABAR_COMMENT_PAGE_SIZE", "20")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from khabar.news import actions
    from khabar.news.models import Article, Edition, Section

    call_command("migrate", verbosity=0)
    edition = Edition.objects.create(code="ar", name="خبر", language="ar", locale="ar_IQ",
                                     numbering_system="arab", is_default=True)  # fmt: skip
    section = Section.objects.create(edition=edition, name="اقتصاد", slug="اقتصاد")
    small = Article.objects.create(edition=edition, section=section, headline="قليل", body="نص")
    big = Article.objects.create(edition=edition, section=section, headline="كثير", body="نص")
    for article in (small, big):
        actions.do_publish(article)
    started = time.perf_counter()
    seed(small, 10)
    seed(big, total)
    # As autovacuum (PostgreSQL) or a periodic ANALYZE would: planner statistics for the new rows.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - started

    from django.conf import settings

    base = f"/ar/comments/{big.news_code}?partial=1"
    # Rendered every time, as on a cache miss; then as served from the region cache.
    settings.KHABAR_COMMENT_REGION_CACHE_SECONDS = 0
    first, first_queries, response = measure(base, requests)
    # A later page: follow the "more comments" cursor fifty pages in.
    path = base
    for _ in range(50):
        html = Client().get(path).content.decode()
        marker = 'data-more-comments href="'
        href = html[html.index(marker) + len(marker) :].split('"')[0].replace("&amp;", "&")
        query = urllib.parse.urlsplit(href).query
        path = f"/ar/comments/{big.news_code}?{query}&partial=1"
    later, later_queries, _ = measure(path, requests)
    _, small_queries, _ = measure(f"/ar/comments/{small.news_code}?partial=1", 5)
    settings.KHABAR_COMMENT_REGION_CACHE_SECONDS = 300
    cached_first, cached_queries, _ = measure(base, requests)
    cached_later, _, _ = measure(path, requests)

    print(f"database: {connection.vendor}  comments on the story: {total:,}  "
          f"(seeded in {seed_seconds:.1f} s)  requests per page: {requests}")  # fmt: skip
    for name, timings, queries in [
        ("first page", first, first_queries),
        ("page 51", later, later_queries),
        ("first page, region cache", cached_first, cached_queries),
        ("page 51, region cache", cached_later, cached_queries),
    ]:
        print(f"  {name:<25} p50 {statistics.median(timings):6.2f} ms   "
              f"p95 {percentile(timings, 0.95):6.2f} ms   max {max(timings):6.2f} ms   "
              f"queries {queries}")  # fmt: skip
    print(f"  queries for a story with 10 comments: {small_queries}; with {total:,}: "
          f"{first_queries}")  # fmt: skip
    print(f"  first page: {len(response.content) / 1024:.0f} KiB of HTML")


def run(database: str, requests: int, total: int) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khabar.settings",
           "PYTHONWARNINGS": "ignore::UserWarning"}  # fmt: skip
    with tempfile.TemporaryDirectory() as data_dir:
        env["KHABAR_DATA_DIR"] = data_dir
        if database == "postgres":
            import psycopg

            admin_url = urllib.parse.urlsplit(PG_URL)._replace(path="/postgres").geturl()
            name = urllib.parse.urlsplit(PG_URL).path.lstrip("/")
            try:
                admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
            except psycopg.OperationalError as error:
                print(f"PostgreSQL not reachable ({error}); skipped")
                return 0
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = PG_URL
        else:
            env.pop("DATABASE_URL", None)
        try:
            return subprocess.call(
                [sys.executable, __file__, "--child", "--requests", str(requests),
                 "--comments", str(total)],
                cwd=ROOT, env=env,
            )  # fmt: skip
        finally:
            if database == "postgres":
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.requests, args.comments)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    status = 0
    for database in databases:
        status |= run(database, args.requests, args.comments)
    sys.exit(status)


if __name__ == "__main__":
    main()

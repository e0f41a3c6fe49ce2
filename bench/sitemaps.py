"""Sitemaps at scale: time and memory of a full story sitemap page (50,000 URLs) and of the index.

    .venv/bin/python bench/sitemaps.py                      # 120,000 stories on SQLite
    .venv/bin/python bench/sitemaps.py --size 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/khabar_bench_sitemaps \
        .venv/bin/python bench/sitemaps.py                  # on a scratch PostgreSQL database

Runs on a scratch data directory (SQLite) or the database named by DATABASE_URL, which it
flushes: never point it at real data. Stories carry a 5,000-character body that the sitemap must
not read.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=120_000)
    args = parser.parse_args()
    os.environ.setdefault("KHABAR_DATA_DIR", tempfile.mkdtemp(prefix="khabar-bench-sitemaps-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "khabar.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from khabar.news.models import Article, Edition

    call_command("migrate", verbosity=0)
    if Article.objects.count() == args.size and Edition.objects.filter(code="ar").exists():
        print(f"{args.size:,} stories already there (KHABAR_DATA_DIR or DATABASE_URL)")
    else:
        create(args.size)
    run(args.size)


def create(size):
    from django.core.management import call_command
    from django.db import connection

    from khabar.news.models import Article, Edition, Section

    call_command("flush", interactive=False, verbosity=0)
    edition = Edition.objects.create(code="ar", name="خبر", language="ar", locale="ar_IQ")
    section = Section.objects.create(edition=edition, name="اقتصاد", slug="اقتصاد")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    body = "<p>" + "نص الخبر " * 550 + "</p>"
    made = time.perf_counter()
    for offset in range(0, size, 5_000):
        Article.objects.bulk_create(
            Article(edition=edition, section=section, headline=f"خبر رقم {n}", slug=f"خبر-{n}",
                    body=body, status="published", news_code=100_001 + n,
                    published_at=start + timedelta(minutes=n), updated_at=start)
            for n in range(offset, min(offset + 5_000, size))
        )  # fmt: skip
    print(f"{size:,} stories on {connection.vendor} in {time.perf_counter() - made:.0f} s")


def run(size):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for label, url in [
        ("index", "/sitemap.xml"),
        ("stories, page 1", "/sitemap-ar-stories.xml"),
        ("stories, last page", f"/sitemap-ar-stories.xml?p={-(-size // 50_000)}"),
    ]:
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        took = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        print(
            f"{label:20} {took * 1000:7.0f} ms  {len(response.content) / 1e6:5.1f} MB  "
            f"{len(queries.captured_queries)} queries, peak RSS so far "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()

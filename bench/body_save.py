"""Saving the largest story bodies the editor accepts: time of each save against a 1 s target.

    .venv/bin/python bench/body_save.py                  # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/body_save.py --database sqlite --repeat 5

Each body is posted by a reporter to the story editor (POST /desk/stories/<id>/, "save"), the
path a journalist's save takes: the form checks the length and the nesting, cleans the body once
(nh3), do_save writes the story and its revision. The time is Django's whole handling of the
request through the test client, without network, after one save to warm up; beside it, the CPU
time of the save's process (what the wall time would be without other work on the machine;
PostgreSQL's own time is not in it) and the CPU time of clean_body alone; the target is held
against the CPU time, as this machine may be busy with other work. Bodies are
KHABAR_BODY_MAX_CHARS long (500,000 characters by default) and nested up to
KHABAR_BODY_MAX_DEPTH (40); for a refused body, the time is the time to refuse it. Each
database run happens in a fresh child process on a scratch database, as bench/comments.py does.
"""

import argparse
import contextlib
import logging
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
    "KHABAR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/khabar_bench_body"
)
TARGET = 1.0  # seconds per save
SENTENCE = "قال مسؤول في وزارة الموارد المائية إن المشروع سينتهي قبل نهاية العام المقبل. "


def fill(unit: str, limit: int, head: str = "", tail: str = "") -> str:
    """`unit` repeated as often as it fits in `limit` characters between head and tail."""
    return head + unit * ((limit - len(head) - len(tail)) // len(unit)) + tail


def shapes(limit: int, depth: int) -> list[tuple[str, str, bool]]:
    """(name, body, accepted?)"""
    nested = (
        "<blockquote>" * (depth - 1) + "<p>" + SENTENCE + "</p>" + "</blockquote>" * (depth - 1)
    )
    divs = "<div>" * (depth - 1) + "<p>" + SENTENCE + "</p>" + "</div>" * (depth - 1)
    return [
        ("plain Arabic text, paragraphs", fill(SENTENCE * 4 + "\n\n", limit), True),
        ("flat Arabic <p> paragraphs", fill("<p>" + SENTENCE * 4 + "</p>\n", limit), True),
        (f"<blockquote> nested {depth} deep, repeated", fill(nested, limit), True),
        (f"<div> nested {depth} deep, repeated", fill(divs, limit), True),
        ("many links (one host)",
         fill('<p>انظر <a href="https://example.org/report/1">التقرير</a> والبيان.</p>', limit),
         True),
        ("many links (199 hosts in Arabic letters, one again)",
         fill('<p>انظر <a href="https://موقع.example/report/1">التقرير</a> والبيان.</p>', limit,
              "".join(f'<p><a href="https://موقع{n}.example/">رابط</a></p>' for n in range(199))),
         True),
        ("links to 20,000 hosts in Arabic letters (refused)",
         "".join(f'<p><a href="https://موقع{n}.example/">رابط</a></p>' for n in range(20_000))[
             : limit - 200].rsplit("<p>", 1)[0], False),
        ("many library images",
         fill('<figure><img src="/media/2024/photo.jpg" alt="صورة"><figcaption>تعليق'
              "</figcaption></figure>", limit), True),
        (f"<div> nested {depth + 1} deep (refused)",
         fill(SENTENCE, limit, "<div>" * (depth + 1)), False),
        ("<div> nested 100,000 deep (refused)", fill("<div>", limit), False),
        ("over the length limit (refused)", "<p>" + "ن" * limit + "</p>", False),
    ]  # fmt: skip


def child(repeat: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from khabar.lib.html import BodyRefused, clean_body
    from khabar.news.models import Edition, Section
    from khabar.newsroom import actions
    from khabar.newsroom.roles import REPORTERS

    call_command("migrate", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # refusals are expected here
    # A refused save shows the editor again; its {% static %} needs no collectstatic here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    edition = Edition.objects.create(code="ar", name="خبر", language="ar", locale="ar_IQ",
                                     numbering_system="arab", is_default=True)  # fmt: skip
    section = Section.objects.create(edition=edition, name="اقتصاد", slug="اقتصاد")
    reporter = User.objects.create_user("rana", password="x")
    reporter.groups.add(Group.objects.get(name=REPORTERS))  # made by migrate (ensure_roles)
    story = actions.do_create(reporter, edition=edition, section=section, headline="خبر طويل",
                              lead="", body="<p>نص.</p>", tags=[])  # fmt: skip
    client = Client()
    client.force_login(reporter)
    limit, depth = settings.KHABAR_BODY_MAX_CHARS, settings.KHABAR_BODY_MAX_DEPTH

    print(f"database: {connection.vendor}  body limit: {limit:,} characters, nesting "
          f"{depth}  saves per shape: {repeat}  target: {TARGET:.1f} s per save")  # fmt: skip
    worst = 0.0
    for name, body, accepted in shapes(limit, depth):
        timings, cpu, cleaning = [], [], []
        for attempt in range(repeat + 1):  # the first save warms up (templates, caches)
            story.refresh_from_db()
            data = {"headline": story.headline, "lead": "", "body": body,
                    "section": section.pk, "tags": "", "source": "", "comment_mode": "",
                    "base_revision": story.revision, "action": "save"}  # fmt: skip
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.post(f"/desk/stories/{story.pk}/", data)
            if attempt:
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            expected = 302 if accepted else 400
            assert response.status_code == expected, (name, response.status_code)
            started = time.process_time()
            with contextlib.suppress(BodyRefused):  # refused bodies: the time to refuse
                clean_body(body)
            if attempt:
                cleaning.append(time.process_time() - started)
        median = statistics.median(timings)
        worst = max(worst, max(cpu))
        verdict = "ok" if max(cpu) <= TARGET else "OVER"
        print(f"  {name:<44} {len(body):>9,} chars  {'saved' if accepted else 'refused':<7} "
              f"save p50 {median:6.3f} s  max {max(timings):6.3f} s  "
              f"(CPU max {max(cpu):6.3f} s)  "
              f"clean_body CPU {statistics.median(cleaning):6.3f} s  {verdict}")  # fmt: skip
    print(
        f"  slowest save: {worst:.3f} s ({'within' if worst <= TARGET else 'OVER'} the 1 s target)"
    )


def run(database: str, repeat: int) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khabar.settings",
           "PYTHONWARNINGS": "ignore::UserWarning", "PYTHONPATH": str(ROOT)}  # fmt: skip
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
                [sys.executable, __file__, "--child", "--repeat", str(repeat)], cwd=ROOT, env=env
            )
        finally:
            if database == "postgres":
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.repeat)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    status = 0
    for database in databases:
        status |= run(database, args.repeat)
    sys.exit(status)


if __name__ == "__main__":
    main()

"""Publish to push: seconds from a story's publication (committed) to its POST reaching a
partner's webhook, on the demo site, with `manage.py db_worker` running as bin/run starts it.

    .venv/bin/python bench/pushes.py                    # 20 publications on SQLite
    .venv/bin/python bench/pushes.py --stories 50 --partners 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/khabar_bench_pushes \
        .venv/bin/python bench/pushes.py                # on a scratch PostgreSQL database

Runs on a scratch data directory (SQLite) or the database named by DATABASE_URL, which it
flushes and fills with the demo: never point it at real data.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--partners", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("KHABAR_DATA_DIR", tempfile.mkdtemp(prefix="khabar-bench-pushes-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "khabar.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from khabar.api import webhooks
    from khabar.api.models import Partner, Webhook
    from khabar.api.tests.receiver import Receiver
    from khabar.news.models import Article, Edition, Section
    from khabar.newsroom import actions
    from khabar.newsroom.roles import EDITORS

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # the roles again
    call_command("seed_demo", stdout=StringIO())
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    edition = Edition.objects.get(code="ar")
    section = Section.objects.filter(edition=edition).first()
    receivers = [Receiver() for _ in range(args.partners)]
    for n, receiver in enumerate(receivers):
        partner = Partner.objects.create(name=f"bench partner {n}")
        partner.editions.set([edition])
        Webhook.objects.create(partner=partner, url=receiver.url, secret=webhooks.new_secret())
    environment = {**os.environ, "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity", "0"],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    try:
        delays = []
        for n in range(args.stories + 1):
            story = Article.objects.create(
                edition=edition, section=section, headline=f"خبر القياس {n}", body="<p>نص.</p>"
            )
            started = time.monotonic()
            actions.do_publish_now(editor, story)
            for receiver in receivers:
                if not receiver.wait_for(n + 1, 60):
                    raise SystemExit("a push did not arrive within 60 s")
            if n:  # the first one waits for the worker to start
                delays += [r.pushes[-1][2] - started for r in receivers]
        delays.sort()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
        p95 = delays[int(len(delays) * 0.95) - 1]
        print(f"{args.stories} publications x {args.partners} partners, {engine}: publish -> "
              f"push median {statistics.median(delays):.2f} s, p95 {p95:.2f} s, "
              f"max {delays[-1]:.2f} s")  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        for receiver in receivers:
            receiver.close()


if __name__ == "__main__":
    main()

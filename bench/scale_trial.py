"""The scaled set-up of docs/scaling.md, tried with real processes on one machine: two gunicorn
app servers (stateless: their own data directories, one SECRET_KEY) on a PostgreSQL primary with
a streaming read replica and Redis, two `manage.py db_worker` processes, and Varnish balancing
the app servers by their /health. Prints what each step saw; stops everything it started.

    # a hot standby of the local primary on port 5433 (docs/scaling.md, "Read replicas")
    .venv/bin/python bench/scale_trial.py \
        --primary postgres://postgres@127.0.0.1:5432/khabar_scale_trial \
        --replica postgres://postgres@127.0.0.1:5433/khabar_scale_trial \
        --redis redis://127.0.0.1:6379/6 --ports 18601 --replica-data /tmp/pgreplica

The trial database is dropped and created again: never point it at real data. --replica-data
(the standby's data directory) lets the trial stop and start the replica to show a replica
going down; without it that step is skipped.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"


def get(url, headers=None, timeout=10):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_listening(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def replica_reads(replica_url):
    """Rows the replica has returned for the trial database, from its statistics."""
    return int(psql(replica_url, "SELECT tup_returned + tup_fetched FROM pg_stat_database "
                                 "WHERE datname = current_database()"))  # fmt: skip


def step(title):
    print(f"\n== {title}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--primary", required=True)
    parser.add_argument("--replica", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--ports", type=int, default=18601, help="first of four ports")
    parser.add_argument("--replica-data", help="the standby's data directory (pg_ctl -D)")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    primary, replica = urllib.parse.urlsplit(args.primary), urllib.parse.urlsplit(args.replica)
    name = primary.path.lstrip("/")
    admin_url = args.primary.rsplit("/", 1)[0] + "/postgres"
    if psql(args.replica.rsplit("/", 1)[0] + "/postgres", "SELECT pg_is_in_recovery()") != "t":
        raise SystemExit("--replica is not a standby (pg_is_in_recovery() is false)")
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_url, f'CREATE DATABASE "{name}"')

    work = Path(tempfile.mkdtemp(prefix="khabar-scale-trial-"))
    work.chmod(0o755)  # varnishd, run as root, reads its files as its own user
    secret = secrets.token_urlsafe(50)
    common = {
        **os.environ, "DATABASE_URL": args.primary, "REDIS_URL": args.redis,
        "SECRET_KEY": secret, "KHABAR_HASH_SALT": secrets.token_hex(16), "DEBUG": "0",
        "KHABAR_COMMENT_MIN_SECONDS": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }  # fmt: skip
    os.environ.update({**common, "KHABAR_DATA_DIR": str(work / "script")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "khabar.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from khabar.comments import actions as comments_actions
    from khabar.comments.models import Comment
    from khabar.health.tests.tasks import take
    from khabar.news.models import Article
    from khabar.newsroom import actions
    from khabar.testing import comment_data, post_comment_to

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--demo-users", stdout=StringIO())
    editor = User.objects.get(username="editor")

    processes, varnish_dir = [], work / "varnish"
    app_ports = [args.ports, args.ports + 1]
    front_port, admin_port = args.ports + 2, args.ports + 3
    try:
        for n, port in enumerate(app_ports, start=1):
            data = work / f"app{n}"
            env = {**common, "KHABAR_DATA_DIR": str(data), "DATABASE_REPLICA_URLS": args.replica}
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                           cwd=ROOT, env=env, check=True)  # fmt: skip
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                 f"127.0.0.1:{port}", "--access-logfile", "-", "khabar.wsgi:application"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        workers = []
        for n in range(2):
            env = {**common, "KHABAR_DATA_DIR": str(work / f"worker{n}")}
            workers.append(subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2",
                 "--worker-id", f"worker-{n}", "--verbosity", "0"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        processes += workers
        vcl = work / "trial.vcl"
        vcl.write_text(VCL % {"app1": app_ports[0], "app2": app_ports[1]})
        processes.append(subprocess.Popen(
            ["varnishd", "-F", "-n", str(varnish_dir), "-a", f"127.0.0.1:{front_port}",
             "-T", f"127.0.0.1:{admin_port}", "-f", str(vcl), "-s", "malloc,32m"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        for port in [*app_ports, front_port]:
            wait_listening(f"http://127.0.0.1:{port}/health")
        time.sleep(3)  # Varnish's probes mark both app servers healthy

        step("health of each app server")
        for port in app_ports:
            status, _headers, body = get(f"http://127.0.0.1:{port}/health")
            print(port, status, body.decode())

        story = Article.objects.published().order_by("-published_at").first()
        front, page = "/ar/", urllib.parse.quote(story.get_absolute_url())
        step(f"{args.requests} reader requests through Varnish (front page and an article)")
        before = replica_reads(args.replica)
        served, statuses, started = Counter(), Counter(), time.monotonic()
        for n in range(args.requests):
            status, headers, _body = get(f"http://127.0.0.1:{front_port}{(front, page)[n % 2]}")
            statuses[status] += 1
            served[headers.get("X-Served-By", "?")] += 1
        elapsed = time.monotonic() - started
        print(f"statuses {dict(statuses)}; served by {dict(served)}; {elapsed:.1f} s")
        print(f"rows read on the replica meanwhile: {replica_reads(args.replica) - before}")

        step("a correction on the primary, read back through the other app server")
        new_headline = story.headline + " (محدّث)"
        actions.do_correct(editor, story, kind="update", note="تحديث للتجربة.",
                           base_revision=story.revision, headline=new_headline)  # fmt: skip
        committed = time.monotonic()
        while "(محدّث)" not in get(f"http://127.0.0.1:{app_ports[1]}{page}")[2].decode():
            time.sleep(0.005)
        print(f"fresh through the replica after {(time.monotonic() - committed) * 1000:.0f} ms")
        print("primary's view of the replica:", psql(admin_url,
              "SELECT state, write_lag, replay_lag FROM pg_stat_replication"))  # fmt: skip

        step("comments posted through app server 1, read back through app server 2")
        story.refresh_from_db()
        posted = []
        for n in range(3):
            data = comment_data(story, name=f"قارئ {n}", body=f"تعليق التجربة رقم {n}.")
            time.sleep(1.1)  # KHABAR_COMMENT_MIN_SECONDS
            posted.append(post_comment_to(f"http://127.0.0.1:{app_ports[0]}", story, data)[0])
        held = list(Comment.objects.filter(article=story, body__startswith="تعليق التجربة"))
        print(f"answers {posted}; stored on the primary: {len(held)}, "
              f"{dict(Counter(c.status for c in held))}")  # fmt: skip
        moderator = User.objects.get(username="moderator")
        for comment in held:
            comments_actions.do_approve(comment, moderator)
        approved = time.monotonic()
        region = f"http://127.0.0.1:{app_ports[1]}/ar/comments/{story.news_code}"
        while not all(c.body in get(region)[2].decode() for c in held):
            assert time.monotonic() - approved < 30, "the approved comments did not show"
            time.sleep(0.005)
        print(f"approved by a moderator: in app server 2's comments region after "
              f"{(time.monotonic() - approved) * 1000:.0f} ms")  # fmt: skip

        step("the worker pool: 100 tasks, two db_worker processes")
        for n in range(100):
            take.enqueue(n)
        from django_tasks_db.models import DBTaskResult

        started = time.monotonic()
        while DBTaskResult.objects.finished().count() < 100:
            time.sleep(0.1)
        results = list(DBTaskResult.objects.finished())
        shares = Counter(r.worker_ids[0] for r in results)
        twice = sum(len(r.worker_ids) != 1 for r in results)
        print(f"done in {time.monotonic() - started:.1f} s; by worker {dict(shares)}; "
              f"run twice: {twice}")  # fmt: skip

        if args.replica_data:
            step("the replica stops: pages come from the primary, /health says degraded")
            subprocess.run(["su", "postgres", "-c", f"{PG_CTL} -D {args.replica_data} -m fast "
                            "stop"], check=True, capture_output=True)  # fmt: skip
            time.sleep(1.5)  # the routers' last measurement of the replica runs out
            statuses = Counter(get(f"http://127.0.0.1:{front_port}{page}")[0] for _ in range(20))
            status, _headers, body = get(f"http://127.0.0.1:{app_ports[0]}/health")
            print(f"pages {dict(statuses)}; /health {status} {body.decode()}")
            subprocess.run(["su", "postgres", "-c", f"{PG_CTL} -D {args.replica_data} -l "
                            f"{args.replica_data}.log -o '-p {replica.port}' start"],
                           check=True, capture_output=True)  # fmt: skip
            restarted = time.monotonic()
            while json.loads(get(f"http://127.0.0.1:{app_ports[0]}/health")[2])["status"] != "ok":
                assert time.monotonic() - restarted < 180, "the replica did not come back"
                time.sleep(0.5)
            print(f"replica started again: /health ok after {time.monotonic() - restarted:.1f} s")
            before = replica_reads(args.replica)
            for _ in range(20):
                get(f"http://127.0.0.1:{front_port}{page}")
            print(f"rows read on the replica for the next 20 pages: "
                  f"{replica_reads(args.replica) - before}")  # fmt: skip

        step("app server 1 stops: Varnish's probe takes it out, app server 2 serves")
        processes[0].terminate()
        processes[0].wait(timeout=20)
        errors_while_sick, started = Counter(), time.monotonic()
        while time.monotonic() - started < 8:  # probe window: 3 of 5 at 2 s
            errors_while_sick[get(f"http://127.0.0.1:{front_port}{page}")[0]] += 1
            time.sleep(0.1)
        after = Counter()
        for _ in range(40):
            status, headers, _body = get(f"http://127.0.0.1:{front_port}{page}")
            after[(status, headers.get("X-Served-By"))] += 1
        print(f"during the first 8 s: {dict(errors_while_sick)}; then: {dict(after)}")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Round robin over the two app servers, each probed on /health; nothing cached (the cache rules
# are deploy/varnish's): this tries the balancing, the health endpoint and the replicas. A fetch
# that fails (an app server gone, not yet marked sick) is tried once more, on the next server.
VCL = """vcl 4.1;
import directors;
probe health { .url = "/health"; .interval = 2s; .timeout = 1s; .window = 5; .threshold = 3; }
backend app1 { .host = "127.0.0.1"; .port = "%(app1)d"; .probe = health; }
backend app2 { .host = "127.0.0.1"; .port = "%(app2)d"; .probe = health; }
sub vcl_init { new app = directors.round_robin(); app.add_backend(app1); app.add_backend(app2); }
sub vcl_recv { set req.backend_hint = app.backend(); return (pass); }
sub vcl_backend_response { set beresp.http.X-Served-By = beresp.backend.name; }
sub vcl_backend_error { if (bereq.retries < 1) { return (retry); } }
"""

if __name__ == "__main__":
    main()

"""Uncached pages per core: Khabar's article, front, section and search pages against Wagtail
serving one Arabic article, measured in the same run with the same server set-up.

    .venv/bin/python bench/pages.py                 # SQLite: Khabar's four pages and the peer
    .venv/bin/python bench/pages.py --postgres      # the same on PostgreSQL (both sites)
    .venv/bin/python bench/pages.py --duration 5 --skip-peer

Each site is served by gunicorn with one sync worker pinned to core 1 (`taskset -c 1`); wrk runs
on core 0 (`wrk -t1 -c32 -d10s --latency`). Khabar runs on demo content in a scratch data
directory, DEBUG off, its page cache off (KHABAR_PAGE_CACHE=off): every request renders.

The peer is built in /tmp/wagtail-peer, never in this repository: a virtualenv with Wagtail,
`wagtail start peer`, and one page model (a headline, a date, a rich-text body) holding an
Arabic story written here, its body as long as Khabar's demo article. It is measured before and
after Khabar's pages and the mean taken, so that another process taking the machine for a while
weighs on both sides. The target (issue 20): Khabar's article at least 3x Wagtail per core.

Figures print as req/s, p50 and p99 latency, and each Khabar page as a ratio to the peer.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = Path(os.environ.get("KHABAR_BENCH_PEER_DIR", "/tmp/wagtail-peer"))
WAGTAIL_PIN = "wagtail==7.0.1"
GUNICORN_PIN = "gunicorn==23.0.0"  # the one Khabar pins
PSYCOPG_PIN = "psycopg[binary]==3.3.9"  # the one Khabar pins
PG_SERVER = os.environ.get("KHABAR_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SERVER_CORE, CLIENT_CORE = "1", "0"

# The peer's story: Arabic news prose written for this bench, repeated to the length of Khabar's
# demo article so that both servers send a body of the same size.
PEER_HEADLINE = "افتتاح جسر جديد يربط ضفتي النهر ويختصر زمن التنقل في المدينة"
PEER_PARAGRAPHS = [
    "افتتحت البلدية صباح اليوم الجسر الجديد الذي يربط ضفتي النهر، بعد أعمال استمرت ثلاث سنوات "
    "شارك فيها مئات العمال والمهندسين من شركات محلية.",
    "وقال رئيس البلدية في كلمة خلال الحفل إن الجسر سيختصر زمن التنقل بين الحيين الشرقي والغربي "
    "من ساعة إلى عشر دقائق في أوقات الذروة، وإن ممرات المشاة والدراجات فيه مفتوحة للجميع.",
    "وأضاف أن كلفة المشروع بلغت نحو مئة وعشرين مليون دينار، وأن الصيانة الدورية ستجري ليلًا "
    "حتى لا تتعطل حركة السير في النهار.",
    "ورحّب سكان الحيين بالافتتاح، وقال صاحب متجر قرب المدخل الشرقي إن زبائنه من الضفة الأخرى "
    "كانوا ينتظرون هذا اليوم منذ سنوات، فيما طالب آخرون بمواقف إضافية للسيارات.",
    "ويقول مهندسو المشروع إن الجسر صُمّم ليتحمل الفيضانات التي يشهدها النهر كل بضع سنوات، وإن "
    "أساساته تنزل أكثر من ثلاثين مترًا تحت قاع النهر.",
    "ومن المنتظر أن تبدأ حافلات النقل العام العبور عليه الأسبوع المقبل، بعد تعديل خطوطها "
    "ومواعيدها وإعلانها في المحطات.",
]


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def percent_to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: int, connections: int) -> dict:
    """req/s, p50 and p99 (ms) and the count of errors of one wrk run on the client core."""
    out = run(
        ["taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
         "--latency", url],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in latency:
        raise RuntimeError(f"wrk said:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
        "p50": percent_to_ms(latency["50"]),
        "p99": percent_to_ms(latency["99"]),
        "errors": errors + (int(bad.group(1)) if bad else 0),
    }


def check_page(url: str) -> int:
    """The page answers 200 by itself (no redirect to follow): its size in bytes."""
    with urllib.request.urlopen(url, timeout=30) as response:
        if response.status != 200 or response.geturl() != url:
            raise RuntimeError(f"{url} answered {response.status} at {response.geturl()}")
        return len(response.read())


def warm(url: str, count: int = 50) -> None:
    """Imports, templates and caches loaded before the clock starts."""
    for _ in range(count):
        urllib.request.urlopen(url, timeout=30).read()


def wait_listening(process, port: int, seconds: int = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped: {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


class Gunicorn:
    """One sync worker pinned to the server core, stopped when the block ends."""

    def __init__(self, gunicorn: str, app: str, port: int, cwd: Path, env: dict):
        self.command = [
            "taskset", "-c", SERVER_CORE, gunicorn, app, "--workers", "1",
            "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ]  # fmt: skip
        self.port, self.cwd, self.env = port, cwd, env

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env)
        wait_listening(self.process, self.port)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def database(name: str, action: str) -> str:
    """Create (dropping any left from an earlier run) or drop a PostgreSQL database."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


# Khabar ------------------------------------------------------------------------------------

KHABAR_PAGES = """
import json
from django.db.models import Count
from khabar.news.models import Article, Section
from khabar.lib.html import html_to_text
article = (Article.objects.published().filter(edition__code="ar")
           .order_by("-comment_count", "-published_at").first())
section = Section.objects.filter(edition=article.edition).order_by("position").first()
word = max(article.headline.split(), key=len)
print(json.dumps({
    "article": article.get_absolute_url(),
    "front": article.edition.get_absolute_url(),
    "section": section.get_absolute_url(),
    "search": f"/{article.edition.code}/search/?q={word}",
    "body_chars": len(html_to_text(article.body)),
}))
"""


def khabar_env(data_dir: Path, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "KHABAR_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "KHABAR_PAGE_CACHE": "off",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(ROOT),  # this checkout, whatever the virtualenv points at
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def build_khabar(env: dict) -> dict:
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo"]):
        run([python, "manage.py", *command, "--verbosity", "0"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL)  # fmt: skip
    out = run([python, "manage.py", "shell", "-c", KHABAR_PAGES], cwd=ROOT, env=env,
              capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


# The peer ----------------------------------------------------------------------------------

PEER_MODEL = '''

class ArticlePage(Page):
    """A news story as a Wagtail site would model it: a date and a rich-text body."""

    date = models.DateTimeField()
    body = RichTextField()

    content_panels = Page.content_panels + ["date", "body"]
'''

PEER_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block body_class %}template-articlepage{% endblock %}
{% block content %}
<article>
  <h1>{{ page.title }}</h1>
  <p><time datetime="{{ page.date|date:'c' }}">{{ page.date|date:"j F Y، H:i" }}</time></p>
  {{ page.body|richtext }}
</article>
{% endblock %}
"""

PEER_LOCAL = """
import os
from .base import DATABASES
DEBUG = False
SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["*"]
LANGUAGE_CODE = "ar"
TIME_ZONE = "Asia/Baghdad"
if os.environ.get("PEER_DATABASE_URL"):
    from urllib.parse import urlsplit
    _url = urlsplit(os.environ["PEER_DATABASE_URL"])
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": _url.path.lstrip("/"),
        "USER": _url.username, "HOST": _url.hostname, "PORT": _url.port or 5432,
    }}
# As `wagtail start` ships (a connection per request) unless the bench is told otherwise.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("PEER_CONN_MAX_AGE") or 0)
"""

PEER_PAGE = """
import sys
from django.utils import timezone
from home.models import ArticlePage, HomePage
headline, body = sys.stdin.read().split("\\n", 1)
ArticlePage.objects.all().delete()
home = HomePage.objects.first()
page = home.add_child(instance=ArticlePage(
    title=headline, slug="article", date=timezone.now(), body=body))
page.save_revision().publish()
print(page.url)
"""


def build_peer_code() -> Path:
    """The peer's virtualenv and project, built once and kept in PEER_DIR."""
    venv, site = PEER_DIR / "venv", PEER_DIR / "site"
    marker = PEER_DIR / "built"
    if marker.exists() and marker.read_text() == WAGTAIL_PIN:
        return site
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(site, ignore_errors=True)
    if not (venv / "bin" / "python").exists():
        run(["python3.11", "-m", "venv", str(venv)])
    # pip leaves what is already installed at the pin alone.
    run([str(venv / "bin" / "pip"), "install", "-q", WAGTAIL_PIN, GUNICORN_PIN, PSYCOPG_PIN])
    site.mkdir()
    run([str(venv / "bin" / "wagtail"), "start", "peer", str(site)], stdout=subprocess.DEVNULL)
    models = site / "home" / "models.py"
    models.write_text(
        models.read_text().replace(
            "from wagtail.models import Page",
            "from wagtail.fields import RichTextField\nfrom wagtail.models import Page",
        )
        + PEER_MODEL
    )
    (site / "home" / "templates" / "home" / "article_page.html").write_text(PEER_TEMPLATE)
    (site / "peer" / "settings" / "local.py").write_text(PEER_LOCAL)
    python = str(venv / "bin" / "python")
    run([python, "manage.py", "makemigrations", "home", "--verbosity", "0"], cwd=site,
        env=peer_env(None))  # fmt: skip
    marker.write_text(WAGTAIL_PIN)
    return site


def peer_env(database_url: str | None, conn_max_age: int = 0) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}}
    env["DJANGO_SETTINGS_MODULE"] = "peer.settings.production"
    env["PEER_DATABASE_URL"] = database_url or ""
    env["PEER_CONN_MAX_AGE"] = str(conn_max_age)
    return env


def build_peer_site(site: Path, env: dict, body_chars: int) -> str:
    """Migrate the peer's database and publish its one story: the story's path."""
    python = str(PEER_DIR / "venv" / "bin" / "python")
    if not env["PEER_DATABASE_URL"]:
        (site / "db.sqlite3").unlink(missing_ok=True)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        run([python, "manage.py", *command, "--verbosity", "0"], cwd=site, env=env,
            stdout=subprocess.DEVNULL)  # fmt: skip
    paragraphs, length = [], 0
    while length < body_chars:
        text = PEER_PARAGRAPHS[len(paragraphs) % len(PEER_PARAGRAPHS)]
        paragraphs.append(f"<p>{text}</p>")
        length += len(text) + 1
    out = run(
        [python, "manage.py", "shell", "-c", PEER_PAGE], cwd=site, env=env,
        input=PEER_HEADLINE + "\n" + "".join(paragraphs), capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


# The run -----------------------------------------------------------------------------------


def measure(base: str, path: str, args) -> dict:
    url = base + urllib.parse.quote(path, safe="/?=&")
    size = check_page(url)
    warm(url)
    result = wrk(url, args.duration, args.connections)
    result["bytes"] = size
    return result


def line(name: str, result: dict, peer: float | None) -> str:
    ratio = f"{result['rps'] / peer:6.2f}x" if peer else "      -"
    return (
        f"{name:<22} {result['rps']:9.1f} {result['p50']:9.1f} {result['p99']:9.1f} {ratio}"
        f" {result['bytes']:8d} {result['errors']:6d}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="both sites on PostgreSQL")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=18300, help="Khabar's; the peer's is +1")
    parser.add_argument("--skip-peer", action="store_true", help="Khabar's pages only")
    parser.add_argument(
        "--peer-conn-max-age", type=int, default=0,
        help="the peer's CONN_MAX_AGE (0, a connection per request, as `wagtail start` ships it)",
    )  # fmt: skip
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="khabar-bench-pages-"))
    databases = []
    try:
        khabar_db = peer_db = None
        if args.postgres:
            khabar_db = database("khabar_bench_pages", "create")
            peer_db = database("wagtail_bench_pages", "create")
            databases = ["khabar_bench_pages", "wagtail_bench_pages"]
        env = khabar_env(scratch, khabar_db)
        print("Building Khabar's demo site …", flush=True)
        pages = build_khabar(env)
        peer_path = None
        if not args.skip_peer:
            print(f"Building the peer ({WAGTAIL_PIN}) in {PEER_DIR} …", flush=True)
            site = build_peer_code()
            penv = peer_env(peer_db, args.peer_conn_max_age)
            peer_path = build_peer_site(site, penv, pages["body_chars"])
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"\n{engine}; gunicorn 1 sync worker on core {SERVER_CORE}, wrk -t1 "
            f"-c{args.connections} -d{args.duration}s on core {CLIENT_CORE}; "
            f"body {pages['body_chars']} characters of text; the peer's CONN_MAX_AGE "
            f"{args.peer_conn_max_age}\n"
        )
        print(f"{'page':<22} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'/peer':>7} "
              f"{'bytes':>8} {'errors':>6}")  # fmt: skip
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
        peer_gunicorn = str(PEER_DIR / "venv" / "bin" / "gunicorn")
        peer_port, peer_runs = args.port + 1, []
        if peer_path:
            with Gunicorn(peer_gunicorn, "peer.wsgi", peer_port, site, penv):
                peer_runs.append(measure(f"http://127.0.0.1:{peer_port}", peer_path, args))
            print(line("Wagtail article (1)", peer_runs[0], None), flush=True)
        results = {}
        with Gunicorn(gunicorn, "khabar.wsgi", args.port, ROOT, env):
            for name in ("article", "front", "section", "search"):
                results[name] = measure(f"http://127.0.0.1:{args.port}", pages[name], args)
                print(line(f"Khabar {name}", results[name], None), flush=True)
        if peer_path:
            with Gunicorn(peer_gunicorn, "peer.wsgi", peer_port, site, penv):
                peer_runs.append(measure(f"http://127.0.0.1:{peer_port}", peer_path, args))
            print(line("Wagtail article (2)", peer_runs[1], None))
            peer = sum(r["rps"] for r in peer_runs) / len(peer_runs)
            print(f"\nRatios to Wagtail's article (mean of both runs, {peer:.1f} req/s):")
            for name, result in results.items():
                print(line(f"Khabar {name}", result, peer))
            target = 3 * peer
            verdict = "meets" if results["article"]["rps"] >= target else "MISSES"
            print(f"\nTarget: article >= 3x Wagtail = {target:.1f} req/s: {verdict} it.")
        if any(r["errors"] for r in [*results.values(), *peer_runs]):
            sys.exit("Some requests failed: the figures above do not count.")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for name in databases:
            database(name, "drop")


if __name__ == "__main__":
    main()

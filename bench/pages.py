"""Uncached pages per core: Khabar's article, front, section and search pages against Wagtail
serving one Arabic article, measured in the same run with the same server set-up.

    .venv/bin/python bench/pages.py                 # SQLite: Khabar's four pages and the peer
    .venv/bin/python bench/pages.py --postgres      # the same on PostgreSQL (both sites)
    .venv/bin/python bench/pages.py --duration 5 --skip-peer

Each site is served by gunicorn with one sync worker pinned to core 1 (`taskset -c 1`); wrk runs
on core 0 (`wrk -t1 -c32 -d10s --latency`). Khabar runs on demo content in a scratch data
directory, DEBUG off, its page cache off (KHABAR_PAGE_CACHE=off): every request renders.

The peer is built in /tmp/wagtail-peer, never in this repository: a virtualenv with Wagtail,
`wagtail start peer` (settings as shipped: a database connection per request, unless
--peer-conn-max-age), and one page model (a headline, a date, a rich-text body) holding an
Arabic story written here, its body as long as Khabar's demo article.

Both servers run side by side, one under load at a time, in rounds: the peer, Khabar's four
pages, the peer again. Each wrk run is also counted against the CPU time the server's
processes spent in it (from /proc): requests per CPU-second is what one core would serve,
which another process taking the machine for a while does not change as it changes req/s.
Each page's ratio to Wagtail is taken against the mean of the peer's two runs around it, and
the medians over the rounds are printed. The target (issue 20): Khabar's article at least 3x
Wagtail per core. On PostgreSQL the database server's own CPU time is not counted (it is not
on the pinned core either).
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
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
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


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (gunicorn's master and worker)."""
    total = 0.0
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    for each in pids:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


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
    # The catalogues as bin/setup compiles them: a fresh checkout has no .mo files, and its
    # pages would come out half in English (Django's own strings translated, Khabar's not).
    commands = (["catalogues", "--compile"], ["migrate", "--noinput"],
                ["collectstatic", "--noinput"], ["seed_demo"])  # fmt: skip
    for command in commands:
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
        (site / "peer" / "settings" / "local.py").write_text(PEER_LOCAL)
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


def timed(pid: int, url: str, args) -> dict:
    """One wrk run, and the requests answered per CPU-second the server spent on them: what one
    core would serve, however much else the machine was running meanwhile."""
    used = cpu_seconds(pid)
    result = wrk(url, args.duration, args.connections)
    result["per_cpu"] = result["requests"] / max(cpu_seconds(pid) - used, 0.01)
    return result


def report(number: int, name: str, result: dict) -> None:
    print(f"round {number}: {name:<16} {result['rps']:8.1f} req/s {result['per_cpu']:8.1f} "
          "req/CPU-s", flush=True)  # fmt: skip


def url_of(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}" + urllib.parse.quote(path, safe="/?=&")


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="both sites on PostgreSQL")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every page and the peer")
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
        targets = {f"Khabar {name}": (args.port, pages[name])
                   for name in ("article", "front", "section", "search")}  # fmt: skip
        servers = [Gunicorn(str(ROOT / ".venv/bin/gunicorn"), "khabar.wsgi", args.port, ROOT, env)]
        if not args.skip_peer:
            print(f"Building the peer ({WAGTAIL_PIN}) in {PEER_DIR} …", flush=True)
            site = build_peer_code()
            penv = peer_env(peer_db, args.peer_conn_max_age)
            peer_path = build_peer_site(site, penv, pages["body_chars"])
            peer_port = args.port + 1
            targets = {"Wagtail article": (peer_port, peer_path), **targets}
            servers.append(Gunicorn(str(PEER_DIR / "venv/bin/gunicorn"), "peer.wsgi", peer_port,
                                    site, penv))  # fmt: skip
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"\n{engine}; each server gunicorn with 1 sync worker on core {SERVER_CORE} (only "
            f"one under load at a time), wrk -t1 -c{args.connections} -d{args.duration}s on core "
            f"{CLIENT_CORE}; {args.rounds} rounds, the peer measured before and after each; "
            f"body {pages['body_chars']} characters of text; the peer's CONN_MAX_AGE "
            f"{args.peer_conn_max_age}\n"
        )
        runs = {name: [] for name in targets}
        ratios = {name: [] for name in targets if not name.startswith("Wagtail")}
        for server in servers:
            server.__enter__()
        pids = {server.port: server.process.pid for server in servers}
        try:
            sizes = {name: check_page(url_of(*where)) for name, where in targets.items()}
            for where in targets.values():
                warm(url_of(*where))
            # Rounds, each page next to a measurement of the peer, so that the load other
            # processes put on the machine weighs on both sides of every ratio.
            for number in range(1, args.rounds + 1):
                before = None
                for name, where in targets.items():
                    result = timed(pids[where[0]], url_of(*where), args)
                    runs[name].append(result)
                    report(number, name, result)
                    if name.startswith("Wagtail"):
                        before = result
                if before is not None:
                    where = targets["Wagtail article"]
                    after = timed(pids[where[0]], url_of(*where), args)
                    runs["Wagtail article"].append(after)
                    report(number, "Wagtail article", after)
                    peer = (before["per_cpu"] + after["per_cpu"]) / 2
                    for name in ratios:
                        ratios[name].append(runs[name][-1]["per_cpu"] / peer)
        finally:
            for server in servers:
                server.__exit__(None, None, None)

        print(f"\n{'page':<18} {'req/s':>8} {'req/CPU-s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'/Wagtail':>9} {'bytes':>7} {'errors':>6}   (medians of the rounds)")  # fmt: skip
        for name, results in runs.items():
            ratio = f"{median(ratios[name]):8.2f}x" if ratios.get(name) else f"{'-':>9}"
            print(
                f"{name:<18} {median([r['rps'] for r in results]):8.1f} "
                f"{median([r['per_cpu'] for r in results]):9.1f} "
                f"{median([r['p50'] for r in results]):8.1f} "
                f"{median([r['p99'] for r in results]):8.1f} {ratio} {sizes[name]:7d} "
                f"{sum(r['errors'] for r in results):6d}"
            )
        if ratios.get("Khabar article"):
            ratio = median(ratios["Khabar article"])
            verdict = "meets" if ratio >= 3 else "MISSES"
            each = ", ".join(f"{r:.2f}" for r in ratios["Khabar article"])
            print(
                "\nTarget: the article >= 3x Wagtail per core (requests per CPU-second of the "
                f"server, rounds {each}): {ratio:.2f}x, {verdict} it."
            )
        if any(r["errors"] for results in runs.values() for r in results):
            sys.exit("Some requests failed or timed out: the figures above do not count.")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for name in databases:
            database(name, "drop")


if __name__ == "__main__":
    main()

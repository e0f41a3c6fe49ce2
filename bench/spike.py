"""A breaking-news spike through the run command's set-up: 200 readers at the front page, an
article and its comments region, while an editor publishes and corrects stories through the
desk and 20 readers post comments.

    .venv/bin/python bench/spike.py                      # bin/serve on SQLite, 30 s
    .venv/bin/python bench/spike.py --duration 60 --readers 200 --commenters 20
    .venv/bin/python bench/spike.py --postgres --redis --app-servers 2 --varnish

What runs: a scratch data directory (and a scratch PostgreSQL database with --postgres), set up
as bin/run does (migrate, collectstatic, the demo content), then bin/serve (granian, or gunicorn
with --server gunicorn, and the task worker, exactly as bin/run starts them) once per app
server; with --varnish, varnishd with deploy/varnish/khabar-scaled.vcl (khabar.vcl for one app
server), its backends pointed at them.

The readers are wrk (C, one connection per reader; by default no think time, harsher than
people: --think MS gives each reader a pause between requests, as a person reading), three
processes side by side, one per kind of URL (front page, articles, comments regions), so each
kind gets its own latency percentiles and a Python client's GIL does not add its own queueing to
the figures. The writers speak HTTP as a browser does: the editor (a thread) logs in at
/desk/login/, creates and publishes stories and corrects the demo stories the readers are
reading (real form POSTs with the CSRF token), and after each correction reads the story's page
until the correction shows (correction to fresh page, target <= 1 s); each commenter (a process
of its own, so that their proof-of-work solving does not hold each other's GIL and count as
server time) fetches a captcha challenge and a CSRF token, solves the proof of work as the
page's script does, writes for a second and posts; while writing, it also fetches a challenge
every 125-250 ms (--challenge-every) on a second connection, as the readers who open a story's
comment form and leave: ~90 challenges a second, ~2,700 in 30 s, so that the challenge's p99
rests on ~27 samples rather than 5.

Each challenge answer carries X-Khabar-Timing (the server is started with
KHABAR_CHALLENGE_TIMING=1, khabar/comments/fast.py): the bench splits each challenge's time into
before the server's Python saw it (granian's queue, a thread, the GIL), in it, and after it
(writing out, the commenter's own process being scheduled: the commenters share the 2 cores
with the server and wrk), prints the slowest with the server process, whether the answer went
through Django, a fresh connection, an editor's action in the half second before, and each
server process's p50/p99.

For the bench, comment limits per network and address are raised by environment
(KHABAR_COMMENT_RATE_NETWORK, KHABAR_COMMENT_RATE_EMAIL): every commenter comes from 127.0.0.1,
one network, where real readers come from many. KHABAR_COMMENT_MIN_SECONDS is 1 and each
commenter waits that long between challenge and post; KHABAR_CAPTCHA_MAX_NUMBER is 10,000 (the
solving runs here, in Python, on the server's cores, where a reader's browser would do it).

Printed: requests, errors (must be 0), p50/p95/p99 per URL kind (target p99 <= 200 ms, the
captcha challenge included), with --split the answers' X-Cache (HIT, MISS, STALE), comments
posted vs stored, saves made vs stored (0 lost), correction to fresh page, where the CPU went
(the servers, wrk, the commenters, the bench itself, everything else on the machine: the bench
shares the cores with the server it measures), then one PASS or FAIL line per target and a
last line `spike PASS` or `spike FAIL: ...`. Exit status 1 when any target fails.
"""

import argparse
import base64
import hashlib
import html.parser
import http.client
import http.cookies
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from khabar.testing import free_port, wait_until_listening  # noqa: E402  (after the path)

PG_BASE = os.environ.get("KHABAR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
REDIS_URL = os.environ.get("KHABAR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
MARK = "spike"  # in every headline and comment the bench writes, to count them afterwards

LUA = r"""
local paths = {PATHS}
local counter = 0
local threads = {}
hit, miss, stale, other = 0, 0, 0, 0
setup = function(thread) table.insert(threads, thread) end
init = function(args) math.randomseed(os.time()); counter = math.random(#paths) end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["Accept-Encoding"] = "br, gzip"})
end
THINK
SPLIT
done = function(summary, latency, requests)
  local e = summary.errors
  local h, m, s, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hit"); m = m + t:get("miss"); s = s + t:get("stale"); o = o + t:get("other")
  end
  io.write(string.format("RESULT %d %d %d %d %d %d %d %.0f %.0f %.0f %d %d %d %d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), h, m, s, o))
end
"""
# --split: wrk reads each answer's X-Cache (HIT, MISS, STALE) into Lua, which costs it CPU.
SPLIT = r"""
response = function(status, headers, body)
  local x = headers["X-Cache"] or headers["x-cache"]
  if x == "HIT" then hit = hit + 1 elseif x == "MISS" then miss = miss + 1
  elseif x == "STALE" then stale = stale + 1 else other = other + 1 end
end
"""


# --- HTTP as a browser speaks it: keep-alive, cookies, forms ---------------------------------


class Browser:
    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.connection = None

    def request(self, method, path, fields=None, headers=None):
        headers = {"Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        self.opened = False
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a keep-alive connection the server closed: open another once
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.opened = True
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data


class FormFields(html.parser.HTMLParser):
    """The fields of the form holding `marker` (a field name), as a browser would post them."""

    def __init__(self, marker):
        super().__init__()
        self.marker, self.forms, self.current, self.textarea, self.select = (
            marker,
            [],
            None,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "file"}:
                self.current.append([a["name"], a.get("value", "")])
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
            self.current.append(self.textarea)
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.current.append([self.select, a.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None

    def fields(self):
        for form in self.forms:
            if any(name == self.marker for name, _ in form):
                return {name: value for name, value in form}
        raise RuntimeError(f"no form with a {self.marker!r} field")


def form_of(page: bytes, marker: str) -> dict:
    parser = FormFields(marker)
    parser.feed(page.decode())
    return parser.fields()


# --- the writers ------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = []

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def editor_loop(port, password, stop, tally, targets, section_id, run_id, pause, fresh, moments):
    """Publishes a new story, then corrects one the readers are reading, in turn. After each
    correction, a reader of that story asks for its page until the note shows: the time from
    the desk's answer to the fresh page goes to `fresh` (target <= 1 s)."""
    reader = Browser(port)
    desk = Browser(port)
    desk.request("GET", "/desk/login/")
    status, headers, _ = desk.request(
        "POST", "/desk/login/",
        {"username": "editor", "password": password,
         "csrfmiddlewaretoken": desk.cookies["csrftoken"]},
        {"Referer": f"http://127.0.0.1:{port}/desk/login/"},
    )  # fmt: skip
    if status != 302:
        tally.error(f"editor log-in answered {status}")
        return
    n = 0
    referer = {"Referer": f"http://127.0.0.1:{port}/desk/"}
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        if n % 2:
            _, _, page = desk.request("GET", "/desk/stories/new")
            fields = form_of(page, "headline")
            fields.update(headline=f"خبر عاجل {MARK} {run_id} {n}", section=str(section_id),
                          lead="تطورات متسارعة في المدينة.", action="save",
                          body=f"<p>الفقرة الأولى {n}.</p><p>الفقرة الثانية.</p>")  # fmt: skip
            status, headers, _ = desk.request("POST", "/desk/stories/new", fields, referer)
            moments.append((time.time(), "save"))
            tally.add("saves made")
            if status != 302:
                tally.error(f"new story answered {status}")
                continue
            path = urllib.parse.urlsplit(headers["Location"]).path
            _, _, page = desk.request("GET", path)
            fields = form_of(page, "headline")
            fields["action"] = "publish"
            status, _, _ = desk.request("POST", path, fields, referer)
            moments.append((time.time(), "publication"))
            tally.add("publications made")
            if status != 302:
                tally.error(f"publish answered {status}")
        else:
            pk, url = random.choice(targets)
            path = f"/desk/stories/{pk}/"
            _, _, page = desk.request("GET", path)
            fields = form_of(page, "headline")
            note = f"تصحيح {MARK} {run_id} {n}"
            fields.update(action="correct", kind="correction", note=note,
                          body=fields["body"] + f"<p>تصحيح {n}.</p>")  # fmt: skip
            status, _, _ = desk.request("POST", path, fields, referer)
            saved = time.monotonic()
            moments.append((time.time(), "correction"))
            tally.add("corrections made")
            if status != 302:
                tally.error(f"correction answered {status}")
                continue
            while time.monotonic() - saved < 10:
                if note.encode() in reader.request("GET", url)[2]:
                    fresh.append(time.monotonic() - saved)
                    break
            else:
                tally.error(f"correction not on {url} 10 s after the desk's answer")
        stop.wait(max(0.0, pause - (time.monotonic() - started)))


def solve(challenge: dict) -> str:
    """ALTCHA proof of work, as comments.js does it: n with SHA-256(salt + n) == challenge."""
    salt, target = challenge["salt"], challenge["challenge"]
    for number in range(challenge["maxNumber"] + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == target:
            payload = {
                key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")
            }
            payload["number"] = number
            return base64.b64encode(json.dumps(payload).encode()).decode()
    raise RuntimeError("the challenge has no solution")


def fetch_challenge(reader, path, latencies, left=False):
    """One challenge as the form's script asks for it, timed: the latency, and where it went
    (the server's X-Khabar-Timing: process, thread, when its answer began and ended there)."""
    sent, started = time.time(), time.monotonic()
    status, headers, body = reader.request("GET", path + "/challenge")
    received, elapsed = time.time(), time.monotonic() - started
    detail = {"sent": sent, "received": received, "opened": reader.opened, "left": left}
    timing = (headers.get("X-Khabar-Timing") or "").split()
    if len(timing) == 5:
        detail.update(pid=int(timing[0]), thread=timing[1], began=float(timing[2]),
                      ended=float(timing[3]), way=timing[4])  # fmt: skip
    latencies.append(("challenge", elapsed, status, detail))
    return status, body


def commenter_loop(port, stop, tally, codes, run_id, who, latencies, every):
    """Fetches a challenge, solves it, writes for a second and posts. While writing, every
    `every` seconds (0: never) it fetches another challenge, as readers do who open a story's
    comment form and leave without sending: more challenge samples for the p99."""
    reader = Browser(port)
    other = Browser(port)  # the readers who leave: another browser, its own connection
    n = 0
    while not stop.is_set():
        n += 1
        path = random.choice(codes)
        status, body = fetch_challenge(reader, path, latencies)
        if status != 200:
            tally.error(f"challenge answered {status}")
            continue
        data = json.loads(body)
        payload = solve(data["challenge"])
        # KHABAR_COMMENT_MIN_SECONDS=1: a reader takes a moment to write. A comment the end of
        # the run would cut short is not sent (it would be refused as too fast).
        written = time.monotonic() + 1.0
        while every and not stop.is_set() and time.monotonic() + every < written:
            stop.wait(every * random.uniform(0.5, 1.0))
            if fetch_challenge(other, random.choice(codes), latencies, left=True)[0] != 200:
                tally.error("challenge answered an error")
        if stop.wait(max(0.0, written - time.monotonic())):
            break
        fields = {"name": f"قارئ {who}", "email": "", "parent": "", "website": "",
                  "body": f"تعليق {MARK} {run_id} {who} {n} على الخبر.",
                  "started": data["started"], "altcha": payload}  # fmt: skip
        headers = {"X-CSRFToken": data["csrf"], "X-Requested-With": "fetch",
                   "Referer": f"http://127.0.0.1:{port}{path}"}  # fmt: skip
        started = time.monotonic()
        status, _, body = reader.request("POST", path, fields, headers)
        latencies.append(("comment post", time.monotonic() - started, status, {}))
        tally.add("comments posted")
        if status not in (200, 201, 202):
            tally.error(f"comment answered {status}: {body[:200]!r}")


# --- the set-up -------------------------------------------------------------------------------


def manage(env, *args, capture=False):
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True,
    )  # fmt: skip
    return result.stdout


def health_ok(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def varnish_config(workdir: Path, ports: list[int]) -> Path:
    """deploy/varnish's VCL with its backends pointed at our app servers."""
    source = ROOT / "deploy" / "varnish"
    name = "khabar-scaled.vcl" if len(ports) > 1 else "khabar.vcl"
    if not (source / name).exists():
        raise SystemExit(f"--varnish needs deploy/varnish/{name} (branch front)")
    for vcl in source.glob("*.vcl"):
        shutil.copy(vcl, workdir / vcl.name)
    text = (workdir / name).read_text()
    backends = re.findall(r"backend\s+(\w+)\s*\{", text)
    if len(backends) < len(ports):
        raise SystemExit(f"{name} has {len(backends)} backends for {len(ports)} app servers")
    for backend, port in zip(backends, ports, strict=False):
        for field, value in (("host", "127.0.0.1"), ("port", str(port))):
            text = re.sub(
                rf'(backend\s+{backend}\s*\{{[^}}]*?\.{field}\s*=\s*)"[^"]*"', rf'\g<1>"{value}"',
                text, count=1,
            )  # fmt: skip
    if not all(health_ok(port) for port in ports):
        # The health endpoint comes with another branch of issue 20: without it every probe
        # would fail and Varnish would call both servers sick.
        print("note: no /health on the app servers: Varnish probes /desk/login/")
        text = text.replace('"/health"', '"/desk/login/"')
    (workdir / name).write_text(text)
    return workdir / name


def log(workdir: Path, name: str):
    """A server's log file, kept open for the server's life (read when a run goes wrong)."""
    return (workdir / f"{name}.log").open("w")


def start(args, workdir: Path, processes: list):
    """Sets up and starts the servers, appending each to `processes` as it starts (so that
    a failed start still stops what it started): (env, editor's password, entrance port)."""
    env = {
        **os.environ,
        "KHABAR_DATA_DIR": str(workdir / "data"),
        "SECRET_KEY": "spike-" + os.urandom(16).hex(),
        "KHABAR_COMMENT_RATE_NETWORK": "1000000/60",
        "KHABAR_COMMENT_RATE_EMAIL": "1000000/60",
        "KHABAR_COMMENT_MIN_SECONDS": "1",
        # The proof of work is the readers' browsers' work, not the server's: a smaller one keeps
        # the bench's Python solvers from taking a core away from the server it measures.
        "KHABAR_CAPTCHA_MAX_NUMBER": "10000",
        "KHABAR_LOGIN_NETWORK_FAILURE_LIMIT": "1000",
        # Each challenge answer says where its time went (khabar/comments/fast.py).
        "KHABAR_CHALLENGE_TIMING": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if args.postgres:
        import psycopg

        name = args.postgres_database
        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = PG_BASE + name
    if args.redis:
        env["REDIS_URL"] = REDIS_URL
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    out = manage(env, "seed_demo", "--demo-users", capture=True)
    password = re.search(r"editor / (\S+)", out).group(1)
    ports = []
    next_port = iter(range(args.port, args.port + 20)) if args.port else None

    def port_for_server():
        return next(next_port) if next_port else free_port()

    if args.varnish:
        # Varnish is the cache: each publication purges it by xkey; no embedded cache behind.
        varnish_port = port_for_server()
        env["KHABAR_VARNISH_URLS"] = f"http://127.0.0.1:{varnish_port}"
        env["KHABAR_PAGE_CACHE"] = "off"
    for _ in range(args.app_servers):
        port = port_for_server()
        serve_env = {**env, "PORT": str(port)}
        if args.workers:
            serve_env["WEB_CONCURRENCY"] = str(args.workers)
        if args.server:
            serve_env["KHABAR_SERVER"] = args.server
        if args.worker_class:
            serve_env["KHABAR_WORKER_CLASS"] = args.worker_class
        if args.threads:
            serve_env["KHABAR_THREADS"] = str(args.threads)
        process = subprocess.Popen([str(ROOT / "bin/serve")], cwd=ROOT, env=serve_env,
                                   start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=log(workdir, f"serve-{port}"),
                                   preexec_fn=pin_servers(args.server_cpus))  # fmt: skip
        processes.append(process)
        ports.append(port)
    for process, port in zip(processes, ports, strict=True):
        wait_until_listening(process, f"http://127.0.0.1:{port}", seconds=120)
    entrance = ports[0]
    if args.varnish:
        vcl = varnish_config(workdir, ports)
        entrance = varnish_port
        varnish = subprocess.Popen(
            ["varnishd", "-F", "-f", str(vcl), "-a", f"127.0.0.1:{entrance}",
             "-n", str(workdir / "varnish"), "-s", "malloc,128m", "-p", f"vcl_path={workdir}",
             # As root, Varnish would switch to its own user, who cannot read this directory.
             "-T", "none"] + (["-j", "none"] if os.geteuid() == 0 else []),
            stdout=subprocess.DEVNULL, stderr=log(workdir, "varnish"),
            start_new_session=True,
        )  # fmt: skip
        processes.append(varnish)
        wait_until_listening(varnish, f"http://127.0.0.1:{entrance}", seconds=120)
    return env, password, entrance


def stop_all(processes):
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT if process.args[0].endswith("serve") else
                      signal.SIGTERM)  # fmt: skip
    for process in processes:
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def content(env):
    """What the readers will read and the writers will touch, from the database."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils.encoding import iri_to_uri

    from khabar.news.models import Article, Section

    articles = list(Article.objects.published().select_related("edition")[:40])
    return {
        "articles": [iri_to_uri(a.get_absolute_url()) for a in articles],
        # Each story's comments under its own edition (the demo has Arabic, Persian and English).
        "regions": [f"/{a.edition.code}/comments/{a.news_code}?partial=1" for a in articles],
        "codes": [
            f"/{a.edition.code}/comments/{a.news_code}"
            for a in articles
            if a.effective_comment_mode != "closed"
        ],
        "targets": [(a.pk, iri_to_uri(a.get_absolute_url())) for a in articles[:10]],
        "section": Section.objects.filter(edition__code="ar").first().pk,
    }


def stored(run_id, targets):
    from django.db import close_old_connections

    from khabar.comments.models import Comment
    from khabar.news.models import Article, Correction

    close_old_connections()
    marker = f"{MARK} {run_id}"
    created = Article.objects.filter(headline__contains=marker)
    return {
        "comments stored": Comment.objects.filter(body__contains=marker).count(),
        "stories stored": created.count(),
        "publications stored": created.exclude(published_at=None).count(),
        "corrections stored": Correction.objects.filter(note__contains=marker).count(),
    }


def run_wrk(kind, paths, connections, port, duration, workdir, results, think_ms=0, split=False):
    script = workdir / f"{kind.replace(' ', '_')}.lua"
    # A reader who reads: after each answer, a pause of think_ms on average (half to one and
    # a half times it, at random). 0: no pause, every connection asks again at once.
    think = (
        f"delay = function() return math.random({think_ms // 2}, {think_ms * 3 // 2}) end"
        if think_ms
        else ""
    )
    script.write_text(
        LUA.replace("PATHS", ", ".join(json.dumps(p) for p in paths))
        .replace("THINK", think)
        .replace("SPLIT", SPLIT if split else "")
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, micros, *errors = (int(float(x)) for x in fields[:7])
    p50, p95, p99 = (float(x) / 1000 for x in fields[7:10])
    results[kind] = {"requests": requests, "seconds": micros / 1e6, "errors": sum(errors),
                     "kinds": dict(zip(("connect", "read", "write", "status", "timeout"), errors,
                                       strict=True)),
                     "p50": p50, "p95": p95, "p99": p99,
                     "x-cache": dict(zip(("HIT", "MISS", "STALE", "other"),
                                         map(int, fields[10:14]), strict=True))}  # fmt: skip


def session_cpu(session_ids) -> float:
    """CPU seconds used so far by the live processes of these sessions (each bin/serve and
    Varnish runs in its own: gunicorn's master and workers, the task worker)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) in session_ids:  # field 6 of stat: the session
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float:
    """CPU seconds every core of the machine has been busy, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(values[:8]) - values[3] - values[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def commenter_process(port, stop, queue, codes, run_id, who, every):
    """A commenter in a process of its own: twenty threads of one Python process solving the
    proof of work would hold each other's GIL, and their waiting would be counted as the
    server's (the challenge's p99 was 0.4-1.1 s that way)."""
    tally, latencies = Tally(), []
    try:
        commenter_loop(port, stop, tally, codes, run_id, who, latencies, every)
    except Exception as error:  # reported with the others, not lost with the process
        tally.error(f"commenter {who}: {error!r}")
    queue.put((tally.counts, tally.errors, latencies, own_cpu(resource.RUSAGE_SELF)))


def explain_challenges(latencies, moments, limit_ms=100.0):
    """Where the slow challenges' time went: waiting before the server's Python saw them
    (granian's queue, a thread, the GIL), in the answer, or after it (writing it out, the
    commenter's own process being scheduled); which way they were answered (first in a
    process, through Django, the fast path); a fresh connection; an editor's action (its purges
    and the renders after them) in the half second before."""
    timed = [(t * 1000, d) for k, t, _, d in latencies if k == "challenge" and "began" in d]
    if not timed:
        return
    parts = {
        "before": [(d["began"] - d["sent"]) * 1000 for _, d in timed],
        "in": [(d["ended"] - d["began"]) * 1000 for _, d in timed],
        "after": [(d["received"] - d["ended"]) * 1000 for _, d in timed],
    }
    print("challenge time, p50/p99 ms: " + ", ".join(
        f"{name} the server's Python {percentile(v, .5):.1f}/{percentile(v, .99):.1f}"
        for name, v in parts.items()))  # fmt: skip
    slow = sorted((x for x in timed if x[0] > limit_ms), key=lambda x: -x[0])
    ways = {}
    for _, d in timed:
        ways[d["way"]] = ways.get(d["way"], 0) + 1
    left = sum(1 for _, d in timed if d["left"])
    print(f"challenge samples: {len(timed)} ({len(timed) - left} before a comment, {left} of "
          f"readers who opened the form and left); answered "
          f"{', '.join(f'{w} {n}' for w, n in sorted(ways.items()))} (first: through Django, "
          f"learning; fast: before it); over {limit_ms:.0f} ms: {len(slow)}")  # fmt: skip
    by_process = {}
    for total, d in timed:
        by_process.setdefault(d["pid"], []).append(total)
    print("challenges per server process (p50/p99 ms): " + ", ".join(
        f"pid {pid} {len(v)} ({percentile(v, .5):.1f}/{percentile(v, .99):.1f})"
        for pid, v in sorted(by_process.items())))  # fmt: skip
    edits = sorted(t for t, _ in moments)

    def after_edit(d):
        return any(0 <= d["sent"] - t <= 0.5 for t in edits)

    for total, d in slow[:12]:
        print(f"   {total:6.0f} ms = before {(d['began'] - d['sent']) * 1000:6.1f} + in "
              f"{(d['ended'] - d['began']) * 1000:6.1f} + after "
              f"{(d['received'] - d['ended']) * 1000:6.1f}; {d['way']}, pid {d['pid']}"
              f"{', new connection' if d['opened'] else ''}"
              f"{', within 0.5 s of an edit' if after_edit(d) else ''}")  # fmt: skip
    if slow:
        near = sum(1 for _, d in slow if after_edit(d))
        share = sum(1 for _, d in timed if after_edit(d)) / len(timed)
        print(f"   of those over {limit_ms:.0f} ms, {near} within 0.5 s of an edit "
              f"(of all challenges, {share:.0%})")  # fmt: skip


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def pin_servers(cpus):
    """What a server's process runs before it starts: pinned to `cpus`, if any."""
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


def cpu_list(text: str) -> set[int]:
    return {int(n) for n in text.split(",") if n.strip()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds of load (30)")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--commenters", type=int, default=20)
    parser.add_argument("--editor-pause", type=float, default=2.0,
                        help="seconds between the editor's actions (2)")  # fmt: skip
    parser.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database")
    parser.add_argument("--postgres-database", default="khabar_server_spike")
    parser.add_argument("--redis", action="store_true", help=f"the cache in Redis ({REDIS_URL})")
    parser.add_argument("--app-servers", type=int, default=1)
    parser.add_argument("--varnish", action="store_true", help="Varnish in front (deploy/varnish)")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY of each app server")
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        help="KHABAR_SERVER, bin/serve's WSGI server (granian)",
    )
    parser.add_argument("--worker-class", help="KHABAR_WORKER_CLASS (gthread, sync), gunicorn's")
    parser.add_argument("--threads", type=int, help="KHABAR_THREADS")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="first of the ports the servers take (default: any free ones)",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="count X-Cache (HIT, MISS, STALE) per kind (costs wrk CPU)",
    )
    parser.add_argument(
        "--server-cpus",
        type=cpu_list,
        metavar="LIST",
        help="pin the servers to these cores (0,1); default: any",
    )
    parser.add_argument(
        "--bench-cpus",
        type=cpu_list,
        metavar="LIST",
        help="pin wrk, the commenters and the editor to these cores",
    )
    parser.add_argument("--cold", action="store_true", help="no page read before the spike")
    parser.add_argument("--challenge-every", type=int, default=250, metavar="MS",
                        help="while writing, each commenter also fetches a challenge every "
                             "MS/2 to MS ms, as readers who open the form and leave (250; "
                             "0: one challenge per comment)")  # fmt: skip
    parser.add_argument("--think", type=int, default=0, metavar="MS",
                        help="each reader's average pause between requests (0: none)")  # fmt: skip
    args = parser.parse_args()
    if args.app_servers > 1 and not args.varnish:
        parser.error("two app servers need a front: add --varnish")
    if not shutil.which("wrk"):
        raise SystemExit("the readers are wrk: apt-get install wrk")

    # Another program busy on the same cores shows in every figure: said with them.
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="khabar-spike-"))
    processes = []
    try:
        env, password, port = start(args, workdir, processes)
        if args.bench_cpus:
            # wrk and the commenters, started from here, inherit it.
            os.sched_setaffinity(0, args.bench_cpus)
        what = content(env)
        run_id = os.urandom(3).hex()
        forking = multiprocessing.get_context("fork")  # before any thread of ours starts
        tally, stop, latencies, queue = Tally(), forking.Event(), [], forking.Queue()
        results, fresh, moments = {}, [], []
        share = args.readers // 3
        readers = [
            threading.Thread(target=run_wrk, args=(kind, paths, n, port, args.duration,
                                                   workdir, results, args.think, args.split))
            for kind, paths, n in (("front page", ["/ar/"], args.readers - 2 * share),
                                   ("article", what["articles"], share),
                                   ("comments region", what["regions"], share))
        ]  # fmt: skip
        writers = [threading.Thread(target=editor_loop, args=(
            port, password, stop, tally, what["targets"], what["section"], run_id,
            args.editor_pause, fresh, moments))]  # fmt: skip
        commenters = [
            forking.Process(target=commenter_process,
                            args=(port, stop, queue, what["codes"], run_id, i,
                                  args.challenge_every / 1000))
            for i in range(args.commenters)
        ]  # fmt: skip
        # The spike hits a site that was already serving: each page has been read once. Cold,
        # every connection's first request is a miss rendered beside 199 others, and on 2
        # cores they all time out (wrk's 5 s) together; --cold measures that instead.
        if not args.cold:
            warm = Browser(port)
            for path in ["/ar/", *what["articles"], *what["regions"]]:
                warm.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
        sessions = {p.pid for p in processes}
        cpu_before = (session_cpu(sessions), own_cpu(resource.RUSAGE_SELF),
                      own_cpu(resource.RUSAGE_CHILDREN), machine_cpu())  # fmt: skip
        began = time.monotonic()
        for process in commenters:
            process.start()
        for thread in readers + writers:
            thread.start()
        for thread in readers:
            thread.join()
        stop.set()
        for thread in writers:
            thread.join()
        commenters_cpu = 0.0
        for _ in commenters:
            counts, errors, times, cpu = queue.get(timeout=60)
            for key, n in counts.items():
                tally.add(key, n)
            tally.errors.extend(errors)
            latencies.extend(times)
            commenters_cpu += cpu
        for process in commenters:
            process.join()
        duration = time.monotonic() - began
        cpu_after = (session_cpu(sessions), own_cpu(resource.RUSAGE_SELF),
                     own_cpu(resource.RUSAGE_CHILDREN), machine_cpu())  # fmt: skip
        time.sleep(1)
        found = stored(run_id, [pk for pk, _ in what["targets"]])
    finally:
        stop_all(processes)
        if args.postgres and "khabar.settings" in sys.modules:
            from django.db import connections

            connections.close_all()
    mode = ", ".join(
        filter(None, ["PostgreSQL" if args.postgres else "SQLite", "Redis" if args.redis else "",
                      f"{args.app_servers} app server(s)", "Varnish" if args.varnish else ""])
    )  # fmt: skip
    pause = f"pausing {args.think} ms on average" if args.think else "no pause between requests"
    print(f"spike: {args.readers} readers ({pause}), {args.commenters} commenters, 1 editor; "
          f"{mode}; {duration:.1f} s; load average before {load_before:.1f}, after "
          f"{os.getloadavg()[0]:.1f} (1 min; {os.cpu_count()} cores)")  # fmt: skip
    print(f"{'kind':<16} {'requests':>9} {'req/s':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7}")  # fmt: skip
    errors, p99s = 0, {}
    for kind, r in results.items():
        errors += r["errors"]
        p99s[kind] = r["p99"]
        print(f"{kind:<16} {r['requests']:>9} {r['requests'] / r['seconds']:>7.0f} "
              f"{r['errors']:>6} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}")  # fmt: skip
        if r["errors"]:
            print("   errors:", ", ".join(f"{k} {v}" for k, v in r["kinds"].items() if v))
        if args.split:
            print("   X-Cache:", ", ".join(f"{k} {v}" for k, v in r["x-cache"].items()))
    for kind in ("challenge", "comment post"):
        times = [t * 1000 for k, t, *_ in latencies if k == kind]
        failed = sum(1 for k, _, s, _ in latencies if k == kind and s >= 400)
        if times:
            p99s[kind] = percentile(times, 0.99)
            print(f"{kind:<16} {len(times):>9} {'':>7} {failed:>6} "
                  f"{percentile(times, .5):>7.1f} {percentile(times, .95):>7.1f} "
                  f"{p99s[kind]:>7.1f}")  # fmt: skip
    explain_challenges(latencies, moments)
    readers_p99 = max((p99s[k] for k in ("front page", "article", "comments region") if k in p99s),
                      default=0)  # fmt: skip
    if readers_p99 and "challenge" in p99s:
        # The challenge waits in the same queue as the readers' pages: on a machine busy with
        # other work both grow together, and this ratio is what the challenge's path adds.
        print(f"challenge p99 / readers' worst p99: {p99s['challenge'] / readers_p99:.2f}")
    errors += len(tally.errors)
    c = {**tally.counts, **found}
    lost_comments = c.get("comments posted", 0) - c["comments stored"]
    lost_saves = (
        c.get("saves made", 0) - c["stories stored"]
        + c.get("publications made", 0) - c["publications stored"]
        + c.get("corrections made", 0) - c["corrections stored"]
    )  # fmt: skip
    print(f"comments posted {c.get('comments posted', 0)}, stored {c['comments stored']}")
    print(f"stories saved {c.get('saves made', 0)}, stored {c['stories stored']}; published "
          f"{c.get('publications made', 0)}, stored {c['publications stored']}; corrections "
          f"{c.get('corrections made', 0)}, stored {c['corrections stored']}")  # fmt: skip
    if fresh:
        print(
            f"correction to fresh article page: {len(fresh)} corrections, max "
            f"{max(fresh) * 1000:.0f} ms, median {percentile(fresh, 0.5) * 1000:.0f} ms"
        )
    for text in tally.errors[:10]:
        print("  ", text)
    # Where the CPU went while the readers ran: the bench shares the machine's cores with the
    # server it measures (and, on a shared machine, with whatever else runs).
    server, own, children, machine = (b - a for a, b in zip(cpu_before, cpu_after, strict=True))
    wrk = children - commenters_cpu
    others = machine - server - own - children
    print(f"CPU seconds over {duration:.0f} s ({os.cpu_count()} cores, "
          f"{duration * (os.cpu_count() or 1):.0f} available): servers {server:.1f}, "
          f"wrk {wrk:.1f}, commenters {commenters_cpu:.1f}, bench's editor and main "
          f"{own:.1f}, everything else on the machine {max(0.0, others):.1f}")  # fmt: skip
    answered = sum(r["requests"] for r in results.values()) + len(latencies)
    print(f"servers' CPU per request answered: {server / max(1, answered) * 1e6:.0f} us")
    checks = [(f"p99 {kind}", f"{p99s[kind]:.1f} ms", p99s[kind] <= 200)
              for kind in ("front page", "article", "comments region", "challenge")
              if kind in p99s]  # fmt: skip
    checks += [
        ("errors", str(errors), errors == 0),
        ("lost comments", str(lost_comments), lost_comments == 0),
        ("lost saves", str(lost_saves), lost_saves == 0),
    ]
    if fresh:
        checks.append(("correction to fresh page", f"{max(fresh) * 1000:.0f} ms",
                       max(fresh) <= 1.0))  # fmt: skip
    targets = {"p99": "<= 200 ms", "correction to fresh page": "<= 1000 ms"}
    for name, value, ok in checks:
        target = next((t for k, t in targets.items() if name.startswith(k)), "0")
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value} (target {target})")
    if "comment post" in p99s:
        print(f"info p99 comment post: {p99s['comment post']:.1f} ms (no target)")
    failed = [name for name, _, ok in checks if not ok]
    print(f"spike {'PASS' if not failed else 'FAIL: ' + ', '.join(failed)}")
    shutil.rmtree(workdir, ignore_errors=True)
    if args.postgres:
        import psycopg

        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{args.postgres_database}" WITH (FORCE)')
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Cache hits against a static file: the demo article from each cache, with wrk.

    .venv/bin/python bench/cache_hits.py                  # 3 rounds of 10 s a case
    .venv/bin/python bench/cache_hits.py --duration 5 --rounds 5 --data-dir /tmp/khabar-hits
    .venv/bin/python bench/cache_hits.py --cases abd --rounds 10 --duration 3   # nginx only

The reference (a) is nginx sending the article's bytes as a static file; then (b) nginx
sending it from the page cache's file tree (deploy/nginx/khabar.conf), (c) a Varnish hit
(deploy/varnish/khabar.vcl), (d) nginx sending a page with a query string from the file tree
(the article's `?page=1`, kept as q-page=1.html: the same bytes), (e) the embedded page cache's
Python hit path in gunicorn, one sync worker, and (f) in granian, one worker (bin/serve's
server). With --floor, (g) Varnish with an empty VCL and its log masked, serving the same
object as kept (no gzip handling): what Varnish costs whatever the VCL. Each case runs with and
without `Accept-Encoding: br, gzip`, in turns with the others for a few rounds.

Figures, medians over the rounds: req/s and p99 (wrk), and the server's requests per CPU-second
(its processes' user + system time over the run, from /proc) with its context switches per
request; each ratio is to (a) in the same round with the same encoding. On a shared machine the
req/s ratio moves with the other load; the CPU-second ratio much less. The issue's target: a hit
at least 0.8x the static file.

wrk (-t2 -c32) runs on CPU 0, every server on CPU 1 (taskset), nginx with one worker process,
all over plain HTTP on 127.0.0.1 (Varnish speaks no TLS). The data directory is a scratch one
(migrate, seed_demo, collectstatic) unless --data-dir names one already set up.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def manage(data_dir: Path, *args):
    env = {**os.environ, "KHABAR_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(data_dir: Path):
    if not (data_dir / "khabar.sqlite3").exists():
        manage(data_dir, "migrate", "--noinput", "-v0")
        manage(data_dir, "seed_demo")
    if not (data_dir / "static" / "staticfiles.json").exists():
        manage(data_dir, "collectstatic", "--noinput", "-v0")


# Varnish at its least: every request a lookup, the object kept as the backend sent it.
FLOOR_VCL = """vcl 4.1;
backend app { .host = "127.0.0.1"; .port = "@BACKEND_PORT@"; }
sub vcl_recv { unset req.http.Cookie; return (hash); }
"""


HIT_LOG_TAGS = [
    "Begin",
    "End",
    "Link",
    "Timestamp",
    "ReqStart",
    "ReqMethod",
    "ReqURL",
    "ReqProtocol",
    "ReqHeader",
    "ReqUnset",
    "ReqAcct",
    "VCL_call",
    "VCL_return",
    "VCL_use",
    "VCL_acl",
    "Hit",
    "Filters",
    "Length",
    "RespProtocol",
    "RespStatus",
    "RespReason",
    "RespHeader",
    "RespUnset",
    "SessOpen",
    "SessClose",
    "Debug",
]


def _group(pgid):
    """The /proc entries of the processes in process group `pgid` (a server and its children)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == pgid:
                yield entry, fields


def server_usage(pgid):
    """(CPU seconds, context switches) used so far by the process group `pgid`."""
    seconds, switches = 0.0, 0
    for entry, fields in _group(pgid):
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        try:
            for task in os.listdir(f"/proc/{entry}/task"):
                for line in Path(f"/proc/{entry}/task/{task}/status").read_text().splitlines():
                    if "ctxt_switches" in line:
                        switches += int(line.split()[1])
        except OSError:
            continue
    return seconds, switches


def wrk(url, duration, encoding, cpu, pgid=None):
    """(req/s, p99 ms, errors, requests per server CPU-second, context switches per request);
    the last two None without `pgid`, the server's process group."""
    argv = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", url]
    if encoding:
        argv[1:1] = ["-H", f"Accept-Encoding: {encoding}"]
    if shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu), *argv]
    before = server_usage(pgid) if pgid else None
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    after = server_usage(pgid) if pgid else None
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    requests = int(re.search(r"(\d+) requests in", out)[1])
    per_cpu = switches = None
    if before:
        per_cpu = requests / max(after[0] - before[0], 0.01)
        switches = (after[1] - before[1]) / max(requests, 1)
    return rate, p99, errors[0] if errors else "", per_cpu, switches


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each case, in turns")
    parser.add_argument("--data-dir", type=Path, help="a data directory to set up or reuse")
    parser.add_argument("--floor", action="store_true",
                        help="also Varnish with an empty VCL and its log masked")  # fmt: skip
    parser.add_argument("--cases", default="abcdefg",
                        help="the cases to measure, by letter (a, the reference, always): "
                             "abd to compare nginx configurations in more rounds")  # fmt: skip
    args = parser.parse_args()
    data_dir = (args.data_dir or Path(tempfile.mkdtemp(prefix="khabar-bench-hits-"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    prepare(data_dir)
    os.environ.update(KHABAR_DATA_DIR=str(data_dir), DATABASE_URL="",
                      DJANGO_SETTINGS_MODULE="khabar.settings",
                      KHABAR_PAGE_CACHE="embedded")  # fmt: skip
    import django

    django.setup()
    from khabar.news.models import Article
    from khabar.pagecache.tests import servers

    article = Article.objects.published().order_by("news_code").first()
    path = urllib.parse.quote(article.get_absolute_url())  # wrk takes the URL as sent
    database = f"sqlite:///{data_dir / 'khabar.sqlite3'}"
    work = Path(tempfile.mkdtemp(prefix="khabar-bench-front-"))
    started = []
    try:
        app, app_base = servers.start_gunicorn(
            data_dir,
            database_url=database,
            static=data_dir / "static",
            workers=1,
            cpu=1,
            KHABAR_SITE_URL="http://127.0.0.1",  # the same bytes whatever the port asked
        )
        started.append(app)
        granian, granian_base = servers.start_granian(
            data_dir, database_url=database, static=data_dir / "static", workers=1, cpu=1,
            KHABAR_SITE_URL="http://127.0.0.1", KHABAR_PAGE_CACHE="embedded",
        )  # fmt: skip
        started.append(granian)
        varnish, varnish_base = servers.start_varnish(work / "varnish", [app_base], cpu=1)
        started.append(varnish)
        if args.floor:
            # Every tag a hit writes to the shared-memory log masked (vsl_mask takes names, not
            # patterns), so that the floor leaves out the log's cost too.
            mask = ["-p", "vsl_mask=" + ",".join(f"-{tag}" for tag in HIT_LOG_TAGS)]
            floor, floor_base = servers.start_varnish(
                work / "floor", [app_base], cpu=1, vcl=FLOOR_VCL,
                params=[*mask, "-p", "http_gzip_support=off"],
            )  # fmt: skip
            started.append(floor)
        nginx, _http, nginx_base = servers.start_nginx(
            work / "nginx", app=app_base, data_dir=data_dir, cpu=1, tls=False
        )
        started.append(nginx)

        # The page once through the app: rendered and kept in the file tree, with .gz and .br.
        status, headers, html = servers.fetch(app_base + path)
        assert status == 200, status
        page = data_dir / "pages" / urllib.parse.unquote(path).strip("/") / "index.html"
        for _ in range(100):  # kept once the answer has gone out
            if page.with_name("index.html.json").exists():
                break
            time.sleep(0.05)
        assert page.exists(), f"{page} was not kept"
        static = data_dir / "static" / "bench"
        static.mkdir(exist_ok=True)
        for suffix in ("", ".gz", ".br"):
            shutil.copy(page.with_name("index.html" + suffix), static / ("article.html" + suffix))
        cases = {
            "a nginx static file": (nginx_base + "/static/bench/article.html", nginx),
            "b nginx file tree": (nginx_base + path, nginx),
            "c Varnish hit": (varnish_base + path, varnish),
            "d nginx file tree ?page=1": (nginx_base + path + "?page=1", nginx),
            "e gunicorn page cache": (app_base + path, app),
            "f granian page cache": (granian_base + path, granian),
        }
        if args.floor:
            cases["g Varnish floor"] = (floor_base + path, floor)
        cases = {name: case for name, case in cases.items() if name[0] in "a" + args.cases}
        for name, (url, _server) in cases.items():  # warm each cache, and check it is a hit
            for coding in ("br, gzip", "x"):
                for _ in range(3):
                    status, headers, body = servers.fetch(url, headers={"Accept-Encoding": coding})
                    time.sleep(0.1)  # the ?page=1 copy is stored once its answer has gone out
            assert status == 200 and body == html, (name, status)
            print(f"{name:26} {headers.get('X-Cache') or 'file'}")

        brotli_size = page.with_name("index.html.br").stat().st_size
        print(f"\nthe article {urllib.parse.unquote(path)}",
              f"({len(html):,} B, brotli {brotli_size:,} B),",
              f"wrk -t2 -c32 -d{args.duration}s on CPU 0, servers on CPU 1\n")  # fmt: skip
        for encoding in ("", "br, gzip"):
            # Cases take turns, round after round: a machine whose load drifts (a shared one)
            # then weighs on every case alike; each ratio is to the static file of its round.
            runs = {name: [] for name in cases}
            for _round in range(args.rounds):
                for name, (url, server) in cases.items():
                    runs[name].append(wrk(url, args.duration, encoding, cpu=0, pgid=server.pid))
            print(f"Accept-Encoding: {encoding or '(none)'}  (medians of {args.rounds} rounds, "
                  f"load average {os.getloadavg()[0]:.1f})")  # fmt: skip
            print(f"  {'case':26} {'req/s':>9} {'p99 ms':>7} {'ratio':>6}"
                  f" {'req/CPU-s':>10} {'ratio':>6} {'switches/req':>12}")  # fmt: skip
            reference = runs["a nginx static file"]
            for name, results in runs.items():
                pairs = list(zip(results, reference, strict=True))
                rate = statistics.median(r[0] for r in results)
                p99 = statistics.median(r[1] for r in results)
                ratio = statistics.median(r[0] / ref[0] for r, ref in pairs)
                per_cpu = statistics.median(r[3] for r in results)
                cpu_ratio = statistics.median(r[3] / ref[3] for r, ref in pairs)
                switches = statistics.median(r[4] for r in results)
                errors = " ".join(r[2] for r in results if r[2])
                print(f"  {name:26} {rate:9,.0f} {p99:7.2f} {ratio:6.2f} {per_cpu:10,.0f}"
                      f" {cpu_ratio:6.2f} {switches:12.2f} {errors}")  # fmt: skip
            print()
    finally:
        for process in reversed(started):
            servers.stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Cache hits against a static file: the demo article from each cache, with wrk.

    .venv/bin/python bench/cache_hits.py                  # 3 rounds of 10 s a case
    .venv/bin/python bench/cache_hits.py --duration 5 --rounds 5 --data-dir /tmp/khabar-hits

The reference (a) is nginx sending the article's bytes as a static file; then (b) nginx
sending it from the page cache's file tree (deploy/nginx/khabar.conf), (c) a Varnish hit
(deploy/varnish/khabar.vcl), (d) an nginx proxy_cache hit (the article with a query string, the
path nginx caches for a second), (e) the embedded page cache's Python hit path in gunicorn, one
sync worker. Each case runs with and without `Accept-Encoding: br, gzip`, in turns with the
others for a few rounds; the figures are medians of req/s, p99 and the ratio to (a) measured in
the same round with the same encoding. The issue's target: a
hit at least 0.8x the static file.

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


def wrk(url, duration, encoding, cpu):
    argv = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", url]
    if encoding:
        argv[1:1] = ["-H", f"Accept-Encoding: {encoding}"]
    if shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu), *argv]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return rate, p99, errors[0] if errors else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each case, in turns")
    parser.add_argument("--data-dir", type=Path, help="a data directory to set up or reuse")
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
        varnish, varnish_base = servers.start_varnish(work / "varnish", [app_base], cpu=1)
        started.append(varnish)
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
            "a nginx static file": nginx_base + "/static/bench/article.html",
            "b nginx file tree": nginx_base + path,
            "c Varnish hit": varnish_base + path,
            "d nginx proxy_cache hit": nginx_base + path + "?from=bench",
            "e gunicorn page cache": app_base + path,
        }
        for name, url in cases.items():  # warm each cache, and check that it is a hit
            for coding in ("br, gzip", "x"):
                for _ in range(3):
                    status, headers, body = servers.fetch(url, headers={"Accept-Encoding": coding})
            assert status == 200 and body == html, (name, status)
            state = headers.get("X-Cache") or headers.get("X-Proxy-Cache") or "file"
            print(f"{name:26} {state}")

        brotli_size = page.with_name("index.html.br").stat().st_size
        print(f"\nthe article {urllib.parse.unquote(path)}",
              f"({len(html):,} B, brotli {brotli_size:,} B),",
              f"wrk -t2 -c32 -d{args.duration}s on CPU 0, servers on CPU 1\n")  # fmt: skip
        for encoding in ("", "br, gzip"):
            # Cases take turns, round after round: a machine whose load drifts (a shared one)
            # then weighs on every case alike; each ratio is to the static file of its round.
            runs = {name: [] for name in cases}
            for _round in range(args.rounds):
                for name, url in cases.items():
                    # nginx drops a proxy_cache copy unread for 2 s (inactive): one request
                    # first, so that the run measures hits, not the readers' rush at a miss.
                    servers.fetch(url, headers={"Accept-Encoding": encoding or "x"})
                    runs[name].append(wrk(url, args.duration, encoding, cpu=0))
            print(f"Accept-Encoding: {encoding or '(none)'}  (medians of {args.rounds} rounds)")
            print(f"  {'case':26} {'req/s':>10} {'p99 ms':>8} {'ratio':>6}")
            reference = runs["a nginx static file"]
            for name, results in runs.items():
                rate = statistics.median(r[0] for r in results)
                p99 = statistics.median(r[1] for r in results)
                pairs = zip(results, reference, strict=True)
                ratio = statistics.median(r[0] / ref[0] for r, ref in pairs)
                errors = " ".join(r[2] for r in results if r[2])
                print(f"  {name:26} {rate:10,.0f} {p99:8.2f} {ratio:6.2f} {errors}")
            print()
    finally:
        for process in reversed(started):
            servers.stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

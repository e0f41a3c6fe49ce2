"""CPU per request of Khabar's uncached pages, in-process: no server, no network, only Django.

    .venv/bin/python bench/profile_page.py                    # ms per request, article profile
    .venv/bin/python bench/profile_page.py --requests 500 --top 40 --page front
    .venv/bin/python bench/profile_page.py --save-html /tmp/before.html   # the article's bytes
    .venv/bin/python bench/profile_page.py --compare-html /tmp/before.html  # same bytes now?

Builds the demo site (migrate, seed_demo) in a scratch data directory (KHABAR_DATA_DIR if set,
else a temporary one) with DEBUG off and the page cache off (KHABAR_PAGE_CACHE=off), then calls
Django's WSGI handler directly for the article, front and section pages that bench/pages.py
serves, all in the same run: each page is warmed up, then timed over --requests calls (the best
of --rounds rounds, the figure least disturbed by other processes on the machine), then the
article page (or --page) is profiled with cProfile and its top functions printed by own time and
by cumulative time. --compare-html exits non-zero when a page's HTML differs from the one saved
before a change (the article's in the file named, the others beside it as FILE.front and
FILE.section): what a reader sees must stay byte for byte the same.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("KHABAR_DATA_DIR", tempfile.mkdtemp(prefix="khabar-profile-"))
    os.environ["DEBUG"] = "0"
    os.environ["KHABAR_PAGE_CACHE"] = "off"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_demo() -> dict[str, str]:
    from django.core.management import call_command

    from khabar.news.models import Article, Section

    call_command("catalogues", "--compile", verbosity=0)  # as bin/setup: pages in Arabic
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if not Article.objects.exists():
        call_command("seed_demo", verbosity=0)
    # The same pages as bench/pages.py: the most commented Arabic story, its edition's front
    # page and first section.
    article = (
        Article.objects.published()
        .filter(edition__code="ar")
        .order_by("-comment_count", "-published_at")
        .first()
    )
    section = Section.objects.filter(edition=article.edition).order_by("position").first()
    return {
        "article": article.get_absolute_url(),
        "front": article.edition.get_absolute_url(),
        "section": section.get_absolute_url(),
    }


def wsgi_caller():
    """A function that serves one GET through the whole WSGI stack (every middleware) and
    returns the status and the body, as gunicorn would see them."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def get(path: str) -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": "GET",
            # WSGI carries the decoded path's UTF-8 bytes as Latin-1 characters.
            "PATH_INFO": unquote(path).encode().decode("latin-1"),
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT_ENCODING": "identity",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(response)
        finally:
            response.close()
        return status[0], body

    return get


def html_file(path: Path, page: str) -> Path:
    return path if page == "article" else path.with_name(f"{path.name}.{page}")


def count_queries(get, path: str) -> int:
    """SQL statements of one request, counted by a wrapper: the request_started signal empties
    connection.queries."""
    from django.db import connection

    executed = []

    def counting(execute, *args):
        executed.append(1)
        return execute(*args)

    with connection.execute_wrapper(counting):
        get(path)
    return len(executed)


def time_page(get, path: str, requests: int, rounds: int) -> float:
    """Milliseconds of this process's CPU per request, the best of the rounds: CPU time, as
    bench/pages.py counts requests per CPU-second, so that other processes taking the machine
    meanwhile stretch it less than they stretch the clock."""
    status, _ = get(path)
    if not status.startswith("200"):
        raise SystemExit(f"{path}: {status}")
    for _ in range(20):
        get(path)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(requests):
            get(path)
        best = min(best, (time.process_time() - start) / requests * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page", choices=["article", "front", "section"], default="article")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--save-html", type=Path)
    parser.add_argument("--compare-html", type=Path)
    args = parser.parse_args()

    setup_django()
    pages = build_demo()
    get = wsgi_caller()
    for name, path in pages.items():
        # The article's HTML in the file named, the front and section pages' beside it.
        _status, html = get(path)
        if args.save_html:
            saved = html_file(args.save_html, name)
            saved.write_bytes(html)
            print(f"{name} HTML saved: {saved} ({len(html)} bytes)")
        if args.compare_html:
            before = html_file(args.compare_html, name)
            same = before.read_bytes() == html
            print(f"{name} HTML {'identical to' if same else 'DIFFERS from'} {before}")
            if not same:
                sys.exit(1)

    print(f"{'page':<8} {'ms/request':>10} {'queries':>8}  path")
    for name, path in pages.items():
        count = count_queries(get, path)
        ms = time_page(get, path, args.requests, args.rounds)
        print(f"{name:<8} {ms:>10.3f} {count:>8}  {path}")

    if args.no_profile:
        return
    profiler = cProfile.Profile()
    path = pages[args.page]
    profiler.enable()
    for _ in range(args.requests):
        get(path)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        print(f"\n{args.page}: top {args.top} by {order} over {args.requests} requests")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue().split("\n", 6)[-1].rstrip())


if __name__ == "__main__":
    main()

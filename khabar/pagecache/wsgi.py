"""The page cache in front of Django, as a WSGI wrapper: a hit costs a stat and a read.

A GET or HEAD for a kept, fresh page is answered from the files, in the coding the client
accepts, with 304 for a matching If-None-Match, before Django is imported into the request at
all. A miss goes to Django without the client's Accept-Encoding and validators (a whole, plain
200 is what can be stored); a storable answer is stored, compressed, and sent in the client's
coding; any other goes out as Django made it, compressed here when it was not.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import time

from khabar.lib.compression import MIN_SIZE, choose_encoding, compress, is_compressible
from khabar.lib.surrogate import parse_keys
from khabar.news import surrogate
from khabar.pagecache.store import (
    PageStore,
    etag_matches,
    locate,
    pick_encoding,
    shared_lifetime,
    weak_etag,
)
from khabar.reader.pages import CAP_READ_AT

logger = logging.getLogger(__name__)

_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_ACCEPT_ENCODING")
# A 304 repeats these of the 200 it stands for (RFC 9110 §15.4.5).
_KEPT_ON_304 = frozenset({"cache-control", "content-location", "expires", "last-modified"})


def storable(method: str, status: int, headers, host_ok: bool) -> tuple[list[str], int]:
    """The surrogate keys and lifetime to keep an answer with, or ([], 0) if it may not be
    kept: only a whole 200 to a GET from an allowed host, public with an s-maxage, naming its
    keys, setting no cookie, varying on nothing but the coding, not already compressed."""
    if method != "GET" or status != 200 or not host_ok:
        return [], 0
    names = {k.lower(): v for k, v in headers}
    if "set-cookie" in names or "content-encoding" in names:
        return [], 0
    vary = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding"}:
        return [], 0
    keys = parse_keys(names.get("surrogate-key", ""))
    lifetime = shared_lifetime(headers)
    if not keys or not lifetime:
        return [], 0
    return keys, lifetime


class PageCache:
    """WSGI middleware: `PageCache(django_app, PageStore(root), allowed_hosts)`."""

    def __init__(self, application, store: PageStore, host_allowed=lambda host: True):
        self.application = application
        self.store = store
        self.host_allowed = host_allowed
        self.memory = _Memory(store)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        location = None
        if method in ("GET", "HEAD"):
            location = self.memory.locate(
                environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
            )
        if location is None:
            return self.application(environ, start_response)
        try:
            page, stale = self.memory.lookup(location)
        except Exception:  # a broken cache must not take the site down with it
            logger.exception("page cache lookup failed")
            page, stale = None, None
        if page is not None:
            answer = self._answer(page, environ, start_response, hit=True)
            if answer is not None:
                return answer
        return self._coalesced_miss(location, environ, start_response, stale)

    def _coalesced_miss(self, location, environ, start_response, stale=None):
        """One render per page at a time, across every process: right after a purge of the
        front page, the two hundred readers asking for it would otherwise each render it
        (a p99 of seconds in the spike). The first takes the page's lock and renders; the
        others answer with the copy the purge removed, if this process still holds it and
        the page was last seen in place at most STALE_SECONDS ago (so no reader is given it
        later than that after the purge); without one they wait for the render, then answer
        from what it stored; whoever finds nothing stored (refused, not storable) renders in
        turn, and nobody waits longer than COALESCE_WAIT."""
        lock = _RenderLock(self.store.root, location)
        deadline = time.monotonic() + COALESCE_WAIT
        try:
            while not lock.acquire():
                if stale is not None:
                    if time.time() - stale.seen <= STALE_SECONDS:
                        answer = self._answer(stale.page, environ, start_response, hit="STALE")
                        if answer is not None:
                            return answer
                    stale = None
                if time.monotonic() > deadline:
                    return self._miss(location, environ, start_response)
                time.sleep(COALESCE_POLL)
            if lock.waited:
                page, _ = self.memory.lookup(location)
                if page is not None:
                    answer = self._answer(page, environ, start_response, hit=True)
                    if answer is not None:
                        return answer
            return self._miss(location, environ, start_response)
        finally:
            lock.release()

    def _miss(self, location, environ, start_response):
        started = time.time()
        # A page is stored only if none of its keys was purged since the edition's go-live
        # moment was read; read in the second before a purge (memoised per process), it
        # would get every render refused for that second. Read afresh after a recent purge.
        if started - self.store.last_purge() < surrogate.MEMO_SECONDS + 0.5:
            surrogate.forget_go_live(None)
        inner = {k: v for k, v in environ.items() if k not in _CONDITIONAL}
        captured = {}
        written = []

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return written.append

        result = self.application(inner, capture)
        try:
            body = b"".join([*written, *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured["status"], list(captured["headers"])
        host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")).rsplit(":", 1)[0]
        keys, lifetime = storable(
            environ["REQUEST_METHOD"], int(status.split()[0]), headers, self.host_allowed(host)
        )
        page = None
        if keys:
            # The go-live cap may have been read (memoised) before the request started.
            since = min(started, inner.get(CAP_READ_AT, started))
            try:
                page = self.store.store(
                    location, int(status.split()[0]), headers, body, keys, since, lifetime
                )
            except Exception:
                logger.exception("page cache store failed")
        if page is not None:
            return self._answer(page, environ, start_response, hit=False)
        return self._pass(status, headers, body, environ, start_response)

    def _answer(self, page, environ, start_response, hit):
        coding = self.memory.coding(environ.get("HTTP_ACCEPT_ENCODING"), page.encodings)
        etag = page.etag if not coding else weak_etag(page.etag)
        common = [
            ("Vary", "Accept-Encoding"),
            ("Age", str(max(0, int(time.time() - page.stored)))),
            ("X-Cache", hit if isinstance(hit, str) else "HIT" if hit else "MISS"),
        ]
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), page.etag):
            kept = [(k, v) for k, v in page.headers if k.lower() in _KEPT_ON_304]
            start_response("304 Not Modified", [*kept, ("ETag", etag), *common])
            return []
        body = self.store.body(page, coding)
        if body is None:
            return None  # purged since its sidecar was read: render it
        page.bodies[coding] = body  # read once while the page is held in memory
        headers = [(k, v) for k, v in page.headers if k.lower() != "etag"]
        headers += [("ETag", etag), *common, ("Content-Length", str(len(body)))]
        if coding:
            headers.append(("Content-Encoding", coding))
        start_response(f"{page.status} OK", headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _pass(self, status, headers, body, environ, start_response):
        """An answer not kept, as Django made it: compressed here unless it already is (the
        client's Accept-Encoding was held back from Django), with a 304 when it can be."""
        names = {k.lower(): v for k, v in headers}
        code = int(status.split()[0])
        etag = names.get("etag", "")
        if code == 200 and etag and etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            kept = [(k, v) for k, v in headers if k.lower() in _KEPT_ON_304 | {"etag", "vary"}]
            start_response("304 Not Modified", kept)
            return []
        coding = choose_encoding(environ.get("HTTP_ACCEPT_ENCODING"))
        if (
            coding
            and "content-encoding" not in names
            and is_compressible(names.get("content-type", ""))
            and len(body) >= MIN_SIZE
        ):
            body = compress(body, coding)
            headers = [(k, v) for k, v in headers if k.lower() not in {"content-length", "etag"}]
            if etag:
                headers.append(("ETag", weak_etag(etag)))
            vary = [v.strip() for v in names.get("vary", "").split(",") if v.strip()]
            headers = [(k, v) for k, v in headers if k.lower() != "vary"]
            headers.append(("Vary", ", ".join([*vary, "Accept-Encoding"])))
            headers += [("Content-Encoding", coding), ("Content-Length", str(len(body)))]
        start_response(status, [*headers, ("X-Cache", "MISS")])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


# Seconds after a page was last seen in place during which a reader arriving while another
# request renders it again is given the copy its purge removed, instead of waiting for the
# render (which takes 5-30 ms alone, but hundreds of milliseconds on cores that 200 readers
# keep busy). Publication to fresh page stays under a second: STALE_SECONDS plus the purge.
STALE_SECONDS = 0.5
# Pages and addresses each process keeps in memory (a front page is 4-20 KB in each coding).
MEMORY_PAGES = 2000
MEMORY_LOCATIONS = 10000


class _Seen:
    """A page held in memory, and when its sidecar was last seen in place."""

    __slots__ = ("page", "seen")

    def __init__(self, page, seen):
        self.page, self.seen = page, seen


class _Memory:
    """The pages this process has served lately, bytes and all: a hit costs one stat of the
    sidecar (still the same file: still the same page) instead of reading and parsing it and
    then reading the body. The files stay the authority: a page whose sidecar is gone (purged)
    or replaced is not served from here, except as the bounded stale copy above."""

    def __init__(self, store: PageStore):
        self.store = store
        self.pages: dict = {}
        self.locations: dict = {}
        self.codings: dict = {}

    def locate(self, path_info, query_string):
        key = (path_info, query_string)
        try:
            return self.locations[key]
        except KeyError:
            pass
        location = locate(path_info, query_string)
        if len(self.locations) >= MEMORY_LOCATIONS:
            self.locations.clear()  # a crawler's many addresses: start again, cheaply
        self.locations[key] = location
        return location

    def coding(self, accept_encoding, available):
        key = (accept_encoding, tuple(available))
        try:
            return self.codings[key]
        except KeyError:
            pass
        coding = pick_encoding(accept_encoding, available)
        if len(self.codings) < 100:  # a handful of browsers' headers; others are worked out
            self.codings[key] = coding
        return coding

    def lookup(self, location):
        """(page to serve or None, the copy held of a page that is gone or None)."""
        now = time.time()
        held = self.pages.get(location)
        if held is not None and held.page.expires > now and self.store.unchanged(held.page):
            held.seen = now
            return held.page, None
        page = self.store.lookup(location, now)
        if page is None:
            # Held and unexpired, but no longer in place: purged since it was last seen. Kept
            # while it may still be given, for every reader arriving during the render.
            if held is not None and held.page.expires > now and now - held.seen <= STALE_SECONDS:
                return None, held
            self.pages.pop(location, None)
            return None, None
        if len(self.pages) >= MEMORY_PAGES:
            # The one held longest; another thread changing the dictionary meanwhile is harmless.
            with contextlib.suppress(RuntimeError, StopIteration, KeyError):
                del self.pages[next(iter(self.pages))]
        self.pages[location] = _Seen(page, now)
        return page, None


# Seconds a reader waits for another request's render of the same page before rendering it
# too, and how often the lock is tried meanwhile (a render takes 5–30 ms).
COALESCE_WAIT = 2.0
COALESCE_POLL = 0.004
# Pages share lock files by a hash of their place: a collision only makes two pages take
# turns, and the directory never holds more than this many files.
LOCK_BUCKETS = 4096


class _RenderLock:
    """An flock on a lock file: one per open file, so threads of one process and other
    processes exclude each other alike; released by the kernel if the process dies."""

    def __init__(self, root, location):
        digest = hashlib.sha256(f"{location.file}?{location.query}".encode()).digest()
        bucket = int.from_bytes(digest[:4], "big") % LOCK_BUCKETS
        directory = os.path.join(root, ".locks")
        os.makedirs(directory, exist_ok=True)
        self.fd = os.open(os.path.join(directory, f"{bucket:04x}"), os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False
        self.waited = False

    def acquire(self) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.waited = True
            return False
        self.held = True
        return True

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False
        os.close(self.fd)


def wrap(application):
    """khabar/wsgi.py's application behind the page cache, as KHABAR_PAGE_CACHE says."""
    from django.conf import settings

    if settings.KHABAR_PAGE_CACHE != "embedded":
        return application
    return PageCache(application, PageStore(settings.KHABAR_PAGE_CACHE_DIR), host_allowed)


def host_allowed(host: str) -> bool:
    """Pages hold absolute links built from the Host header when KHABAR_SITE_URL is not set:
    only a page asked for by the site's own name is kept (not one asked for by a name that
    ALLOWED_HOSTS lets through with a wildcard)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    if settings.SITE_URL:
        return host == urlsplit(settings.SITE_URL).hostname
    return host in {h for h in settings.ALLOWED_HOSTS if not h.startswith(".") and h != "*"}

"""A site behind the embedded page cache, served over real HTTP by wsgiref in a thread: Django's
test client does not go through the WSGI wrapper."""

import gzip
import http.client
import threading
import urllib.parse
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import brotli
import pytest

from khabar.pagecache.store import PageStore
from khabar.pagecache.wsgi import PageCache, host_allowed


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Answer:
    status: int
    headers: dict
    raw: bytes

    @property
    def text(self) -> str:
        coding = self.headers.get("content-encoding", "")
        body = {"gzip": gzip.decompress, "br": brotli.decompress}.get(coding, bytes)(self.raw)
        return body.decode()


@dataclass
class Site:
    base: str
    store: PageStore
    rendered: list = field(default_factory=list)  # paths that reached Django

    def get(self, path, method="GET", **headers) -> Answer:
        host, port = self.base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=20)
        parts = urllib.parse.urlsplit(path)
        query = urllib.parse.quote(parts.query, safe="=&")
        target = urllib.parse.quote(parts.path) + (f"?{query}" if query else "")
        connection.request(method, target, headers={k.replace("_", "-"): v
                                                     for k, v in headers.items()})  # fmt: skip
        response = connection.getresponse()
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                        response.read())  # fmt: skip
        connection.close()
        return answer


@pytest.fixture
def cached_site(tmp_path, settings, transactional_db):
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    from khabar.testing import free_port

    # This process purges the same tree as the server serves (the desk and the readers'
    # server share DATA_DIR in production).
    settings.KHABAR_PAGE_CACHE = "embedded"
    settings.KHABAR_PAGE_CACHE_DIR = tmp_path / "pages"
    django = WSGIHandler()
    store = PageStore(settings.KHABAR_PAGE_CACHE_DIR)
    site = Site("", store)

    def rendering(environ, start_response):
        site.rendered.append(environ["PATH_INFO"].encode("latin-1").decode())
        return django(environ, start_response)

    cache = PageCache(rendering, store, host_allowed)

    def application(environ, start_response):
        try:
            return cache(environ, start_response)
        finally:
            connections.close_all()  # the cache reads Django's answer whole before this

    server = make_server("127.0.0.1", free_port(), application, _Threading, _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

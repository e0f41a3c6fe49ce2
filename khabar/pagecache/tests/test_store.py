"""The file tree and its index as plain functions: store, serve, purge, and the race."""

import gzip
import json
import time

import brotli

from khabar.pagecache.store import PageStore, locate, shared_lifetime
from khabar.pagecache.wsgi import storable

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "public, max-age=60, s-maxage=600"),
    ("Surrogate-Key", "s1 sec1"),
    ("ETag", 'W/"abc"'),
    ("Content-Length", "123"),
    ("Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
]
BODY = ("<p>خبر عاجل</p>" * 50).encode()


def keep(store, path, keys, since=None, lifetime=600, body=BODY):
    started = time.time() if since is None else since
    return store.store(locate(path), 200, HEADERS, body, keys, started, lifetime)


def test_a_stored_page_is_served_with_its_variants_and_sidecar(tmp_path):
    store = PageStore(tmp_path)
    assert keep(store, "/ar/news/1/x", ["s1", "sec1"]) is not None
    page = store.lookup(locate("/ar/news/1/x"))
    assert page.etag == 'W/"abc"' and page.keys == ["s1", "sec1"]
    assert page.encodings == ["", "br", "gzip"]
    assert store.body(page, "") == BODY
    assert gzip.decompress(store.body(page, "gzip")) == BODY
    assert brotli.decompress(store.body(page, "br")) == BODY
    # What a front server sends as files: the page and its precompressed forms.
    directory = tmp_path / "ar/news/1/x"
    assert sorted(p.name for p in directory.iterdir()) == [
        "index.html", "index.html.br", "index.html.gz", "index.html.json"
    ]  # fmt: skip
    names = [name.lower() for name, _value in json.loads((directory / "index.html.json")
             .read_text())["headers"]]  # fmt: skip
    assert "date" not in names and "content-length" not in names and "etag" in names


def test_an_expired_page_is_not_served(tmp_path):
    store = PageStore(tmp_path)
    keep(store, "/ar/", ["far"], lifetime=5)
    assert store.lookup(locate("/ar/")) is not None
    assert store.lookup(locate("/ar/"), now=time.time() + 6) is None


def test_purge_removes_exactly_the_pages_that_carry_the_keys(tmp_path):
    store = PageStore(tmp_path)
    keep(store, "/ar/news/1/x", ["s1"])
    keep(store, "/ar/section/a/", ["sec1", "s1", "s2"])
    keep(store, "/ar/news/2/y", ["s2"])
    keep(store, "/ar/comments/1", ["c1"])
    assert store.purge(["s1"]) == 2
    assert store.lookup(locate("/ar/news/1/x")) is None
    assert store.lookup(locate("/ar/section/a/")) is None
    assert not (tmp_path / "ar/news/1/x/index.html").exists()
    assert store.lookup(locate("/ar/news/2/y")) is not None
    assert store.lookup(locate("/ar/comments/1")) is not None
    assert store.purge(["s2"]) == 1  # the section page is no longer listed under s2


def test_a_page_rendered_before_a_purge_is_not_stored_after_it(tmp_path):
    store = PageStore(tmp_path)
    started = time.time()
    store.purge(["s1"])  # a correction committed while the page was being rendered
    assert keep(store, "/ar/news/1/x", ["s1", "sec1"], since=started) is None
    assert store.lookup(locate("/ar/news/1/x")) is None
    # A request that started after the purge read the corrected rows: it is kept.
    assert keep(store, "/ar/news/1/x", ["s1", "sec1"], since=time.time()) is not None
    # A purge of another key does not refuse it.
    started = time.time()
    store.purge(["s9"])
    assert keep(store, "/ar/news/2/y", ["s2"], since=started) is not None


def test_a_purge_at_the_very_moment_the_request_started_refuses_it(tmp_path, monkeypatch):
    store = PageStore(tmp_path)
    monkeypatch.setattr(time, "time", lambda: 1000.0)
    store.purge(["s1"])
    assert keep(store, "/ar/news/1/x", ["s1"], since=1000.0) is None


def test_small_or_binary_pages_are_kept_without_compressed_forms(tmp_path):
    store = PageStore(tmp_path)
    page = keep(store, "/ar/x", ["s1"], body=b"<p>short</p>")
    assert page.encodings == [""]
    assert not (tmp_path / "ar/x/index.html.gz").exists()


def test_clear_removes_every_page(tmp_path):
    store = PageStore(tmp_path)
    keep(store, "/ar/", ["far"])
    keep(store, "/fa/", ["ffa"])
    assert store.clear() == 2
    assert store.lookup(locate("/ar/")) is None


def test_what_may_be_stored_by_its_headers():
    ok = [("Cache-Control", "public, max-age=60, s-maxage=600"), ("Surrogate-Key", "s1")]
    assert storable("GET", 200, ok, True) == (["s1"], 600)
    assert storable("POST", 200, ok, True) == ([], 0)
    assert storable("HEAD", 200, ok, True) == ([], 0)
    assert storable("GET", 404, ok, True) == ([], 0)
    assert storable("GET", 200, ok, False) == ([], 0)  # a host the site does not answer as
    assert storable("GET", 200, [*ok, ("Set-Cookie", "csrftoken=x")], True) == ([], 0)
    assert storable("GET", 200, [*ok, ("Vary", "Cookie")], True) == ([], 0)
    assert storable("GET", 200, [*ok, ("Vary", "Accept-Encoding")], True) == (["s1"], 600)
    assert storable("GET", 200, [*ok, ("Content-Encoding", "gzip")], True) == ([], 0)
    assert storable("GET", 200, ok[:1], True) == ([], 0)  # no keys: nothing could purge it
    for value in ("private, max-age=60", "public, no-store, s-maxage=60",
                  "public, max-age=60", "public, s-maxage=0", "no-cache"):  # fmt: skip
        assert shared_lifetime([("Cache-Control", value)]) == 0

"""Varnish with deploy/varnish, started for real: what it keeps, what it never keeps, and the
purge by surrogate key that khabar.pagecache.varnish.purge sends."""

import gzip
import http.server
import re
import threading
import time
import urllib.parse
from collections import Counter

import brotli
import pytest
from django.test import Client

from khabar.pagecache import varnish as varnish_purge
from khabar.pagecache.tests import servers
from khabar.pagecache.tests.servers import fetch
from khabar.testing import database_url, free_port, story_post

# --- purge() against a stub backend: Varnish's half of the contract, without Khabar ---------

STUB_PAGES = {
    "/a": "story-1 section-local",
    "/b": "story-2 section-local",
    "/c": "story-3",
}


class _Stub(http.server.BaseHTTPRequestHandler):
    """Public pages tagged as Khabar tags them; /health and / answer the probe."""

    counts: Counter

    def do_GET(self):
        self.counts[self.path] += 1
        if self.path in ("/health", "/"):
            self.send_response(200 if self.path == "/health" else 302)
            self.send_header("Location", "/a")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"{self.path} #{self.counts[self.path]}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Cache-Control", "public, max-age=60, s-maxage=3600")
        self.send_header("xkey", STUB_PAGES.get(self.path, "other"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_backend():
    handler = type("Handler", (_Stub,), {"counts": Counter()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.counts
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub_varnish(tmp_path, stub_backend):
    process, base = servers.start_varnish(tmp_path / "varnish", [stub_backend[0]])
    try:
        yield base
    finally:
        servers.stop(process)


def cache_state(base, path, **headers):
    _status, answer, body = fetch(base + path, headers=headers)
    return answer["X-Cache"], body.decode()


def test_purge_drops_exactly_the_pages_with_any_of_the_keys(stub_varnish):
    for path in STUB_PAGES:
        assert cache_state(stub_varnish, path)[0] == "MISS"
        assert cache_state(stub_varnish, path)[0] == "HIT"
    varnish_purge.purge(stub_varnish, ["story-1", "story-3"])
    assert cache_state(stub_varnish, "/a") == ("MISS", "/a #2")
    assert cache_state(stub_varnish, "/b") == ("HIT", "/b #1")
    assert cache_state(stub_varnish, "/c") == ("MISS", "/c #2")
    # A section key drops every page of the section.
    varnish_purge.purge(stub_varnish, ["section-local"])
    assert [cache_state(stub_varnish, p)[0] for p in STUB_PAGES] == ["MISS", "MISS", "HIT"]


def test_keys_are_not_shown_to_readers(stub_varnish):
    status, headers, _body = fetch(stub_varnish + "/a")
    assert status == 200 and "xkey" not in headers


def test_purge_from_outside_the_acl_is_refused_and_raises(tmp_path, stub_backend):
    process, base = servers.start_varnish(tmp_path / "varnish", [stub_backend[0]], acl="192.0.2.1")
    try:
        cache_state(base, "/a")
        with pytest.raises(varnish_purge.PurgeError, match="403"):
            varnish_purge.purge(base, ["story-1"])
        assert cache_state(base, "/a")[0] == "HIT"
    finally:
        servers.stop(process)


def test_purge_without_a_key_header_is_refused(stub_varnish):
    status, _headers, _body = fetch(stub_varnish + "/", method="PURGE")
    assert status == 400


def test_purge_raises_when_nothing_answers_within_the_timeout():
    started = time.monotonic()
    with pytest.raises(varnish_purge.PurgeError, match="did not answer"):
        varnish_purge.purge(f"http://127.0.0.1:{free_port()}", ["story-1"])
    assert time.monotonic() - started < varnish_purge.TIMEOUT + 1


def test_purge_refuses_keys_a_header_cannot_carry_and_skips_none():
    with pytest.raises(ValueError, match="without spaces"):
        varnish_purge.purge("http://127.0.0.1:9", ["story 1"])
    with pytest.raises(ValueError):
        varnish_purge.purge("http://127.0.0.1:9", ["story-1\r\nX-Evil: 1"])
    # Nothing to purge: no request (port 9 would refuse one).
    assert varnish_purge.purge("http://127.0.0.1:9", []) is None


# --- Khabar in gunicorn behind Varnish -----------------------------------------------------


@pytest.fixture
def varnish_port():
    return free_port()


@pytest.fixture
def app_server(tmp_path, transactional_db, varnish_port, static_files):
    """Khabar in gunicorn (two workers) on the test database, purging the Varnish that
    `varnish` starts on varnish_port: (base_url, data_dir)."""
    data_dir = tmp_path / "data"
    process, base = servers.start_gunicorn(
        data_dir, database_url=database_url(), static=static_files,
        **servers.app_environment(KHABAR_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}"),
    )  # fmt: skip
    try:
        yield base, data_dir
    finally:
        servers.stop(process)


@pytest.fixture
def varnish(tmp_path, app_server, varnish_port):
    """varnishd with deploy/varnish/khabar.vcl in front of app_server: its base URL."""
    servers.binary("varnishd")
    process, base = servers.start_varnish(tmp_path / "varnish", [app_server[0]], port=varnish_port)
    try:
        yield base
    finally:
        servers.stop(process)


def test_a_reader_page_is_a_hit_the_second_time(varnish, make_article):
    article = make_article("خبر يخزنه فارنيش")
    url = varnish + article.get_absolute_url()
    first, second = fetch(url), fetch(url)
    assert (first[0], first[1]["X-Cache"]) == (200, "MISS")
    assert (second[0], second[1]["X-Cache"]) == (200, "HIT")
    assert second[2] == first[2]


def test_each_coding_is_a_copy_of_its_own_sent_as_kept_and_purged_with_the_page(
    varnish, make_article
):
    """Brotli, gzip and plain copies: a hit sends the bytes as kept (no gunzip for a client
    without gzip), and any browser's Accept-Encoding falls into one of the three."""
    article = make_article("خبر بثلاث نسخ")
    url = varnish + article.get_absolute_url()
    plain = fetch(url)[2]
    for accept, coding, decode in [
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("identity", "", bytes),
    ]:
        answers = [fetch(url, headers={"Accept-Encoding": accept}) for _ in range(2)]
        assert [h["X-Cache"] for _s, h, _b in answers][1] == "HIT", accept
        for _status, headers, body in answers:
            assert headers.get("Content-Encoding", "") == coding, accept
            assert decode(body) == plain
    # Another browser's list with the same best coding shares the copy.
    _s, headers, _b = fetch(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert (headers["X-Cache"], headers["Content-Encoding"]) == ("HIT", "br")
    status, _h, _b = fetch(varnish + "/", method="PURGE",
                           headers={"xkey-purge": f"s{article.news_code}"})  # fmt: skip
    assert status == 200
    for accept in ("br", "gzip", ""):
        assert fetch(url, headers={"Accept-Encoding": accept})[1]["X-Cache"] == "MISS", accept


def test_tracking_parameters_do_not_fragment_the_cache(varnish, make_article):
    article = make_article("خبر في رابط مشارك")
    url = varnish + article.get_absolute_url()
    assert fetch(url)[1]["X-Cache"] == "MISS"
    for query in ("?utm_source=newsletter", "?fbclid=abc&utm_medium=social", "?gclid=1"):
        status, headers, _body = fetch(url + query)
        assert (status, headers["X-Cache"]) == (200, "HIT"), query
    section = varnish + article.section.get_absolute_url()
    assert fetch(section + "?page=1")[1]["X-Cache"] == "MISS"
    for query in ("?utm_campaign=a&page=1", "?page=1&utm_campaign=b"):
        assert fetch(section + query)[1]["X-Cache"] == "HIT", query
    # A parameter that only looks like one stays.
    assert fetch(url + "?xutm_source=1")[1]["X-Cache"] == "MISS"


def test_cookies_do_not_fragment_the_cache(varnish, make_article):
    article = make_article("خبر يقرؤه قراء بملفات تعريف مختلفة")
    url = varnish + article.get_absolute_url()
    answers = [fetch(url, headers={"Cookie": "csrftoken=aaa; _ga=1"}),
               fetch(url, headers={"Cookie": "csrftoken=bbb"}), fetch(url)]  # fmt: skip
    assert [(status, h["X-Cache"]) for status, h, _b in answers] == [
        (200, "MISS"), (200, "HIT"), (200, "HIT")
    ]  # fmt: skip


def test_desk_admin_api_posts_and_private_answers_are_never_cached(varnish, make_article):
    article = make_article("خبر للتعليق")
    code = article.news_code
    private = [
        ("GET", "/desk/login/", {}),
        ("GET", "/admin/login/", {}),
        ("GET", "/api/ar/items", {"Authorization": "Bearer no-such-key"}),
        ("GET", f"/ar/comments/{code}/challenge", {}),  # private: a CSRF token
        ("GET", f"/ar/comments/{code}", {}),  # the comments page without script: private
        ("POST", f"/ar/comments/{code}", {"Content-Type": "application/x-www-form-urlencoded"}),
    ]
    for method, path, headers in private:
        states = [fetch(varnish + path, method=method, headers=headers, body=b"" if method ==
                        "POST" else None)[1]["X-Cache"] for _ in range(2)]  # fmt: skip
        assert states == ["PASS", "PASS"] or states == ["MISS", "PASS"], (method, path, states)
    # The region as every reader sees it is shared.
    region = f"{varnish}/ar/comments/{code}?partial=1"
    assert [fetch(region)[1]["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]


def desk_session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def correct_through_the_desk(base, article, user, **fields):
    """The editor's correction as the browser posts it, through the front server: the story's
    page for the CSRF token, then the form. Returns the POST's status."""
    cookie = f"sessionid={desk_session(user)}"
    status, headers, body = fetch(f"{base}/desk/stories/{article.pk}/", headers={"Cookie": cookie})
    assert status == 200, status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())[1]
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    if csrf:
        cookie += f"; csrftoken={csrf[1]}"
    data = story_post(article, action="correct", csrfmiddlewaretoken=token, **fields)
    status, _headers, _body = fetch(
        f"{base}/desk/stories/{article.pk}/", method="POST",
        body=urllib.parse.urlencode(data).encode(),
        headers={"Cookie": cookie, "Referer": f"{base}/desk/stories/{article.pk}/",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    return status


def test_a_correction_through_the_desk_is_fresh_through_varnish_within_a_second(
    varnish, make_article, editor, capsys
):
    article = make_article("خبر سيصحح", tags=["المياه"])
    pages = [article.get_absolute_url(), f"/{article.edition.code}/",
             f"/{article.edition.code}/tag/المياه/"]  # fmt: skip
    for page in pages:
        fetch(varnish + page)
        assert fetch(varnish + page)[1]["X-Cache"] == "HIT", page
    note = "صُحّح رقم الضحايا في الفقرة الأولى."
    status = correct_through_the_desk(
        varnish, article, editor, kind="correction", note=note, headline="خبر صحح عنوانه"
    )
    committed = time.monotonic()
    assert status == 302
    waits, stale = {}, {}
    for page in pages:
        stale[page] = 0
        while "خبر صحح عنوانه" not in fetch(varnish + page)[2].decode():
            stale[page] += 1
            assert time.monotonic() - committed < 1, f"{page} still stale after a second"
            time.sleep(0.01)
        waits[page] = time.monotonic() - committed
    assert note in fetch(varnish + pages[0])[2].decode()
    with capsys.disabled():
        # Pages are read one after the other: each time includes the reads before it.
        print("\nfresh through Varnish, seconds after the desk's answer (stale answers seen):",
              {page: (round(waits[page], 3), stale[page]) for page in pages})  # fmt: skip


def test_two_app_servers_behind_the_scaled_vcl_take_turns_and_cover_for_each_other(
    tmp_path, transactional_db, make_article, static_files
):
    make_article("خبر على خادمين")
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    apps = [
        servers.start_gunicorn(
            tmp_path / f"data{i}",
            database_url=database_url(),
            static=static_files,
            workers=1,
            log=logs[i],
            **servers.app_environment(),
        )
        for i in range(2)
    ]
    process, base = servers.start_varnish(tmp_path / "varnish", [b for _p, b in apps])
    try:
        # Counted by user agent: the health probes ask for the same page.
        mine = {"User-Agent": "front-test"}
        for _ in range(10):
            assert fetch(base + "/desk/login/", headers=mine)[0] == 200

        def served():
            return [sum("front-test" in line for line in log.read_text().splitlines())
                    for log in logs]  # fmt: skip

        deadline = time.monotonic() + 5  # gunicorn writes its log line after the answer
        while sum(served()) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert served() == [5, 5]
        servers.stop(apps[0][0])  # one app server goes down: the other answers everything
        assert all(fetch(base + "/desk/login/", headers=mine)[0] == 200 for _ in range(6))
    finally:
        servers.stop(process)
        for app, _base in apps:
            servers.stop(app)

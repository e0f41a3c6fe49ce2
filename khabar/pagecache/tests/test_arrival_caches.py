"""The arrival redirect at `/` depends on each reader's Accept-Language: no cache in front of
Khabar (the embedded one, Varnish with deploy/varnish, nginx with deploy/nginx, all started for
real) may give one reader's redirect to another, while the edition pages stay shared."""

import pytest

from khabar.news.models import Edition
from khabar.pagecache.tests import servers
from khabar.pagecache.tests.servers import fetch
from khabar.pagecache.tests.test_nginx import front  # noqa: F401 (a fixture)
from khabar.pagecache.tests.test_varnish import app_server, varnish, varnish_port  # noqa: F401

READERS = [("fa-IR,fa;q=0.9,en;q=0.5", "/fa/"), ("en-US,en;q=0.9", "/en/"),
           ("ar-IQ", "/ar/"), ("fa", "/fa/"), (None, "/ar/"), ("en", "/en/")]  # fmt: skip


@pytest.fixture
def three_editions(edition):
    Edition.objects.create(code="fa", name="خبر فارسی", language="fa", locale="fa_IR",
                           numbering_system="arabext", time_zone="Asia/Tehran")  # fmt: skip
    Edition.objects.create(code="en", name="Khabar", language="en", locale="en", direction="ltr")
    return edition


def _arrive(base, language, path="/"):
    headers = {"Accept-Language": language} if language else {}
    return fetch(base + path, headers=headers)


def test_the_embedded_cache_never_keeps_the_root(cached_site, three_editions, make_article):
    make_article("خبر في الصفحة الأولى")
    for language, location in READERS:
        headers = {"Accept_Language": language} if language else {}
        answer = cached_site.get("/", **headers)
        assert (answer.status, answer.headers["location"]) == (302, location), language
        assert "x-cache" not in answer.headers  # not even looked up: nothing to wait for
        assert "Accept-Language" in answer.headers["vary"]
    assert cached_site.rendered.count("/") == len(READERS)
    assert not (cached_site.store.root / "index.html").exists()
    assert not (cached_site.store.root / "index.html.json").exists()
    # The edition's front page is kept once and served to every reader, whatever they speak.
    first = cached_site.get("/ar/", Accept_Language="fa")
    second = cached_site.get("/ar/", Accept_Language="en")
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert first.text == second.text and "Accept-Language" not in second.headers["vary"]


def test_varnish_passes_the_root_to_the_app_for_every_reader(varnish, three_editions):  # noqa: F811
    for _round in range(2):
        for language, location in READERS:
            status, headers, _body = _arrive(varnish, language)
            assert (status, headers["Location"], headers["X-Cache"]) == (
                302, location, "PASS"
            ), language  # fmt: skip
            assert headers["Vary"] == "Accept-Language"
    # With a query string too (a campaign's link), and the edition pages are still shared.
    status, headers, _body = _arrive(varnish, "en", "/?utm_source=mail")
    assert (status, headers["Location"]) == (302, "/en/?utm_source=mail")
    assert [_arrive(varnish, lang, "/fa/")[1]["X-Cache"] for lang in ("fa", "en")] == [
        "MISS", "HIT"
    ]  # fmt: skip


def test_nginx_sends_the_root_to_the_app_for_every_reader(front, three_editions):  # noqa: F811
    # A file where the tree would put the root's page: nginx must not send it to anyone.
    (front.data_dir / "pages").mkdir(parents=True, exist_ok=True)
    (front.data_dir / "pages" / "index.html").write_text("one reader's page")
    for path in ("/", "/?page=2", "/?utm_source=mail"):
        for _round in range(2):
            for language, location in READERS:
                status, headers, _body = _arrive(front.https, language, path)
                query = path.removeprefix("/")
                assert (status, headers["Location"]) == (302, location + query), (path, language)
                assert "Accept-Language" in headers["Vary"]
                assert "X-Proxy-Cache" not in headers


def test_the_shipped_configurations_name_the_root():
    # Kept in step with the tests above: a rewrite of either file must keep the root uncached.
    vcl = (servers.DEPLOY / "varnish" / "khabar-rules.vcl").read_text()
    nginx = (servers.DEPLOY / "nginx" / "khabar.conf").read_text()
    assert 'if (req.url ~ "^/(\\?|$)") {\n        return (pass);' in vcl
    assert "location = / {\n        proxy_pass http://khabar_app;" in nginx

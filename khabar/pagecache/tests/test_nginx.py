"""nginx with deploy/nginx/khabar.conf, started for real in front of Khabar in gunicorn: TLS,
static files, reader pages sent from the page cache's file tree, with or without a query string
(fresh as soon as the app purges), everything else from the app, and the same security headers as
the app's."""

import gzip
import json
import re
import time

import brotli
import pytest

from khabar.pagecache.tests import servers
from khabar.pagecache.tests.servers import fetch
from khabar.pagecache.tests.test_varnish import correct_through_the_desk
from khabar.testing import database_url

# The headers that protect a reader page; the file tree's answers must carry the app's.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
)


@pytest.fixture
def front(tmp_path, transactional_db, static_files):
    """gunicorn (two workers, behind a TLS proxy) and nginx in front of it, sharing the data
    directory as in production: a namespace with app, http and https base URLs. One story a
    list page, so that two stories make a page 2."""
    servers.binary("nginx")
    data_dir = tmp_path / "data"
    app, app_base = servers.start_gunicorn(
        data_dir, database_url=database_url(), static=static_files,
        **servers.app_environment(KHABAR_HTTPS="1", KHABAR_TRUSTED_PROXIES="1",
                                  KHABAR_PAGE_SIZE="1"),
    )  # fmt: skip
    try:
        nginx, http_base, https_base = servers.start_nginx(
            tmp_path / "nginx", app=app_base, data_dir=data_dir
        )
        try:
            yield type("Front", (), {"app": app_base, "http": http_base, "https": https_base,
                                     "data_dir": data_dir,
                                     "error_log": tmp_path / "nginx/logs/error.log"})  # fmt: skip
        finally:
            servers.stop(nginx)
    finally:
        servers.stop(app)


def normalised(value: str):
    """A header's directives in a stable order: django-csp's order changes between processes."""
    return sorted(part.strip() for part in value.split(";"))


def decoded(headers, body: bytes) -> str:
    coding = headers.get("Content-Encoding", "")
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(coding, bytes)(body).decode()


def sent_as_file(headers) -> bool:
    """nginx's ETag for a file (mtime-size in hex), not the app's (a hash), and no X-Cache
    (the app's page cache adds one)."""
    etag = headers.get("ETag", "")
    return "X-Cache" not in headers and bool(re.fullmatch(r'(W/)?"[0-9a-f]+-[0-9a-f]+"', etag))


def from_tree(front, path, **headers):
    """The page as nginx sends it from the file tree, once the app has stored it there."""
    for _ in range(50):
        status, answer, body = fetch(front.https + path, headers=headers)
        if sent_as_file(answer):
            return status, answer, body
        time.sleep(0.05)
    raise AssertionError(f"{path} never came from the file tree")


def test_plain_http_is_sent_to_https(front):
    status, headers, _body = fetch(front.http + "/ar/")
    assert status == 301 and headers["Location"] == "https://127.0.0.1/ar/"


def test_static_files_are_compressed_and_kept_for_a_year(front, static_files):
    manifest = json.loads((static_files / "staticfiles.json").read_text())["paths"]
    name = next(hashed for plain, hashed in manifest.items() if plain.endswith(".css"))
    plain = (static_files / name).read_bytes()
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        status, headers, body = fetch(f"{front.https}/static/{name}",
                                      headers={"Accept-Encoding": coding})  # fmt: skip
        assert (status, headers["Content-Encoding"]) == (200, coding)
        assert decode(body) == plain
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_reader_page_comes_from_the_file_tree_in_brotli_and_gzip(front, make_article):
    article = make_article("خبر من شجرة الملفات")
    path = article.get_absolute_url()
    first = fetch(front.https + path, headers={"Accept-Encoding": "x"})
    assert first[0] == 200
    html = first[2].decode()
    assert (front.data_dir / "pages" / path.strip("/") / "index.html").read_text() == html
    for coding in ("br", "gzip", ""):
        status, headers, body = from_tree(front, path, **{"Accept-Encoding": coding or "x"})
        assert status == 200 and headers.get("Content-Encoding", "") == coding
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert decoded(headers, body) == html


def test_a_page_not_in_the_tree_yet_is_the_apps_and_no_error_for_nginx(front, make_article):
    """nginx opens the page's file without looking first: a miss (a page not rendered yet, or
    just purged) is the normal way to the app, with the address as the reader sent it (Arabic,
    percent-encoded, and its query), not an error written to nginx's log."""
    article = make_article("خبر لم يحفظ في الشجرة بعد")
    for path in (article.get_absolute_url(), article.section.get_absolute_url() + "?page=1"):
        status, headers, body = fetch(front.https + path)
        assert status == 200 and not sent_as_file(headers), path
        assert "لم يحفظ في الشجرة بعد" in body.decode(), path
    assert "open()" not in front.error_log.read_text()


def test_file_tree_pages_carry_the_apps_security_headers(front, make_article):
    article = make_article("خبر بترويسات الأمان")
    path = article.get_absolute_url()
    # The app's own answer, as it sends it behind the TLS proxy.
    _status, app_headers, _body = fetch(front.app + path, headers={"X-Forwarded-Proto": "https"})
    _status, tree_headers, _body = from_tree(front, path)
    for name in SECURITY_HEADERS:
        assert normalised(tree_headers[name]) == normalised(app_headers[name]), name
    app_max_age = next(d for d in app_headers["Cache-Control"].split(", ") if "max-age" in d)
    assert app_max_age in tree_headers["Cache-Control"].split(", ")
    assert "public" in tree_headers["Cache-Control"]


def test_a_correction_is_fresh_at_once_from_the_file_tree(front, make_article, editor, capsys):
    article = make_article("خبر سيصحح في الشجرة")
    path = article.get_absolute_url()
    from_tree(front, path)
    status = correct_through_the_desk(front.https, article, editor, kind="correction",
                                      note="صُحّح الخبر.", headline="خبر صحح في الشجرة")  # fmt: skip
    committed = time.monotonic()
    assert status == 302
    body = fetch(front.https + path, headers={"Accept-Encoding": "br"})
    waited = time.monotonic() - committed
    assert "خبر صحح في الشجرة" in decoded(body[1], body[2])  # the very first read after it
    assert not sent_as_file(body[1])  # the file was removed by the purge
    # And the file tree has the new page again after that read.
    assert "خبر صحح في الشجرة" in decoded(*from_tree(front, path)[1:])
    with capsys.disabled():
        print(f"\nfresh through nginx's file tree {waited:.3f} s after the desk's answer")


def test_a_list_page_2_comes_from_the_file_tree_and_is_fresh_at_once(front, make_article,
                                                                     editor, capsys):  # fmt: skip
    older = make_article("خبر في الصفحة الثانية")
    make_article("خبر أحدث في الصفحة الأولى")
    path = older.section.get_absolute_url() + "?page=2"
    status, _headers, body = fetch(front.https + path, headers={"Accept-Encoding": "x"})
    assert status == 200 and "خبر في الصفحة الثانية" in body.decode()
    stored = front.data_dir / "pages" / older.section.get_absolute_url().strip("/")
    assert (stored / "q-page=2.html").read_bytes() == body
    for coding in ("br", "gzip", ""):
        status, headers, tree_body = from_tree(front, path, **{"Accept-Encoding": coding or "x"})
        assert status == 200 and headers.get("Content-Encoding", "") == coding
        assert decoded(headers, tree_body) == body.decode()
    headline = "خبر صحح في الصفحة الثانية"
    status = correct_through_the_desk(front.https, older, editor, kind="correction",
                                      note="صُحّح.", headline=headline)  # fmt: skip
    committed = time.monotonic()
    assert status == 302
    answer = fetch(front.https + path, headers={"Accept-Encoding": "br"})
    waited = time.monotonic() - committed
    assert headline in decoded(answer[1], answer[2])  # the very first read after it
    assert not sent_as_file(answer[1])  # the purge removed the file
    assert headline in decoded(*from_tree(front, path)[1:])
    with capsys.disabled():
        print(f"\n?page=2 fresh through nginx's file tree {waited:.3f} s after the desk's answer")


def test_the_comments_region_comes_from_the_file_tree_and_a_purge_removes_it(
    front, make_article, editor
):
    article = make_article("خبر بتعليقات عبر nginx")
    region = f"/ar/comments/{article.news_code}?order=newest&partial=1"
    status, app_headers, body = fetch(front.https + region)
    assert status == 200 and not sent_as_file(app_headers)
    status, headers, tree_body = from_tree(front, region)
    assert tree_body == body and headers["Content-Type"] == "text/html; charset=utf-8"
    for name in SECURITY_HEADERS:
        assert normalised(headers[name]) == normalised(app_headers[name]), name
    # A revalidation (the script asks with no-cache) gets a 304 from the file.
    status, _h, _b = fetch(front.https + region, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    # The same query in another order is the app's (which normalises it), not a second file.
    _s, other, other_body = fetch(f"{front.https}/ar/comments/{article.news_code}"
                                  "?partial=1&order=newest")  # fmt: skip
    assert not sent_as_file(other) and other_body == body
    # A story change purges its comments region (the story's comments key) with its pages.
    status = correct_through_the_desk(front.https, article, editor, kind="correction",
                                      note="صُحّح.", headline="خبر بتعليقات صحح")  # fmt: skip
    assert status == 302
    assert not sent_as_file(fetch(front.https + region)[1])


def test_other_queries_are_the_apps_and_a_shared_link_is_its_cached_page(front, make_article,
                                                                        editor):  # fmt: skip
    article = make_article("خبر عبر رابط النشرة")
    shared = article.get_absolute_url() + "?utm_source=newsletter&fbclid=abc"
    other = article.get_absolute_url() + "?from=newsletter"
    from_tree(front, article.get_absolute_url())
    # A shared link: the app's page cache answers with the page kept for the plain address.
    states = [fetch(front.https + shared)[1].get("X-Cache") for _ in range(2)]
    assert states == ["HIT", "HIT"]
    # A parameter the app neither reads nor knows: rendered every time, never kept.
    for _ in range(2):
        status, headers, _body = fetch(front.https + other)
        assert status == 200 and not sent_as_file(headers) and "X-Cache" not in headers
    headline = "خبر صحح عبر رابط النشرة"
    status = correct_through_the_desk(front.https, article, editor, kind="correction",
                                      note="صُحّح.", headline=headline)  # fmt: skip
    assert status == 302
    assert headline in fetch(front.https + shared)[2].decode()
    assert headline in fetch(front.https + other)[2].decode()


def test_desk_admin_api_comment_posts_and_private_answers_are_never_cached(front, make_article):
    article = make_article("خبر للتعليق عبر nginx")
    code = article.news_code
    for method, path in [
        ("GET", "/desk/login/"),
        ("GET", "/admin/login/"),
        ("GET", "/api/ar/items"),
        ("GET", f"/ar/comments/{code}/challenge?x=1"),
        ("POST", f"/ar/comments/{code}"),
    ]:
        for _ in range(2):
            status, headers, _body = fetch(front.https + path, method=method, body=b"" if
                                           method == "POST" else None)  # fmt: skip
            assert not sent_as_file(headers), (path, status)
            assert headers.get("X-Cache", "") in ("", "MISS"), (path, status)


def test_an_editor_gets_the_apps_page_not_the_file(front, make_article, editor):
    from khabar.pagecache.tests.test_varnish import desk_session

    article = make_article("خبر يقرؤه محرر")
    path = article.get_absolute_url()
    from_tree(front, path)
    cookie = f"sessionid={desk_session(editor)}"
    _status, headers, _body = fetch(front.https + path, headers={"Cookie": cookie})
    assert not sent_as_file(headers) and "X-Cache" in headers  # the app (its page cache) answered


def test_feeds_come_from_the_app_with_their_own_type(front, make_article):
    make_article("خبر في الخلاصة")
    for path, kind in [("/ar/feeds/rss.xml", "rss"), ("/sitemap.xml", "xml")]:
        answers = [fetch(front.https + path) for _ in range(3)]
        assert all(status == 200 for status, _h, _b in answers), path
        assert all(kind in headers["Content-Type"] for _s, headers, _b in answers), path
        assert not any(sent_as_file(headers) for _s, headers, _b in answers), path

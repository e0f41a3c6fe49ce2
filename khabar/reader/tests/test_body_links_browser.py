"""Links and images in a story body, as Chromium follows and loads them: every link goes to
this site or to the host its address shows, and no image is fetched from a host not allowed.

The body is stored as a story saved before these rules would have it (written around
Article.save), so what is proven is the rule applied on the page to every stored body."""

from urllib.parse import urlsplit

import pytest

from khabar.news.models import Article

pytestmark = [pytest.mark.django_db(transaction=True)]

HOSTILE_LINKS = [
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\\/evil.example/",
    "//user:pass@evil.example/",
    "https://example.org@evil.example/",
    "//127.0.0.1/",
    "https://127.1/",
    "https://2130706433/",
    "https://[::1]/",
    "https:/evil.example/",
    "/\t/evil.example/",
    "https://localhost/",
    "javascript:alert(1)",
]
KEPT_LINKS = [
    "/ar/",
    "https://example.org/report",
    "https://аpple.com/login",  # Cyrillic а: kept as xn--pple-43d.com
    "https://ｅｘａｍｐｌｅ．org/wide",
    "//example.org/relative-scheme",
    "mailto:desk@example.org",
]
IMAGES = [
    "https://tracker.example/pixel.gif",
    "//tracker.example/pixel.gif",
    "/\\tracker.example/pixel.gif",
    "https://images.example@tracker.example/pixel.gif",
    "https://images.example.tracker.example/pixel.gif",
    "https://127.0.0.1:9/pixel.gif",
    "/media/photo.jpg",
    "https://images.example/photo.jpg",  # allowed host
]

LINKS_AS_FOLLOWED = """() => [...document.querySelectorAll(".story-body a")].map(a => ({
  written: a.getAttribute("href"), href: a.href, text: a.textContent,
}))"""


def hostile_body():
    links = "".join(f'<p><a href="{href}">رابط {n}</a></p>' for n, href in enumerate(HOSTILE_LINKS))
    kept = "".join(f'<p><a href="{href}">مصدر {n}</a></p>' for n, href in enumerate(KEPT_LINKS))
    images = "".join(
        f'<figure><img src="{src}" alt="صورة {n}"><figcaption>تعليق {n}</figcaption></figure>'
        for n, src in enumerate(IMAGES)
    )
    return links + kept + images


def test_body_links_and_images_go_only_where_they_say(browser, live_server, make_article, settings):
    settings.KHABAR_IMAGE_HOSTS = ["images.example"]
    article = make_article("خبر بروابط وصور")
    Article.objects.filter(pk=article.pk).update(body=hostile_body())
    site = urlsplit(live_server.url)

    context = browser.new_context(locale="ar-IQ")
    page = context.new_page()
    requested = []

    def route(request_route):
        url = request_route.request.url
        requested.append(url)
        if urlsplit(url).netloc == site.netloc:
            request_route.continue_()
        else:
            request_route.abort()  # nothing leaves the machine; the request is what counts

    page.route("**/*", route)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_load_state("networkidle")
    links = page.evaluate(LINKS_AS_FOLLOWED)
    text = page.inner_text(".story-body")
    context.close()

    for link in links:
        followed = urlsplit(link["href"])
        if link["written"].startswith("/"):
            # A path on this site, and the browser agrees.
            assert followed.netloc == site.netloc, link
            assert not link["written"].startswith(("//", "/\\")), link
        elif followed.scheme == "mailto":
            assert link["href"] == link["written"], link
        else:
            # Leaves the site for exactly the host written in the address.
            written = urlsplit(link["written"])
            assert followed.scheme in {"http", "https"}, link
            assert followed.hostname == written.hostname, link
            assert written.hostname.isascii() and not written.username, link
    kept = {link["text"] for link in links}
    assert kept == {f"مصدر {n}" for n in range(len(KEPT_LINKS))}
    assert {link["written"] for link in links} >= {"https://xn--pple-43d.com/login"}
    # Links that had to go leave their text; images that had to go, their alt text.
    for n in range(len(HOSTILE_LINKS)):
        assert f"رابط {n}" in text
    for n in range(len(IMAGES) - 2):
        assert f"صورة {n}" in text and f"تعليق {n}" in text

    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {site.hostname, "images.example"}, requested
    assert any(url.endswith("/media/photo.jpg") for url in requested)

"""Each edition's article page stays within the page weight budget: at most 40 KB over the
wire before images, counting the page, its comments region (which its script fetches on every
view), its style sheets and scripts, and any font a style sheet asks for, each compressed as
it is sent (pages by the compression middleware, static files by WhiteNoise at collectstatic).

The reader pages draw their text with the faces the reader's system has (site.css): no font
is downloaded, so the budget is spent on text. A web font added later would be counted here."""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from khabar.reader.tests.editions import EDITIONS, build

pytestmark = [pytest.mark.django_db]

BUDGET = 40 * 1024
FONT_URL = re.compile(r"""url\(\s*['"]?([^'")]+\.(?:woff2?|ttf|otf))""")


class Assets(HTMLParser):
    """The style sheets, scripts and fetched regions a page loads before any image."""

    def __init__(self):
        super().__init__()
        self.static, self.pages = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.static.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.static.append(attrs["src"])
        elif attrs.get("data-comments-src"):
            self.pages.append(attrs["data-comments-src"])


def static_bytes(url):
    path = urlparse(url).path.removeprefix("/" + settings.STATIC_URL.strip("/") + "/")
    found = finders.find(path)
    assert found, f"{url} is not a static file"
    with open(found, "rb") as file:
        return file.read()


def wire_size(data, coding):
    # WhiteNoise compresses static files at its defaults: brotli 11, gzip 9.
    return len(brotli.compress(data)) if coding == "br" else len(gzip.compress(data, 9))


def page_weight(client, path, coding):
    """{what: bytes over the wire} for the page at `path` and what it loads."""
    response = client.get(path, HTTP_ACCEPT_ENCODING=coding)
    assert response.status_code == 200
    assert response["Content-Encoding"] == coding
    sizes = {path: len(response.content)}
    html = (
        brotli.decompress(response.content) if coding == "br" else gzip.decompress(response.content)
    )
    assets = Assets()
    assets.feed(html.decode())
    for url in assets.pages:
        region = client.get(url, {"partial": "1"}, HTTP_ACCEPT_ENCODING=coding)
        assert region.status_code == 200
        sizes[url] = len(region.content)  # compressed unless too small to gain
    for url in assets.static:
        data = static_bytes(url)
        sizes[url] = wire_size(data, coding)
        if url.endswith(".css"):
            for font in FONT_URL.findall(data.decode()):
                sizes[font] = len(static_bytes(urljoin(url, font)))  # WOFF2 is compressed
    return sizes


@pytest.mark.parametrize("coding", ["gzip", "br"])
@pytest.mark.parametrize("code", EDITIONS)
def test_article_page_is_within_40_kb_over_the_wire(client, code, coding):
    built = build(code)
    sizes = page_weight(client, built.article.get_absolute_url(), coding)
    assert any(url.endswith("site.css") for url in sizes)
    total = sum(sizes.values())
    print(f"{code} {coding}: {total} B", sizes)
    assert total <= BUDGET, sizes

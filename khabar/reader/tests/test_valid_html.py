"""Every reader page parses as HTML5 without a single parse error, with unique ids."""

from collections import Counter

import html5lib
import pytest

pytestmark = pytest.mark.django_db


def assert_valid_html5(html: str):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(html)  # raises html5lib.html5parser.ParseError on any error
    ids = Counter(el.get("id") for el in document.iter() if el.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    assert document.find("head/title").text.strip()
    assert document.find("head/meta[@name='viewport']") is not None
    for img in document.iter("img"):
        assert img.get("alt") is not None


def test_every_reader_page_is_valid_html5(client, reference_article, make_article, settings):
    settings.KHABAR_PAGE_SIZE = 1
    make_article(
        "خبر بصورة واقتباس",
        tags=["المياه"],
        body='<h2>فرعي</h2><blockquote><p>قول</p></blockquote><figure><img src="/a.jpg" '
        'alt="صورة"><figcaption>شرح</figcaption></figure><ul><li>بند</li></ul>',
    )
    tag = reference_article.tags.first()
    urls = [
        "/ar/",
        "/ar/section/اقتصاد/",
        "/ar/section/اقتصاد/?page=2",
        tag.get_absolute_url(),
        reference_article.get_absolute_url(),
        f"/ar/comments/{reference_article.news_code}",
        "/ar/news/999999/x",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_valid_html5(response.content.decode())


def test_comments_partial_is_a_valid_fragment(client, reference_article):
    html = client.get(f"/ar/comments/{reference_article.news_code}?partial=1").content.decode()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(html)


def test_server_error_page_is_valid_and_arabic(rf):
    from khabar.reader.views import server_error

    response = server_error(rf.get("/ar/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert_valid_html5(html)
    assert "خطأ في الخادم" in html

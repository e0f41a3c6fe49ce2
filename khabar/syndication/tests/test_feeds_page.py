"""The feeds page of each edition, and the feed links in the head of the reader's pages."""

from urllib.parse import unquote

import html5lib
import pytest

from khabar.news.models import Author
from khabar.reader.tests import editions

ATOM = "application/atom+xml"
RSS = "application/rss+xml"


@pytest.fixture
def built(db):
    return editions.build_all()


def alternates(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    return {
        (link.get("type"), unquote(link.get("href")))
        for link in document.iter("link")
        if link.get("rel") == "alternate"
    }


def test_every_reader_page_names_its_feeds_in_its_head(client, built):
    for code, b in built.items():
        edition_feeds = {(ATOM, f"/{code}/feeds/atom.xml"), (RSS, f"/{code}/feeds/rss.xml")}
        pages = b.pages()
        assert alternates(client, pages["front"]) == edition_feeds
        assert alternates(client, pages["article"]) == edition_feeds
        for kind, slug in (("section", b.section.slug), ("tag", b.tag.slug),
                           ("author", b.author.slug)):  # fmt: skip
            own = {
                (t, f"/{code}/feeds/{kind}/{slug}/{f}.xml")
                for t, f in ((ATOM, "atom"), (RSS, "rss"))
            }
            assert alternates(client, pages[kind]) == own | edition_feeds
            for _type, href in own:
                assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("code", "heading"), [("ar", "الخلاصات"), ("fa", "خوراک‌ها"), ("en", "Feeds")]
)
def test_the_feeds_page_lists_every_feed_in_the_editions_language(client, built, code, heading):
    b = built[code]
    front = client.get(f"/{code}/").content.decode()
    assert f'href="/{code}/feeds/"' in front  # the footer leads to it
    response = client.get(f"/{code}/feeds/")
    assert response.status_code == 200
    assert "max-age=60" in response["Cache-Control"]
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    links = {unquote(a.get("href")) for a in document.iter("a") if a.get("type") in (ATOM, RSS)}
    expected = {f"/{code}/feeds/{f}.xml" for f in ("atom", "rss")}
    for section in b.edition.sections.all():
        expected |= {f"/{code}/feeds/section/{section.slug}/{f}.xml" for f in ("atom", "rss")}
    for tag in b.article.tags.all():
        expected |= {f"/{code}/feeds/tag/{tag.slug}/{f}.xml" for f in ("atom", "rss")}
    expected |= {f"/{code}/feeds/author/{b.author.slug}/{f}.xml" for f in ("atom", "rss")}
    assert links == expected
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_feeds_page_lists_no_tag_or_author_of_unpublished_stories(
    client, edition, make_article, author
):
    draft = make_article("مسودة", publish=False, tags=["سري"])
    draft.authors.set([author])
    make_article("خبر منشور", tags=["علني"]).authors.set(
        [Author.objects.create(name="كاتب منشور", slug="published-writer")]
    )
    response = client.get(f"/{edition.code}/feeds/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "علني" in page and "كاتب منشور" in page
    assert "سري" not in page and author.name not in page

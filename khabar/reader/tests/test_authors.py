"""Authors on the reader side: the byline links to the author's page, JSON-LD names them with
that page's address, and /<edition>/author/<slug>/ lists their published stories."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from khabar.news import actions
from khabar.news.models import Article, Author, Edition, Section
from khabar.reader.tests.test_valid_html import assert_valid_html5

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_author(db):
    return Author.objects.create(name="كريم عبد الله", slug="كريم-عبد-الله")


def json_ld(html: str) -> dict:
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def by(article, *authors):
    article.authors.set(authors)
    return article


# --- The byline and JSON-LD of the article page ---


def test_byline_links_each_author_to_their_page(client, make_article, author, other_author):
    article = by(make_article(), author, other_author)
    html = client.get(article.get_absolute_url()).content.decode()
    # Authors come in the order of their names; reverse() percent-encodes the Arabic slug.
    karim = iri_to_uri("/ar/author/كريم-عبد-الله/")
    assert (
        f'<p class="story-byline">بقلم <a href="{karim}" rel="author">كريم عبد الله</a>، '
        '<a href="/ar/author/layla/" rel="author">ليلى حسن</a></p>'
    ) in html
    assert client.get(karim).status_code == 200


def test_an_author_without_a_slug_is_named_but_not_linked(client, make_article):
    nameless_page = Author.objects.create(name="مراسل الوكالة", slug="")
    article = by(make_article(), nameless_page)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="story-byline">بقلم مراسل الوكالة</p>' in html
    assert json_ld(html)["author"] == [{"@type": "Person", "name": "مراسل الوكالة"}]


def test_json_ld_authors_are_people_with_their_page(client, make_article, author, other_author,
                                                     settings):  # fmt: skip
    settings.SITE_URL = "https://khabar.example"
    article = by(make_article(), author, other_author)
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "كريم عبد الله",
            "url": iri_to_uri("https://khabar.example/ar/author/كريم-عبد-الله/"),
        },
        {"@type": "Person", "name": "ليلى حسن", "url": "https://khabar.example/ar/author/layla/"},
    ]


def test_story_without_authors_has_no_byline_link_and_no_json_ld_author(client, make_article):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert 'rel="author"' not in html
    assert "author" not in json_ld(html)


def test_bylines_keep_the_article_page_query_count(
    client, make_article, author, other_author, django_assert_num_queries
):
    article = by(make_article(), author, other_author)
    # edition, story, tags, authors, corrections, sections of the menu
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())


# --- The author page ---


def test_author_page_lists_their_published_stories_newest_first(
    client, make_article, author, other_author
):
    now = timezone.now()
    by(make_article("خبر أقدم لليلى", at=now - timedelta(hours=3)), author)
    by(make_article("خبر أحدث لليلى", at=now - timedelta(hours=1)), author, other_author)
    by(make_article("خبر كريم وحده"), other_author)
    by(make_article("مسودة ليلى", publish=False), author)
    by(make_article("خبر ليلى المجدول", at=now + timedelta(hours=2)), author)
    killed = by(make_article("خبر ليلى المسحوب"), author)
    actions.do_unpublish(killed)
    embargoed = by(make_article("خبر ليلى المحظور", publish=False), author)
    Article.objects.filter(pk=embargoed.pk).update(embargo_until=now + timedelta(hours=1))
    actions.do_publish(Article.objects.get(pk=embargoed.pk))

    response = client.get("/ar/author/layla/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert html.index("خبر أحدث لليلى") < html.index("خبر أقدم لليلى")
    for hidden in ["خبر كريم وحده", "مسودة ليلى", "خبر ليلى المجدول", "خبر ليلى المسحوب",
                   "خبر ليلى المحظور"]:  # fmt: skip
        assert hidden not in html, hidden


def test_author_page_has_a_heading_title_and_description(client, make_article, author):
    by(make_article(), author)
    html = client.get("/ar/author/layla/").content.decode()
    assert '<h1><span class="list-kind">الكاتب:</span> ليلى حسن</h1>' in html
    assert "<title>ليلى حسن — خبر</title>" in html
    assert '<meta name="description" content="أخبار بقلم ليلى حسن في خبر.">' in html
    assert '<link rel="canonical" href="http://testserver/ar/author/layla/">' in html
    assert_valid_html5(html)


def test_author_biography_is_shown_and_describes_the_page(client, make_article, author):
    author.bio = "مراسلة الوكالة في البصرة منذ 2015.\nتكتب عن المياه والزراعة & البيئة."
    author.save(update_fields=["bio"])
    by(make_article(), author)
    html = client.get("/ar/author/layla/").content.decode()
    assert (
        '<p class="author-bio" dir="auto">مراسلة الوكالة في البصرة منذ 2015.<br>'
        "تكتب عن المياه والزراعة &amp; البيئة.</p>"
    ) in html
    assert '<meta name="description" content="مراسلة الوكالة في البصرة منذ 2015.' in html


def test_author_with_no_stories_in_the_edition_gets_a_page_saying_so(
    client, edition, make_article, author
):
    # Her only story is in another edition.
    english = Edition.objects.create(code="en", name="Khabar", language="en", locale="en_GB",
                                     direction="ltr")  # fmt: skip
    world = Section.objects.create(edition=english, name="World", slug="world")
    story = Article.objects.create(edition=english, section=world, headline="Water", body="x")
    actions.do_publish(story)
    by(story, author)

    response = client.get("/ar/author/layla/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "لا أخبار بقلم هذا الكاتب في هذه النسخة بعد." in html
    assert "Water" not in html
    assert_valid_html5(html)
    assert client.get("/ar/author/layla/?page=2").status_code == 404
    english_page = client.get("/en/author/layla/").content.decode()
    assert "Water" in english_page and "Stories by ليلى حسن in Khabar." in english_page


def test_unknown_author_is_not_found(client, edition, author):
    assert client.get("/ar/author/nobody/").status_code == 404
    assert client.get("/xx/author/layla/").status_code == 404


def test_author_slug_typed_with_capitals_leads_to_the_plain_one(client, edition, author):
    response = client.get("/ar/author/Layla/?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/ar/author/layla/?page=1"


def test_author_slug_as_the_admin_wrote_it_is_served_as_is(client, edition):
    # The admin's slug field allows capitals; such a slug is its own address, not a redirect.
    Author.objects.create(name="Sam Reed", slug="Sam_Reed")
    assert client.get("/ar/author/Sam_Reed/").status_code == 200


def test_author_page_paginates_like_tag_pages(client, make_article, author, settings):
    settings.KHABAR_PAGE_SIZE = 5
    now = timezone.now()
    for i in range(12):
        by(make_article(f"عنوان {i:02d}", at=now - timedelta(minutes=i)), author)
    first = client.get("/ar/author/layla/").content.decode()
    assert "عنوان 00" in first and "عنوان 05" not in first
    assert "الصفحة ١ من ٣" in first
    assert 'rel="next" href="?page=2"' in first
    third = client.get("/ar/author/layla/?page=3").content.decode()
    assert "عنوان 10" in third and "عنوان 11" in third
    assert '<link rel="canonical" href="http://testserver/ar/author/layla/?page=3">' in third
    for page in ("4", "0", "x", "٢"):
        assert client.get(f"/ar/author/layla/?page={page}").status_code == 404, page


def test_author_page_query_count_does_not_grow(
    client, make_article, author, django_assert_num_queries
):
    by(make_article("خبر واحد", tags=["وسم"]), author)
    client.get("/ar/author/layla/")  # the process keeps the edition and its sections from here
    # author, count, the page of stories
    with django_assert_num_queries(3):
        client.get("/ar/author/layla/")
    for i in range(30):
        by(make_article(f"خبر {i}", tags=["وسم"]), author)
    with django_assert_num_queries(3):
        client.get("/ar/author/layla/")
    with django_assert_num_queries(3):
        client.get("/ar/author/layla/?page=2")

"""Sitemaps: the index names every edition's sitemaps; stories, sections, tags and authors are
listed with absolute URLs and the time of their last change; a Google News sitemap holds the
last 48 hours; everything validates against the official schemas shipped in the repo; nothing
unpublished or under embargo is ever named."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date
from lxml import etree

from khabar.news import actions
from khabar.news.models import Article, Edition, Section
from khabar.newsroom import actions as desk
from khabar.syndication import sitemaps

pytestmark = pytest.mark.django_db

SCHEMAS = Path(sitemaps.__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def valid(response, schema_name: str) -> etree._Element:
    """The response's XML, after checking it against the named schema."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    checker = schema(schema_name)
    assert checker.validate(document), checker.error_log
    return document


def texts(document, path: str) -> list[str]:
    return [node.text for node in document.xpath(path, namespaces=NS)]


def locs(client, url: str) -> list[str]:
    response = client.get(url)
    if response.status_code == 404:
        return []
    return texts(etree.fromstring(response.content), "//sm:url/sm:loc")


@pytest.fixture
def farsi(db):
    edition = Edition.objects.create(
        code="fa", name="خبر فارسی", language="fa", locale="fa_IR", numbering_system="arabext"
    )
    Section.objects.create(edition=edition, name="سیاست", slug="سیاست")
    return edition


@pytest.fixture
def site(make_article, author, farsi):
    """Stories in two editions, with tags and an author."""
    story = make_article("وزارة الزراعة تعلن موسماً جديداً", tags=["الزراعة", "المياه"])
    story.authors.set([author])
    make_article("مجلس المحافظة يقر خطة", tags=["المياه"])
    persian = Article.objects.create(
        edition=farsi, section=farsi.sections.get(), headline="خبر تازه", body="<p>متن.</p>"
    )
    actions.do_publish(persian)
    return story


def test_the_index_names_each_editions_sitemaps_and_every_one_validates(client, site):
    index = valid(client.get("/sitemap.xml"), "siteindex.xsd")
    listed = texts(index, "//sm:sitemap/sm:loc")
    names = ["ar-stories", "ar-news", "ar-sections", "ar-tags", "ar-authors"]
    # The Persian edition has no tag or author yet: no empty sitemap is listed.
    names += ["fa-stories", "fa-news", "fa-sections"]
    assert listed == [f"http://testserver/sitemap-{name}.xml" for name in names]
    for loc in listed:
        path = loc.removeprefix("http://testserver")
        valid(client.get(path), "news-sitemap.xsd" if "-news" in path else "sitemap.xsd")


def test_the_index_takes_one_query_per_sitemap_however_many_stories(
    client, site, make_article, django_assert_num_queries
):
    for n in range(10):
        make_article(f"خبر {n}", tags=[f"وسم {n}"])
    # The editions, then one count-and-lastmod per sitemap: five per edition.
    with django_assert_num_queries(1 + 5 * 2):
        assert client.get("/sitemap.xml").status_code == 200


def test_the_news_sitemap_needs_its_own_schema_beside_the_sitemap_one(client, site):
    # sitemap.xsd admits foreign elements in <url> only "strictly": they must be declared.
    document = etree.fromstring(client.get("/sitemap-ar-news.xml").content)
    assert not schema("sitemap.xsd").validate(document)
    assert schema("news-sitemap.xsd").validate(document)


def test_each_sitemap_lists_absolute_percent_encoded_urls(client, site, settings):
    settings.SITE_URL = "https://khabar.example"
    story = Article.objects.get(pk=site.pk)
    assert locs(client, "/sitemap-ar-stories.xml")[-2] == iri_to_uri(
        f"https://khabar.example/ar/news/{story.news_code}/{story.slug}"
    )
    assert locs(client, "/sitemap-ar-sections.xml") == [
        iri_to_uri("https://khabar.example/ar/section/اقتصاد/")
    ]
    assert locs(client, "/sitemap-ar-tags.xml") == [
        iri_to_uri("https://khabar.example/ar/tag/الزراعة/"),
        iri_to_uri("https://khabar.example/ar/tag/المياه/"),
    ]
    assert locs(client, "/sitemap-ar-authors.xml") == ["https://khabar.example/ar/author/layla/"]
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert texts(index, "//sm:loc")[0] == "https://khabar.example/sitemap-ar-stories.xml"
    for url in locs(client, "/sitemap-ar-stories.xml"):
        assert client.get(url.removeprefix("https://khabar.example")).status_code == 200


def lastmods(client, url: str) -> dict[str, str]:
    document = etree.fromstring(client.get(url).content)
    return {
        node.findtext("sm:loc", namespaces=NS): node.findtext("sm:lastmod", namespaces=NS)
        for node in document.xpath("//sm:url", namespaces=NS)
    }


def test_lastmod_is_the_last_change_a_correction_included(client, make_article, editor):
    story = make_article(at=timezone.now() - timedelta(days=3))
    Article.objects.filter(pk=story.pk).update(updated_at=timezone.now() - timedelta(days=3))
    story.refresh_from_db()
    loc = "http://testserver" + iri_to_uri(story.get_absolute_url())
    before = lastmods(client, "/sitemap-ar-stories.xml")[loc]
    assert before == sitemaps.w3c_datetime(story.updated_at)

    corrected = desk.do_correct(
        editor, story, kind="correction", note="صُحّح اسم الوزارة.",
        base_revision=story.revision, headline="وزارة الزراعة والري تعلن موسماً جديداً",
    )  # fmt: skip
    after = lastmods(client, "/sitemap-ar-stories.xml")[loc]
    assert after == sitemaps.w3c_datetime(corrected.updated_at) > before
    # The section's page changed with it.
    section_loc = "http://testserver" + iri_to_uri(story.section.get_absolute_url())
    assert lastmods(client, "/sitemap-ar-sections.xml")[section_loc] == after


def test_a_story_scheduled_earlier_is_modified_when_it_goes_live(client, make_article):
    goes_live = timezone.now() - timedelta(minutes=5)
    story = make_article(at=goes_live)
    Article.objects.filter(pk=story.pk).update(updated_at=goes_live - timedelta(days=1))
    assert list(lastmods(client, "/sitemap-ar-stories.xml").values()) == [
        sitemaps.w3c_datetime(goes_live)
    ]


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): timezone.now() answers `moment` from then on, in the views too."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def everything_listed(client) -> str:
    body = client.get("/sitemap.xml").content.decode()
    for name in ("stories", "news", "sections", "tags", "authors"):
        body += client.get(f"/sitemap-ar-{name}.xml").content.decode()
    return body


def test_embargoed_and_unpublished_stories_never_appear_until_the_second_it_lifts(
    client, make_article, author, clock
):
    now = timezone.now().replace(microsecond=0)
    lifts = now + timedelta(hours=2)
    clock(now)
    make_article("خبر منشور", tags=["عام"])
    embargoed = make_article(
        "خبر تحت الحظر", embargo_until=lifts, tags=["حظر"], section=Section.objects.create(
            edition_id=Edition.objects.get().pk, name="سري", slug="سري"),
    )  # fmt: skip
    embargoed.authors.set([author])
    draft = make_article("مسودة", publish=False, tags=["مسودة"])
    withdrawn = make_article("خبر سحب")
    actions.do_unpublish(withdrawn)

    def named(body, article):
        return f"/news/{article.news_code}/" in body if article.news_code else False

    for moment in (now, lifts - timedelta(seconds=1)):
        clock(moment)
        body = everything_listed(client)
        assert not named(body, embargoed)
        assert not named(body, draft) and not named(body, withdrawn)
        for slug in ("حظر", "مسودة", "سري"):
            assert iri_to_uri(slug) not in body
        assert "/author/layla/" not in body

    clock(lifts)
    body = everything_listed(client)
    assert named(body, embargoed)
    assert iri_to_uri("/ar/tag/حظر/") in body and iri_to_uri("/ar/section/سري/") in body
    assert "/ar/author/layla/" in body
    assert not named(body, draft) and not named(body, withdrawn)
    news = etree.fromstring(client.get("/sitemap-ar-news.xml").content)
    dates = texts(news, "//news:publication_date")
    assert sitemaps.w3c_datetime(lifts) in dates  # public since its embargo lifted


def test_the_news_sitemap_holds_the_last_48_hours_in_google_news_format(
    client, make_article, clock
):
    now = timezone.now().replace(microsecond=0)
    clock(now)
    make_article("خبر قديم", at=now - timedelta(hours=48))
    recent = make_article("خبر <b>عاجل</b> & جديد\x0b", at=now - timedelta(hours=47, minutes=59))
    document = valid(client.get("/sitemap-ar-news.xml"), "news-sitemap.xsd")
    assert texts(document, "//sm:url/sm:loc") == [
        "http://testserver" + iri_to_uri(recent.get_absolute_url())
    ]
    assert texts(document, "//news:publication/news:name") == ["خبر"]
    assert texts(document, "//news:publication/news:language") == ["ar"]
    assert texts(document, "//news:publication_date") == [
        sitemaps.w3c_datetime(now - timedelta(hours=47, minutes=59))
    ]
    # Markup stays text; a control character XML cannot carry is dropped.
    assert texts(document, "//news:title") == ["خبر <b>عاجل</b> & جديد"]

    clock(now + timedelta(minutes=1))  # the last one ages out: nothing to list, none listed
    assert client.get("/sitemap-ar-news.xml").status_code == 404
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert "http://testserver/sitemap-ar-news.xml" not in texts(index, "//sm:loc")


def test_story_sitemaps_are_paginated_at_the_limit(client, make_article, monkeypatch):
    monkeypatch.setattr(sitemaps.StorySitemap, "limit", 2)
    first, second, third = (make_article(f"خبر {n}") for n in range(3))
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert texts(index, "//sm:loc")[:2] == [
        "http://testserver/sitemap-ar-stories.xml",
        "http://testserver/sitemap-ar-stories.xml?p=2",
    ]
    page_one = locs(client, "/sitemap-ar-stories.xml")
    page_two = locs(client, "/sitemap-ar-stories.xml?p=2")
    # Oldest first: a page keeps its stories as new ones are published.
    assert [url.split("/news/")[1].split("/")[0] for url in page_one + page_two] == [
        str(a.news_code) for a in (first, second, third)
    ]
    for junk in ("3", "0", "٢", "x"):
        assert client.get(f"/sitemap-ar-stories.xml?p={junk}").status_code == 404
    monkeypatch.setattr(sitemaps.StorySitemap, "limit", 3)  # exactly full: one page
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert "http://testserver/sitemap-ar-stories.xml?p=2" not in texts(index, "//sm:loc")
    assert client.get("/sitemap-ar-stories.xml?p=2").status_code == 404
    assert client.get("/sitemap-xx-stories.xml").status_code == 404
    assert client.get("/sitemap-ar-nothing.xml").status_code == 404


def test_the_50000_limit_is_googles(client):
    assert sitemaps.StorySitemap.limit == 50_000
    assert sitemaps.NewsSitemap.limit == 1000


def test_a_story_sitemap_takes_the_same_queries_for_any_number_of_stories(
    client, make_article, django_assert_num_queries
):
    make_article("خبر")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/sitemap-ar-stories.xml").status_code == 200
    for n in range(20):
        make_article(f"خبر {n}", tags=[f"وسم {n}"])
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(locs(client, "/sitemap-ar-stories.xml")) == 21
    # Editions, a count, the page: three.
    assert len(few.captured_queries) == 3


def test_a_story_sitemap_reads_columns_never_whole_rows(client, make_article):
    make_article("خبر", lead="مقدمة طويلة", body="<p>" + "نص " * 1000 + "</p>")
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemap-ar-stories.xml")
        client.get("/sitemap-ar-news.xml")
    page_queries = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"]]
    assert page_queries
    for sql in page_queries:
        assert '"news_article"."body"' not in sql and '"news_article"."lead"' not in sql


def test_sitemaps_carry_cache_control_and_last_modified_and_answer_304(
    client, make_article, settings
):
    settings.KHABAR_PAGE_MAX_AGE = 120
    story = make_article()
    story.refresh_from_db()
    changed = http_date(max(story.updated_at, story.published_at).timestamp())
    for url in ("/sitemap.xml", "/sitemap-ar-stories.xml", "/sitemap-ar-news.xml"):
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=120"
        assert response["Last-Modified"] == changed
        assert response["X-Robots-Tag"] == "noindex"
        assert client.get(url, headers={"If-Modified-Since": changed}).status_code == 304
    assert client.post("/sitemap.xml").status_code == 405


def test_every_sitemap_of_the_demo_site_validates(client):
    call_command("seed_demo", stdout=StringIO())
    index = valid(client.get("/sitemap.xml"), "siteindex.xsd")
    listed = texts(index, "//sm:sitemap/sm:loc")
    assert len(listed) >= 4
    stories = 0
    for loc in listed:
        path = loc.removeprefix("http://testserver")
        # The demo's translations carry hreflang alternates (xhtml:link), declared beside it.
        kind = "news-sitemap.xsd" if "-news" in path else "alternates-sitemap.xsd"
        document = valid(client.get(path), kind)
        if "-stories" in path:
            stories += len(document.xpath("//sm:url", namespaces=NS))
    assert stories == Article.objects.published().count() >= 60

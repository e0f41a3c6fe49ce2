"""Story sitemaps name each story's published translations as xhtml:link hreflang alternates
(itself and x-default included, as its page does), every alternate pointing back, and validate
against sitemap.xsd with the xhtml:link declaration; a translation published purges the other
editions' sitemaps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.encoding import iri_to_uri
from lxml import etree

from khabar.news import actions
from khabar.news.surrogate import story_change_keys
from khabar.news.tests.translated import other_editions
from khabar.news.translations import start_translation
from khabar.syndication.tests.test_sitemaps import NS, schema, valid

pytestmark = pytest.mark.django_db

NS = {**NS, "xhtml": "http://www.w3.org/1999/xhtml"}
BASE = "http://testserver"


@pytest.fixture
def group(make_article, section, editor):
    persian, english = other_editions(section)
    original = make_article("جامعة البصرة تفتتح مختبراً للطاقة الشمسية")
    make_article("خبر بلا ترجمة")
    fa = actions.do_publish(start_translation(original, persian, editor))
    en = actions.do_publish(start_translation(original, english, editor))
    return {"ar": original, "fa": fa, "en": en}


def alternates_by_loc(client, code) -> dict[str, dict[str, str]]:
    document = valid(client.get(f"/sitemap-{code}-stories.xml"), "alternates-sitemap.xsd")
    found = {}
    for url in document.xpath("//sm:url", namespaces=NS):
        loc = url.xpath("sm:loc/text()", namespaces=NS)[0]
        links = url.xpath("xhtml:link", namespaces=NS)
        assert all(link.get("rel") == "alternate" for link in links)
        found[loc] = {link.get("hreflang"): link.get("href") for link in links}
    return found


def test_each_translated_story_lists_every_version_and_each_points_back(client, group):
    urls = {code: BASE + iri_to_uri(story.get_absolute_url()) for code, story in group.items()}
    expected = {**urls, "x-default": urls["ar"]}
    every = {}
    for code in ("ar", "fa", "en"):
        every.update(alternates_by_loc(client, code))
    for url in urls.values():
        assert every[url] == expected
    untranslated = [loc for loc, links in every.items() if loc not in urls.values()]
    assert len(untranslated) == 1 and every[untranslated[0]] == {}
    for loc, links in every.items():
        for other in links.values():
            assert loc in every[other].values()


def test_the_plain_sitemap_schema_refuses_the_links_without_their_declaration(client, group):
    document = etree.fromstring(client.get("/sitemap-ar-stories.xml").content)
    assert not schema("sitemap.xsd").validate(document)
    assert schema("alternates-sitemap.xsd").validate(document)


def test_the_alternates_take_one_query_for_the_whole_page(client, group, make_article, editor):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sitemap-ar-stories.xml").status_code == 200
        return len(queries)

    before = count()
    persian = group["fa"].edition
    for n in range(3):
        story = make_article(f"خبر مترجم {n}")
        actions.do_publish(start_translation(story, persian, editor))
    assert count() == before


def test_a_translation_changed_purges_the_other_editions_sitemaps(group):
    keys = story_change_keys(group["fa"])
    assert {"sitemap-ar", "sitemap-fa", "sitemap-en"} <= set(keys)
    assert f"g{group['fa'].translation_group_id}" in keys

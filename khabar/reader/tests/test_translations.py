"""A story's page names its published translations: hreflang alternates (itself and x-default
included) that every page of the group repeats, a "read in" switcher with each language named in
itself, JSON-LD workTranslation / translationOfWork, and the translations' surrogate keys. Short
links under both news-code settings."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.encoding import iri_to_uri
from lxml import html

from khabar.lib.surrogate import response_keys
from khabar.news import actions
from khabar.news.tests.translated import other_editions
from khabar.news.translations import start_translation

pytestmark = pytest.mark.django_db

SITE = "https://khabar.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def editions(section):
    return other_editions(section)


@pytest.fixture
def group(make_article, editions, editor):
    """The Arabic original and its Persian and English translations, all published."""
    original = make_article("جامعة البصرة تفتتح مختبراً للطاقة الشمسية")
    persian, english = editions
    fa = start_translation(original, persian, editor)
    fa.headline = "دانشگاه بصره آزمایشگاه انرژی خورشیدی گشود"
    fa.save()
    en = start_translation(original, english, editor)
    en.headline = "Basra university opens a solar energy laboratory"
    en.save()
    for story in (fa, en):
        actions.do_publish(story)
    return {"ar": original, "fa": fa, "en": en}


def page(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response, html.fromstring(response.content)


def alternates(document) -> dict[str, str]:
    links = document.xpath('//head/link[@rel="alternate"][@hreflang]')
    found = {link.get("hreflang"): link.get("href") for link in links}
    assert len(found) == len(links), "one link per language"
    return found


def url(story) -> str:
    return SITE + path(story)


def path(story) -> str:
    return iri_to_uri(story.get_absolute_url())


def test_every_page_of_the_group_names_every_version_and_each_points_back(client, group):
    expected = {code: url(story) for code, story in group.items()}
    expected["x-default"] = expected["ar"]  # the default edition's
    by_url = {}
    for story in group.values():
        _response, document = page(client, story)
        assert alternates(document) == expected
        canonical = document.xpath('//link[@rel="canonical"]/@href')[0]
        by_url[canonical] = alternates(document)
    # Reciprocity over the group: each alternate is a page that names this one back.
    for own_url, links in by_url.items():
        for language, other in links.items():
            assert other in by_url, language
            assert own_url in by_url[other].values()


def test_without_the_default_edition_x_default_is_the_original(client, group):
    actions.do_unpublish(group["ar"])
    # The original is gone: the first remaining version, the same on both pages.
    fa_links = alternates(page(client, group["fa"])[1])
    en_links = alternates(page(client, group["en"])[1])
    assert fa_links == en_links
    assert set(fa_links) == {"fa", "en", "x-default"}
    assert fa_links["x-default"] == url(group["en"])


def test_an_unpublished_translation_is_not_named(client, group):
    actions.do_unpublish(group["en"])
    links = alternates(page(client, group["ar"])[1])
    assert set(links) == {"ar", "fa", "x-default"}
    actions.do_unpublish(group["fa"])
    _response, document = page(client, group["ar"])
    assert alternates(document) == {}  # no other version: no alternates, no switcher
    assert not document.xpath('//nav[contains(@class, "story-translations")]')


def test_a_story_without_translations_costs_no_query_more(client, make_article, editions):
    story = make_article("خبر بلا ترجمة")
    client.get(story.get_absolute_url())  # the edition's navigation, kept by the process
    with CaptureQueriesContext(connection) as plain:
        client.get(story.get_absolute_url())
    translated = make_article("خبر مترجم")
    start_translation(translated, editions[0], None)
    actions.do_publish(translated.translation_group.articles.get(edition=editions[0]))
    with CaptureQueriesContext(connection) as with_translation:
        client.get(translated.get_absolute_url())
    assert len(with_translation) == len(plain) + 1


def test_the_switcher_names_each_language_in_itself(client, group):
    _response, document = page(client, group["ar"])
    switcher = document.xpath('//nav[contains(@class, "story-translations")]')[0]
    assert switcher.get("aria-label") == "هذا الخبر بلغات أخرى"
    assert "اقرأ بلغة" in switcher.text_content()
    links = [
        (a.text, a.get("lang"), a.get("dir"), a.get("hreflang"), a.get("href"))
        for a in switcher.xpath(".//a")
    ]
    assert links == [
        ("English", "en", "ltr", "en", url(group["en"])),
        ("فارسی", "fa", "rtl", "fa", url(group["fa"])),
    ]
    _response, english = page(client, group["en"])
    names = english.xpath('//nav[contains(@class, "story-translations")]//a/text()')
    assert names == ["العربية", "فارسی"]
    assert (
        "Read in"
        in english.xpath('//nav[contains(@class, "story-translations")]')[0].text_content()
    )


def json_ld(document) -> dict:
    return json.loads(document.xpath('//script[@type="application/ld+json"]/text()')[0])


def test_json_ld_links_the_original_and_its_translations(client, group):
    original = json_ld(page(client, group["ar"])[1])
    assert original["inLanguage"] == "ar"
    assert [(w["url"], w["inLanguage"], w["@type"]) for w in original["workTranslation"]] == [
        (url(group["en"]), "en", "NewsArticle"),
        (url(group["fa"]), "fa", "NewsArticle"),
    ]
    assert "translationOfWork" not in original
    persian = json_ld(page(client, group["fa"])[1])
    assert persian["inLanguage"] == "fa"
    assert persian["translationOfWork"]["url"] == url(group["ar"])
    assert persian["translationOfWork"]["inLanguage"] == "ar"
    assert "workTranslation" not in persian


def test_the_page_carries_its_translations_surrogate_keys(client, group):
    response, _document = page(client, group["ar"])
    keys = response_keys(response)
    for story in group.values():
        assert f"s{story.news_code}" in keys
    assert f"g{group['ar'].translation_group_id}" in keys


def test_own_codes_each_short_link_leads_to_its_own_story(client, group, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "own"
    assert len({story.news_code for story in group.values()}) == 3
    for story in group.values():
        response = client.get(f"/news/{story.news_code}")
        assert response.status_code == 302
        assert response["Location"] == path(story)


def test_shared_codes_one_code_for_every_edition(client, make_article, editions, editor, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "shared"
    original = make_article("خبر بثلاث لغات")
    persian, english = editions
    fa = actions.do_publish(start_translation(original, persian, editor))
    en = actions.do_publish(start_translation(original, english, editor))
    code = original.news_code
    assert fa.news_code == en.news_code == code
    # The bare short link: the default edition's story; an edition's: its own.
    assert client.get(f"/news/{code}")["Location"] == path(original)
    for story in (fa, en):
        response = client.get(f"/{story.edition.code}/news/{code}")
        assert response.status_code == 301
        assert response["Location"] == path(story)
    # Each page writes the code, linked to the short link that leads back to it.
    _response, document = page(client, fa)
    assert document.xpath('//p[@class="news-code"]/a/@href') == [f"/fa/news/{code}"]
    assert document.xpath('//p[@class="news-code"]/a/text()') == [str(code)]
    # Without the default edition's story, the bare link goes to the first to carry the code.
    actions.do_unpublish(original)
    assert client.get(f"/news/{code}")["Location"] == path(fa)


def test_a_code_beyond_any_database_is_not_found(client):
    assert client.get(f"/news/{2**64}").status_code == 404


def test_translated_pages_are_valid_html5(client, group):
    from khabar.reader.tests.test_valid_html import assert_valid_html5

    for story in group.values():
        assert_valid_html5(client.get(story.get_absolute_url()).content.decode())

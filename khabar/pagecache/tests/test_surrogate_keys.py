"""Every public response names what it shows; a change of a story names what it purges; pages
of an edition are kept no later than its next scheduled or embargoed story goes live."""

from datetime import timedelta

import pytest
from django.utils import timezone

from khabar.api import keys as api_keys
from khabar.api.models import Partner
from khabar.lib.surrogate import parse_keys
from khabar.news import actions
from khabar.news.models import Author, Tag
from khabar.news.surrogate import next_go_live, story_change_keys


def keys_of(response) -> set[str]:
    assert response["Surrogate-Key"] == response["xkey"]
    return set(parse_keys(response["Surrogate-Key"]))


def s_maxage(response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["s-maxage"])


@pytest.fixture(autouse=True)
def purged_cache(settings, tmp_path):
    """s-maxage is only sent where Khabar purges a shared cache: here the embedded one."""
    settings.KHABAR_PAGE_CACHE = "embedded"
    settings.KHABAR_PAGE_CACHE_DIR = tmp_path / "pages"


@pytest.fixture
def story(make_article, author):
    story = make_article("خبر عن المياه", tags=["المياه"])
    story.authors.set([author])
    return story


def test_pages_carry_their_own_key_and_the_key_of_every_story_they_show(
    client, story, make_article, other_section
):
    other = make_article("خبر رياضي", section=other_section)
    code, other_code = f"s{story.news_code}", f"s{other.news_code}"
    tag = Tag.objects.get(name="المياه")
    author = Author.objects.get()
    expected = {
        # Pages with the edition's navigation carry "ear" too (see the edition test below).
        story.get_absolute_url(): {code, "ear"},
        "/ar/": {"far", code, other_code, "ear"},
        story.section.get_absolute_url(): {f"sec{story.section_id}", code, "ear"},
        tag.get_absolute_url(): {f"t{tag.pk}", code, "ear"},
        f"/ar/author/{author.slug}/": {f"a{author.pk}", code, "ear"},
        "/ar/feeds/rss.xml": {"feed-ar", "ear"},
        "/ar/feeds/": {"far", "ear"},
        "/sitemap.xml": {"sitemap-ar"},
        "/sitemap-ar-stories.xml": {"sitemap-ar"},
        f"/ar/comments/{story.news_code}?partial=1": {f"c{story.news_code}"},
    }
    for url, keys in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert keys_of(response) == keys, url
        assert s_maxage(response) == 3600, url
        assert "public" in response["Cache-Control"], url


def test_corrections_page_carries_the_front_key_and_its_stories(client, story, editor):
    from khabar.newsroom.actions import do_correct

    do_correct(editor, story, kind="correction", note="صُحّح الرقم.",
               base_revision=story.revision, headline="خبر مصحح عن المياه")  # fmt: skip
    assert keys_of(client.get("/ar/corrections/")) == {"far", f"s{story.news_code}", "ear"}


def test_private_answers_carry_keys_but_no_shared_lifetime(client, story):
    partner = Partner.objects.create(name="شريك")
    partner.editions.set([story.edition])
    key = api_keys.make_key(partner, "production")[1]
    response = client.get("/api/ar/items", headers={"Authorization": f"Bearer {key}"})
    assert response["Cache-Control"] == "private, no-store"
    assert keys_of(response) == {"api-ar", f"s{story.news_code}"}
    page = client.get(f"/ar/comments/{story.news_code}")  # the form's page: a CSRF token
    assert "private" in page["Cache-Control"] and "s-maxage" not in page["Cache-Control"]


def test_search_and_robots_name_nothing_and_no_shared_cache_keeps_them(client, story):
    for url in ("/ar/search/?q=المياه", "/robots.txt"):
        response = client.get(url)
        assert "Surrogate-Key" not in response and "s-maxage" not in response["Cache-Control"]


def test_a_change_of_a_story_purges_its_page_its_lists_and_the_edition(story):
    tag = Tag.objects.get(name="المياه")
    author = Author.objects.get()
    assert set(story_change_keys(story)) == {
        f"s{story.news_code}", f"c{story.news_code}", f"sec{story.section_id}", f"t{tag.pk}",
        f"a{author.pk}", "far", "feed-ar", "sitemap-ar", "api-ar",
    }  # fmt: skip


def test_next_go_live_is_the_nearest_scheduled_or_embargoed_story(make_article, edition):
    now = timezone.now()
    assert next_go_live(edition.pk, now) is None
    make_article("منشور", at=now - timedelta(hours=1))
    assert next_go_live(edition.pk, now) is None
    make_article("مجدول", at=now + timedelta(hours=3))
    assert next_go_live(edition.pk, now) == now + timedelta(hours=3)
    embargoed = make_article("محظور", publish=False)
    actions.do_publish(embargoed, at=now - timedelta(minutes=5),
                       embargo_until=now + timedelta(hours=2))  # fmt: skip
    assert next_go_live(edition.pk, now) == now + timedelta(hours=2)
    make_article("مسودة مجدولة", publish=False, published_at=now + timedelta(minutes=1))
    assert next_go_live(edition.pk, now) == now + timedelta(hours=2)  # drafts go nowhere


def test_pages_are_kept_no_later_than_the_next_story_goes_live(client, make_article):
    make_article("منشور")
    assert s_maxage(client.get("/ar/")) == 3600
    make_article("مجدول", at=timezone.now() + timedelta(minutes=10))  # story_changed: memo gone
    assert 595 <= s_maxage(client.get("/ar/")) <= 600


def test_without_a_purged_cache_shared_caches_get_the_browsers_max_age(client, story, settings):
    """A cache that nobody purges (a proxy in front, with the page cache off) must not keep a
    page for an hour: no s-maxage then, and no go-live query."""
    settings.KHABAR_PAGE_CACHE = "off"
    response = client.get("/ar/")
    assert response["Cache-Control"] == "public, max-age=60" and "far" in response["xkey"]
    settings.KHABAR_VARNISH_URLS = ["http://127.0.0.1:6081"]
    assert s_maxage(client.get("/ar/")) == 3600

"""An embargoed story is nowhere a reader, a crawler or a partner can look before its time, and
everywhere at the second it lifts: its page and short link, the front, section, tag and author
pages, search, the comments region, every feed, every sitemap and the partner API (for a partner
not cleared for embargoed stories). Nothing runs at that second: every channel starts from
Article.objects.published(), and any cache must not outlive the embargo."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from khabar.api import keys
from khabar.api.models import Partner
from khabar.news.models import Section

MARK = "زعفرانستان"  # a word found in no other story, so search has one thing to find


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def channels(edition, story):
    """Every public address that would name the story: (address, what shows it is there)."""
    code = str(story.news_code)
    tag = story.tags.get()
    return [
        (f"/news/{code}", MARK),
        (f"/{edition.code}/news/{code}", MARK),
        (f"/{edition.code}/", MARK),
        (f"/{edition.code}/section/{quote(story.section.slug)}/", MARK),
        (f"/{edition.code}/tag/{quote(tag.slug)}/", MARK),
        (f"/{edition.code}/author/{story.authors.get().slug}/", MARK),
        # The search page repeats what was asked: the story's link is what shows it was found.
        (f"/{edition.code}/search/?q={quote(MARK)}", f"/news/{code}/"),
        (f"/{edition.code}/comments/{code}", "comment-form"),
        *(
            (f"/{edition.code}/feeds/{path}{fmt}.xml", f"/news/{code}")
            for path in (
                "",
                f"section/{quote(story.section.slug)}/",
                f"tag/{quote(tag.slug)}/",
                f"author/{story.authors.get().slug}/",
            )
            for fmt in ("atom", "rss")
        ),
        (f"/sitemap-{edition.code}-stories.xml", f"/news/{code}/"),
        (f"/sitemap-{edition.code}-news.xml", f"/news/{code}/"),
        (f"/sitemap-{edition.code}-tags.xml", quote(tag.slug)),
        (f"/sitemap-{edition.code}-sections.xml", quote(story.section.slug)),
    ]


def seen(client, address, sign, **headers):
    response = client.get(address, follow=True, **headers)
    return response.status_code == 200 and sign in response.content.decode()


def test_an_embargoed_story_is_nowhere_until_the_second_it_lifts(
    make_article, edition, author, clock
):
    now = timezone.now().replace(microsecond=0)
    lifts = now + timedelta(hours=3)
    clock(now)
    make_article("خبر عادي منشور", tags=["عام"])  # so that every sitemap has something in it
    story = make_article(
        f"اتفاق {MARK} على تقاسم المياه",
        body=f"<p>نص الخبر عن {MARK} وتفاصيله.</p>",
        embargo_until=lifts,
        tags=["اتفاقات المياه"],
        section=Section.objects.create(edition=edition, name="بيئة", slug="بيئة"),
    )
    story.authors.set([author])
    partner = Partner.objects.create(name="شريك بلا امتياز")
    partner.editions.set([edition])
    key = keys.make_key(partner, "test")[1]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    reader, api = Client(), Client()

    def everywhere():
        found = {
            address for address, sign in channels(edition, story) if seen(reader, address, sign)
        }
        item = api.get(f"/api/{edition.code}/items/{story.news_code}", **bearer)
        if item.status_code == 200:
            found.add("api item")
        listed = api.get(f"/api/{edition.code}/items", **bearer).json()["items"]
        if any(MARK in str(entry) for entry in listed):
            found.add("api list")
        return found

    for moment in (now, lifts - timedelta(seconds=1)):
        clock(moment)
        assert everywhere() == set()

    clock(lifts)
    expected = {address for address, _ in channels(edition, story)} | {"api item", "api list"}
    assert everywhere() == expected

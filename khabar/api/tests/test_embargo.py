"""Embargoed stories: a partner allowed them sees them at once, with `embargoed` set; any other
key gets the same 404 as for a story that does not exist, and sees the story from the second
the embargo lifts, not a microsecond before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from khabar.api import items, keys
from khabar.api.models import Partner
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def embargoed(make_article, editor):
    story = make_article("خبر تحت الحظر", publish=False)
    until = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    return actions.do_embargo(editor, story, until)


@pytest.fixture
def insider(edition):
    partner = Partner.objects.create(name="شريك الحظر", receives_embargoed=True)
    partner.editions.set([edition])
    return keys.make_key(partner)[1]


def at(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def test_a_partner_allowed_embargoed_stories_sees_them_marked(api, insider, embargoed):
    response = api(f"/api/ar/items/{embargoed.news_code}", key=insider)
    assert response.status_code == 200
    assert response.json()["embargoed"] == embargoed.embargo_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = api("/api/ar/items", key=insider).json()["items"]
    assert [item["embargoed"] for item in listed] == [response.json()["embargoed"]]
    three = api(f"/api/ar/items/{embargoed.news_code}?format=ninjs3.1", key=insider).json()
    assert three["embargoedUntil"] == response.json()["embargoed"]


def test_other_partners_see_nothing_until_the_second_it_lifts(api, embargoed, monkeypatch):
    path = f"/api/ar/items/{embargoed.news_code}"
    missing = api("/api/ar/items/999999")
    before = api(path)
    assert before.status_code == 404 and before.json() == missing.json()  # not a 403
    assert api("/api/ar/items").json()["items"] == []
    at(monkeypatch, embargoed.embargo_until - timedelta(microseconds=1))
    assert api(path).status_code == 404
    assert api("/api/ar/items").json()["items"] == []
    at(monkeypatch, embargoed.embargo_until)
    lifted = api(path)
    assert lifted.status_code == 200 and "embargoed" not in lifted.json()
    assert len(api("/api/ar/items").json()["items"]) == 1


def test_changed_since_tells_other_partners_of_a_story_whose_embargo_lifted(
    partner, edition, embargoed
):
    since = timezone.now()
    lifted = embargoed.embargo_until
    visible = items.visible(partner, edition, lifted)
    assert list(items.changed_since(visible, since, partner, lifted)) == [embargoed]
    assert not items.changed_since(visible, lifted, partner, lifted + timedelta(seconds=1))
    assert not items.visible(partner, edition, lifted - timedelta(microseconds=1))


def test_an_embargoed_story_taken_down_is_not_news_to_other_partners(
    api, insider, embargoed, editor
):
    actions.do_unpublish_with_reason(editor, embargoed, "تراجع المصدر")
    assert api(f"/api/ar/items/{embargoed.news_code}").status_code == 404
    told = api(f"/api/ar/items/{embargoed.news_code}", key=insider).json()
    assert told["pubstatus"] == "canceled" and "embargoed" not in told

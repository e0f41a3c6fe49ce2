"""The read API: a key's edition's items, newest first with a cursor that new stories do not
shift, filtered by section, tag and change time; one item by news code; ninjs 2.2 or 3.1."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khabar.api.items import decode_cursor
from khabar.news import actions as news_actions
from khabar.news.models import Article, Edition, Section
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db


def codes(response):
    assert response.status_code == 200, response.content
    return [int(item["altids"][0]["value"]) for item in response.json()["items"]]


@pytest.fixture
def stories(make_article):
    """Five stories published a minute apart, the newest last."""
    start = timezone.now() - timedelta(hours=1)
    return [make_article(f"خبر رقم {n}", at=start + timedelta(minutes=n), tags=[f"وسم{n % 2}"])
            for n in range(5)]  # fmt: skip


def test_items_newest_first_in_pages_a_new_story_does_not_shift(api, stories, make_article):
    first = api("/api/ar/items?limit=2")
    assert codes(first) == [stories[4].news_code, stories[3].news_code]
    body = first.json()
    assert body["next"] == f"http://testserver/api/ar/items?limit=2&cursor={body['cursor']}"
    make_article("خبر جديد بعد الصفحة الأولى")  # newer than every page already read
    second = api(f"/api/ar/items?limit=2&cursor={body['cursor']}")
    assert codes(second) == [stories[2].news_code, stories[1].news_code]
    third = api(f"/api/ar/items?limit=2&cursor={second.json()['cursor']}")
    assert codes(third) == [stories[0].news_code]
    assert third.json()["cursor"] is None and third.json()["next"] is None


def test_stories_published_at_the_same_second_are_all_paged(api, make_article):
    moment = timezone.now() - timedelta(minutes=5)
    made = [make_article(f"خبر متزامن {n}", at=moment) for n in range(3)]
    seen, cursor = [], ""
    while True:
        response = api(f"/api/ar/items?limit=1{cursor}")
        seen += codes(response)
        if not response.json()["cursor"]:
            break
        cursor = f"&cursor={response.json()['cursor']}"
    assert sorted(seen) == sorted(a.news_code for a in made)


def test_a_cursor_not_from_the_api_is_a_clear_400(api, stories):
    for cursor in ("nonsense", "W10", "eyJhIjogMX0"):
        response = api(f"/api/ar/items?cursor={cursor}")
        assert response.status_code == 400
        assert response.json() == {"error": "bad_cursor",
                                   "message": "The cursor is not one this API gave."}  # fmt: skip
    with pytest.raises(ValueError):
        decode_cursor("!!!")
    assert api("/api/ar/items?limit=0").json()["error"] == "bad_limit"
    assert api("/api/ar/items?limit=500").status_code == 400


def test_filters_by_section_tag_and_change_time(api, stories, other_section, make_article):
    sport = make_article("مباراة", section=other_section, tags=["كرة"])
    assert codes(api(f"/api/ar/items?section={other_section.slug}")) == [sport.news_code]
    assert codes(api("/api/ar/items?section=none")) == []
    tag = stories[1].tags.get().slug  # وسم1: stories 1 and 3
    assert codes(api(f"/api/ar/items?tag={tag}")) == [stories[3].news_code, stories[1].news_code]
    since = timezone.now()
    assert codes(api(f"/api/ar/items?changed_since={since.isoformat()}")) == []
    news_actions.do_unpublish(stories[0])
    assert stories[0].news_code not in codes(api("/api/ar/items"))  # gone from the list
    response = api(f"/api/ar/items?changed_since={since.isoformat().replace('+', '%2B')}")
    # What changed since: the story taken down, told as canceled.
    assert codes(response) == [stories[0].news_code]
    assert response.json()["items"][0]["pubstatus"] == "canceled"
    bad = api("/api/ar/items?changed_since=yesterday")
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["message"]
    assert api("/api/ar/items?changed_since=2026-01-01T00:00:00").status_code == 400  # no offset


def test_one_item_and_a_canceled_one(api, stories):
    response = api(f"/api/ar/items/{stories[2].news_code}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]
    data = response.json()
    assert data["headlines"][0]["value"] == "خبر رقم 2" and data["pubstatus"] == "usable"
    news_actions.do_unpublish(stories[2])
    data = api(f"/api/ar/items/{stories[2].news_code}").json()
    assert data["pubstatus"] == "canceled" and "bodies" not in data
    assert api("/api/ar/items/999999").status_code == 404


def test_a_correction_is_a_new_version(api, stories, editor):
    story = stories[1]
    assert api(f"/api/ar/items/{story.news_code}").json()["version"] == "1"
    actions.do_correct(editor, story, kind="update", note="أضيفت أرقام جديدة.",
                       base_revision=story.revision, body="<p>نص محدث.</p>")  # fmt: skip
    data = api(f"/api/ar/items/{story.news_code}").json()
    assert data["version"] == "2" and "نص محدث" in data["bodies"][0]["value"]
    assert data["versioncreated"] > data["firstcreated"]


def test_ninjs_3_1_on_request(api, stories):
    path = f"/api/ar/items/{stories[0].news_code}"
    by_format = api(f"{path}?format=ninjs3.1").json()
    by_accept = api(path, Accept="application/ninjs+json; version=3.1").json()
    assert by_format == by_accept
    assert by_format["standard"]["version"] == "3.1" and "pubStatus" in by_format
    assert "pubstatus" in api(path, Accept="application/json").json()
    assert api(f"{path}?format=ninjs2.2").json()["standard"]["version"] == "2.2"
    refused = api(f"{path}?format=ninjs9")
    assert refused.status_code == 406 and refused.json()["error"] == "unknown_version"
    listed = api("/api/ar/items?format=ninjs3.1").json()["items"]
    assert all("versionCreated" in item for item in listed)


def test_an_unknown_address_under_the_api_is_a_json_404(api):
    for path in ("/api/", "/api/ar/stories", "/api/ar/items/abc"):
        response = api(path, key=None)
        assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_drafts_and_scheduled_stories_are_not_items(api, make_article, editor):
    draft = make_article("مسودة", publish=False)
    scheduled = make_article("خبر مجدول", publish=False)
    actions.do_schedule(editor, scheduled, timezone.now() + timedelta(hours=1))
    assert codes(api("/api/ar/items")) == []
    assert api(f"/api/ar/items/{scheduled.news_code}").status_code == 404
    assert draft.news_code is None


def test_a_key_reads_only_its_partners_editions(api, partner, make_article, key):
    persian = Edition.objects.create(code="fa", name="خبر فارسی", language="fa", locale="fa_IR")
    section = Section.objects.create(edition=persian, name="اقتصاد", slug="eqtesad")
    story = Article.objects.create(
        edition=persian, section=section, headline="خبر فارسی", body="<p>متن خبر.</p>"
    )
    news_actions.do_publish(story)
    for path in ("/api/fa/items", f"/api/fa/items/{story.news_code}", "/api/xx/items"):
        response = api(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    partner.editions.add(persian)
    assert codes(api("/api/fa/items")) == [story.news_code]
    assert api(f"/api/ar/items/{story.news_code}").status_code == 404  # not in that edition


def test_a_page_takes_the_same_queries_for_few_or_many_items(api, make_article, editor):
    def queries_for_page():
        with CaptureQueriesContext(connection) as queries:
            assert api("/api/ar/items?limit=100").status_code == 200
        return len(queries)

    story = make_article("أول خبر", tags=["وسم"])
    actions.do_correct(editor, story, kind="update", note="تحديث.", base_revision=story.revision,
                       body="<p>نص جديد.</p>")  # fmt: skip
    queries_for_page()  # the key's first use: its rate counter and last use are written
    few = queries_for_page()
    for n in range(12):
        make_article(f"خبر {n}", tags=[f"وسم {n}", "مشترك"]).authors.create(
            name=f"كاتب {n}", slug=f"writer-{n}"
        )
    assert queries_for_page() == few

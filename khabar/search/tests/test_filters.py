"""The reader search page's filters: tag, section, dates and order narrow the results, travel
with the page links, and a value we cannot read is ignored, never a 500."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation

from khabar.news.models import Tag
from khabar.search.backends import BadQuery
from khabar.search.service import bad_query_message, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(make_article):
    return {
        "dam": make_article("سد الموصل يرفع خزينه من المياه", tags=["سدود", "المياه"]),
        "river": make_article("انخفاض منسوب المياه في دجلة", tags=["المياه"]),
        "rain": make_article("أمطار غزيرة تعيد المياه إلى الأهوار"),
    }


def test_tag_filter_narrows_the_results(client, edition, tagged):
    dams = Tag.objects.get(name="سدود")
    found = [a.headline for a in search(edition, "المياه", tag=dams).page.object_list]
    assert found == [tagged["dam"].headline]
    html = client.get("/ar/search/", {"q": "المياه", "tag": dams.slug}).content.decode()
    assert listed(html) == [tagged["dam"]]
    assert f'<option value="{dams.slug}" selected>سدود</option>' in html


def test_the_tag_choice_lists_only_tags_of_published_stories(client, edition, tagged,
                                                             make_article):  # fmt: skip
    make_article("مسودة عن الزراعة", publish=False, tags=["مسودات"])
    html = client.get("/ar/search/", {"q": "المياه"}).content.decode()
    assert ">سدود</option>" in html
    assert "مسودات" not in html
    draft_tag = Tag.objects.get(name="مسودات")
    # Asked for by slug, a tag that no published story carries filters nothing in.
    response = client.get("/ar/search/", {"q": "المياه", "tag": draft_tag.slug})
    assert response.status_code == 200
    assert tagged["rain"] in listed(response.content.decode())


def test_a_tag_page_offers_a_search_within_the_tag(client, edition, tagged):
    dams = Tag.objects.get(name="سدود")
    html = client.get(dams.get_absolute_url()).content.decode()
    assert 'action="/ar/search/"' in html
    assert f'<input type="hidden" name="tag" value="{dams.slug}">' in html


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "no-such-tag"}, {"tag": "\x00"}, {"tag": "x" * 500}, {"section": "abc"},
        {"section": "99999999999999999999"}, {"from": "2024-13-45"}, {"to": "٢٠٢٤-٠١-٠١"},
        {"from": "\x00"}, {"sort": "'; --"}, {"page": "0"}, {"page": "999999"}, {"page": "٢"},
        {"to": "9999-12-31"}, {"from": "0001-01-01"}, {"from": "1899-12-31", "to": "2200-01-01"},
        {"page": "-1"},
    ],
)  # fmt: skip
def test_invalid_filter_values_are_ignored(client, edition, tagged, params):
    response = client.get("/ar/search/", {"q": "المياه", **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert len(listed(html)) == 3  # nothing was filtered out


def listed(html: str) -> list:
    """The stories of a results page, in order."""
    from khabar.news.models import Article

    codes = re.findall(r'<a class="story-link" href="/ar/news/([0-9]+)/', html)
    # Codes are unique per edition (translations may share one): these are all Arabic.
    stories = Article.objects.filter(edition__code="ar", news_code__in=[int(c) for c in codes])
    by_code = {story.news_code: story for story in stories}
    return [by_code[int(c)] for c in codes]


def _links(html: str) -> dict[str, dict]:
    found = {}
    for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', html):
        found[rel] = {k: v[0] for k, v in parse_qs(urlsplit(unescape(href)).query).items()}
    return found


def test_pagination_keeps_every_filter(client, edition, other_section, make_article):
    for i in range(25):
        make_article(f"تقرير رقم {i} عن الكهرباء", section=other_section, tags=["الطاقة"],
                     at=timezone.now() - timedelta(hours=i + 1))  # fmt: skip
    make_article("الكهرباء في قسم آخر", tags=["الطاقة"])
    make_article("الكهرباء دون وسم", section=other_section)
    slug = Tag.objects.get(name="الطاقة").slug
    today = timezone.localdate()
    params = {
        "q": "الكهرباء", "section": str(other_section.pk), "tag": slug,
        "from": (today - timedelta(days=3)).isoformat(), "to": today.isoformat(), "sort": "date",
    }  # fmt: skip
    first = client.get("/ar/search/", params).content.decode()
    assert len(listed(first)) == 20
    assert "prev" not in _links(first)
    following = _links(first)["next"]
    assert following == {**params, "page": "2"}
    second = client.get("/ar/search/", following).content.decode()
    assert len(listed(second)) == 5
    assert "next" not in _links(second)
    assert _links(second)["prev"] == {**params, "page": "1"}
    assert {a.section_id for a in listed(first) + listed(second)} == {other_section.pk}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 10_000, "too-long"),
        ("!!! ؟؟؟ ... ***", "empty"),
        ('" OR 1=1 --', None),
        ("NEAR(a b)", None),
        ("a & !b <->", None),
    ],
)
def test_absurd_queries_with_filters_get_a_message_or_results(client, edition, tagged, query,
                                                              message):  # fmt: skip
    slug = Tag.objects.get(name="سدود").slug
    response = client.get("/ar/search/", {"q": query, "tag": slug, "sort": "date"})
    assert response.status_code == 200
    html = response.content.decode()
    if message:
        assert said(message) in html
    else:
        assert "search-message" in html or "search-count" in html


def test_lone_surrogate_in_the_url_gets_the_message(client, edition, tagged):
    response = client.get("/ar/search/?q=%ED%A0%80&tag=%ED%A0%80")
    assert response.status_code == 200
    assert said("empty") in response.content.decode()


def said(kind: str, language: str = "ar") -> str:
    """The message the page shows for a query it cannot search for."""
    with translation.override(language):
        return bad_query_message(BadQuery(kind))

"""The comments region: the same bytes for every reader, cacheable, paginated by cursor."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from khabar.comments import actions
from khabar.comments.models import Comment

pytestmark = pytest.mark.django_db


def approved(article, body, parent=None, when=None):
    comment = Comment.objects.create(
        article=article, parent=parent, name="قارئ", body=body,
        depth=parent.depth + 1 if parent else 0, status=Comment.Status.APPROVED,
    )  # fmt: skip
    comment.place_in_thread()
    if when:
        Comment.objects.filter(pk=comment.pk).update(created_at=when)
        comment.created_at = when
    return comment


def partial_url(article, **params):
    query = "&".join(f"{k}={v}" for k, v in {"partial": "1", **params}.items())
    return f"/ar/comments/{article.news_code}?{query}"


def test_region_is_public_and_the_same_for_everyone(client, article):
    anonymous = client.get(partial_url(article))
    client.force_login(User.objects.create_superuser("ed", "ed@example.org", "x"))
    editor = client.get(partial_url(article))
    assert anonymous.content == editor.content
    for response in (anonymous, editor):
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "public" in response["Cache-Control"]
        assert response["ETag"]


def test_etag_answers_not_modified_and_changes_on_approval(client, article, moderator):
    first = client.get(partial_url(article))
    again = client.get(partial_url(article), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    pending = Comment.objects.create(article=article, name="س", body="جديد", path="x")
    assert client.get(partial_url(article), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    actions.do_approve(pending, moderator)
    changed = client.get(partial_url(article), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "جديد" in changed.content.decode()
    assert changed["Last-Modified"]


def test_heading_shows_the_count_in_arabic_digits(client, article, moderator):
    for i in range(12):
        comment = Comment.objects.create(article=article, name="س", body=f"ت{i}", path="x")
        actions.do_approve(comment, moderator)
    html = client.get(partial_url(article)).content.decode()
    assert "تعليقك" in html and "١٢" in html


def test_only_approved_comments_are_shown(client, article):
    approved(article, "ظاهر")
    for status in ("pending", "rejected", "spam"):
        Comment.objects.create(article=article, name="س", body=f"مخفي {status}", status=status)
    html = client.get(partial_url(article)).content.decode()
    assert "ظاهر" in html and "مخفي" not in html


def test_cursor_pagination_both_orders(client, article, settings):
    settings.KHABAR_COMMENT_PAGE_SIZE = 3
    start = timezone.now() - timedelta(hours=1)
    for i in range(7):
        approved(article, f"تعليق-{i}", when=start + timedelta(minutes=i))
    first = client.get(partial_url(article)).content.decode()
    assert [f"تعليق-{i}" in first for i in range(7)] == [True] * 3 + [False] * 4
    after = first.split("after=")[1].split("&")[0].split('"')[0]
    second = client.get(partial_url(article, after=after)).content.decode()
    assert [f"تعليق-{i}" in second for i in range(7)] == [False] * 3 + [True] * 3 + [False]
    newest = client.get(partial_url(article, order="newest")).content.decode()
    assert newest.index("تعليق-6") < newest.index("تعليق-5") < newest.index("تعليق-4")
    assert "تعليق-3" not in newest
    assert client.get(partial_url(article, after="%00bad")).status_code == 404


def test_replies_show_under_their_parent_first_few_then_more(client, article, settings):
    settings.KHABAR_COMMENT_REPLIES_SHOWN = 2
    root = approved(article, "الأصل")
    first = approved(article, "رد-1", parent=root)
    approved(article, "رد-2", parent=root)
    approved(article, "رد-على-رد-1", parent=first)
    approved(article, "رد-3", parent=root)
    html = client.get(partial_url(article)).content.decode()
    assert html.index("الأصل") < html.index("رد-1") < html.index("رد-على-رد-1")
    assert "رد-2" not in html and "رد-3" not in html
    assert html.count('class="comment-reply-to"') == 2  # each reply says whom it answers
    more = f"/ar/comments/{article.news_code}/replies/{root.pk}?after="
    link = html[html.index(more) :].split('"')[0].replace("&amp;", "&")
    rest = client.get(link).content.decode()
    assert "رد-2" in rest and "رد-3" in rest
    assert "رد-1<" not in rest and "رد-على-رد-1" not in rest


def test_query_count_does_not_grow_with_the_thread(client, article, django_assert_max_num_queries):
    for i in range(5):
        root = approved(article, f"أصل {i}")
        for j in range(5):
            approved(article, f"رد {i}-{j}", parent=root)
    with django_assert_max_num_queries(6):
        client.get(partial_url(article))
    for i in range(40):
        root = approved(article, f"أصل إضافي {i}")
        approved(article, "رد", parent=root)
    with django_assert_max_num_queries(6):
        client.get(partial_url(article))


def test_full_page_for_readers_without_javascript(client, article):
    comment = approved(article, "تعليق قديم")
    response = client.get(f"/ar/comments/{article.news_code}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html
    assert "private" in response["Cache-Control"]
    assert 'name="started" value="' in html
    reply = client.get(f"/ar/comments/{article.news_code}?reply={comment.pk}").content.decode()
    assert f'name="parent" value="{comment.pk}"' in reply


def test_closed_story_shows_no_form(client, article):
    article.comment_mode = "closed"
    article.save()
    html = client.get(partial_url(article)).content.decode()
    assert 'id="comment-form"' not in html
    assert client.get(f"/ar/comments/{article.news_code}/challenge").status_code == 404


def test_challenge_endpoint_is_never_cached(client, article):
    response = client.get(f"/ar/comments/{article.news_code}/challenge")
    data = response.json()
    assert data["challenge"]["signature"] and data["started"] and data["csrf"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_comments_of_unpublished_stories_are_not_found(client, make_article):
    draft = make_article("مسودة", publish=False)
    assert client.get(f"/ar/comments/{draft.news_code}").status_code == 404


def test_count_follows_what_readers_see(client, article, moderator):
    from khabar.comments.actions import visible_count

    root = approved(article, "أصل")
    for i in range(3):
        approved(article, f"رد {i}", parent=root)
    assert visible_count(article.pk) == 4
    actions.do_reject(root, moderator)  # its replies disappear with it
    article.refresh_from_db()
    assert article.comment_count == 0


@pytest.mark.parametrize(
    "query",
    ["reply=²", "reply=٢", "after=OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx", "order=sideways",
     "after=%00", "page=-1"],
)  # fmt: skip
def test_odd_parameters_never_break_the_region(client, article, query):
    for url in (f"/ar/comments/{article.news_code}?{query}",
                f"/ar/comments/{article.news_code}?partial=1&{query}"):  # fmt: skip
        assert client.get(url).status_code in (200, 404)


def test_odd_reply_cursor_is_not_found(client, article):
    root = approved(article, "أصل")
    url = f"/ar/comments/{article.news_code}/replies/{root.pk}"
    assert client.get(url + "?after=%00").status_code == 404
    assert client.get(url + "?partial=1").status_code == 200
    page = client.get(url).content.decode()
    assert "<html" in page and "أصل" in page  # a page of its own without JavaScript

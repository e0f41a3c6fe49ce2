"""Hostile comments come out inert or are refused cleanly, never a 500, never lost silently."""

import html5lib
import pytest
from django.test import Client

from khabar.comments.models import Comment
from khabar.news.models import CommentMode
from khabar.testing import comment_data

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">اضغط</a>',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "<iframe src=//evil.example></iframe>",
    "\u202eالنص معكوس\u202c",  # right-to-left override
    "\u2066عزل\u2069 و \u202aتضمين\u202c",  # isolates and embeddings
    "ك\u200bل\u200bمة \ufeff مخفية",  # zero-width characters
    "https://example.org/?q=<script>alert(1)</script>",
    "{{ 7*7 }} {% debug %}",
]


def assert_inert(html: str) -> None:
    """No element that runs code: no script, frame or SVG, no on* handler, no javascript: link."""
    document = html5lib.parseFragment(html, namespaceHTMLElements=False)
    for element in document.iter():
        if not isinstance(element.tag, str) or element is document:
            continue
        assert element.tag not in {"script", "iframe", "svg", "img", "object", "embed"}
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not element.get("href", "").strip().lower().startswith("javascript:")


@pytest.fixture
def open_article(article):
    article.comment_mode = CommentMode.OPEN
    article.save()
    return article


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_text_is_shown_inert(client, post_comment, open_article, body):
    response = post_comment(open_article, body=body)
    assert response.status_code == 201
    for html in (
        response.json()["html"],
        client.get(f"/ar/comments/{open_article.news_code}?partial=1").content.decode(),
    ):
        assert_inert(html)
        for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff":
            assert control not in html
    if "{{" in body:
        assert "{{ 7*7 }} {% debug %}" in html  # shown as written, never evaluated


def test_hostile_name_is_inert(client, post_comment, open_article):
    post_comment(open_article, name="<b onmouseover=alert(1)>اسم</b>")
    html = client.get(f"/ar/comments/{open_article.news_code}?partial=1").content.decode()
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(1)&gt;اسم&lt;/b&gt;" in html


def test_links_get_nofollow_ugc(client, post_comment, open_article):
    post_comment(open_article, body="المصدر https://example.org/report")
    html = client.get(f"/ar/comments/{open_article.news_code}?partial=1").content.decode()
    assert '<a href="https://example.org/report" rel="nofollow ugc noopener">' in html


def test_persian_zero_width_non_joiner_is_kept(post_comment, open_article):
    post_comment(open_article, body="می‌خواهم بنویسم")
    assert "\u200c" in Comment.objects.get().body


def test_100_kb_is_refused_with_the_text_kept(post_comment, open_article):
    body = "ا" * 100_000
    response = post_comment(open_article, js=False, body=body)
    assert response.status_code == 400
    assert body in response.content.decode()
    assert Comment.objects.count() == 0


def test_nul_byte_is_refused_cleanly(post_comment, open_article):
    response = post_comment(open_article, body="نص\x00مخفي")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_lone_surrogate_is_refused_cleanly(open_article):
    from khabar.comments.forms import CommentForm

    data = comment_data(open_article, body="نص \ud800 مكسور")
    form = CommentForm(data)
    assert not form.is_valid()
    assert "body" in form.errors


@pytest.mark.parametrize(
    "raw",
    [
        b"name=%D9%82%D8%A7%D8%B1%D8%A6&body=%FF%FE%FD+invalid",  # invalid UTF-8
        b"name=x&body=%ED%A0%80",  # an encoded lone surrogate (invalid UTF-8)
        b"name=x&body=\xff\xfe",  # raw invalid bytes
    ],
)
def test_invalid_utf8_never_breaks_the_server(open_article, raw):
    from khabar.comments import rules

    started = rules.started_token()
    body = raw + b"&started=" + started.encode()
    response = Client().generic(
        "POST",
        f"/ar/comments/{open_article.news_code}",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code in (201, 400)
    for comment in Comment.objects.all():
        comment.body.encode("utf-8")  # whatever was stored is valid text


def test_queue_shows_hostile_comments_inert(client, post_comment, article, moderator):
    post_comment(article, body="<script>alert('mod')</script>")
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert "<script>alert('mod')" not in html

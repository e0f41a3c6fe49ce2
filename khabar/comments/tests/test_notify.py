"""Opt-in e-mail: when a comment is published and when it gets a reply, with one-click
unsubscribe; never for comments that are not approved."""

import pytest
from django.core import mail

from khabar.comments import actions
from khabar.comments.models import Comment
from khabar.news.models import CommentMode
from khabar.testing import confirm_address

pytestmark = pytest.mark.django_db


def latest():
    return Comment.objects.latest("id")


@pytest.fixture(autouse=True)
def _confirmed(client):
    """E-mail goes only to confirmed addresses (test_confirm_identity): these readers are."""
    confirm_address(client, "reader@example.org", "first@example.org")


def test_publication_message_only_after_approval(post_comment, article, moderator,
                                                 django_capture_on_commit_callbacks):  # fmt: skip
    post_comment(article, email="reader@example.org", notify_on_publish="on")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(latest(), moderator)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert article.headline in message.subject
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/comments/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_message_without_opting_in(post_comment, article, moderator,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    post_comment(article, email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(latest(), moderator)
    assert mail.outbox == []


def test_reply_message_to_the_parent_author(post_comment, article, moderator,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    article.comment_mode = CommentMode.OPEN
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(article, email="first@example.org", notify_on_reply="on", body="سؤال")
        parent = latest()
        post_comment(article, name="مجيب", body="جواب", parent=str(parent.pk))
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    assert "مجيب" in mail.outbox[0].subject or "مجيب" in mail.outbox[0].body
    assert "جواب" in mail.outbox[0].body


def test_one_click_unsubscribe_and_opting_in_again(client, post_comment, article, moderator,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    post_comment(article, email="reader@example.org", notify_on_publish="on", body="أول")
    first = latest()
    post_comment(article, email="reader@example.org", notify_on_publish="on", body="ثان")
    second = latest()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(first, moderator)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    url = url.split("127.0.0.1:8000")[-1]
    assert client.get(url).status_code == 200  # a page with a button
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(second, moderator)
    assert len(mail.outbox) == 1  # nothing more after unsubscribing
    post_comment(article, email="reader@example.org", notify_on_publish="on", body="ثالث")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(latest(), moderator)
    assert len(mail.outbox) == 2  # asking again undoes the unsubscribe


def test_bad_unsubscribe_token(client, db):
    assert client.post("/comments/unsubscribe/forged").status_code == 404

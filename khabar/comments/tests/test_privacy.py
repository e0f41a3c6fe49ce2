"""A reader exports or deletes their comments after confirming by e-mail; network hashes
expire."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from khabar.comments.models import Comment

pytestmark = pytest.mark.django_db


def link_path(message):
    for line in message.body.splitlines():
        if "/comments/privacy/" in line:
            return "/comments/privacy/" + line.strip().split("/comments/privacy/")[1]
    raise AssertionError(message.body)


def test_export_and_delete_after_confirming_by_email(
    client, post_comment, article, moderator, django_capture_on_commit_callbacks
):
    post_comment(article, email="me@example.org", body="تعليقي الأول")
    post_comment(article, email="me@example.org", body="تعليقي الثاني")
    post_comment(article, email="other@example.org", body="تعليق غيري")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ar/comments/privacy/", {"email": "ME@example.org"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])
    page = client.get(path)
    assert "تعليقي الأول" in page.content.decode()
    exported = json.loads(client.get(path + "?format=json").content)
    assert sorted(c["text"] for c in exported["comments"]) == ["تعليقي الأول", "تعليقي الثاني"]
    client.post(path, {"confirm": "delete"})
    assert list(Comment.objects.values_list("body", flat=True)) == ["تعليق غيري"]


def test_a_deleted_comment_with_replies_keeps_its_place_without_its_content(
    client, post_comment, article, moderator
):
    from khabar.comments import actions
    from khabar.comments.identity import email_hash

    post_comment(article, email="me@example.org", body="سؤالي")
    mine = Comment.objects.get()
    actions.do_approve(mine, moderator)  # only a published comment can be answered
    post_comment(article, body="جواب غيري", parent=str(mine.pk))
    reply = Comment.objects.get(body="جواب غيري")
    actions.do_approve(reply, moderator)
    actions.do_erase_commenter(email_hash("me@example.org"))
    article.refresh_from_db()
    assert article.comment_count == 1  # the other reader's reply still shows
    erased = Comment.objects.get(pk=mine.pk)
    assert (erased.name, erased.body, erased.email, erased.erased) == ("", "", "", True)
    assert Comment.objects.filter(body="جواب غيري").exists()
    html = client.get(f"/ar/comments/{article.news_code}?partial=1").content.decode()
    assert "comment-erased" in html and "سؤالي" not in html


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db, edition):
    response = client.post("/ar/comments/privacy/", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert mail.outbox == []


def test_forged_or_old_link(client, db):
    assert client.get("/comments/privacy/forged").status_code == 404


def test_network_hashes_are_purged_after_the_retention(post_comment, article):
    post_comment(article, body="قديم")
    post_comment(article, body="حديث")
    old = Comment.objects.get(body="قديم")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("purge_network_hashes", "--days", "30", stdout=out)
    assert Comment.objects.get(pk=old.pk).network_hash == ""
    assert Comment.objects.get(body="حديث").network_hash != ""
    assert "1" in out.getvalue()


def test_privacy_requests_are_limited(client, post_comment, article,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    post_comment(article, email="me@example.org", body="تعليقي")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            client.post("/ar/comments/privacy/", {"email": "me@example.org"})
    assert len(mail.outbox) == 3

"""The moderation queue: who may use it, bulk and single actions, edits, features, bans, log."""

import pytest
from django.contrib.auth.models import User

from khabar.comments import actions
from khabar.comments.models import Ban, Comment, ModerationLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(article):
    def make(body="تعليق ينتظر", **fields):
        comment = Comment.objects.create(article=article, name="قارئ", body=body, **fields)
        Comment.objects.filter(pk=comment.pk).update(root=comment, path=f"{comment.pk:012d}")
        comment.refresh_from_db()
        return comment

    return make


def test_queue_is_for_moderators_only(client, moderator):
    assert client.get("/desk/comments/").status_code == 302  # to the login page
    client.force_login(User.objects.create_user("reader", "r@example.org", "x"))
    assert client.get("/desk/comments/").status_code == 403
    client.force_login(moderator)
    response = client.get("/desk/comments/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="ar" dir="rtl"' in html


def test_editors_group_moderates_too(client, db):
    from django.contrib.auth.models import Group

    editor = User.objects.create_user("editor", "e@example.org", "x")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get("/desk/comments/").status_code == 200


def test_queue_shows_article_thread_and_counts(client, moderator, pending, article):
    parent = pending("التعليق الأصلي", status="approved")
    reply = pending("رد ينتظر", parent=parent, depth=1)
    pending("تعليق ثالث")
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert article.headline in html
    assert "التعليق الأصلي" in html  # the thread in view
    assert "رد ينتظر" in html
    # Two pending, in the interface language's digits.
    assert '<span class="tab-count" data-count="pending">٢</span>' in html
    assert f'value="{reply.pk}"' in html


def test_bulk_approve_publishes_and_logs(client, moderator, pending, article):
    comments = [pending(f"تعليق {i}") for i in range(3)]
    client.force_login(moderator)
    response = client.post(
        "/desk/comments/?state=pending",
        {"action": "approve", "ids": [c.pk for c in comments]},
    )
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    article.refresh_from_db()
    assert article.comment_count == 3
    log = ModerationLog.objects.filter(action="approve")
    assert log.count() == 3 and {e.actor for e in log} == {moderator}


def test_single_button_without_javascript(client, moderator, pending):
    first, second = pending("أ"), pending("ب")
    client.force_login(moderator)
    client.post(f"/desk/comments/?state=pending&only={second.pk}", {"one": "spam"})
    assert Comment.objects.get(pk=second.pk).status == "spam"
    assert Comment.objects.get(pk=first.pk).status == "pending"


def test_reject_and_spam_take_an_approved_comment_down(moderator, pending, article):
    comment = pending()
    actions.do_approve(comment, moderator)
    article.refresh_from_db()
    assert article.comment_count == 1
    actions.do_mark_spam(comment, moderator)
    article.refresh_from_db()
    assert article.comment_count == 0


def test_edit_with_a_note(client, moderator, pending):
    comment = pending("نص فيه خطأ")
    client.force_login(moderator)
    page = client.get(f"/desk/comments/{comment.pk}/edit")
    assert "نص فيه خطأ" in page.content.decode()
    client.post(f"/desk/comments/{comment.pk}/edit", {"body": "نص مصحح", "note": "تصحيح إملائي"})
    comment.refresh_from_db()
    assert (comment.body, comment.edit_note) == ("نص مصحح", "تصحيح إملائي")
    assert ModerationLog.objects.filter(action="edit", note="تصحيح إملائي").exists()


def test_feature_and_ban(client, moderator, pending, article):
    from khabar.comments.identity import email_hash, network_hash

    good = pending("تعليق ممتاز", status="approved")
    bad = pending("إزعاج", email_hash=email_hash("x@example.org"),
                  network_hash=network_hash("192.0.2.7"))  # fmt: skip
    client.force_login(moderator)
    client.post("/desk/comments/", {"action": "feature", "ids": [good.pk]})
    assert Comment.objects.get(pk=good.pk).featured
    client.post("/desk/comments/", {"action": "ban-network", "ids": [bad.pk]})
    client.post("/desk/comments/", {"action": "ban-email", "ids": [bad.pk]})
    assert set(Ban.objects.values_list("kind", flat=True)) == {"email", "network"}
    assert Ban.objects.get(kind="network").value_hash == network_hash("192.0.2.200")
    assert "192.0.2" not in str(list(Ban.objects.values()))  # only hashes are stored
    assert Comment.objects.get(pk=bad.pk).status == "spam"
    html = client.get(f"/ar/comments/{article.news_code}?partial=1").content.decode()
    assert "is-featured" in html


def test_queue_by_keyboard_has_its_script(client, moderator):
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert "comments/moderation.js" in html  # the script that reads the keys
    assert "j / k" in html  # and the line that tells the moderator which keys do what


def test_unknown_action_is_reported(client, moderator, pending):
    comment = pending()
    client.force_login(moderator)
    client.post("/desk/comments/", {"action": "explode", "ids": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_log_is_shown_in_words(client, moderator, pending):
    comment = pending()
    from khabar.comments import actions as comment_actions

    comment_actions.do_mark_spam(comment, moderator)
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert "وُسم كمزعج" in html


def test_held_words_are_kept_in_the_admin(client, db):
    from khabar.comments.models import HeldWord

    admin = User.objects.create_superuser("admin", "a@example.org", "x")
    client.force_login(admin)
    response = client.post("/admin/comments/heldword/add/", {"phrase": "كَلِمـة"})
    assert response.status_code == 302
    assert HeldWord.objects.get().normalized == "كلمه"

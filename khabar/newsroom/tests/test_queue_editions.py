"""The moderation queue follows roles limited to editions: a Persian-desk editor sees, counts and
acts on comments of Persian stories only; a comment of another edition is out of reach even by
a forged request, and stays as it was."""

import pytest
from django.contrib.auth.models import Group, User

from khabar.comments.models import Comment
from khabar.news import actions
from khabar.news.models import Article
from khabar.newsroom.models import DeskProfile
from khabar.newsroom.roles import MODERATORS

pytestmark = pytest.mark.django_db


def held(article, body):
    comment = Comment.objects.create(article=article, name="قارئ", body=body, held_reason="x")
    Comment.objects.filter(pk=comment.pk).update(root=comment, path=f"{comment.pk:012d}")
    return comment


@pytest.fixture
def two_comments(editions, make_article):
    arabic = make_article("خبر عربي")
    persian = Article.objects.create(
        edition=editions["fa"], section=editions["sections"]["fa"][0], headline="خبر فارسی",
        body="<p>متن خبر.</p>",
    )  # fmt: skip
    actions.do_publish(persian)
    return held(arabic, "تعليق على خبر عربي"), held(persian, "نظری درباره خبر فارسی")


@pytest.fixture
def persian_moderator(editions):
    user = User.objects.create_user("shirin", "shirin@example.org", "pass-phrase-123")
    user.groups.add(Group.objects.get(name=MODERATORS))
    DeskProfile.objects.create(user=user).editions.set([editions["fa"]])
    return user


def test_the_queue_lists_and_counts_only_the_moderators_editions(
    client, two_comments, persian_moderator
):
    arabic, persian = two_comments
    client.force_login(persian_moderator)
    html = client.get("/desk/comments/").content.decode()
    assert persian.body in html
    assert arabic.body not in html
    answer = client.post(
        "/desk/comments/", {"action": "approve", "ids": [persian.pk]},
        HTTP_X_REQUESTED_WITH="fetch",
    )  # fmt: skip
    counts = answer.json()["counts"]
    # In the desk language's digits (Arabic by default): the Arabic comment is not counted.
    assert counts["pending"] == "٠"


def test_a_forged_action_on_another_editions_comment_changes_nothing(
    client, two_comments, persian_moderator
):
    arabic, _ = two_comments
    client.force_login(persian_moderator)
    client.post("/desk/comments/", {"action": "approve", "ids": [arabic.pk]})
    arabic.refresh_from_db()
    assert arabic.status == Comment.Status.PENDING
    assert client.get(f"/desk/comments/{arabic.pk}/edit").status_code == 404


def test_an_unlimited_moderator_still_sees_every_edition(client, two_comments, moderator):
    arabic, persian = two_comments
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert arabic.body in html and persian.body in html

"""The writes that used to live outside the actions: a comment's place in its thread, and a
reader's unsubscribe."""

import pytest

from khabar.comments import actions
from khabar.comments.models import Comment, Commenter

pytestmark = pytest.mark.django_db


def _comment(article, parent=None, **fields):
    comment = Comment.objects.create(
        article=article, parent=parent, name="قارئ", body="نص التعليق",
        depth=parent.depth + 1 if parent else 0, **fields,
    )  # fmt: skip
    comment.place_in_thread()
    return comment


def test_place_in_thread_from_the_top_down(article):
    top = _comment(article)
    reply = _comment(article, parent=top)
    deeper = _comment(article, parent=reply)
    deeper.refresh_from_db()
    assert top.root_id == reply.root_id == deeper.root_id == top.pk
    assert deeper.path == f"{top.pk:012d}/{reply.pk:012d}/{deeper.pk:012d}"
    # Ordering by path reads the thread: every reply right under the comment it answers.
    later_top = _comment(article)
    paths = list(Comment.objects.order_by("path").values_list("pk", flat=True))
    assert paths == [top.pk, reply.pk, deeper.pk, later_top.pk]


def test_do_unsubscribe_stops_every_message_of_the_address(article):
    mine = _comment(article, email_hash="h1", notify_on_publish=True, notify_on_reply=True)
    other = _comment(article, email_hash="h2", notify_on_publish=True, notify_on_reply=True)
    actions.do_unsubscribe("h1")
    mine.refresh_from_db()
    other.refresh_from_db()
    assert Commenter.objects.get(email_hash="h1").unsubscribed
    assert (mine.notify_on_publish, mine.notify_on_reply) == (False, False)
    assert (other.notify_on_publish, other.notify_on_reply) == (True, True)
    actions.do_unsubscribe("h1")  # twice is the same as once
    assert Commenter.objects.filter(email_hash="h1").count() == 1

"""The publish path locks the story's row once and updates the search index once, however many
workflow steps one request takes (the desk's Publish saves the changed text first), and every
change readers see is announced with story_changed."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khabar.news import actions as news_actions
from khabar.news.models import Article
from khabar.news.signals import story_changed
from khabar.newsroom import actions
from khabar.search import backends
from khabar.testing import story_post

pytestmark = pytest.mark.django_db


@contextmanager
def counting():
    """Count the row locks taken, the index updates and, on PostgreSQL, the FOR UPDATE reads."""
    with (
        mock.patch.object(news_actions, "_locked_row", wraps=news_actions._locked_row) as lock,
        mock.patch.object(backends, "sync", wraps=backends.sync) as sync,
        CaptureQueriesContext(connection) as queries,
    ):
        yield lock, sync, queries


def for_update(queries) -> int:
    return sum("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("changed", [True, False], ids=["text-changed", "text-unchanged"])
def test_publishing_from_the_desk_locks_once_and_indexes_once(client, draft, editor, changed):
    client.force_login(editor)
    body = "<p>الفقرة الأولى بعد التحرير.</p>" if changed else draft.body
    with counting() as (lock, sync, queries):
        response = client.post(
            f"/desk/stories/{draft.pk}/", story_post(draft, action="publish", body=body)
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and draft.news_code is not None
    assert draft.body == body and draft.revision == (2 if changed else 1)
    assert lock.call_count == 1
    assert sync.call_count == 1 and sync.call_args.args[0].pk == draft.pk
    if connection.vendor == "postgresql":
        assert for_update(queries) == 1


def test_a_published_story_is_findable_after_the_desk_publishes_it(client, draft, editor):
    client.force_login(editor)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, action="publish"))
    assert backends.backend().indexed_ids() == [draft.pk]


@pytest.fixture
def announced():
    """The stories story_changed was sent for, in order."""
    seen = []

    def receiver(sender, article, **kwargs):
        assert connection.in_atomic_block  # inside the change's transaction
        seen.append(article.pk)

    story_changed.connect(receiver, dispatch_uid="test_publish_path")
    yield seen
    story_changed.disconnect(dispatch_uid="test_publish_path")


def test_each_change_readers_see_is_announced_once(draft, editor, announced):
    actions.do_save(editor, draft, base_revision=1, headline="مسودة معدلة")
    assert announced == []  # nobody can have seen a draft
    story = actions.do_publish_now(editor, draft)
    story = actions.do_save(editor, story, base_revision=2, lead="مقدمة أخرى.")
    story = actions.do_restore(editor, story, 2, base_revision=3)
    story = actions.do_correct(
        editor, story, kind="correction", note="صُحّحت المقدمة.", base_revision=4,
        lead="مقدمة مصححة.",
    )  # fmt: skip
    actions.do_unpublish_with_reason(editor, story, "خطأ جسيم")
    assert announced == [draft.pk] * 5

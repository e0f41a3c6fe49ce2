"""The newsroom's reads and writes at their seams: story_for (one story for a person and what
they want to do), the desk's queries, new tags made by the actions, and Article.save leaving the
columns the actions own to the actions."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from khabar.news.models import Article, Tag
from khabar.newsroom import actions, queries
from khabar.newsroom.forms import StoryForm

pytestmark = pytest.mark.django_db


def test_story_for_missing_story_is_404(reporter):
    with pytest.raises(Http404):
        queries.story_for(reporter, 999_999, "read")


def test_story_for_reporter_reads_own_submitted_story_but_may_not_restore(draft, reporter):
    actions.do_submit(reporter, draft)
    assert queries.story_for(reporter, draft.pk, "read") == draft
    with pytest.raises(PermissionDenied):
        queries.story_for(reporter, draft.pk, "restore")


def test_story_for_refuses_a_colleagues_draft(draft, other_reporter, editor):
    with pytest.raises(PermissionDenied):
        queries.story_for(other_reporter, draft.pk, "read")
    with pytest.raises(PermissionDenied):
        queries.story_for(other_reporter, draft.pk, "edit")
    assert queries.story_for(editor, draft.pk, "edit") == draft
    # None: the view's verb checks the person and answers in its own way.
    assert queries.story_for(other_reporter, draft.pk, None) == draft


def test_views_refuse_as_before(client, draft, other_reporter):
    """The views answer through story_for: 404 for no story, 403 for a refusal."""
    client.force_login(other_reporter)
    assert client.get(reverse("newsroom_edit", args=[draft.pk])).status_code == 403
    assert client.get(reverse("newsroom_history", args=[draft.pk])).status_code == 403
    assert client.get(reverse("newsroom_restore", args=[draft.pk, 1])).status_code == 403
    assert client.get(reverse("newsroom_edit", args=[999_999])).status_code == 404


def test_tab_counts_and_default_tab(draft, reporter, editor):
    assert queries.tab_counts(reporter)["mine"] == 1
    assert queries.tab_counts(editor)["review"] == 0
    actions.do_submit(reporter, draft)
    assert queries.tab_counts(editor)["review"] == 1
    assert queries.default_tab(reporter) == "mine"
    assert queries.default_tab(editor) == "review"


def test_new_tags_are_made_by_the_action_in_the_edition(edition, section, editor):
    kept = Tag.objects.create(edition=edition, name="المياه")
    tags = actions.tags_named(edition, [kept, "البصرة"])
    assert tags[0] == kept
    assert tags[1].name == "البصرة" and tags[1].edition == edition
    form = StoryForm(
        {"headline": "خبر", "body": "<p>نص.</p>", "section": section.pk,
         "tags": "المياه، البصرة، الزراعة", "base_revision": 0},
        edition=edition, can_create_tags=True,
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert not Tag.objects.filter(name="الزراعة").exists()  # validating writes nothing
    names = [t.name for t in form.story_fields()["tags"]]
    assert names == ["المياه", "البصرة", "الزراعة"]
    assert Tag.objects.filter(edition=edition).count() == 3


def test_plain_save_leaves_action_fields(make_article):
    """A stale instance saved without update_fields does not put back what an action wrote;
    naming the column writes it."""
    article = make_article(publish=False)
    stale = Article.objects.get(pk=article.pk)
    actions_article = Article.objects.get(pk=article.pk)
    actions_article.status = Article.Status.SUBMITTED
    actions_article.workflow_note = "ملاحظة"
    actions_article.save(update_fields=["status", "workflow_note"])
    stale.headline = "عنوان جديد"
    stale.save()
    stored = Article.objects.get(pk=article.pk)
    assert stored.headline == "عنوان جديد"
    assert stored.status == Article.Status.SUBMITTED
    assert stored.workflow_note == "ملاحظة"

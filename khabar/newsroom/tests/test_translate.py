"""The desk starts a translation from a published story: one button per edition with no story of
the group yet, landing on the new draft's editor; who may is decided by the roles."""

import pytest
from django.contrib.auth.models import Permission

from khabar.news import actions as news_actions
from khabar.news.models import Article
from khabar.news.tests.translated import linked_tag, other_editions
from khabar.newsroom.models import AuditEntry, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(section):
    return other_editions(section)


@pytest.fixture
def story(make_article, editions, author):
    story = make_article("افتتاح جسر جديد في الموصل", tags=["النقل", "الموصل"])
    story.authors.set([author])
    linked_tag(story.tags.get(name="النقل"), "حمل و نقل", "Transport")
    return story


def test_an_editor_translates_a_published_story_and_lands_on_the_draft(client, story, editor):
    client.force_login(editor)
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f'action="/desk/stories/{story.pk}/translate"' in page
    # The desk speaks Arabic; the editions are named as the admin named them.
    assert "ترجمة إلى Khabar" in page and "ترجمة إلى خبر فارسی" in page

    response = client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"})
    draft = Article.objects.get(edition__code="fa")
    assert response.status_code == 302 and response["Location"] == f"/desk/stories/{draft.pk}/"
    assert draft.status == "draft" and draft.created_by == editor
    assert draft.translation_group_id == Article.objects.get(pk=story.pk).translation_group_id
    assert [t.name for t in draft.tags.all()] == ["حمل و نقل"]
    assert Revision.objects.filter(article=draft, number=1).exists()
    assert AuditEntry.objects.filter(article=draft, action="create", actor=editor).exists()

    landing = client.get(response["Location"]).content.decode()
    assert "مسودة بلغة خبر فارسی جاهزة" in landing
    # The draft lists its original, and offers no Persian translation of itself.
    assert f'href="/desk/stories/{story.pk}/"' in landing
    original_page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f'href="/desk/stories/{draft.pk}/"' in original_page
    assert 'name="edition" value="fa"' not in original_page
    assert 'name="edition" value="en"' in original_page


def test_a_second_translation_into_the_same_edition_is_refused(client, story, editor):
    client.force_login(editor)
    client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"})
    response = client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"}, follow=True)
    assert Article.objects.filter(edition__code="fa").count() == 1
    assert "هذا الخبر مترجم من قبل إلى تلك الطبعة" in response.content.decode()


def test_a_draft_is_not_translated(client, make_article, editions, editor):
    draft = make_article("مسودة", publish=False)
    client.force_login(editor)
    assert "/translate" not in client.get(f"/desk/stories/{draft.pk}/").content.decode()
    response = client.post(f"/desk/stories/{draft.pk}/translate", {"edition": "fa"})
    assert response.status_code == 403
    assert not Article.objects.filter(edition__code="fa").exists()


def test_a_reporter_translates_their_own_published_story_not_anothers(
    client, make_article, editions, reporter, other_reporter
):
    own = make_article("خبر المراسلة", created_by=reporter)
    others = make_article("خبر زميل", created_by=other_reporter)
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{own.pk}/translate", {"edition": "en"})
    assert response.status_code == 302
    assert Article.objects.get(edition__code="en").created_by == reporter
    assert client.post(f"/desk/stories/{others.pk}/translate", {"edition": "fa"}).status_code == 403


def test_who_may_not_create_stories_cannot_translate(
    client, story, editor, moderator, reader, settings
):
    for person in (moderator, reader):
        client.force_login(person)
        response = client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"})
        assert response.status_code == 403
    # An editor whose role lost the right to create stories: no button, and refused.
    editor.user_permissions.clear()
    editor.groups.first().permissions.remove(Permission.objects.get(codename="add_article"))
    editor = type(editor).objects.get(pk=editor.pk)  # forget the cached permissions
    client.force_login(editor)
    assert "/translate" not in client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"}).status_code == 403
    assert not Article.objects.filter(edition__code="fa").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, story):
    response = client.post(f"/desk/stories/{story.pk}/translate", {"edition": "fa"})
    assert response.status_code == 302 and "/desk/login/" in response["Location"]
    assert client.get(f"/desk/stories/{story.pk}/translate").status_code in (302, 405)


def test_an_unknown_edition_is_not_found(client, story, editor):
    client.force_login(editor)
    assert client.post(f"/desk/stories/{story.pk}/translate", {"edition": "xx"}).status_code == 404


def test_a_published_translation_shows_its_state_on_the_original(client, story, editor):
    client.force_login(editor)
    client.post(f"/desk/stories/{story.pk}/translate", {"edition": "en"})
    draft = Article.objects.get(edition__code="en")
    news_actions.do_publish(draft)
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f'href="/desk/stories/{draft.pk}/" lang="en" dir="ltr"' in page

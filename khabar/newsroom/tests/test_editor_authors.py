"""The story form sets a story's authors: chosen from the list, or a new name created in place
(found again when it exists), in the same transaction as the story's revision."""

import pytest

from khabar.news.models import Article, Author
from khabar.newsroom import actions
from khabar.newsroom.models import Revision
from khabar.testing import story_post


def test_reporter_chooses_existing_authors(client, draft, reporter, author):
    other = Author.objects.create(name="سامي يوسف", slug="sami")
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{draft.pk}/",
                           story_post(draft, authors=[author.pk, other.pk]))  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert set(draft.authors.all()) == {author, other}
    assert draft.revision == 2
    # The editor shows them chosen.
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert f'<option value="{author.pk}" selected>' in html


def test_new_author_is_created_with_a_slug(client, draft, editor):
    client.force_login(editor)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, new_author="  نور   الهدى  "))
    author = Author.objects.get()
    assert author.name == "نور الهدى"
    assert author.slug == "نور-الهدى"
    assert list(Article.objects.get(pk=draft.pk).authors.all()) == [author]


def test_new_author_with_a_known_name_is_the_same_author(client, draft, reporter, author):
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, new_author=author.name))
    assert Author.objects.count() == 1
    assert list(Article.objects.get(pk=draft.pk).authors.all()) == [author]


def test_a_name_that_slugs_like_another_gets_its_own_slug(draft, reporter):
    first = actions.author_named("Layla Hasan")
    second = actions.author_named("Layla-Hasan")
    assert (first.slug, second.slug) == ("layla-hasan", "layla-hasan-2")
    assert actions.author_named("layla hasan") == first


def test_new_story_with_authors(client, edition, section, reporter, author):
    client.force_login(reporter)
    response = client.post("/desk/stories/new", {
        "headline": "خبر جديد عن الري", "lead": "", "body": "<p>نص الخبر.</p>",
        "section": section.pk, "tags": "", "source": "", "comment_mode": "",
        "base_revision": 0, "authors": [author.pk], "new_author": "كاتب ضيف",
    })  # fmt: skip
    assert response.status_code == 302
    story = Article.objects.get()
    assert sorted(a.name for a in story.authors.all()) == ["كاتب ضيف", "ليلى حسن"]


def test_refused_save_creates_no_author(client, draft, reporter, editor):
    actions.do_save(editor, draft, base_revision=1, headline="عنوان وضعه المحرر")
    client.force_login(reporter)
    stale = story_post(draft, base_revision=1, headline="عنوان آخر", new_author="اسم جديد")
    response = client.post(f"/desk/stories/{draft.pk}/", stale)
    assert response.status_code == 409
    assert not Author.objects.exists()
    assert not Article.objects.get(pk=draft.pk).authors.exists()


def test_save_that_fails_late_leaves_neither_author_nor_revision(draft, reporter, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(actions, "_record_revision", broken)  # after the byline
    with pytest.raises(RuntimeError):
        actions.do_save(reporter, draft, base_revision=1, headline="عنوان", authors=[],
                        new_authors=["كاتبة جديدة"])  # fmt: skip
    assert not Author.objects.exists()
    assert Revision.objects.filter(article=draft).count() == 1


def test_leaving_the_list_empty_removes_the_byline(client, draft, reporter, author):
    draft.authors.set([author])
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft))  # no authors posted
    assert not Article.objects.get(pk=draft.pk).authors.exists()


def test_a_correction_keeps_the_byline_as_the_form_sets_it(client, draft, editor, author):
    actions.do_publish_now(editor, draft)
    client.force_login(editor)
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(
        draft, action="correct", kind="correction", note="صُحّح اسم الكاتب.",
        authors=[author.pk], new_author="كاتب ثان",
    ))  # fmt: skip
    assert response.status_code == 302
    names = sorted(a.name for a in Article.objects.get(pk=draft.pk).authors.all())
    assert names == ["كاتب ثان", "ليلى حسن"]


def test_several_new_authors_separated_by_commas(client, draft, reporter, author):
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/",
                story_post(draft, new_author="هدى كريم، Adam Reed, ليلى حسن"))  # fmt: skip
    names = sorted(a.name for a in Article.objects.get(pk=draft.pk).authors.all())
    assert names == ["Adam Reed", "ليلى حسن", "هدى كريم"]
    assert Author.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_author_created_at_the_same_moment_elsewhere_is_reused(draft, reporter, monkeypatch):
    # Another desk's save creates the same new name and commits while this save runs: its row
    # is not yet visible to this save's look-ups (the name, then the free slug), so the insert
    # meets the unique slug. The save must then take the other desk's author, not fail.
    theirs = Author.objects.create(name="سارة يوسف", slug="سارة-يوسف")
    real_filter, unseen = Author.objects.filter, [2]

    def not_yet_visible(*args, **kwargs):
        if unseen[0]:
            unseen[0] -= 1
            return Author.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Author.objects, "filter", not_yet_visible)
    actions.do_save(reporter, draft, base_revision=draft.revision, headline=draft.headline,
                    new_authors=["سارة يوسف"])  # fmt: skip
    assert unseen == [0]
    assert list(draft.authors.all()) == [theirs]
    assert Author.objects.count() == 1

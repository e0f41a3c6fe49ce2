"""Restoring an old revision asks first; on a live story it is published as an update with a
note for readers, and it is refused when it would take out what a published correction added."""

import pytest

from khabar.news.models import Correction
from khabar.newsroom import actions
from khabar.newsroom.models import AuditEntry, Revision

FIRST = "<p>افتتحت البلدية الجسر الجديد صباح اليوم. وحضر الافتتاح عدد من السكان.</p>"
CORRECTED = "<p>افتتحت البلدية الجسر الجديد مساء أمس. وحضر الافتتاح عدد من السكان.</p>"


@pytest.fixture
def live_story(edition, section, reporter, editor):
    story = actions.do_create(
        reporter, edition=edition, section=section, headline="افتتاح جسر جديد في المدينة",
        lead="", body=FIRST,
    )  # fmt: skip
    return actions.do_publish_now(editor, story)


def confirm(client, story, number):
    return client.post(f"/desk/stories/{story.pk}/restore/{number}",
                       {"base_revision": story.revision, "confirm": 1})  # fmt: skip


def test_restore_asks_for_confirmation_first(client, draft, reporter):
    draft = actions.do_save(reporter, draft, base_revision=1, headline="عنوان معدل")
    client.force_login(reporter)
    history = client.get(f"/desk/stories/{draft.pk}/history?revision=1").content.decode()
    # The history links to the confirmation page; it holds no form that restores at once.
    assert f'href="/desk/stories/{draft.pk}/restore/1"' in history
    assert f'action="/desk/stories/{draft.pk}/restore/1"' not in history

    page = client.get(f"/desk/stories/{draft.pk}/restore/1")
    html = page.content.decode()
    assert page.status_code == 200
    assert "هل تستعيد المراجعة ١؟" in html
    assert "<del>عنوان معدل</del>" in html and 'name="confirm" value="1"' in html
    # A POST that did not come from that page's button (no confirm) restores nothing.
    response = client.post(f"/desk/stories/{draft.pk}/restore/1", {"base_revision": 2})
    assert response.status_code == 200 and "هل تستعيد المراجعة ١؟" in response.content.decode()
    draft.refresh_from_db()
    assert draft.headline == "عنوان معدل" and draft.revision == 2


def test_draft_restore_is_a_new_revision_named_in_words(client, draft, reporter):
    draft = actions.do_save(reporter, draft, base_revision=1, headline="عنوان معدل")
    client.force_login(reporter)
    response = confirm(client, draft, 1)
    assert response.status_code == 302 and response.url == f"/desk/stories/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.headline == "مسودة خبر عن المياه" and draft.revision == 3 and draft.version == 1
    restored = Revision.objects.get(article=draft, number=3)
    assert restored.kind == "restore"
    assert restored.note.startswith("استعادة نص المراجعة ١ المحفوظة في ")
    assert AuditEntry.objects.get(action="restore").note == restored.note
    assert not Correction.objects.exists()  # not public: nothing to tell readers


def test_restore_on_a_live_story_is_published_as_an_update(client, live_story, editor):
    story = actions.do_save(editor, live_story, base_revision=1,
                            headline="افتتاح جسر جديد في المدينة وسط زحام")  # fmt: skip
    client.force_login(editor)
    page = client.get(f"/desk/stories/{story.pk}/restore/1").content.decode()
    # The editor is told before confirming that readers will see a note.
    assert "تُنشر الاستعادة تحديثاً" in page and "أعيد نص الخبر إلى صيغته في" in page
    confirm(client, story, 1)
    story.refresh_from_db()
    assert story.headline == "افتتاح جسر جديد في المدينة"
    assert story.revision == 3 and story.version == 2
    update = Correction.objects.get(article=story)
    assert update.kind == "update" and update.version == 2
    assert update.note.startswith("أعيد نص الخبر إلى صيغته في ")
    assert Revision.objects.get(article=story, number=3).note.startswith("استعادة نص المراجعة ١")
    # Readers see the note on the story.
    assert update.note in client.get(story.get_absolute_url()).content.decode()


def test_restore_that_drops_a_corrected_sentence_is_refused(client, live_story, editor):
    story = actions.do_correct(editor, live_story, kind="correction", base_revision=1,
                               note="صُحّح موعد الافتتاح.", body=CORRECTED)  # fmt: skip
    client.force_login(editor)
    page = client.get(f"/desk/stories/{story.pk}/restore/1").content.decode()
    assert "لا يمكن استعادة هذه المراجعة" in page
    assert "افتتحت البلدية الجسر الجديد مساء أمس." in page
    assert 'name="confirm"' not in page
    response = confirm(client, story, 1)
    story.refresh_from_db()
    assert story.body == CORRECTED and story.revision == 2 and story.version == 2
    assert not Revision.objects.filter(article=story, kind="restore").exists()
    assert "لا يمكن استعادة هذه المراجعة" in client.get(response.url).content.decode()


def test_restore_keeping_the_corrected_sentence_is_allowed(live_story, editor):
    story = actions.do_correct(editor, live_story, kind="correction", base_revision=1,
                               note="صُحّح موعد الافتتاح.", body=CORRECTED)  # fmt: skip
    story = actions.do_save(editor, story, base_revision=2, headline="عنوان أطول عن افتتاح الجسر")
    corrected = Revision.objects.get(article=story, number=2)
    assert actions.corrected_sentences_missing(story, corrected) == []
    story = actions.do_restore(editor, story, 2, base_revision=3)
    assert story.headline == "افتتاح جسر جديد في المدينة" and story.body == CORRECTED


def test_corrected_sentences_missing_names_only_what_the_correction_added(live_story, editor):
    story = actions.do_correct(editor, live_story, kind="update", base_revision=1,
                               note="أضيف عدد الحضور.", body=FIRST.replace(
                                   "</p>", " وبلغ عددهم نحو مئتي شخص.</p>"))  # fmt: skip
    original = Revision.objects.get(article=story, number=1)
    assert actions.corrected_sentences_missing(story, original) == ["وبلغ عددهم نحو مئتي شخص."]


def test_restoring_the_current_text_changes_nothing(client, draft, reporter):
    draft = actions.do_save(reporter, draft, base_revision=1, headline="عنوان معدل")
    draft = actions.do_save(reporter, draft, base_revision=2, headline="مسودة خبر عن المياه")
    client.force_login(reporter)
    assert "لن يتغير شيء" in client.get(f"/desk/stories/{draft.pk}/restore/1").content.decode()
    confirm(client, draft, 1)
    draft.refresh_from_db()
    assert draft.revision == 3


def test_restore_is_closed_to_those_who_may_not_restore(client, draft, other_reporter):
    client.force_login(other_reporter)
    assert client.get(f"/desk/stories/{draft.pk}/restore/1").status_code == 403
    assert confirm(client, draft, 1).status_code == 403

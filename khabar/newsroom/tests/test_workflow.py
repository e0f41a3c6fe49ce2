"""A story from draft to published, corrected and restored, through the newsroom's pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from khabar.news.models import Article, Correction
from khabar.newsroom import actions
from khabar.newsroom.models import AuditEntry, Autosave, Revision
from khabar.testing import story_post

pytestmark = pytest.mark.django_db


def test_reporter_writes_and_submits_editor_sends_back_then_publishes(
    client, edition, section, reporter, editor
):
    client.force_login(reporter)
    page = client.get("/desk/stories/new")
    assert page.status_code == 200 and 'dir="rtl"' in page.content.decode()
    response = client.post("/desk/stories/new", {
        "headline": "افتتاح جسر جديد في الموصل", "lead": "مقدمة.",
        "body": "الفقرة الأولى.\n\nالفقرة الثانية.", "section": section.pk,
        "tags": "الموصل، النقل", "source": "وكالة خبر", "comment_mode": "", "base_revision": 0,
    })  # fmt: skip
    assert response.status_code == 302
    story = Article.objects.get()
    assert story.created_by == reporter and story.revision == 1
    assert story.body == "<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>"
    assert sorted(story.tags.values_list("name", flat=True)) == ["الموصل", "النقل"]

    client.post(f"/desk/stories/{story.pk}/", story_post(story, action="submit"))
    story.refresh_from_db()
    assert story.status == "submitted"

    client.force_login(editor)
    client.post(f"/desk/stories/{story.pk}/", {"action": "send_back", "note": "أضف مصدرًا"})
    story.refresh_from_db()
    assert (story.status, story.workflow_note) == ("draft", "أضف مصدرًا")

    client.force_login(reporter)
    html = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "أضف مصدرًا" in html
    client.post(f"/desk/stories/{story.pk}/", story_post(story, action="submit",
                                                          source="وزارة الإعمار"))  # fmt: skip
    client.force_login(editor)
    client.post(f"/desk/stories/{story.pk}/", story_post(Article.objects.get(), action="publish"))
    story.refresh_from_db()
    assert story.status == "published" and story.news_code and story.is_public
    assert client.get(story.get_absolute_url()).status_code == 200
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "create", "submit", "send_back", "submit", "publish",
    ]  # fmt: skip


def test_each_explicit_save_is_a_revision(client, draft, reporter):
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, headline="عنوان ثان"))
    draft.refresh_from_db()
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, headline="عنوان ثالث"))
    client.post(f"/desk/stories/{draft.pk}/", story_post(Article.objects.get(pk=draft.pk)))
    numbers = list(Revision.objects.filter(article=draft).values_list("number", "headline"))
    assert sorted(numbers) == [(1, "مسودة خبر عن المياه"), (2, "عنوان ثان"), (3, "عنوان ثالث")]


def test_stale_save_is_refused_text_kept_and_difference_shown(client, draft, editor, reporter):
    opened_at = draft.revision
    actions.do_save(editor, draft, base_revision=opened_at, headline="عنوان المحرر")
    client.force_login(reporter)
    response = client.post(
        f"/desk/stories/{draft.pk}/",
        story_post(draft, headline="عنوان المراسل", base_revision=opened_at,
                   body="<p>نص المراسل الجديد.</p>"),
    )  # fmt: skip
    assert response.status_code == 409
    html = response.content.decode()
    assert "عنوان المراسل" in html  # the reporter's text is still in the form
    assert "<ins>" in html and "<del>" in html  # the difference is shown
    draft.refresh_from_db()
    assert draft.headline == "عنوان المحرر"  # nothing overwritten
    # Having seen the differences, the reporter saves again, knowingly.
    assert f'name="base_revision" value="{draft.revision}"' in html
    again = client.post(f"/desk/stories/{draft.pk}/",
                        story_post(draft, headline="عنوان المراسل"))  # fmt: skip
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.headline == "عنوان المراسل"


def test_failed_save_leaves_the_story_as_it_was(client, draft, reporter):
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{draft.pk}/",
                           story_post(draft, headline="", body="<p>نص جديد</p>"))  # fmt: skip
    assert response.status_code == 400
    assert "نص جديد" in response.content.decode()
    draft.refresh_from_db()
    assert draft.headline == "مسودة خبر عن المياه" and draft.revision == 1


def test_autosave_is_one_row_and_offered_back(client, draft, reporter):
    client.force_login(reporter)
    url = f"/desk/stories/{draft.pk}/autosave"
    for text in ["أول نص غير محفوظ", "ثاني نص غير محفوظ"]:
        response = client.post(url, {"base_revision": draft.revision, "headline": text,
                                     "lead": "", "body": "<p>متن</p>"})  # fmt: skip
        assert response.json()["ok"]
    assert Autosave.objects.count() == 1
    assert Revision.objects.filter(article=draft).count() == 1  # the history stays readable
    page = client.get(f"/desk/stories/{draft.pk}/")
    assert "data-restore-autosave" in page.content.decode()
    assert page.context["autosave_data"]["headline"] == "ثاني نص غير محفوظ"


def test_autosave_of_unchanged_text_keeps_nothing(client, draft, reporter):
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/autosave", {
        "base_revision": draft.revision, "headline": draft.headline, "lead": draft.lead,
        "body": draft.body})  # fmt: skip
    assert Autosave.objects.count() == 0


def test_presence_of_another_editor_is_shown(client, draft, reporter, editor):
    client.force_login(editor)
    client.get(f"/desk/stories/{draft.pk}/")
    client.force_login(reporter)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "omar" in html


def test_schedule_and_embargo_hide_the_story_until_its_time(client, draft, editor):
    client.force_login(editor)
    later = timezone.localtime() + timedelta(hours=2)
    client.post(
        f"/desk/stories/{draft.pk}/",
        story_post(draft, action="embargo", at=later.strftime("%Y-%m-%dT%H:%M")),
    )
    draft.refresh_from_db()
    assert draft.status == "published" and draft.news_code and draft.desk_state == "embargoed"
    client.logout()
    surfaces = ["/ar/", "/ar/section/اقتصاد/", f"/news/{draft.news_code}",
                f"/ar/comments/{draft.news_code}", "/ar/corrections/"]  # fmt: skip
    for url in surfaces:
        response = client.get(url)
        assert draft.headline not in response.content.decode(), url
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert not Article.objects.published().filter(pk=draft.pk).exists()
    assert Article.objects.published(now=later + timedelta(minutes=1)).filter(pk=draft.pk)


def test_scheduled_time_must_be_in_the_future(client, draft, editor):
    client.force_login(editor)
    response = client.post(
        f"/desk/stories/{draft.pk}/", story_post(draft, action="schedule", at="2020-01-01T10:00")
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_unpublish_needs_a_reason(client, draft, editor):
    actions.do_publish_now(editor, draft)
    client.force_login(editor)
    response = client.post(f"/desk/stories/{draft.pk}/", {"action": "unpublish", "reason": ""})
    assert response.status_code == 400
    client.post(f"/desk/stories/{draft.pk}/", {"action": "unpublish", "reason": "خطأ جسيم"})
    draft.refresh_from_db()
    assert draft.status == "unpublished"
    assert AuditEntry.objects.filter(action="unpublish", note="خطأ جسيم").exists()


def test_correction_shows_to_readers_and_keeps_code_and_url(client, draft, editor):
    import json
    import re

    actions.do_publish_now(editor, draft)
    draft.refresh_from_db()
    url, code = draft.get_absolute_url(), draft.news_code
    client.force_login(editor)
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(
        draft, action="correct", kind="correction", note="صُحّح اسم الحي في الفقرة الأولى.",
        body="<p>الفقرة الأولى مصححة.</p><p>الفقرة الثانية.</p>"))  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.news_code, draft.get_absolute_url(), draft.version) == (code, url, 2)
    client.logout()
    html = client.get(url).content.decode()
    assert "صُحّح اسم الحي في الفقرة الأولى." in html and "الفقرة الأولى مصححة." in html
    # The byline says the story was updated ("حُدِّث"), beside the time of the correction.
    assert '<span class="story-updated">حُدِّث <time' in html
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["correction"][0]["text"] == "صُحّح اسم الحي في الفقرة الأولى."
    assert data["version"] == 2 and data["dateModified"]
    corrections = client.get("/ar/corrections/").content.decode()
    assert "صُحّح اسم الحي" in corrections
    assert Correction.objects.get().version == 2


def test_restore_an_old_revision_as_a_new_one(client, draft, reporter):
    actions.do_save(reporter, draft, base_revision=1, headline="عنوان معدل")
    client.force_login(reporter)
    history = client.get(f"/desk/stories/{draft.pk}/history?revision=2").content.decode()
    # Revision 2 against 1: the old headline struck out, the new one marked as added.
    assert "<del>مسودة خبر عن المياه</del>" in history
    assert "<ins>عنوان معدل</ins>" in history
    client.post(f"/desk/stories/{draft.pk}/restore/1", {"base_revision": 2, "confirm": 1})
    draft.refresh_from_db()
    assert draft.headline == "مسودة خبر عن المياه" and draft.revision == 3
    assert Revision.objects.get(article=draft, number=3).kind == "restore"


def test_preview_shows_the_reader_page_with_unsaved_text(client, draft, reporter):
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{draft.pk}/preview",
                           story_post(draft, headline="عنوان لم يحفظ بعد"))  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="story-headline">عنوان لم يحفظ بعد</h1>' in html
    assert "/انتهى/" in html
    draft.refresh_from_db()
    assert draft.headline == "مسودة خبر عن المياه"


def test_desk_lists_and_filters(client, draft, editor, make_article, django_assert_max_num_queries):
    client.force_login(editor)
    actions.do_submit(editor, draft)
    for i in range(30):
        make_article(f"خبر منشور {i}")
    review = client.get("/desk/?tab=review").content.decode()
    assert "مسودة خبر عن المياه" in review
    found = client.get("/desk/?tab=all&q=منشور 7").content.decode()
    assert "خبر منشور 7" in found and "خبر منشور 8" not in found
    with django_assert_max_num_queries(10):
        client.get("/desk/?tab=all")
    with django_assert_max_num_queries(10):
        client.get("/desk/?tab=all&page=2")


def test_new_tags_need_the_right(client, draft, editor, edition):
    from khabar.news.models import Tag

    client.force_login(editor)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, tags="وسم جديد، آخر"))
    assert set(Tag.objects.values_list("name", flat=True)) == {"وسم جديد", "آخر"}


def test_correcting_a_story_from_before_the_newsroom_keeps_its_original(
    client, editor, make_article
):
    story = make_article("خبر من الأرشيف", tags=["قديم"])
    client.force_login(editor)
    client.post(f"/desk/stories/{story.pk}/", story_post(
        story, action="correct", kind="update", note="أضيفت تفاصيل.", tags="قديم، جديد",
        body="<p>نص محدث.</p>"))  # fmt: skip
    story.refresh_from_db()
    assert story.version == 2
    assert sorted(story.tags.values_list("name", flat=True)) == ["جديد", "قديم"]
    original = Revision.objects.get(article=story, number=0)
    assert original.body == "<p>الفقرة الأولى من الخبر.</p><p>الفقرة الثانية.</p>"


def test_schedule_time_is_the_editions_local_time(client, draft, editor):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    client.force_login(editor)
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Asia/Baghdad"))
    typed = tomorrow.strftime("%Y-%m-%dT20:00")
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, action="schedule", at=typed))
    draft.refresh_from_db()
    expected = datetime.strptime(typed, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo("Asia/Baghdad"))
    assert draft.published_at == expected

"""Who else is editing: the notice ends when the other person leaves the story or logs out,
and times are written in the edition's time zone and digits."""

from datetime import UTC, datetime

from django.test import Client

from khabar.newsroom import actions
from khabar.newsroom.models import Autosave, EditSession


def opened_by(user, article):
    client = Client()
    client.force_login(user)
    assert client.get(f"/desk/stories/{article.pk}/").status_code == 200
    return client


def test_logging_out_ends_the_editing_sessions(draft, reporter, editor):
    theirs = opened_by(reporter, draft)
    mine = opened_by(editor, draft)
    assert "rana" in mine.get(f"/desk/stories/{draft.pk}/").content.decode()
    theirs.post("/desk/logout/")
    assert not EditSession.objects.filter(user=reporter).exists()
    assert "rana" not in mine.get(f"/desk/stories/{draft.pk}/").content.decode()
    heartbeat = mine.post(f"/desk/stories/{draft.pk}/autosave", {"base_revision": 1}).json()
    assert heartbeat["editors"] == []


def test_leaving_the_story_ends_the_session_and_keeps_the_unsaved_text(draft, reporter, editor):
    theirs = opened_by(reporter, draft)
    mine = opened_by(editor, draft)
    response = theirs.post(f"/desk/stories/{draft.pk}/leave", {
        "base_revision": 1, "headline": "عنوان لم يحفظ", "lead": draft.lead, "body": draft.body,
    })  # fmt: skip
    assert response.status_code == 204
    assert not EditSession.objects.filter(user=reporter).exists()
    assert Autosave.objects.get(user=reporter).headline == "عنوان لم يحفظ"
    assert EditSession.objects.filter(user=editor).exists()  # only the one who left
    assert "rana" not in mine.get(f"/desk/stories/{draft.pk}/").content.decode()


def test_leaving_needs_a_post_from_the_desk(client, draft, reporter, reader):
    client.force_login(reporter)
    assert client.get(f"/desk/stories/{draft.pk}/leave").status_code == 405
    client.force_login(reader)
    assert client.post(f"/desk/stories/{draft.pk}/leave").status_code == 403


def test_heartbeat_without_text_keeps_the_offered_autosave(draft, reporter):
    client = opened_by(reporter, draft)
    url = f"/desk/stories/{draft.pk}/autosave"
    client.post(url, {"base_revision": 1, "headline": "نص لم يحفظ", "lead": "",
                      "body": "<p>نص</p>"})  # fmt: skip
    beat = client.post(url, {"base_revision": 1, "headline": draft.headline, "lead": draft.lead})
    assert beat.json()["ok"] and beat.json()["saved_at"] is None
    assert Autosave.objects.filter(user=reporter).exists()


def test_presence_times_in_the_editions_zone_and_digits(draft, reporter, editor):
    # 10:05 UTC is 13:05 in Baghdad.
    actions.touch_edit_session(draft, reporter)
    EditSession.objects.filter(user=reporter).update(
        started_at=datetime(2030, 1, 1, 10, 5, tzinfo=UTC)
    )
    mine = opened_by(editor, draft)
    html = mine.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "١٣:٠٥" in html
    beat = mine.post(f"/desk/stories/{draft.pk}/autosave", {"base_revision": 1}).json()
    assert beat["editors"] == [{"name": "rana", "since": "١٣:٠٥"}]
    saved = mine.post(f"/desk/stories/{draft.pk}/autosave", {
        "base_revision": 1, "headline": "عنوان آخر", "lead": "", "body": "<p>نص</p>",
    }).json()  # fmt: skip
    assert saved["saved_at"] and not any(c in "0123456789" for c in saved["saved_at"])

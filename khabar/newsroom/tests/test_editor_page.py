"""What the story editor says: saving a live story publishes the change, the schedule time is
the edition's, the correction kind has a label, numbers are in the edition's digits."""

from khabar.newsroom import actions
from khabar.testing import story_post


def test_saving_a_published_story_says_it_goes_live(client, draft, editor):
    client.force_login(editor)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "هذا الخبر منشور" not in html
    actions.do_publish_now(editor, draft)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "هذا الخبر منشور: الحفظ يضع تغييراتك على الموقع فوراً." in html
    assert "احفظ وانشر التغييرات" in html
    assert 'aria-describedby="live-note"' in html


def test_after_saving_a_published_story_the_message_says_it_is_live(client, draft, editor):
    client.force_login(editor)
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(draft, lead="مقدمة"),
                           follow=True)  # fmt: skip
    assert "حُفظ الخبر." in response.content.decode()
    actions.do_publish_now(editor, draft)
    draft.refresh_from_db()
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(draft, lead="مقدمة ثانية"),
                           follow=True)  # fmt: skip
    assert "حُفظ الخبر وصارت التغييرات على الموقع." in response.content.decode()


def test_a_reporter_reading_a_published_story_is_not_told_to_save(client, draft, reporter, editor):
    actions.do_publish_now(editor, draft)
    client.force_login(reporter)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "live-note" not in html


def test_schedule_time_names_the_editions_time_zone(client, draft, editor):
    client.force_login(editor)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert 'aria-describedby="at-zone"' in html
    assert "بتوقيت النسخة، توقيت العراق" in html


def test_correction_kind_has_a_label(client, draft, editor):
    actions.do_publish_now(editor, draft)
    client.force_login(editor)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert '<label for="id_kind">' in html


def test_revision_and_version_in_the_editions_digits(client, draft, reporter):
    client.force_login(reporter)
    client.post(f"/desk/stories/{draft.pk}/", story_post(draft, headline="عنوان ثان"))
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    assert "٢" in html.split('class="nr-meta"')[1].split("</p>")[0]
    assert "revision 2" not in html


def test_news_code_in_the_editions_digits(client, draft, editor):
    from khabar.lib.dates import localize_digits

    actions.do_publish_now(editor, draft)
    draft.refresh_from_db()
    client.force_login(editor)
    html = client.get(f"/desk/stories/{draft.pk}/").content.decode()
    meta = html.split('class="nr-meta"')[1].split("</p>")[0]
    assert localize_digits(str(draft.news_code), "arab") in meta
    assert f">{draft.news_code}<" not in meta  # the link "On the site" keeps its address

"""Story bodies: refused before sanitising when nested too deep or too long (the journalist's
text stays in the editor), sanitised once per save, and clean on every path that writes one."""

import json

import nh3
import pytest

from khabar.lib.html import ALLOWED_TAGS
from khabar.news import actions as news_actions
from khabar.news.models import Article
from khabar.newsroom import actions
from khabar.newsroom.models import Autosave, Revision
from khabar.testing import story_post

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onclick="alert(1)">نص<script>alert(2)</script></p>'
    '<p><a href="/\\evil.example/">رابط</a> <a href="//127.0.0.1/">آخر</a></p>'
    '<figure><img src="https://tracker.example/p.gif" alt="صورة"></figure>'
)
CLEAN = "<p>نص</p><p>رابط آخر</p><figure>صورة</figure>"
TOO_DEEP = "<p>مقدمة</p>" + "<blockquote>" * 41 + "اقتباس في اقتباس" + "</blockquote>" * 41


@pytest.fixture
def draft(edition, section, reporter):
    return actions.do_create(
        reporter, edition=edition, section=section, headline="مسودة خبر عن المياه",
        lead="", body="<p>الفقرة الأولى.</p>", tags=[],
    )  # fmt: skip


@pytest.fixture
def sanitiser_calls(monkeypatch):
    """Each call of nh3.clean as the body sanitiser (html_to_text also calls nh3, for text)."""
    calls = []
    real = nh3.clean

    def spy(html, *args, **kwargs):
        if kwargs.get("tags") == ALLOWED_TAGS:
            calls.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(nh3, "clean", spy)
    return calls


def edit(client, draft, body):
    return client.post(f"/desk/stories/{draft.pk}/", story_post(draft, body=body))


def test_editor_refuses_a_body_nested_too_deep_and_keeps_the_text(
    client, draft, reporter, sanitiser_calls
):
    client.force_login(reporter)
    response = edit(client, draft, TOO_DEEP)
    html = response.content.decode()
    assert response.status_code == 400
    assert "يتداخل في المتن أكثر من 40 مستوى من العناصر" in html
    assert "&lt;blockquote&gt;" * 41 + "اقتباس في اقتباس" in html  # in the editor, as typed
    assert sanitiser_calls == []
    draft.refresh_from_db()
    assert draft.body == "<p>الفقرة الأولى.</p>" and draft.revision == 1


def test_editor_refuses_a_body_too_long_and_keeps_the_text(client, draft, reporter, settings):
    settings.KHABAR_BODY_MAX_CHARS = 2000
    client.force_login(reporter)
    body = "<p>" + "خبر طويل " * 250 + "</p>"
    response = edit(client, draft, body)
    html = response.content.decode()
    assert response.status_code == 400
    assert "يبلغ طول المتن 2,257 حرفًا، والحد الأقصى للقصة 2,000 حرف." in html
    assert "خبر طويل " * 250 in html
    assert edit(client, draft, body[:1990] + "</p>").status_code == 302


def test_editor_names_the_links_and_images_it_cannot_keep(client, draft, reporter):
    client.force_login(reporter)
    response = edit(client, draft, HOSTILE)
    html = response.content.decode()
    assert response.status_code == 400
    assert "لا يمكن الإبقاء على هذه الروابط أو الصور" in html
    for address in ("/\\evil.example/", "//127.0.0.1/", "https://tracker.example/p.gif"):
        assert address in html
    draft.refresh_from_db()
    assert draft.revision == 1


def test_editor_save_sanitises_once(client, draft, reporter, sanitiser_calls):
    client.force_login(reporter)
    body = '<p onclick="x()">نص <a href="https://аpple.com/">رابط</a></p><script>x()</script>'
    assert edit(client, draft, body).status_code == 302
    assert len(sanitiser_calls) == 1
    draft.refresh_from_db()
    assert draft.body == (
        '<p>نص <a href="https://xn--pple-43d.com/" rel="noopener noreferrer">رابط</a></p>'
    )
    assert Revision.objects.get(article=draft, number=2).body == draft.body


def test_saves_that_do_not_write_the_body_do_not_sanitise_it(draft, sanitiser_calls):
    news_actions.do_publish(draft)
    Article.objects.get(pk=draft.pk).save(update_fields=["headline"])
    assert sanitiser_calls == []


def test_a_model_save_cleans_once(edition, section, sanitiser_calls):
    # What the demo loader (seed_demo) and any other code writing Article does.
    article = Article.objects.create(edition=edition, section=section, headline="خبر", body=HOSTILE)
    assert len(sanitiser_calls) == 1
    assert Article.objects.get(pk=article.pk).body == CLEAN


def test_autosave_keeps_a_clean_body(client, draft, reporter):
    client.force_login(reporter)
    response = client.post(
        f"/desk/stories/{draft.pk}/autosave",
        {"base_revision": 1, "headline": draft.headline, "lead": "", "body": HOSTILE},
    )
    assert response.status_code == 200 and json.loads(response.content)["ok"]
    assert Autosave.objects.get(article=draft).body == CLEAN


def test_autosave_keeps_nothing_of_a_body_too_deep(client, draft, reporter):
    client.force_login(reporter)
    response = client.post(
        f"/desk/stories/{draft.pk}/autosave",
        {"base_revision": 1, "headline": draft.headline, "lead": "", "body": TOO_DEEP},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["saved_at"] is None
    assert not Autosave.objects.exists()


def test_restoring_a_revision_stores_a_clean_body(client, draft, reporter):
    # A revision stored before these rules, with what they now refuse.
    draft = actions.do_save(reporter, draft, base_revision=1, body="<p>ثانية.</p>")
    Revision.objects.filter(article=draft, number=1).update(body=HOSTILE)
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{draft.pk}/restore/1",
                           {"base_revision": 2, "confirm": 1})  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == CLEAN and draft.revision == 3


def test_restoring_a_revision_nested_too_deep_is_refused_with_a_message(client, draft, reporter):
    draft = actions.do_save(reporter, draft, base_revision=1, body="<p>ثانية.</p>")
    Revision.objects.filter(article=draft, number=1).update(body=TOO_DEEP)
    client.force_login(reporter)
    response = client.post(f"/desk/stories/{draft.pk}/restore/1",
                           {"base_revision": 2, "confirm": 1}, follow=True)  # fmt: skip
    assert "يتداخل في المتن أكثر من 40 مستوى من العناصر" in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "<p>ثانية.</p>" and draft.revision == 2

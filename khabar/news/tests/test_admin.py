"""The admin is the editing desk for now: Arabic, right to left, and publishing through actions."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from khabar.news.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = User.objects.create_superuser("editor", "editor@example.org", "pass-phrase-123")
    client.force_login(editor)
    return client


def form_data(edition, section, tags=(), **overrides):
    data = {
        "edition": edition.pk,
        "section": section.pk,
        "headline": "وزارة النقل تفتتح طريقاً جديداً",
        "lead": "مقدمة الخبر.",
        "body": "الفقرة الأولى.\n\nالفقرة الثانية.",
        "tags": [t.pk for t in tags],
        "source": "وكالة خبر",
        "published_at_0": "",
        "published_at_1": "",
        "slug": "",
    }
    data.update(overrides)
    return data


def test_admin_is_arabic_right_to_left(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert "غرفة أخبار خبر" in html


def test_add_form_offers_save_and_publish(editor_client, edition, section):
    html = editor_client.get("/admin/news/article/add/").content.decode()
    assert 'name="_publish"' in html and "حفظ ونشر" in html


def test_save_keeps_a_draft(editor_client, edition, section):
    response = editor_client.post("/admin/news/article/add/", form_data(edition, section))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.news_code is None
    assert article.body == "<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>"


def test_save_and_publish(editor_client, client, edition, section):
    data = form_data(edition, section, _publish="حفظ ونشر")
    response = editor_client.post("/admin/news/article/add/", data)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.news_code == 100001
    assert client.get(article.get_absolute_url()).status_code == 200


def published_fields(article):
    local = timezone.localtime(article.published_at)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "slug": article.slug,
    }


def test_edit_a_published_story_keeps_its_code(editor_client, make_article, edition, section):
    article = make_article()
    url = f"/admin/news/article/{article.pk}/change/"
    data = form_data(edition, section, headline="عنوان معدل", **published_fields(article))
    response = editor_client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "عنوان معدل"
    assert article.news_code == 100001
    assert article.status == Article.Status.PUBLISHED


def test_unsafe_only_body_is_refused_and_text_kept(editor_client, edition, section):
    data = form_data(edition, section, body="<script>alert(1)</script>", _publish="1")
    response = editor_client.post("/admin/news/article/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "يصبح المتن فارغًا" in html
    assert "وزارة النقل تفتتح طريقاً جديداً" in html  # the editor's headline is still there
    assert Article.objects.count() == 0


def test_section_of_another_edition_is_refused(editor_client, edition, section):
    from khabar.news.models import Edition, Section

    english = Edition.objects.create(code="en", name="Khabar", language="en", locale="en")
    foreign = Section.objects.create(edition=english, name="World", slug="world")
    data = form_data(edition, foreign, _publish="1")
    response = editor_client.post("/admin/news/article/add/", data)
    assert response.status_code == 200
    assert "هذا القسم يتبع نسخة أخرى." in response.content.decode()
    assert Article.objects.count() == 0


def test_publish_and_unpublish_actions(editor_client, make_article):
    drafts = [make_article(f"مسودة {i}", publish=False) for i in range(3)]
    ids = [a.pk for a in drafts]
    editor_client.post(
        "/admin/news/article/", {"action": "publish_selected", "_selected_action": ids}
    )
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    codes = sorted(Article.objects.values_list("news_code", flat=True))
    assert codes == [100001, 100002, 100003]
    editor_client.post(
        "/admin/news/article/", {"action": "unpublish_selected", "_selected_action": ids[:1]}
    )
    assert Article.objects.get(pk=ids[0]).status == "unpublished"
    assert Article.objects.get(pk=ids[0]).news_code in codes


def test_news_code_cannot_be_set_from_the_form(editor_client, make_article, edition, section):
    article = make_article()
    data = form_data(edition, section, news_code="5", status="draft", **published_fields(article))
    editor_client.post(f"/admin/news/article/{article.pk}/change/", data)
    article.refresh_from_db()
    assert article.news_code == 100001
    assert article.status == "published"


def test_clearing_the_time_of_a_published_story_is_refused(
    editor_client, make_article, edition, section
):
    article = make_article()
    data = form_data(edition, section, headline="عنوان جديد", slug=article.slug)
    response = editor_client.post(f"/admin/news/article/{article.pk}/change/", data)
    assert response.status_code == 200
    assert "يحتفظ الخبر المنشور بوقت نشره." in response.content.decode()
    article.refresh_from_db()
    assert article.headline != "عنوان جديد"


def test_tag_of_another_edition_is_refused(editor_client, edition, section):
    from khabar.news.models import Edition, Tag

    english = Edition.objects.create(code="en", name="Khabar", language="en", locale="en")
    oil = Tag.objects.create(edition=english, name="oil")
    response = editor_client.post("/admin/news/article/add/", form_data(edition, section, [oil]))
    assert response.status_code == 200
    assert "These tags belong to another edition" in response.content.decode() or (
        "تتبع نسخة أخرى" in response.content.decode()
    )
    assert Article.objects.count() == 0

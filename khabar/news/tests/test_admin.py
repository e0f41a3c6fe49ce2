"""The admin: Arabic and right to left, for structure; stories are only looked up there."""

import pytest
from django.contrib.auth.models import User

from khabar.news.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "x"))
    return client


def test_admin_is_arabic_right_to_left(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert "غرفة أخبار خبر" in html


def test_stories_cannot_be_written_or_changed_in_the_admin(admin_client, make_article):
    article = make_article()
    assert admin_client.get("/admin/news/article/add/").status_code == 403
    response = admin_client.post(
        f"/admin/news/article/{article.pk}/change/", {"headline": "تغيير من خارج غرفة الأخبار"}
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline != "تغيير من خارج غرفة الأخبار"
    listing = admin_client.get("/admin/news/article/").content.decode()
    assert f"/desk/stories/{article.pk}/" in listing


def test_sections_and_tags_are_managed_in_the_admin(admin_client, edition):
    response = admin_client.post(
        "/admin/news/section/add/",
        {"edition": edition.pk, "name": "ثقافة", "slug": "ثقافة", "description": "",
         "position": 3},
    )  # fmt: skip
    assert response.status_code == 302
    response = admin_client.post("/admin/news/tag/add/", {"edition": edition.pk, "name": "★"})
    assert response.status_code == 302
    assert Article.objects.count() == 0

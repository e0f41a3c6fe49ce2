"""robots.txt: names the sitemap index, keeps crawlers out of the desk, the admin, the partner
API, comment endpoints and search results, and lets them read the stories."""

from urllib.robotparser import RobotFileParser

import pytest
from django.utils.encoding import iri_to_uri

from khabar.news.models import Edition

pytestmark = pytest.mark.django_db


def robots(client) -> RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_robots_txt_names_the_sitemap_index_by_its_absolute_address(client, edition, settings):
    assert robots(client).site_maps() == ["http://testserver/sitemap.xml"]
    settings.SITE_URL = "https://khabar.example"
    assert robots(client).site_maps() == ["https://khabar.example/sitemap.xml"]


def test_crawlers_are_kept_out_of_the_desk_admin_api_comments_and_search(client, reference_article):
    Edition.objects.create(code="fa", name="خبر", language="fa", locale="fa_IR")
    parser = robots(client)
    story = reference_article.get_absolute_url()
    kept_out = [
        "/desk/", "/desk/login/", "/desk/comments/", "/admin/", "/admin/news/article/",
        "/api/", "/api/ar/items", f"/ar/comments/{reference_article.news_code}",
        f"/ar/comments/{reference_article.news_code}/challenge", "/ar/comments/privacy/",
        "/comments/unsubscribe/token", "/fa/comments/1", "/ar/search/?q=%D9%85",
        "/fa/search/?q=x&page=2",
    ]  # fmt: skip
    for path in kept_out:
        assert not parser.can_fetch("Googlebot", path), path
    allowed = [
        story, iri_to_uri(story), "/ar/", "/fa/", "/sitemap.xml", "/sitemap-ar-stories.xml",
        iri_to_uri(reference_article.section.get_absolute_url()), "/ar/corrections/",
        f"/news/{reference_article.news_code}",
    ]  # fmt: skip
    for path in allowed:
        assert parser.can_fetch("Googlebot", path), path


def test_robots_txt_is_cached_like_reader_pages(client, edition, settings):
    settings.KHABAR_PAGE_MAX_AGE = 90
    response = client.get("/robots.txt")
    assert response["Cache-Control"] == "public, max-age=90"
    assert client.post("/robots.txt").status_code == 405

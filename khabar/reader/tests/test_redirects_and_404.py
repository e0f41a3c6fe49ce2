from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from khabar.news import actions
from khabar.news.models import Edition

pytestmark = pytest.mark.django_db


def test_root_leads_to_the_default_edition(client, edition):
    Edition.objects.create(code="en", name="Khabar", language="en", locale="en", direction="ltr")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_short_link_redirects_to_the_article(client, reference_article):
    response = client.get(f"/news/{reference_article.news_code}")
    assert response.status_code == 302
    assert response["Location"] == iri_to_uri(reference_article.get_absolute_url())
    assert client.get(response["Location"]).status_code == 200


def test_wrong_slug_redirects_permanently(client, reference_article):
    response = client.get(f"/ar/news/{reference_article.news_code}/عنوان-قديم")
    assert response.status_code == 301
    assert response["Location"] == iri_to_uri(reference_article.get_absolute_url())


@pytest.mark.parametrize("suffix", ["", "/"])
def test_missing_slug_redirects(client, reference_article, suffix):
    response = client.get(f"/ar/news/{reference_article.news_code}{suffix}")
    assert response.status_code == 301
    assert response["Location"] == iri_to_uri(reference_article.get_absolute_url())


def test_percent_encoded_url_is_the_same_page(client, reference_article):
    response = client.get(iri_to_uri(reference_article.get_absolute_url()))
    assert response.status_code == 200


def test_unknown_code_is_a_proper_404_page(client, reference_article):
    for url in ["/news/999999999", "/ar/news/999999999/x", "/ar/news/999999999"]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert '<html lang="ar" dir="rtl">' in html
        assert "الصفحة غير موجودة" in html
        assert '<a href="/ar/">العودة إلى الصفحة الرئيسية</a>' in html


def test_other_404s(client, edition, section):
    assert client.get("/ar/section/لا-يوجد/").status_code == 404
    assert client.get("/ar/tag/لا-يوجد/").status_code == 404
    assert client.get("/xx/").status_code == 404
    assert client.get("/ar/comments/12345").status_code == 404


def test_code_of_another_edition_is_not_found(client, reference_article):
    Edition.objects.create(code="en", name="Khabar", language="en", locale="en", direction="ltr")
    response = client.get(f"/en/news/{reference_article.news_code}/x")
    assert response.status_code == 404
    assert '<html lang="en" dir="ltr">' in response.content.decode()


def test_drafts_unpublished_and_future_stories_are_not_found(client, make_article):
    killed = make_article("خبر مسحوب")
    actions.do_unpublish(killed)
    future = make_article("خبر مجدول", at=timezone.now() + timedelta(hours=1))
    for article in (killed, future):
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(f"/news/{article.news_code}").status_code == 404


def test_root_without_any_edition_is_not_found(client, db):
    assert client.get("/").status_code == 404


def test_trailing_slashes_lead_to_the_article(client, reference_article):
    assert client.get(f"/news/{reference_article.news_code}/").status_code == 302
    response = client.get(reference_article.get_absolute_url() + "/")
    assert response.status_code == 301
    assert response["Location"] == iri_to_uri(reference_article.get_absolute_url())


def test_slug_typed_with_harakat_redirects_to_the_plain_one(client, reference_article):
    response = client.get("/ar/section/اقْتِصاد/")
    assert response.status_code == 301
    assert response["Location"] == iri_to_uri("/ar/section/اقتصاد/")
    response = client.get("/ar/tag/المـياه/")
    assert response["Location"] == iri_to_uri("/ar/tag/المياه/")


@pytest.mark.parametrize(
    "url", ["/ar/section/%00/", "/ar/tag/a%00b/", "/%00/", "/x%00y/z", "/ar/news/1/%00"]
)
def test_nul_in_a_url_is_a_404_not_a_500(client, reference_article, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["٢", "2_0", "+2", "02", "1e1", "9999999"])
def test_odd_page_numbers_are_not_found(client, make_article, settings, page):
    settings.KHABAR_PAGE_SIZE = 1
    make_article("أ")
    make_article("ب")
    assert client.get(f"/ar/section/اقتصاد/?page={page}").status_code == 404


def test_tag_carried_only_by_drafts_is_not_public(client, make_article):
    make_article("مسودة", publish=False, tags=["سري"])
    assert client.get("/ar/tag/سري/").status_code == 404


def test_canonical_of_a_list_ignores_tracking_parameters(client, make_article, settings):
    settings.KHABAR_PAGE_SIZE = 1
    make_article("أ")
    make_article("ب")
    html = client.get("/ar/?utm_source=fb").content.decode()
    assert '<link rel="canonical" href="http://testserver/ar/">' in html
    html = client.get("/ar/section/اقتصاد/?page=2&utm_source=x").content.decode()
    expected = iri_to_uri("http://testserver/ar/section/اقتصاد/?page=2")
    assert f'<link rel="canonical" href="{expected}">' in html


def test_redirects_keep_the_query_string(client, reference_article):
    url = iri_to_uri(reference_article.get_absolute_url())
    response = client.get(f"/ar/news/{reference_article.news_code}/قديم?utm_source=wire&x=%D8%A8")
    assert response["Location"] == f"{url}?utm_source=wire&x=%D8%A8"
    response = client.get(f"/news/{reference_article.news_code}?utm_source=sms")
    assert response["Location"] == f"{url}?utm_source=sms"
    response = client.get("/ar/section/اقْتِصاد/?page=2")
    assert response["Location"] == iri_to_uri("/ar/section/اقتصاد/") + "?page=2"

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_home_shows_latest_and_each_section(client, make_article, other_section):
    make_article("خبر اقتصادي أول")
    make_article("خبر رياضي أول", section=other_section)
    response = client.get("/ar/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "آخر الأخبار" in html
    assert html.count("خبر اقتصادي أول") == 2  # in the latest list and in its section
    assert '<a href="/ar/section/رياضة/">رياضة</a>' in html


def test_home_groups_at_most_four_per_section_newest_first(client, make_article):
    now = timezone.now()
    for i in range(6):
        make_article(f"قصة رقم {i}", at=now - timedelta(hours=10 - i))
    html = client.get("/ar/").content.decode()
    section_block = html[html.index('class="section-grid"') :]
    assert [f"قصة رقم {i}" in section_block for i in range(6)] == [False, False] + [True] * 4
    assert section_block.index("قصة رقم 5") < section_block.index("قصة رقم 2")


def test_home_query_count_does_not_grow(client, make_article, django_assert_max_num_queries):
    for i in range(30):
        make_article(f"خبر {i}", tags=["وسم"])
    with django_assert_max_num_queries(4):
        client.get("/ar/")


def test_empty_edition_home(client, edition):
    response = client.get("/ar/")
    assert response.status_code == 200
    assert "لم يُنشر أي خبر بعد." in response.content.decode()


def test_drafts_unpublished_and_future_stories_stay_off_lists(client, make_article):
    from khabar.news import actions

    make_article("مسودة لم تنشر", publish=False)
    killed = make_article("خبر مسحوب")
    actions.do_unpublish(killed)
    make_article("خبر مجدول", at=timezone.now() + timedelta(hours=2))
    make_article("خبر منشور")
    for url in ["/ar/", "/ar/section/اقتصاد/"]:
        html = client.get(url).content.decode()
        assert "خبر منشور" in html
        assert "مسودة لم تنشر" not in html
        assert "خبر مسحوب" not in html
        assert "خبر مجدول" not in html


def test_section_page_lists_its_stories(client, make_article, other_section):
    make_article("خبر في الاقتصاد")
    make_article("خبر في الرياضة", section=other_section)
    response = client.get("/ar/section/اقتصاد/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>اقتصاد</h1>" in html
    assert "خبر في الاقتصاد" in html
    assert "خبر في الرياضة" not in html
    assert '<a href="/ar/section/اقتصاد/" aria-current="page">' in html


def test_tag_page_lists_tagged_stories(client, make_article):
    make_article("خبر موسوم", tags=["النفط"])
    make_article("خبر غير موسوم")
    response = client.get("/ar/tag/النفط/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "النفط" in html and "خبر موسوم" in html
    assert "خبر غير موسوم" not in html


def test_lists_paginate_with_arabic_digits(client, make_article, settings):
    settings.KHABAR_PAGE_SIZE = 5
    now = timezone.now()
    for i in range(12):
        make_article(f"عنوان {i:02d}", at=now - timedelta(minutes=i))
    first = client.get("/ar/section/اقتصاد/").content.decode()
    assert "عنوان 00" in first and "عنوان 05" not in first
    assert "الصفحة ١ من ٣" in first
    assert 'rel="next" href="?page=2"' in first
    third = client.get("/ar/section/اقتصاد/?page=3").content.decode()
    assert "عنوان 10" in third and "عنوان 11" in third
    assert 'rel="prev" href="?page=2"' in third
    assert 'rel="next"' not in third
    assert client.get("/ar/section/اقتصاد/?page=4").status_code == 404
    assert client.get("/ar/section/اقتصاد/?page=x").status_code == 404
    assert client.get("/ar/section/اقتصاد/?page=0").status_code == 404


def test_section_query_count_does_not_grow(client, make_article, django_assert_max_num_queries):
    for i in range(25):
        make_article(f"خبر {i}")
    with django_assert_max_num_queries(5):
        client.get("/ar/section/اقتصاد/")
    with django_assert_max_num_queries(5):
        client.get("/ar/section/اقتصاد/?page=2")


def test_reader_pages_refuse_writes(client, reference_article):
    assert client.post("/ar/").status_code == 405
    assert client.post(reference_article.get_absolute_url()).status_code == 405

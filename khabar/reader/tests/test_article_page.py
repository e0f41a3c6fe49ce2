import json
import re

import pytest
from django.contrib.auth.models import User
from django.utils.encoding import iri_to_uri

pytestmark = pytest.mark.django_db


def get_page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response, response.content.decode()


def test_article_url_holds_the_news_code_and_an_arabic_slug(reference_article):
    url = reference_article.get_absolute_url()
    assert (
        url == f"/ar/news/{reference_article.news_code}/مجلس-المحافظة-يقر-خطة-لتأهيل-شبكات-المياه"
    )


def test_page_is_arabic_right_to_left(client, reference_article):
    _, html = get_page(client, reference_article)
    assert '<html lang="ar" dir="rtl">' in html


def test_publication_time_in_the_edition_locale(client, reference_article):
    _, html = get_page(client, reference_article)
    assert "٢٦/٠١/٢٠٢٤، ٩:٢٧ م" in html
    assert 'datetime="2024-01-26T21:27:00+03:00"' in html


def test_elements_come_in_the_reference_order(client, reference_article):
    _, html = get_page(client, reference_article)
    positions = [
        html.index("٢٦/٠١/٢٠٢٤، ٩:٢٧ م"),
        html.index('<h1 class="story-headline">مجلس المحافظة يقر خطة لتأهيل شبكات المياه</h1>'),
        html.index('<p dir="auto">الفقرة الأولى من الخبر.</p>'),
        html.index('<p dir="auto">الفقرة الثانية.</p>'),
        html.index("/انتهى/"),
        html.index(f'رمز الخبر <a href="/news/{reference_article.news_code}"'),
        html.index('<h2 id="tags-heading">سمات</h2>'),
        html.index('<h2 id="comments-heading">تعليقك</h2>'),
    ]
    assert positions == sorted(positions)


def test_news_code_is_shown_and_links_to_the_short_url(client, reference_article):
    _, html = get_page(client, reference_article)
    code = reference_article.news_code
    assert re.search(rf'رمز الخبر <a href="/news/{code}" dir="ltr">{code}</a>', html)


def test_tags_block_links_each_tag(client, reference_article):
    _, html = get_page(client, reference_article)
    for tag in reference_article.tags.all():
        assert f'<a href="{tag.get_absolute_url()}" rel="tag">{tag.name}</a>' in html
    assert "/ar/tag/البصرة/" in {t.get_absolute_url() for t in reference_article.tags.all()}


def test_no_tags_block_without_tags(client, make_article):
    article = make_article("خبر بلا وسوم")
    _, html = get_page(client, article)
    assert "سمات" not in html


def test_comments_load_from_their_own_url(client, reference_article):
    _, html = get_page(client, reference_article)
    comments_url = f"/ar/comments/{reference_article.news_code}"
    assert f'data-comments-src="{comments_url}"' in html
    assert f'<a href="{comments_url}">' in html  # for readers without JavaScript
    partial = client.get(comments_url + "?partial=1")
    assert partial.status_code == 200
    assert 'id="comment-form"' in partial.content.decode()
    assert "csrfmiddlewaretoken" not in partial.content.decode()
    page = client.get(comments_url)
    assert "<html" in page.content.decode() and "تعليقك" in page.content.decode()


def test_head_has_title_description_canonical_and_opengraph(client, reference_article):
    _, html = get_page(client, reference_article)
    url = iri_to_uri("http://testserver" + reference_article.get_absolute_url())
    assert "<title>مجلس المحافظة يقر خطة لتأهيل شبكات المياه — خبر</title>" in html
    assert f'<meta name="description" content="{reference_article.lead}">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:locale" content="ar_IQ">' in html
    assert '<meta property="og:title" content="مجلس المحافظة يقر خطة لتأهيل شبكات المياه">' in html
    assert '<meta property="article:tag" content="المياه">' in html


def test_canonical_uses_the_configured_site_url(client, reference_article, settings):
    settings.SITE_URL = "https://khabar.example"
    _, html = get_page(client, reference_article)
    assert (
        f'href="{iri_to_uri("https://khabar.example" + reference_article.get_absolute_url())}"'
        in html
    )


def test_structured_data(client, reference_article):
    _, html = get_page(client, reference_article)
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == reference_article.headline
    assert data["identifier"] == str(reference_article.news_code)
    assert data["datePublished"] == "2024-01-26T18:27:00+00:00"
    assert data["author"] == [
        {"@type": "Person", "name": "ليلى حسن", "url": "http://testserver/ar/author/layla/"}
    ]


def test_structured_data_cannot_close_its_script(client, make_article):
    article = make_article("عنوان </script><script>alert(1)</script>")
    _, html = get_page(client, article)
    assert "<script>alert(1)" not in html


def test_byline_and_source(client, reference_article):
    _, html = get_page(client, reference_article)
    assert 'بقلم <a href="/ar/author/layla/" rel="author">ليلى حسن</a>' in html
    assert '<span class="story-source">وكالة خبر</span>' in html


def test_page_is_the_same_bytes_for_every_reader(client, reference_article):
    anonymous = client.get(reference_article.get_absolute_url())
    editor = User.objects.create_superuser("editor", "editor@example.org", "x")
    client.force_login(editor)
    logged_in = client.get(reference_article.get_absolute_url())
    assert anonymous.content == logged_in.content
    for response in (anonymous, logged_in):
        assert "Set-Cookie" not in response.headers
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "public" in response.headers["Cache-Control"]
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.headers["ETag"]


def test_conditional_get_answers_not_modified(client, reference_article):
    first = client.get(reference_article.get_absolute_url())
    again = client.get(reference_article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_hostile_body_is_inert_on_the_page(client, make_article):
    article = make_article("خبر", body='<p onclick="x()">نص</p><script>alert(1)</script>')
    _, html = get_page(client, article)
    assert "alert(1)" not in html
    assert "onclick" not in html


def test_article_page_query_count(client, reference_article, django_assert_max_num_queries):
    # edition, story, tags, authors, corrections, sections of the menu
    with django_assert_max_num_queries(6):
        client.get(reference_article.get_absolute_url())

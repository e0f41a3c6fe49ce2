"""A story body is sanitised when it is saved, not again on every page: the page trusts a body
that carries the seal of that save, and cleans any other (written around Article.save, or
sealed under rules that have changed since)."""

import nh3
import pytest

from khabar.lib import html
from khabar.news.models import Article

pytestmark = pytest.mark.django_db

HOSTILE = '<p onclick="alert(1)">نص مدسوس<script>alert(2)</script></p>'


@pytest.fixture
def sanitiser_calls(monkeypatch):
    """Each call of nh3.clean as the body sanitiser, with the page caches emptied so that a
    body the page cleaned would show here however often it was shown before."""
    html._for_readers.cache_clear()
    html._directions.cache_clear()
    calls = []
    real = nh3.clean

    def spy(value, *args, **kwargs):
        if kwargs.get("tags") == html.ALLOWED_TAGS:
            calls.append(value)
        return real(value, *args, **kwargs)

    monkeypatch.setattr(nh3, "clean", spy)
    return calls


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_saving_seals_the_clean_body(reference_article):
    stored = Article.objects.get(pk=reference_article.pk)
    assert stored.body_seal == html.body_seal(stored.body)


def test_a_page_render_does_not_sanitise_a_saved_body(client, reference_article, sanitiser_calls):
    shown = page(client, reference_article)
    assert sanitiser_calls == []
    assert '<p dir="auto">الفقرة الأولى من الخبر.</p>' in shown


def test_a_save_of_other_columns_keeps_the_seal(client, reference_article, sanitiser_calls):
    reference_article.headline = "عنوان معدل"
    reference_article.save(update_fields=["headline"])
    page(client, reference_article)
    assert sanitiser_calls == []


def test_a_body_written_around_save_is_cleaned_on_the_page(
    client, reference_article, sanitiser_calls
):
    Article.objects.filter(pk=reference_article.pk).update(body=HOSTILE)
    shown = page(client, reference_article)
    assert len(sanitiser_calls) == 1
    assert "نص مدسوس" in shown
    assert "alert" not in shown and "onclick" not in shown


def test_a_seal_copied_onto_another_body_is_not_trusted(client, reference_article):
    seal = Article.objects.get(pk=reference_article.pk).body_seal
    Article.objects.filter(pk=reference_article.pk).update(body=HOSTILE, body_seal=seal)
    shown = page(client, reference_article)
    assert "نص مدسوس" in shown and "alert" not in shown


def test_a_body_sealed_before_the_image_hosts_changed_is_cleaned_again(
    client, make_article, settings, sanitiser_calls
):
    settings.KHABAR_IMAGE_HOSTS = ["cdn.example"]
    image = '<figure><img src="https://cdn.example/a.jpg" alt="صورة"></figure>'
    article = make_article(body=f"<p>نص.</p>{image}")
    sanitiser_calls.clear()  # the save's own
    assert "https://cdn.example/a.jpg" in page(client, article)
    assert sanitiser_calls == []
    settings.KHABAR_IMAGE_HOSTS = []
    shown = page(client, article)
    assert len(sanitiser_calls) == 1
    assert "https://cdn.example/a.jpg" not in shown

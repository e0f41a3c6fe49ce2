import pytest

from khabar.news import actions
from khabar.news.models import Article, Edition, Tag

pytestmark = pytest.mark.django_db


def test_tag_without_letters_gets_a_usable_slug(edition, client, make_article):
    star = Tag.objects.create(edition=edition, name="★")
    assert star.slug == "tag"
    article = make_article("خبر", tags=["★"])
    assert client.get(article.get_absolute_url()).status_code == 200


def test_tags_whose_names_slug_alike_get_distinct_slugs(edition):
    first = Tag.objects.create(edition=edition, name="C#")
    second = Tag.objects.create(edition=edition, name="C++")
    third = Tag.objects.create(edition=edition, name="C")
    assert [first.slug, second.slug, third.slug] == ["c", "c-2", "c-3"]


def test_the_same_slug_is_free_in_another_edition(edition):
    english = Edition.objects.create(code="en", name="Khabar", language="en", locale="en")
    assert Tag.objects.create(edition=edition, name="Oil").slug == "oil"
    assert Tag.objects.create(edition=english, name="Oil").slug == "oil"


def test_a_stale_copy_cannot_undo_a_publication(make_article):
    draft = make_article(publish=False)
    stale = Article.objects.get(pk=draft.pk)
    actions.do_publish(draft)
    stale.headline = "عنوان من نسخة قديمة"
    stale.save()
    fresh = Article.objects.get(pk=draft.pk)
    assert fresh.headline == "عنوان من نسخة قديمة"
    assert fresh.status == Article.Status.PUBLISHED
    assert fresh.news_code == draft.news_code


def test_a_stale_copy_cannot_undo_an_unpublication(make_article):
    article = make_article()
    stale = Article.objects.get(pk=article.pk)
    actions.do_unpublish(article)
    stale.save()
    assert Article.objects.get(pk=article.pk).status == Article.Status.UNPUBLISHED


def test_body_is_cleaned_again_on_the_page(client, make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(body="<p>نص</p><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html

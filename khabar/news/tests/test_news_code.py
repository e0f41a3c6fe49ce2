import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import override_settings

from khabar.news import actions
from khabar.news.models import Article


def test_codes_are_allocated_at_first_publication_and_rise(make_article, settings):
    first = make_article("الخبر الأول")
    second = make_article("الخبر الثاني")
    assert first.news_code == settings.KHABAR_FIRST_NEWS_CODE
    assert second.news_code == first.news_code + 1


def test_a_draft_has_no_code(make_article):
    draft = make_article(publish=False)
    assert draft.news_code is None
    assert draft.status == Article.Status.DRAFT


def test_republishing_keeps_the_code(make_article):
    article = make_article()
    code = article.news_code
    actions.do_unpublish(article)
    actions.do_publish(article)
    article.refresh_from_db()
    assert article.news_code == code
    assert article.status == Article.Status.PUBLISHED


def test_unpublished_code_is_not_reused(make_article):
    article = make_article()
    actions.do_unpublish(article)
    later = make_article("خبر لاحق")
    assert later.news_code == article.news_code + 1


def test_a_code_never_changes(make_article):
    article = make_article()
    stored = Article.objects.get(pk=article.pk)
    stored.news_code = stored.news_code + 100
    with pytest.raises(ValueError):
        stored.save()
    assert Article.objects.get(pk=article.pk).news_code == article.news_code


def test_codes_are_unique_in_the_database(make_article):
    first = make_article("أ")
    second = make_article("ب", publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=second.pk).update(news_code=first.news_code)


def test_a_published_article_must_have_a_code(make_article):
    article = make_article(publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="published")


def test_floor_raises_the_next_code_but_never_lowers_it(make_article):
    with override_settings(KHABAR_FIRST_NEWS_CODE=1940719):
        assert make_article("أ").news_code == 1940719
    with override_settings(KHABAR_FIRST_NEWS_CODE=5):
        assert make_article("ب").news_code == 1940720


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        actions.allocate_news_code()


def test_a_failed_publication_gives_its_code_back(make_article):
    article = make_article(publish=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_publish(article)
        raise RuntimeError("the save failed after the code was taken")
    assert Article.objects.get(pk=article.pk).news_code is None
    assert make_article("خبر آخر").news_code == 100001


def _publish_concurrently(article_ids: list[int]) -> list[BaseException]:
    """Publish each article from its own thread (own database connection), all at once."""
    barrier = threading.Barrier(len(article_ids))
    errors: list[BaseException] = []

    def publish(pk):
        try:
            article = Article.objects.get(pk=pk)
            barrier.wait(timeout=30)
            actions.do_publish(article)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(pk,)) for pk in article_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("publishers", [12])
def test_concurrent_publishers_get_distinct_consecutive_codes(make_article, publishers):
    # Runs on SQLite and, in the suite's second run, on PostgreSQL.
    drafts = [make_article(f"خبر رقم {i}", publish=False) for i in range(publishers)]
    errors = _publish_concurrently([a.pk for a in drafts])
    assert errors == []
    codes = sorted(Article.objects.values_list("news_code", flat=True))
    assert len(set(codes)) == publishers
    assert codes == list(range(codes[0], codes[0] + publishers))


@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_the_same_story_at_once_give_it_one_code(make_article):
    article = make_article(publish=False)
    others = [make_article(f"خبر {i}", publish=False) for i in range(8)]
    errors = _publish_concurrently([article.pk, article.pk, *[a.pk for a in others]])
    assert errors == []
    codes = list(Article.objects.values_list("news_code", flat=True))
    assert len(codes) == len(set(codes)) == 9
    assert sorted(codes) == list(range(min(codes), min(codes) + 9))

"""The challenge answered before Django (khabar/comments/fast.py) learns the middleware's
headers as its server process starts, not in the first reader's request; whether a story takes
comments is trusted longer when it does than when it does not."""

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError

from khabar.comments import captcha, fast
from khabar.comments.tests.test_challenge_endpoint import challenge_url, wsgi_get
from khabar.news.models import Article, CommentMode

pytestmark = pytest.mark.django_db(transaction=True)


def counted_django():
    """Django's WSGI handler, with the paths it was asked for."""
    django, asked = WSGIHandler(), []

    def application(environ, start_response):
        asked.append(environ["PATH_INFO"])
        return django(environ, start_response)

    return application, asked


def test_warming_answers_one_challenge_through_django_so_the_first_reader_gets_the_fast_one(
    article,
):
    django, asked = counted_django()
    application = fast.ChallengeFirst(django)
    assert application.warm() is True
    assert len(asked) == 1 and asked[0].endswith("/challenge")
    status, headers, body = wsgi_get(application, challenge_url(article))
    assert status == 200 and len(asked) == 1  # the first reader's challenge: not through Django
    assert set(json.loads(body)) == {"challenge", "started", "csrf"}
    # The same headers as Django's own answer, learnt while warming.
    _, through_django, _ = wsgi_get(WSGIHandler(), challenge_url(article))
    assert {k.lower() for k, _ in headers} == {k.lower() for k, _ in through_django}
    assert (
        dict(headers)["Content-Security-Policy"] == dict(through_django)["Content-Security-Policy"]
    )


def test_behind_a_tls_proxy_warming_learns_the_headers_of_a_secure_request(article, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    application = fast.ChallengeFirst(WSGIHandler())
    assert application.warm() is True
    _, headers, _ = wsgi_get(application, challenge_url(article))
    assert dict(headers)["Strict-Transport-Security"] == "max-age=3600"


def test_without_an_open_story_warming_learns_nothing_and_the_first_reader_teaches_it(
    article,
):
    Article.objects.filter(pk=article.pk).update(comment_mode=CommentMode.CLOSED)
    django, asked = counted_django()
    application = fast.ChallengeFirst(django)
    assert application.warm() is False and asked == [] and application.learnt is None
    Article.objects.filter(pk=article.pk).update(comment_mode=CommentMode.OPEN)
    captcha.forget_open()
    assert wsgi_get(application, challenge_url(article))[0] == 200
    assert asked == [challenge_url(article)] and application.learnt is not None


def test_a_database_not_ready_at_start_leaves_the_learning_to_the_first_reader(
    article, monkeypatch
):
    def unreadable():
        raise DatabaseError("no such table: news_article")

    monkeypatch.setattr(fast, "_open_story_path", unreadable)
    django, asked = counted_django()
    application = fast.ChallengeFirst(django)
    assert application.warm() is False and asked == []
    assert wsgi_get(application, challenge_url(article))[0] == 200 and len(asked) == 1


def test_the_timing_header_is_only_sent_when_the_bench_asks_for_it(article, monkeypatch):
    application = fast.ChallengeFirst(WSGIHandler())
    application.warm()
    _, headers, _ = wsgi_get(application, challenge_url(article))
    assert "X-Khabar-Timing" not in dict(headers)
    monkeypatch.setattr(fast, "TIMING", True)
    _, headers, _ = wsgi_get(application, challenge_url(article))
    pid, _thread, began, ended, way = dict(headers)["X-Khabar-Timing"].split()
    assert way == "fast" and float(began) <= float(ended) and int(pid) > 0


def test_a_story_found_closed_is_read_again_sooner_than_one_found_open(article, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(captcha, "_clock", lambda: clock[0])
    captcha.forget_open()
    other = Article.objects.filter(pk=article.pk)
    other.update(comment_mode=CommentMode.CLOSED)
    assert not captcha.takes_comments(article.edition, article.news_code)
    other.update(comment_mode=CommentMode.OPEN)  # opened in another process
    assert not captcha.takes_comments(article.edition, article.news_code)  # remembered
    clock[0] += captcha.CLOSED_MEMO_SECONDS + 0.01
    assert captcha.takes_comments(article.edition, article.news_code)
    other.update(comment_mode=CommentMode.CLOSED)  # closed in another process
    clock[0] += captcha.CLOSED_MEMO_SECONDS + 0.01
    assert captcha.takes_comments(article.edition, article.news_code)  # still remembered
    clock[0] += captcha.OPEN_MEMO_SECONDS
    assert not captcha.takes_comments(article.edition, article.news_code)

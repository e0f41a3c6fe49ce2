"""The challenge the page's script fetches (`…/challenge`): what it hands out is what the comment
form accepts, it is never cached, and it reads whether the story takes comments through a memo
of OPEN_MEMO_SECONDS that a change of the story or its edition clears at once in this process."""

import base64
import json

import pytest
from altcha import ChallengeV1, solve_challenge_v1
from django.test import Client

from khabar.comments import captcha
from khabar.comments.models import Comment
from khabar.news.models import CommentMode

pytestmark = pytest.mark.django_db


def challenge_url(article) -> str:
    return f"/{article.edition.code}/comments/{article.news_code}/challenge"


def solve(data) -> str:
    """The widget's answer to a challenge as the page's script computes it."""
    solution = solve_challenge_v1(
        ChallengeV1(data["algorithm"], data["challenge"], data["maxNumber"], data["salt"],
                    data["signature"])
    )  # fmt: skip
    payload = {key: data[key] for key in ("algorithm", "challenge", "salt", "signature")}
    payload["number"] = solution.number
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_the_answer_to_a_fetched_challenge_is_accepted_by_the_comment_form(article, settings):
    settings.KHABAR_COMMENT_MIN_SECONDS = 0
    reader = Client(enforce_csrf_checks=True)
    answer = reader.get(challenge_url(article))
    assert answer.status_code == 200
    assert "no-cache" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    data = answer.json()
    assert f"article={article.news_code}" in data["challenge"]["salt"]
    posted = reader.post(
        f"/{article.edition.code}/comments/{article.news_code}",
        {"name": "قارئة", "email": "", "body": "تعليق بعد حل التحدي.", "parent": "",
         "website": "", "started": data["started"], "altcha": solve(data["challenge"])},
        HTTP_X_REQUESTED_WITH="fetch", HTTP_X_CSRFTOKEN=data["csrf"],
    )  # fmt: skip
    assert posted.status_code == 201, posted.content
    assert Comment.objects.get().solved_captcha


def test_no_challenge_for_a_closed_story_or_a_missing_one(article, make_article):
    assert Client().get(challenge_url(article)).status_code == 200
    article.comment_mode = CommentMode.CLOSED
    article.save(update_fields=["comment_mode"])  # clears the memo in this process
    assert Client().get(challenge_url(article)).status_code == 404
    missing = f"/{article.edition.code}/comments/999999/challenge"
    assert Client().get(missing).status_code == 404


def test_an_edition_closing_its_comments_is_seen_at_once(article):
    assert Client().get(challenge_url(article)).status_code == 200
    edition = article.edition
    edition.comment_mode = CommentMode.CLOSED
    edition.save(update_fields=["comment_mode"])
    assert Client().get(challenge_url(article)).status_code == 404


def test_the_memo_is_bounded_in_time(article, monkeypatch):
    """A change the memo was not told of (another process's) shows after OPEN_MEMO_SECONDS."""
    clock = [1000.0]
    monkeypatch.setattr(captcha, "_clock", lambda: clock[0])
    captcha.forget_open()
    assert captcha.takes_comments(article.edition, article.news_code)
    type(article).objects.filter(pk=article.pk).update(comment_mode=CommentMode.CLOSED)
    assert captcha.takes_comments(article.edition, article.news_code)  # remembered
    clock[0] += captcha.OPEN_MEMO_SECONDS + 0.01
    assert not captcha.takes_comments(article.edition, article.news_code)


# --- answered in front of the middleware (khabar/comments/fast.py) ---------------------------


def wsgi_get(application, path, cookie=""):
    from io import BytesIO

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
               "HTTP_HOST": "testserver", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.input": BytesIO(), "wsgi.url_scheme": "http",
               "wsgi.errors": BytesIO()}  # fmt: skip
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    body = b"".join(application(environ, start_response))
    return int(seen["status"].split()[0]), seen["headers"], body


@pytest.mark.django_db(transaction=True)
def test_the_challenge_answered_before_django_is_accepted_by_the_comment_form(article, settings):
    from django.core.handlers.wsgi import WSGIHandler

    from khabar.comments.fast import ChallengeFirst

    settings.KHABAR_COMMENT_MIN_SECONDS = 0
    rendered = []
    django = WSGIHandler()

    def counting(environ, start_response):
        rendered.append(environ["PATH_INFO"])
        return django(environ, start_response)

    application = ChallengeFirst(counting)
    url = challenge_url(article)
    status, through_django, _ = wsgi_get(application, url)  # the first: through Django
    assert status == 200 and rendered == [url]
    status, headers, body = wsgi_get(application, url)
    assert status == 200 and rendered == [url]  # not through Django this time
    names = {k.lower() for k, _ in headers}
    assert names == {k.lower() for k, _ in through_django}
    assert dict(headers)["Cache-Control"] == dict(through_django)["Cache-Control"]
    cookie = next(v for k, v in headers if k == "Set-Cookie").strip().split(";")[0]
    data = json.loads(body)
    reader = Client(enforce_csrf_checks=True)
    name, value = cookie.split("=", 1)
    reader.cookies[name] = value
    posted = reader.post(
        f"/{article.edition.code}/comments/{article.news_code}",
        {"name": "قارئ", "email": "", "body": "تعليق بتحد جاء قبل جانغو.", "parent": "",
         "website": "", "started": data["started"], "altcha": solve(data["challenge"])},
        HTTP_X_REQUESTED_WITH="fetch", HTTP_X_CSRFTOKEN=data["csrf"],
    )  # fmt: skip
    assert posted.status_code == 201, posted.content
    # A reader's own cookie is kept (renewed), not replaced.
    _, again, body = wsgi_get(application, url, cookie=cookie)
    assert next(v for k, v in again if k == "Set-Cookie").strip().startswith(cookie + ";")
    # A closed story, a missing one, another host: Django answers, as the view would.
    article.comment_mode = CommentMode.CLOSED
    article.save(update_fields=["comment_mode"])
    assert wsgi_get(application, url)[0] == 404
    assert wsgi_get(application, f"/{article.edition.code}/comments/999999/challenge")[0] == 404
    assert rendered.count(url) == 2

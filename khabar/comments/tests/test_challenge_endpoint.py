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

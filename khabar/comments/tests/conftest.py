"""Fixtures for comment tests: solved captchas, a reader's POST, the moderator persona."""

import base64
import json

import pytest
from altcha import ChallengeV1, solve_challenge_v1
from django.contrib.auth.models import Group, User

from khabar.comments import captcha, rules


@pytest.fixture(autouse=True)
def _quick_comments(settings):
    # A small proof of work and no minimum fill time, unless a test asks for them.
    settings.KHABAR_CAPTCHA_MAX_NUMBER = 2000
    settings.KHABAR_COMMENT_MIN_SECONDS = 0
    settings.KHABAR_COMMENT_RATE_NETWORK = settings.KHABAR_COMMENT_RATE_EMAIL = "100/600"


def solved_payload(article) -> str:
    data = captcha.new_challenge(article)
    challenge = ChallengeV1(
        data["algorithm"], data["challenge"], data["maxNumber"], data["salt"], data["signature"]
    )
    solution = solve_challenge_v1(challenge)
    payload = {
        "algorithm": data["algorithm"],
        "challenge": data["challenge"],
        "number": solution.number,
        "salt": data["salt"],
        "signature": data["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


@pytest.fixture
def solve():
    return solved_payload


@pytest.fixture
def article(make_article):
    return make_article("خبر للتعليق عليه")


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("moderator", "mod@example.org", "pass-phrase-123")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def comment_data(article, *, solve_captcha=True, **fields):
    data = {
        "name": "قارئ",
        "email": "",
        "body": "تعليق مفيد على الخبر.",
        "parent": "",
        "started": rules.started_token(),
        "altcha": solved_payload(article) if solve_captcha else "",
        "website": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def post_comment(client):
    """post_comment(article, js=True, **fields) -> response; js=True speaks JSON as the script."""

    def post(article, *, js=True, solve_captcha=True, **fields):
        url = f"/{article.edition.code}/comments/{article.news_code}"
        headers = {"HTTP_X_REQUESTED_WITH": "fetch"} if js else {}
        return client.post(url, comment_data(article, solve_captcha=solve_captcha, **fields),
                           **headers)  # fmt: skip

    return post

"""Fixtures for comment tests: solved captchas and a reader's POST (personas: the root conftest)."""

import pytest

from khabar.testing import comment_data, solved_payload


@pytest.fixture(autouse=True)
def _quick_comments(settings):
    # A small proof of work and no minimum fill time, unless a test asks for them.
    settings.KHABAR_CAPTCHA_MAX_NUMBER = 2000
    settings.KHABAR_COMMENT_MIN_SECONDS = 0
    settings.KHABAR_COMMENT_RATE_NETWORK = settings.KHABAR_COMMENT_RATE_EMAIL = (100, 600)


@pytest.fixture
def solve():
    return solved_payload


@pytest.fixture
def article(make_article):
    return make_article("خبر للتعليق عليه")


@pytest.fixture
def post_comment(client):
    """post_comment(article, js=True, **fields) -> response; js=True speaks JSON as the script."""

    def post(article, *, js=True, solve_captcha=True, **fields):
        url = f"/{article.edition.code}/comments/{article.news_code}"
        headers = {"HTTP_X_REQUESTED_WITH": "fetch"} if js else {}
        return client.post(url, comment_data(article, solve_captcha=solve_captcha, **fields),
                           **headers)  # fmt: skip

    return post

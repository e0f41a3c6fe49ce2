import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from altcha import create_challenge_v1, solve_challenge_v1
from django.conf import settings

from khabar.comments import captcha
from khabar.comments.models import RedeemedChallenge

pytestmark = pytest.mark.django_db


def decode(payload):
    return json.loads(base64.b64decode(payload))


def encode(data):
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_challenge_is_signed_expiring_and_bound_to_the_article(article):
    data = captcha.new_challenge(article)
    assert data["signature"] and data["algorithm"] == "SHA-256"
    assert f"article={article.news_code}" in data["salt"]
    assert "expires=" in data["salt"]
    assert data["salt"].endswith("&")  # the delimiter of the CVE-2025-68113 fix


def test_a_solved_challenge_is_redeemed_once(article, solve):
    payload = solve(article)
    captcha.redeem(payload, article)
    assert RedeemedChallenge.objects.count() == 1
    with pytest.raises(captcha.CaptchaError) as replay:
        captcha.redeem(payload, article)
    assert replay.value.args[0] == captcha.REUSED


def test_a_challenge_for_another_article_is_refused(article, make_article, solve):
    other = make_article("خبر آخر")
    with pytest.raises(captcha.CaptchaError) as error:
        captcha.redeem(solve(other), article)
    assert error.value.args[0] == captcha.WRONG_ARTICLE


def test_an_expired_challenge_is_refused(article):
    challenge = create_challenge_v1(
        hmac_key=settings.SECRET_KEY,
        max_number=500,
        expires=datetime.now(UTC) - timedelta(seconds=1),
        params={"article": str(article.news_code)},
    )
    solution = solve_challenge_v1(challenge)
    payload = encode({**challenge.to_dict(), "number": solution.number})
    with pytest.raises(captcha.CaptchaError) as error:
        captcha.redeem(payload, article)
    assert error.value.args[0] == captcha.EXPIRED


@pytest.mark.parametrize(
    "forge",
    [
        lambda d: {**d, "number": d["number"] + 1},  # a wrong answer
        lambda d: {**d, "signature": "0" * 64},  # a made-up signature
        lambda d: {**d, "salt": d["salt"].replace("expires=", "expires=9")},  # a later expiry
        lambda d: {**d, "algorithm": "MD5"},
        lambda d: {k: v for k, v in d.items() if k != "signature"},
        lambda d: {**d, "number": str(d["number"])},
    ],
)
def test_forged_payloads_are_refused(article, solve, forge):
    payload = encode(forge(decode(solve(article))))
    with pytest.raises(captcha.CaptchaError) as error:
        captcha.redeem(payload, article)
    assert error.value.args[0] == captcha.INVALID
    assert RedeemedChallenge.objects.count() == 0


def test_a_challenge_signed_with_another_key_is_refused(article):
    challenge = create_challenge_v1(
        hmac_key="not-our-key", max_number=500, params={"article": str(article.news_code)},
        expires=datetime.now(UTC) + timedelta(minutes=5),
    )  # fmt: skip
    solution = solve_challenge_v1(challenge)
    with pytest.raises(captcha.CaptchaError):
        captcha.redeem(encode({**challenge.to_dict(), "number": solution.number}), article)


@pytest.mark.parametrize("garbage", ["", "!!!", "bm90IGpzb24=", encode([1, 2]), "\ud800"])
def test_garbage_is_refused_cleanly(article, garbage):
    with pytest.raises(captcha.CaptchaError):
        captcha.redeem(garbage, article)


def test_expired_redeemed_challenges_are_purged(article, solve):
    captcha.redeem(solve(article), article)
    assert captcha.purge_redeemed(now=datetime.now(UTC)) == 0
    assert captcha.purge_redeemed(now=datetime.now(UTC) + timedelta(hours=1)) == 1

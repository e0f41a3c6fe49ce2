"""The self-hosted captcha: ALTCHA proof-of-work challenges, signed, expiring, bound to one
article, and redeemable once across every app process.

altcha 2.x is used for its v1 (SHA-256 proof-of-work) scheme, whose challenges carry the
delimiter that fixes the parameter-splicing replay of CVE-2025-68113.
"""

import base64
import binascii
import json
import time
from datetime import UTC, datetime, timedelta

from altcha import create_challenge_v1, extract_params_v1, verify_solution_v1
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khabar.comments.models import RedeemedChallenge
from khabar.news.models import Article, CommentMode

MISSING = _("Please wait until the check that you are not a program has finished, then send.")
INVALID = _("The anti-spam check failed. Please send your comment again.")
EXPIRED = _("The anti-spam check expired. Please send your comment again.")
REUSED = _("This anti-spam check has already been used. Please send your comment again.")
WRONG_ARTICLE = _("The anti-spam check belongs to another story. Please send again.")


class CaptchaError(Exception):
    pass


def _key() -> str:
    return settings.SECRET_KEY


def new_challenge(article: Article) -> dict:
    return challenge_for(article.news_code)


def challenge_for(news_code: int) -> dict:
    expires = datetime.now(UTC) + timedelta(minutes=settings.KHABAR_CAPTCHA_MINUTES)
    challenge = create_challenge_v1(
        hmac_key=_key(),
        max_number=settings.KHABAR_CAPTCHA_MAX_NUMBER,
        expires=expires,
        params={"article": str(news_code)},
    )
    return challenge.to_dict()


# Seconds a process trusts what it read of whether a story takes comments. Every comment form
# asks for a challenge (twenty commenters in the spike, beside two hundred readers), and what a
# challenge grants is checked again, in the database, when the comment is posted: a story
# closed or unpublished meanwhile hands out challenges for at most OPEN_MEMO_SECONDS, which its
# comments are then refused with anyway. With one second, most challenges in the spike read
# the database (each process, each story, once a second: ~780 us of CPU and the GIL given up
# and taken back, against ~170 us from the memo). A story found closed or missing is read
# again sooner, so that one opened or published takes challenges in every process within
# CLOSED_MEMO_SECONDS.
OPEN_MEMO_SECONDS = 10.0
CLOSED_MEMO_SECONDS = 1.0
_OPEN_MEMO_SIZE = 10000
_open: dict[tuple[str, int], tuple[bool, float]] = {}
_clock = time.monotonic


def takes_comments(edition, news_code: int) -> bool:
    """Whether the edition's published story with this news code takes comments (not closed)."""
    remembered = remembered_open(edition.code, news_code)
    if remembered is not None:
        return remembered
    mode = (
        Article.objects.published()
        .filter(edition=edition, news_code=news_code)
        .values_list("comment_mode", flat=True)
        .first()
    )
    open_ = mode is not None and (mode or edition.comment_mode) != CommentMode.CLOSED
    if len(_open) >= _OPEN_MEMO_SIZE:
        _open.clear()
    lifetime = OPEN_MEMO_SECONDS if open_ else CLOSED_MEMO_SECONDS
    _open[(edition.code, news_code)] = (open_, _clock() + lifetime)
    return open_


def remembered_open(edition_code: str, news_code: int) -> bool | None:
    """What takes_comments last read for this story, while it is trusted; None once it is not.
    Needs neither the database nor the cache: the challenge answered before Django asks this
    first (khabar/comments/fast.py), so that a remembered story costs no I/O, and no giving up
    of the GIL among the server's threads. Keyed by the edition's code, as the URL names it."""
    memo = _open.get((edition_code, news_code))
    if memo is not None and memo[1] > _clock():
        return memo[0]
    return None


def forget_open(**kwargs) -> None:
    """In this process, a story or an edition changed: read whether stories take comments
    afresh (other processes within OPEN_MEMO_SECONDS, or CLOSED_MEMO_SECONDS for a story
    opened)."""
    _open.clear()


def _decode(payload: str) -> dict:
    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CaptchaError(INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("challenge"), str):
        raise CaptchaError(INVALID)
    return data


def redeem(payload: str, article: Article) -> None:
    """Verify a solved challenge for this article and mark it used, or raise CaptchaError.

    Must run inside the transaction that saves the comment: if the save fails, the challenge
    stays unused and the reader can send again with it.
    """
    if not payload:
        raise CaptchaError(MISSING)
    data = _decode(payload)
    if not isinstance(data.get("number"), int) or not isinstance(data.get("salt"), str):
        raise CaptchaError(INVALID)
    ok, error = verify_solution_v1(data, _key(), check_expires=True)
    if not ok:
        raise CaptchaError(EXPIRED if error and "expired" in error.lower() else INVALID)
    params = extract_params_v1(data)
    if params.get("article") != [str(article.news_code)]:
        raise CaptchaError(WRONG_ARTICLE)
    expires = datetime.fromtimestamp(int(params["expires"][0]), tz=UTC)
    try:
        with transaction.atomic():
            RedeemedChallenge.objects.create(challenge=data["challenge"], expires_at=expires)
    except IntegrityError:
        raise CaptchaError(REUSED) from None


def purge_redeemed(now=None) -> int:
    """Forget used challenges once they have expired: they can no longer be replayed anyway."""
    deleted, _ = RedeemedChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted

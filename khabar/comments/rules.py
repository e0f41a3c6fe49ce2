"""What happens to a comment a reader sends: refused with a message, held for a moderator, or
published. Plain functions over plain data, so tests call them directly."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from khabar.comments.models import Ban, Comment, Commenter, HeldWord
from khabar.comments.text import count_links
from khabar.lib.arabic import normalize, words
from khabar.lib.dates import localize_digits
from khabar.news.models import Article, CommentMode

STARTED_SALT = "khabar.comments.started"


@dataclass
class Submission:
    article: Article
    name: str
    body: str
    email: str = ""
    email_hash: str = ""
    network_hash: str = ""
    parent: Comment | None = None
    captcha_solved: bool = False
    honeypot: str = ""
    started: str = ""  # a signed timestamp of when the form was handed out
    notify_on_publish: bool = False
    notify_on_reply: bool = False
    held: list[str] = field(default_factory=list)


class Refused(Exception):
    """The comment is not taken. The message is for the reader; their text stays in the form."""


def started_token(now=None) -> str:
    moment = now or timezone.now()
    return signing.dumps(moment.timestamp(), salt=STARTED_SALT)


def rate_keys(sub: Submission) -> list[tuple[str, str]]:
    """What a rate limit counts by: (kind, fingerprint) pairs, for limits.hold_rate_keys."""
    return [("network", sub.network_hash), ("email", sub.email_hash)]


def check_rates(sub: Submission, now=None) -> None:
    """Raise Refused when the network or the address has sent its share of comments. Atomic
    only under limits.hold_rate_keys, in the transaction that writes the comment."""
    now = now or timezone.now()
    for key, value, rate in [
        ("network_hash", sub.network_hash, settings.KHABAR_COMMENT_RATE_NETWORK),
        ("email_hash", sub.email_hash, settings.KHABAR_COMMENT_RATE_EMAIL),
    ]:
        if not value:
            continue
        limit, seconds = rate
        window = now - timedelta(seconds=seconds)
        if Comment.objects.filter(**{key: value}, created_at__gte=window).count() >= limit:
            minutes = max(1, seconds // 60)
            # Written in the edition's digits, like every number a reader of the edition sees.
            shown = localize_digits(str(minutes), sub.article.edition.numbering_system)
            raise Refused(
                ngettext(
                    "You have sent many comments in a short time. Please wait %(minutes)s minute.",
                    "You have sent many comments in a short time. Please wait %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": shown}
            )


def check_refusals(sub: Submission, now=None) -> None:
    """Raise Refused for a comment that must not be taken at all."""
    now = now or timezone.now()
    if sub.article.effective_comment_mode == CommentMode.CLOSED:
        raise Refused(_("Comments are closed on this story."))
    if sub.honeypot:
        raise Refused(_("Your comment could not be sent. Leave the last field empty."))
    try:
        started = signing.loads(sub.started, salt=STARTED_SALT, max_age=86400)
    except signing.BadSignature:
        raise Refused(_("The form has expired. Please send your comment again.")) from None
    if now.timestamp() - float(started) < settings.KHABAR_COMMENT_MIN_SECONDS:
        raise Refused(_("That was very fast. Please read your comment over and send it again."))
    bans = []
    if sub.email_hash:
        bans.append((Ban.Kind.EMAIL, sub.email_hash))
    if sub.network_hash:
        bans.append((Ban.Kind.NETWORK, sub.network_hash))
    for kind, value in bans:
        if Ban.objects.filter(kind=kind, value_hash=value).exists():
            raise Refused(_("Comments from you are not accepted on this site."))
    # Refused here without taking the database's write lock; counted again under a lock inside
    # do_submit's transaction, where simultaneous posts cannot all slip under the limit.
    check_rates(sub, now)
    recent = Comment.objects.filter(created_at__gte=now - timedelta(days=1))
    # The same text again: from anyone on this story, or from the same network or address on
    # any story. The newest first, so a busy day cannot push a repeat out of view.
    same_text = normalize(sub.body)
    scope = Q(article=sub.article)
    if sub.network_hash:
        scope |= Q(network_hash=sub.network_hash)
    if sub.email_hash:
        scope |= Q(email_hash=sub.email_hash)
    bodies = recent.filter(scope).order_by("-created_at").values_list("body", flat=True)[:500]
    if any(normalize(body) == same_text for body in bodies):
        raise Refused(_("This comment has already been sent."))


# Why a comment waits for a moderator, stored as codes and put in words when shown, in the
# language of whoever reads the queue.
HOLD_REASONS = {
    # No JavaScript, or a site on plain HTTP where browsers cannot run the check.
    "no-captcha": gettext_lazy(
        "sent without the anti-spam check (no JavaScript, or the site on plain HTTP)"
    ),
    "held-word": gettext_lazy("contains a held word"),
    "links": gettext_lazy("contains many links"),
    "premoderation": gettext_lazy("pre-moderation"),
    # The demo loader (newsroom/management/commands/seed_demo.py) holds its sample comments so
    # that the queue has something in it.
    "demo": gettext_lazy("a sample comment of the demo content"),
}
OTHER_REASON = gettext_lazy("another reason")


def describe_hold(codes: str) -> str:
    """The reasons in words; a code this version does not know (an older or newer release
    wrote it) is never shown raw to a moderator."""
    reasons = [str(HOLD_REASONS.get(code, OTHER_REASON)) for code in codes.split(",") if code]
    # Translators: the separator between two reasons a comment is held (Arabic uses "، ").
    return _(", ").join(dict.fromkeys(reasons))


def hold_reasons(sub: Submission) -> list[str]:
    """Why a comment that is taken must wait for a moderator (empty: publish it)."""
    reasons = []
    if not sub.captcha_solved:
        reasons.append("no-captcha")
    # Word by word after normalisation, so punctuation, harakat or tatweel change nothing.
    text = f" {' '.join(words(sub.body))} "
    for phrase in HeldWord.objects.values_list("phrase", flat=True):
        if f" {' '.join(words(phrase))} " in text:
            reasons.append("held-word")
            break
    if count_links(sub.body) > settings.KHABAR_COMMENT_MAX_LINKS:
        reasons.append("links")
    if sub.article.effective_comment_mode == CommentMode.PREMODERATED and not is_trusted(
        sub.email_hash
    ):
        reasons.append("premoderation")
    return reasons


def is_trusted(email_hash: str) -> bool:
    """A commenter whose last N comments in a row were approved skips the queue."""
    if not email_hash:
        return False
    streak = (
        Commenter.objects.filter(email_hash=email_hash)
        .values_list("approved_streak", flat=True)
        .first()
    )
    return (streak or 0) >= settings.KHABAR_COMMENT_TRUST_AFTER

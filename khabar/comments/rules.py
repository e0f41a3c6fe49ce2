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

from khabar.comments import spam
from khabar.comments.models import Ban, Comment, Commenter, HeldWord
from khabar.comments.text import count_links
from khabar.lib.arabic import normalize
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
    # The browser proved it confirmed this address (identity.proven_hashes): the only way trust
    # or an edition's "known commenter" applies. Knowing an address is not enough.
    confirmed: bool = False
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
    "short-link": gettext_lazy("contains a shortened link that hides where it leads"),
    "hidden-link": gettext_lazy("contains a web address written so as not to be a link"),
    "contact": gettext_lazy("contains a telephone number or a messaging handle"),
    "look-alike": gettext_lazy("mixes Latin letters with look-alike Cyrillic or Greek ones"),
    "repeated": gettext_lazy("repeats the same words or characters"),
    "shouting": gettext_lazy("written mostly in capital letters"),
    "duplicate": gettext_lazy("the same text was sent on another story"),
    "premoderation": gettext_lazy("pre-moderation"),
    "first-time": gettext_lazy("a first comment (the edition moderates first-time commenters)"),
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
    # Word by word after normalisation, so punctuation, harakat or tatweel change nothing, nor
    # do letters spelled out one by one, look-alike letters or an Arabic prefix (spam.py).
    if spam.contains_phrase(sub.body, HeldWord.objects.values_list("phrase", flat=True)):
        reasons.append("held-word")
    if count_links(sub.body) > settings.KHABAR_COMMENT_MAX_LINKS:
        reasons.append("links")
    reasons.extend(spam.signs(sub.body))
    if _sent_elsewhere(sub):
        reasons.append("duplicate")
    premoderated = sub.article.effective_comment_mode == CommentMode.PREMODERATED
    if premoderated and not is_trusted(sub.email_hash, sub.confirmed):
        reasons.append("premoderation")
    elif (
        not premoderated
        and sub.article.edition.moderate_first_comments
        and not _known(sub.email_hash, sub.confirmed)
    ):
        reasons.append("first-time")
    return reasons


def _sent_elsewhere(sub: Submission) -> bool:
    """The same text on another story within a day, from anyone: one message sent from many
    networks (check_refusals refuses the same text on the same story, or from the same network
    or address). Short texts ("thank you") are said by many people and do not count."""
    if len(sub.body) < 30:
        return False
    day = timezone.now() - timedelta(days=1)
    return (
        Comment.objects.filter(created_at__gte=day, body=sub.body)
        .exclude(article=sub.article)
        .exists()
    )


def _confirmed_commenter(email_hash: str, confirmed: bool) -> Commenter | None:
    """The commenter behind a comment, when the address is confirmed and the browser that
    sends it holds the proof of that confirmation."""
    if not (email_hash and confirmed):
        return None
    return Commenter.objects.filter(email_hash=email_hash, confirmed_at__isnull=False).first()


def is_trusted(email_hash: str, confirmed: bool = False) -> bool:
    """A commenter whose last N comments in a row were approved skips the queue, from a
    browser that confirmed the address: another person typing the same address does not."""
    commenter = _confirmed_commenter(email_hash, confirmed)
    return (
        commenter is not None and commenter.approved_streak >= settings.KHABAR_COMMENT_TRUST_AFTER
    )


def _known(email_hash: str, confirmed: bool) -> bool:
    """Not a first-time commenter: a confirmed identity with an approved comment."""
    commenter = _confirmed_commenter(email_hash, confirmed)
    return commenter is not None and commenter.approved_count > 0


def asks_confirmation(sub: Submission) -> bool:
    """Whether this comment calls for the address to be confirmed: it asks for e-mail, or trust
    decides whether it waits. Only what the writer can see decides (never whether the address
    has commented before), so the answer tells nobody anything about an address."""
    if not sub.email or sub.confirmed:
        return False
    trust_matters = (
        sub.article.effective_comment_mode == CommentMode.PREMODERATED
        or sub.article.edition.moderate_first_comments
    )
    return sub.notify_on_publish or sub.notify_on_reply or trust_matters


def confirmation_note(sub: Submission) -> str:
    """What the form's answer adds when the address still needs confirming ("" otherwise)."""
    if not asks_confirmation(sub):
        return ""
    if (
        sub.article.effective_comment_mode == CommentMode.PREMODERATED
        or sub.article.edition.moderate_first_comments
    ):
        return _(
            "Until you confirm your e-mail address, we send you no e-mails and your comments "
            "wait for a moderator: open the link we have sent to it, in this browser."
        )
    return _(
        "We send you no e-mails until you confirm your address: open the link we have sent to "
        "it, in this browser."
    )

"""E-mail to commenters who asked for it: when their comment is published, and when someone's
reply to it is. Every message carries a one-click unsubscribe (RFC 8058). Nothing goes to an
address until its owner has confirmed it with the link of send_confirmation."""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri

from khabar.comments.checks import site_address_missing

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "khabar.comments.unsubscribe"
PRIVACY_SALT = "khabar.comments.privacy"


def site_url(path: str) -> str:
    return iri_to_uri((settings.SITE_URL or "http://127.0.0.1:8000") + path)


def _deliver(message: EmailMessage) -> bool:
    """Send, unless the message would reach a real mailbox with links to 127.0.0.1 (no
    KHABAR_SITE_URL with a real e-mail back-end; the start-up check says so too)."""
    if site_address_missing():
        logger.error("E-mail to a reader not sent: KHABAR_SITE_URL is not set.")
        return False
    message.send(fail_silently=True)
    return True


def unsubscribe_token(email_hash: str) -> str:
    return signing.dumps(email_hash, salt=UNSUBSCRIBE_SALT)


def privacy_token(email: str) -> str:
    from khabar.comments.identity import normalise_email

    return signing.dumps(normalise_email(email), salt=PRIVACY_SALT)


def _may_email(email_hash: str) -> bool:
    """The owner confirmed the address and did not unsubscribe: a typed address alone gets no
    e-mail, so the form cannot be used to send messages to someone else."""
    from khabar.comments.models import Commenter

    return Commenter.objects.filter(
        email_hash=email_hash, confirmed_at__isnull=False, unsubscribed=False
    ).exists()


def _send(comment, to_comment, template: str, subject: str) -> None:
    """Send one message about `comment` to the author of `to_comment`."""
    # Under the story's edition: the page that opens speaks the language of the message.
    unsubscribe = site_url(
        reverse(
            "comments_unsubscribe",
            kwargs={
                "edition": comment.article.edition.code,
                "token": unsubscribe_token(to_comment.email_hash),
            },
        )
    )
    context = {
        "comment": comment,
        "article": comment.article,
        "article_url": site_url(comment.article.get_absolute_url()) + "#comments",
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        to=[to_comment.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    _deliver(message)


def comment_published(comment) -> None:
    article = comment.article
    with translation.override(article.edition.language):
        if comment.notify_on_publish and comment.email and _may_email(comment.email_hash):
            _send(
                comment,
                comment,
                "comments/email/published.txt",
                translation.gettext("Your comment is published: %(headline)s")
                % {"headline": article.headline},
            )
        parent = comment.in_reply_to or comment.parent
        if (
            parent is not None
            and parent.notify_on_reply
            and parent.email
            and parent.email_hash != comment.email_hash
            and _may_email(parent.email_hash)
        ):
            _send(
                comment,
                parent,
                "comments/email/reply.txt",
                translation.gettext("%(name)s replied to your comment") % {"name": comment.name},
            )


def send_privacy_link(email: str, edition) -> None:
    """The link to see or delete one's comments, in the language of the edition whose privacy
    page asked for it, leading to a page in that language."""
    with translation.override(edition.language):
        link = site_url(
            reverse(
                "comments_privacy_manage",
                kwargs={"edition": edition.code, "token": privacy_token(email)},
            )
        )
        _deliver(
            EmailMessage(
                subject=translation.gettext("Your comments on Khabar"),
                body=render_to_string("comments/email/privacy.txt", {"link": link}),
                to=[email],
            )
        )


def send_confirmation(email: str, email_hash: str, edition, headline: str) -> None:
    """The one-click link that confirms an address (views.confirm). Called at most once a day
    per address (actions.do_submit)."""
    from khabar.comments.identity import CONFIRM_MAX_AGE, confirm_token
    from khabar.lib.dates import localize_digits

    days = CONFIRM_MAX_AGE // 86400

    with translation.override(edition.language):
        link = site_url(
            reverse(
                "comments_confirm",
                kwargs={"edition": edition.code, "token": confirm_token(email_hash)},
            )
        )
        _deliver(
            EmailMessage(
                subject=translation.gettext("Confirm your e-mail address"),
                body=render_to_string(
                    "comments/email/confirm.txt",
                    {
                        "link": link,
                        "headline": headline,
                        "days": days,
                        "days_shown": localize_digits(str(days), edition.numbering_system),
                    },
                ),
                to=[email],
            )
        )

"""E-mail to commenters who asked for it: when their comment is published, and when someone's
reply to it is. Every message carries a one-click unsubscribe (RFC 8058)."""

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


def _unsubscribed(email_hash: str) -> bool:
    from khabar.comments.models import Commenter

    return Commenter.objects.filter(email_hash=email_hash, unsubscribed=True).exists()


def _send(comment, to_comment, template: str, subject: str) -> None:
    """Send one message about `comment` to the author of `to_comment`."""
    unsubscribe = site_url(
        reverse("comments_unsubscribe", kwargs={"token": unsubscribe_token(to_comment.email_hash)})
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
        if comment.notify_on_publish and comment.email and not _unsubscribed(comment.email_hash):
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
            and not _unsubscribed(parent.email_hash)
        ):
            _send(
                comment,
                parent,
                "comments/email/reply.txt",
                translation.gettext("%(name)s replied to your comment") % {"name": comment.name},
            )


def send_privacy_link(email: str, language: str) -> None:
    with translation.override(language):
        link = site_url(reverse("comments_privacy_manage", kwargs={"token": privacy_token(email)}))
        _deliver(
            EmailMessage(
                subject=translation.gettext("Your comments on Khabar"),
                body=render_to_string("comments/email/privacy.txt", {"link": link}),
                to=[email],
            )
        )

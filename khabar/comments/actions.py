"""Every change to a comment goes through here, and every moderation step is logged.

The article's approved-comment count and change time are kept in the same transaction, so the
cached comments region changes its validator exactly when what readers see changes.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from khabar.comments import captcha, limits, notify, rules
from khabar.comments.models import (
    MAX_DEPTH,
    Ban,
    Comment,
    Commenter,
    ModerationLog,
)
from khabar.news.models import Article
from khabar.news.signals import comments_changed


def visible_count(article_id: int) -> int:
    """Comments a reader can see: approved, and in a thread whose first comment is approved
    (the replies of a rejected comment disappear with it)."""
    return (
        Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED, erased=False)
        .filter(Q(depth=0) | Q(root__status=Comment.Status.APPROVED))
        .count()
    )


def _touch_article(article_id: int) -> None:
    """Recount and mark the change: the cached comments region takes a new ETag."""
    Article.objects.filter(pk=article_id).update(
        comment_count=visible_count(article_id), comments_changed_at=timezone.now()
    )
    comments_changed.send(sender=Article, article_id=article_id)


def _log(comment, actor, action, note=""):
    ModerationLog.objects.create(comment=comment, actor=actor, action=action, note=note[:300])


def do_submit(sub: rules.Submission, *, captcha_payload: str = "") -> Comment:
    """Take a reader's comment: refuse it (rules.Refused, captcha.CaptchaError), hold it for
    review, or publish it. Committed before the caller answers the reader."""
    rules.check_refusals(sub)
    with transaction.atomic():
        # First, before anything is read: simultaneous posts from one network or address wait
        # here for each other, so each counts the ones committed before it.
        limits.hold_rate_keys(rules.rate_keys(sub))
        rules.check_rates(sub)
        if captcha_payload:
            captcha.redeem(captcha_payload, sub.article)
            sub.captcha_solved = True
        reasons = rules.hold_reasons(sub)
        parent = sub.parent
        if parent is not None and parent.depth >= MAX_DEPTH:
            # Deeper replies attach to the deepest allowed level, beside the one they answer.
            parent = parent.parent
        comment = Comment.objects.create(
            article=sub.article,
            parent=parent,
            in_reply_to=sub.parent,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            name=sub.name,
            email=sub.email,
            email_hash=sub.email_hash,
            network_hash=sub.network_hash,
            body=sub.body,
            status=Comment.Status.PENDING if reasons else Comment.Status.APPROVED,
            held_reason=",".join(reasons)[:200],
            solved_captcha=sub.captcha_solved,
            notify_on_publish=sub.notify_on_publish and bool(sub.email),
            notify_on_reply=sub.notify_on_reply and bool(sub.email),
            approved_at=None if reasons else timezone.now(),
        )
        comment.place_in_thread()
        if comment.status == Comment.Status.APPROVED:
            _touch_article(comment.article_id)
            transaction.on_commit(lambda: notify.comment_published(comment))
        if sub.email_hash and sub.confirmed and (sub.notify_on_publish or sub.notify_on_reply):
            # Asking for messages again undoes an earlier unsubscribe, from the browser of the
            # address's owner only: anyone else could undo it by typing the address.
            Commenter.objects.filter(email_hash=sub.email_hash).update(unsubscribed=False)
        asks_mail = sub.notify_on_publish or sub.notify_on_reply
        if rules.asks_confirmation(sub) and _claim_confirmation_mail(sub.email_hash, asks_mail):
            email, edition, headline = sub.email, sub.article.edition, sub.article.headline
            transaction.on_commit(
                lambda: notify.send_confirmation(email, sub.email_hash, edition, headline)
            )
    return comment


CONFIRMATION_MAIL_EVERY = timedelta(days=1)


def _claim_confirmation_mail(email_hash: str, asks_mail: bool) -> bool:
    """True for at most one comment a day per address: the one that sends the confirmation
    link. A conditional UPDATE, so simultaneous comments cannot both claim it. An address that
    unsubscribed gets it only with a comment that asks for e-mail."""
    now = timezone.now()
    Commenter.objects.get_or_create(email_hash=email_hash)
    due = Q(confirmation_sent_at__isnull=True) | Q(
        confirmation_sent_at__lt=now - CONFIRMATION_MAIL_EVERY
    )
    claim = Commenter.objects.filter(due, email_hash=email_hash)
    if not asks_mail:
        claim = claim.filter(unsubscribed=False)
    return bool(claim.update(confirmation_sent_at=now))


def do_confirm_address(email_hash: str) -> None:
    """The owner of the address opened the link mailed to it (views.confirm)."""
    commenter, _ = Commenter.objects.get_or_create(email_hash=email_hash)
    Commenter.objects.filter(pk=commenter.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


def _set_status(comment: Comment, status: str, actor, action: str, note: str = "") -> bool:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        before = locked.status
        if before == status:
            return False
        locked.status = status
        fields = ["status"]
        if status == Comment.Status.APPROVED and locked.approved_at is None:
            locked.approved_at = timezone.now()
            fields.append("approved_at")
        locked.save(update_fields=fields)
        if Comment.Status.APPROVED in (status, before):
            _touch_article(locked.article_id)
        _record_trust(locked.email_hash, status)
        _log(locked, actor, action, note)
        if status == Comment.Status.APPROVED:
            transaction.on_commit(lambda: notify.comment_published(locked))
    comment.status = locked.status
    comment.approved_at = locked.approved_at
    return True


def _record_trust(email_hash: str, status: str) -> None:
    if not email_hash:
        return
    commenter, _ = Commenter.objects.get_or_create(email_hash=email_hash)
    if status == Comment.Status.APPROVED:
        Commenter.objects.filter(pk=commenter.pk).update(
            approved_count=F("approved_count") + 1, approved_streak=F("approved_streak") + 1
        )
    elif status in (Comment.Status.REJECTED, Comment.Status.SPAM):
        # A rejection sends the commenter back to the queue until they earn trust again.
        Commenter.objects.filter(pk=commenter.pk).update(
            rejected_count=F("rejected_count") + 1, approved_streak=0
        )


def do_approve(comment: Comment, actor) -> bool:
    return _set_status(comment, Comment.Status.APPROVED, actor, "approve")


def do_reject(comment: Comment, actor, note: str = "") -> bool:
    return _set_status(comment, Comment.Status.REJECTED, actor, "reject", note)


def do_mark_spam(comment: Comment, actor) -> bool:
    return _set_status(comment, Comment.Status.SPAM, actor, "spam")


MODERATION_ACTIONS = {"approve": do_approve, "reject": do_reject, "spam": do_mark_spam}


def do_edit(comment: Comment, actor, body: str, note: str) -> None:
    """A moderator corrects a comment's text; the note says why and is shown with it."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        locked.body = body
        locked.edit_note = note
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "edit_note", "edited_at"])
        if locked.status == Comment.Status.APPROVED:
            _touch_article(locked.article_id)
        _log(locked, actor, "edit", note)
    comment.body, comment.edit_note, comment.edited_at = body, note, locked.edited_at


def do_feature(comment: Comment, actor, featured: bool = True) -> None:
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(featured=featured)
        if comment.status == Comment.Status.APPROVED:
            _touch_article(comment.article_id)
        _log(comment, actor, "feature" if featured else "unfeature")
    comment.featured = featured


def do_ban(comment: Comment, actor, kind: str, reason: str = "") -> Ban | None:
    """Ban the e-mail or the network a comment came from (by hash), and mark it spam."""
    value = comment.email_hash if kind == Ban.Kind.EMAIL else comment.network_hash
    if not value:
        return None
    with transaction.atomic():
        ban, _ = Ban.objects.get_or_create(
            kind=kind, value_hash=value, defaults={"reason": reason, "created_by": actor}
        )
        _log(comment, actor, f"ban-{kind}", reason)
        do_mark_spam(comment, actor)
    return ban


def do_unsubscribe(email_hash: str) -> None:
    """No more e-mails about this address's comments, at the reader's request (a link in every
    message). Asking for messages with a new comment subscribes again (do_submit)."""
    Commenter.objects.update_or_create(email_hash=email_hash, defaults={"unsubscribed": True})
    Comment.objects.filter(email_hash=email_hash).update(
        notify_on_publish=False, notify_on_reply=False
    )


def do_erase_commenter(email_hash: str) -> int:
    """Delete every comment written with an e-mail address, at the reader's request.

    A comment that others have answered keeps its place in the thread with its name, text and
    address erased, so that the replies still have somewhere to hang.
    """
    if not email_hash:
        return 0
    with transaction.atomic():
        comments = Comment.objects.filter(email_hash=email_hash)
        articles = set(comments.values_list("article_id", flat=True))
        answered = set(comments.filter(children__isnull=False).values_list("id", flat=True))
        erased = Comment.objects.filter(pk__in=answered).update(
            name="", email="", email_hash="", network_hash="", body="", erased=True,
            notify_on_publish=False, notify_on_reply=False,
        )  # fmt: skip
        deleted, _ = Comment.objects.filter(email_hash=email_hash).delete()
        for article_id in articles:
            _touch_article(article_id)
        Commenter.objects.filter(email_hash=email_hash).delete()
    return erased + deleted


def purge_network_hashes(days: int, now=None) -> int:
    """Forget which network comments came from once they are older than `days`."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(network_hash="")
        .update(network_hash="")
    )

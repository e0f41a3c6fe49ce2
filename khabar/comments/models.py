"""Reader comments, the moderation queue's records, and what guards them.

Readers' e-mail addresses are kept only to send the notifications they asked for and to find
their comments when they ask to export or delete them; matching (trust, bans, rate limits) uses
salted hashes. Network addresses are never stored, only salted hashes of their /24 or /64.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from khabar.news.models import Article

MAX_DEPTH = 3  # a top-level comment is depth 0; replies deeper than this attach at this depth


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What readers see under a story."""
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent comment"),
    )
    # The top-level comment of the thread (itself for a top-level comment), so that a thread's
    # replies come in one indexed query.
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("top of the thread"),
    )
    # The comment the reader actually answered. `parent` is where the reply hangs, which is
    # higher up when the thread is already as deep as it may go.
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    # Ids from the top of the thread down, zero-padded: ordering a thread by path puts every
    # reply right under the comment it answers.
    path = models.CharField(_("place in the thread"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=60)
    email = models.EmailField(_("e-mail"), blank=True)
    email_hash = models.CharField(_("e-mail fingerprint"), max_length=64, blank=True, db_index=True)
    network_hash = models.CharField(
        _("network fingerprint"), max_length=64, blank=True, db_index=True
    )
    body = models.TextField(_("comment"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    held_reason = models.CharField(_("held because"), max_length=200, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    # Deleted at its writer's request while others had answered it: it keeps its place in the
    # thread, without name, text or address.
    erased = models.BooleanField(_("erased at the writer's request"), default=False)
    notify_on_publish = models.BooleanField(_("notify when published"), default=False)
    notify_on_reply = models.BooleanField(_("notify of replies"), default=False)
    solved_captcha = models.BooleanField(_("solved the captcha"), default=False)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True, db_index=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    edit_note = models.CharField(_("edit note"), max_length=200, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "depth", "created_at", "id"],
                         name="comment_thread_page"),
            models.Index(fields=["root", "status", "path"], name="comment_replies"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
        ]  # fmt: skip
        permissions = [("moderate_comment", _("Can moderate comments"))]

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:40]}"

    def place_in_thread(self) -> None:
        """Write a new comment's root and path, which both need its id: the one place a thread's
        path is computed (replies, the demo data and tests' comments all come through here)."""
        parent = self.parent
        self.path = (parent.path + "/" if parent else "") + f"{self.pk:012d}"
        self.root_id = parent.root_id if parent else self.pk
        self.save(update_fields=["path", "root"])


class Commenter(models.Model):
    """What the desk knows of a commenter, by e-mail hash: how far they are trusted."""

    email_hash = models.CharField(_("e-mail fingerprint"), max_length=64, unique=True)
    approved_count = models.PositiveIntegerField(_("approved comments"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected comments"), default=0)
    # Approved comments since the last rejection: the count that earns skipping the queue.
    approved_streak = models.PositiveIntegerField(_("approved since the last rejection"), default=0)
    unsubscribed = models.BooleanField(_("unsubscribed"), default=False)
    # Set when the owner of the address opened the link mailed to it: until then it gets no
    # e-mail and earns no trust. Trust also needs the proof kept by the confirming browser
    # (identity.py), so knowing the address is never enough.
    confirmed_at = models.DateTimeField(_("address confirmed at"), null=True, blank=True)
    # The last confirmation link sent: at most one a day, so that nobody can use the comment
    # form to flood someone's mailbox.
    confirmation_sent_at = models.DateTimeField(
        _("confirmation link sent at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("commenter")
        verbose_name_plural = _("commenters")

    def __str__(self) -> str:
        return self.email_hash[:12]


class Ban(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        NETWORK = "network", _("Network")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value_hash = models.CharField(_("fingerprint"), max_length=64)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    created_at = models.DateTimeField(_("banned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [models.UniqueConstraint(fields=["kind", "value_hash"], name="unique_ban")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value_hash[:12]}"


class HeldWord(models.Model):
    """A word or phrase that sends a comment to the moderation queue, matched after Arabic
    normalisation (see khabar.lib.arabic)."""

    phrase = models.CharField(_("word or phrase"), max_length=100)
    normalized = models.CharField(_("normalised form"), max_length=100, editable=False, unique=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("held word")
        verbose_name_plural = _("held words")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase

    def save(self, *args, **kwargs):
        from khabar.lib.arabic import normalize

        self.normalized = normalize(self.phrase)
        super().save(*args, **kwargs)


class ModerationLog(models.Model):
    """Who did what to which comment, and when. Written by actions.py only."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked as spam")
        EDIT = "edit", _("Edited")
        FEATURE = "feature", _("Featured")
        UNFEATURE = "unfeature", _("No longer featured")
        BAN_EMAIL = "ban-email", _("E-mail address banned")
        BAN_NETWORK = "ban-network", _("Network banned")

    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        related_name="log_entries",
        verbose_name=_("comment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.comment_id}"


class RedeemedChallenge(models.Model):
    """A captcha challenge that has been used. The unique key makes redemption atomic across
    every app process: the second INSERT of the same challenge fails."""

    challenge = models.CharField(_("challenge"), max_length=128, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("redeemed captcha challenge")
        verbose_name_plural = _("redeemed captcha challenges")

    def __str__(self) -> str:
        return self.challenge[:16]

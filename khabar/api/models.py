"""Partners of the agency and their API keys.

A key is shown once, when it is made, and only its SHA-256 is stored: whoever reads the database
(a backup, a leaked dump) cannot use it. See keys.py for why SHA-256 and not a password hasher.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from khabar.news.models import Edition


class Partner(models.Model):
    """A newspaper, broadcaster or site that takes the agency's stories through the API."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    editions = models.ManyToManyField(
        Edition,
        related_name="+",
        verbose_name=_("editions"),
        help_text=_("The editions whose stories this partner may read."),
    )
    receives_embargoed = models.BooleanField(
        _("receives embargoed stories"),
        default=False,
        help_text=_(
            "Sees embargoed stories before the embargo lifts, marked with its time, to prepare "
            "them. Others see a story only from the second its embargo lifts."
        ),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive partner's keys are all refused.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """One key of a partner. Revoked, never deleted: the record of who held it stays."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="keys", verbose_name=_("partner")
    )
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        help_text=_("Where the key is used, for example the partner's production server."),
    )
    # The start of the key, stored in clear to tell keys apart in lists and logs; too short
    # to help anyone guess the rest.
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["partner", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class RateCounter(models.Model):
    """Requests of one key in the current rate window, when the count is kept in the database
    (the embedded default; keys.hit explains)."""

    key = models.OneToOneField(ApiKey, on_delete=models.CASCADE, primary_key=True, related_name="+")
    window = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key_id}: {self.count}"


LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def webhook_address(url: str) -> None:
    """https only: a push carries embargoed stories and is signed, but its body is in clear on
    plain HTTP. http:// is allowed to this computer alone (tests and a partner's local trial),
    where nothing crosses a network."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return
    raise ValidationError(
        _("The address must start with https:// (http:// only for localhost)."), code="https"
    )


class Webhook(models.Model):
    """Where a partner wants stories pushed, and the secret its pushes are signed with.

    The secret is stored as it is, not hashed like an API key: to sign a push we must compute
    HMAC-SHA256 with the secret itself, and a hash cannot sign. Whoever reads the database can
    forge pushes to this partner (not read the API); rotating the secret in the admin ends that.
    """

    VERSIONS = [("2.2", "2.2"), ("3.1", "3.1")]

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, related_name="webhook", verbose_name=_("partner")
    )
    url = models.URLField(
        _("webhook address"),
        max_length=500,
        validators=[webhook_address],
        help_text=_(
            "Each publication, correction and unpublication is sent here. It must start with "
            "https:// (http:// only for this computer, while testing)."
        ),
    )
    ninjs_version = models.CharField(
        _("ninjs version"), max_length=3, choices=VERSIONS, default="2.2"
    )
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One push of one story to one partner: its attempts, and how it ended.

    The body is built when the push is sent, from the story as it is then: a retry never sends
    an older version than the story has, and a story taken down is never pushed as usable.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        SUPERSEDED = "superseded", _("superseded by a later push")
        SKIPPED = "skipped", _("not for this partner")
        FAILED = "failed", _("failed")

    class Event(models.TextChoices):
        PUBLISHED = "published", _("published")
        CHANGED = "changed", _("changed")
        UNPUBLISHED = "unpublished", _("unpublished")

    # The X-Khabar-Delivery header: the same on every attempt, so a receiver drops repeats.
    uuid = models.UUIDField(_("delivery id"), unique=True, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("partner")
    )
    article = models.ForeignKey(
        "news.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("story")
    )
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not sent before this time: the second an embargo lifts, for partners not cleared for it.
    not_before = models.DateTimeField(_("not before"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # While an attempt runs: another attempt waits until then (the HTTP timeout and a margin).
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_http_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_version = models.PositiveIntegerField(_("version sent"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["partner", "article", "status"], name="delivery_pair_status"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

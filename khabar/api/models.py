"""Partners of the agency and their API keys.

A key is shown once, when it is made, and only its SHA-256 is stored: whoever reads the database
(a backup, a leaked dump) cannot use it. See keys.py for why SHA-256 and not a password hasher.
"""

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

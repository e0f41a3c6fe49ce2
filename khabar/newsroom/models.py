"""The newsroom's records around a story: its revisions, the autosaves kept apart from them,
who is editing it now, and the audit log. (Published updates and corrections are content that
readers see: news.models.Correction.)"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from khabar.news.models import Article


class Revision(models.Model):
    """A story as it stood after one explicit save (or a restore, or a correction)."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        RESTORE = "restore", _("Restored from an older revision")
        CORRECTION = "correction", _("Corrected")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("revision"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SAVE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    headline = models.CharField(_("headline"), max_length=300)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.number}"


class Autosave(models.Model):
    """The newest unsaved text of one person on one story: one row, overwritten, so that the
    history of revisions stays readable and a crashed tab loses nothing."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="autosaves", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    base_revision = models.PositiveIntegerField(_("based on revision"))
    headline = models.CharField(_("headline"), max_length=300, blank=True)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_editor")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.user_id}"


class EditSession(models.Model):
    """Who has a story open in the editor, refreshed by the editor's autosave heartbeat."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    started_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_session_per_editor")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.article_id}"


class AuditEntry(models.Model):
    """Who did what, and when: to a story (article), or to a person's account (account, with
    the fields that changed in `changes`, shown in the reader's language by describe())."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        SUBMIT = "submit", _("Submitted for review")
        SEND_BACK = "send_back", _("Sent back")
        PUBLISH = "publish", _("Published")
        SCHEDULE = "schedule", _("Scheduled")
        EMBARGO = "embargo", _("Embargoed")
        UNPUBLISH = "unpublish", _("Unpublished")
        CORRECT = "correct", _("Corrected or updated")
        RESTORE = "restore", _("Restored a revision")
        ROLE = "role", _("Changed a role")
        ACCOUNT_CREATE = "account_create", _("Created an account")
        ACCOUNT_CHANGE = "account_change", _("Changed an account")
        ACCOUNT_DELETE = "account_delete", _("Deleted an account")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("article"),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # [{"field": "is_staff", "before": false, "after": true}, ...]: data, not sentences, so that
    # each reader sees the entry in their own language.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.get_action_display()} · {self.note}"
            if self.note
            else str(self.get_action_display())
        )

    def describe(self) -> str:
        """The changes in the active language: "staff status: No → Yes · groups: …"."""
        return " · ".join(_describe_change(change) for change in self.changes)


def _describe_change(change: dict) -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    name = change["field"]
    if name == "password":
        return str(_("password changed"))
    if name == "desk_editions":
        label = DeskProfile._meta.get_field("editions").verbose_name
    else:
        model = Group if name == "permissions" else get_user_model()
        label = model._meta.get_field(name).verbose_name
    return f"{label}: {_describe_value(name, change.get('before'))} → " + _describe_value(
        name, change.get("after")
    )


def _describe_value(name: str, value) -> str:
    from django.contrib.auth.models import Permission

    from khabar.newsroom.roles import permission_name, role_name

    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "groups":
        return pgettext("list separator", ", ").join(role_name(group) for group in value)
    if name == "desk_editions":
        from khabar.news.models import Edition
        from khabar.newsroom.roles import edition_label

        editions = Edition.objects.filter(code__in=value)
        return pgettext("list separator", ", ").join(edition_label(e) for e in editions)
    if name in ("user_permissions", "permissions"):
        names = []
        for code in value:
            app_label, _dot, codename = code.partition(".")
            permission = (
                Permission.objects.select_related("content_type")
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            names.append(permission_name(permission) if permission else code)
        return pgettext("list separator", ", ").join(names)
    return str(value)


class DeskProfile(models.Model):
    """A person's own settings in the newsroom: the language of the desk's interface, chosen by
    them (the editions' pages keep their own language), and the editions their roles cover.

    No profile, or one with no editions, means every edition: accounts made before editions
    could be limited keep what they could do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="desk_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("desk language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the newsroom's pages for this person; empty for the site's."),
    )
    editions = models.ManyToManyField(
        "news.Edition",
        blank=True,
        related_name="+",
        verbose_name=_("editions"),
        help_text=_(
            "The editions in which this person's roles apply; none chosen means all editions."
        ),
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return str(self.user)

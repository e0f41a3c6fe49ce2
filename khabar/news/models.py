"""The content model: editions, sections, tags, authors, articles and their published corrections.

State changes of an article (publishing, unpublishing, the news code) live in actions.py; the
model only keeps its own fields consistent (clean body, slug, an immutable news code).
"""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import parse_pattern
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from khabar.lib.dates import (
    GREGORIAN,
    ISLAMIC_UMALQURA,
    PERSIAN,
    format_calendar,
    format_local_date,
    format_local_datetime,
)
from khabar.lib.html import CleanBody, body_seal, check_body, clean_body, html_to_text
from khabar.lib.text import unicode_slug


def iri(path: str) -> str:
    """A reversed URL with its Arabic letters readable: shorter pages, and what readers see in
    the address bar. Browsers and HttpResponseRedirect percent-encode it where needed."""
    return uri_to_iri(path)


def page_url(name: str, **kwargs) -> str:
    """iri(reverse(name, kwargs=kwargs)), remembered: a front page links some sixty stories and
    sections, and reversing them took a tenth of its time. Keyed by everything reverse() reads
    (the script prefix and the URLconf), so it answers what reverse() would."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _page_url(get_script_prefix(), urlconf, name, tuple(kwargs.items()))


@lru_cache(maxsize=16384)
def _page_url(prefix: str, urlconf, name: str, kwargs: tuple) -> str:
    return iri(_reversed_url(prefix, urlconf, name, kwargs))


def reversed_url(name: str, **kwargs) -> str:
    """reverse(name, kwargs=kwargs), percent-encoded as {% url %} writes it, remembered as
    page_url is: the article page reversed a dozen fixed addresses per request."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed_url(get_script_prefix(), urlconf, name, tuple(kwargs.items()))


@lru_cache(maxsize=16384)
def _reversed_url(prefix: str, urlconf, name: str, kwargs: tuple) -> str:
    return reverse(name, kwargs=dict(kwargs))


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_locale(value: str) -> None:
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a known CLDR locale."), params={"value": value}
        ) from None


def validate_pattern(value: str) -> None:
    try:
        parse_pattern(value)
    except (ValueError, TypeError):
        raise ValidationError(
            _("“%(value)s” is not a valid date-time pattern."), params={"value": value}
        ) from None


# Any moment will do to try a pattern on: every field is written for every moment.
_PATTERN_SAMPLE = datetime(2024, 3, 20, 9, 5, tzinfo=UTC)


class CommentMode(models.TextChoices):
    OPEN = "open", _("Open: comments appear at once")
    PREMODERATED = "premoderated", _("Pre-moderated: a moderator approves each comment")
    CLOSED = "closed", _("Closed")


class Edition(models.Model):
    """One language edition of the site, with its own URL prefix, locale and end marker."""

    class Direction(models.TextChoices):
        RTL = "rtl", _("Right to left")
        LTR = "ltr", _("Left to right")

    class Calendar(models.TextChoices):
        # CLDR's calendar names: khabar.lib.dates and other apps know them by these values.
        GREGORIAN = GREGORIAN, _("Gregorian")
        PERSIAN = PERSIAN, _("Solar Hijri (Persian)")
        ISLAMIC_UMALQURA = ISLAMIC_UMALQURA, _("Hijri (Umm al-Qura)")

    code = models.SlugField(_("URL prefix"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    locale = models.CharField(
        _("CLDR locale"),
        max_length=20,
        validators=[validate_locale],
        help_text=_("Used to format dates, for example ar_IQ."),
    )
    numbering_system = models.CharField(
        _("numbering system"),
        max_length=10,
        choices=[
            ("latn", _("Latin digits (0123456789)")),
            ("arab", _("Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩)")),
            ("arabext", _("Persian digits (۰۱۲۳۴۵۶۷۸۹)")),
        ],
        default="latn",
    )
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.RTL
    )
    end_marker = models.CharField(_("end marker"), max_length=30, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Baghdad", validators=[validate_time_zone]
    )
    datetime_pattern = models.CharField(
        _("date-time pattern"),
        max_length=64,
        default="dd/MM/y، h:mm a",
        validators=[validate_pattern],
        help_text=_("A CLDR pattern, for example dd/MM/y، h:mm a."),
    )
    calendar = models.CharField(
        _("calendar"),
        max_length=20,
        choices=Calendar.choices,
        default=Calendar.GREGORIAN,
        help_text=_(
            "The calendar of every date readers see. Dates for machines (feeds, sitemaps, "
            "structured data) stay Gregorian."
        ),
    )
    is_default = models.BooleanField(_("default edition"), default=False)
    comment_mode = models.CharField(
        _("comments"),
        max_length=12,
        choices=CommentMode.choices,
        default=CommentMode.PREMODERATED,
    )
    moderate_first_comments = models.BooleanField(
        _("moderate first-time commenters"),
        default=False,
        help_text=_(
            "A comment from someone with no approved comment yet waits for a moderator, even on "
            "stories open to comments."
        ),
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_edition",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reversed_url("reader:home", edition=self.code)

    def clean(self):
        super().clean()
        # A pattern Babel parses may still ask for a field that cannot be written (week
        # numbers outside the Gregorian calendar, a letter CLDR does not define): found here
        # rather than on a reader's page. Locale, zone and digits have their own validators.
        try:
            parse_pattern(self.datetime_pattern)
        except (ValueError, TypeError):
            return  # validate_pattern has said so
        if self.calendar not in self.Calendar.values:
            return
        try:
            format_calendar(
                _PATTERN_SAMPLE, self.datetime_pattern, locale="en", calendar=self.calendar
            )
        except (ValueError, KeyError):
            raise ValidationError(
                {
                    "datetime_pattern": _(
                        "This pattern has a field that cannot be written in the edition's "
                        "calendar (week numbers, w and W, are Gregorian only)."
                    )
                }
            ) from None

    def format_datetime(self, moment) -> str:
        """A moment as readers see it: the edition's zone, pattern, digits and calendar."""
        return format_local_datetime(
            moment,
            locale=self.locale,
            numbering_system=self.numbering_system,
            pattern=self.datetime_pattern,
            time_zone=self.time_zone,
            calendar=self.calendar,
        )

    def format_date(self, day, pattern: str = "d MMMM y") -> str:
        """A calendar day (an archive's or a filter's) in the edition's calendar and digits."""
        return format_local_date(
            day,
            locale=self.locale,
            numbering_system=self.numbering_system,
            pattern=pattern,
            calendar=self.calendar,
        )


class Section(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="sections", verbose_name=_("edition")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["edition", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="unique_section_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("reader:section", edition=self.edition.code, slug=self.slug)


class TagGroup(models.Model):
    """A tag and its counterparts in other editions (الطاقة الشمسية, انرژی خورشیدی, Solar
    energy): a translation started at the desk carries the counterparts of the original's tags.
    At most one tag per edition (Tag's constraint)."""

    class Meta:
        verbose_name = _("linked tags")
        verbose_name_plural = _("linked tags")

    def __str__(self) -> str:
        return ", ".join(tag.name for tag in self.tags.all())


class Tag(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="tags", verbose_name=_("edition")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True, blank=True)
    translation_group = models.ForeignKey(
        TagGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tags",
        verbose_name=_("linked tags"),
        help_text=_("The same tag in the other editions."),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="unique_tag_slug"),
            models.UniqueConstraint(fields=["edition", "name"], name="unique_tag_name"),
            models.UniqueConstraint(
                fields=["translation_group", "edition"], name="one_linked_tag_per_edition"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._free_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return page_url("reader:tag", edition=self.edition.code, slug=self.slug)

    def _free_slug(self) -> str:
        """A slug from the name, unique in the edition: "c", "c-2", …; "tag" for a name with no
        letters or digits at all ("★")."""
        base = unicode_slug(self.name, max_length=90) or "tag"
        taken = set(
            Tag.objects.filter(edition_id=self.edition_id, slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        return slug


class Author(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True, unique=True)
    bio = models.TextField(_("biography"), blank=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NewsCodeCounter(models.Model):
    """The last news code handed out. One row; see actions.allocate_news_code."""

    last = models.PositiveBigIntegerField(_("last news code"), default=0)

    class Meta:
        verbose_name = _("news code counter")
        verbose_name_plural = _("news code counters")

    def __str__(self) -> str:
        return str(self.last)


class TranslationGroup(models.Model):
    """A story and its translations into other editions, at most one story per edition
    (Article's constraint). `original` is the story the others were translated from: JSON-LD
    names it (translationOfWork), and with KHABAR_TRANSLATION_NEWS_CODE = "shared" the others
    take its news code."""

    original = models.ForeignKey(
        "Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("original"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("translation group")
        verbose_name_plural = _("translation groups")

    def __str__(self) -> str:
        return str(self.pk)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, with a publication time that has come and no
        embargo still running.

        Pages, feeds, sitemaps, search and the API all start from here. Scheduled and embargoed
        stories therefore go live at their time by themselves: nothing has to run at that
        moment, and nothing can be missed if the server was down then.
        """
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=now)
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="articles", verbose_name=_("edition")
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        allow_unicode=True,
        blank=True,
        help_text=_("Made from the headline when left empty."),
    )
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Paragraphs of plain text, or HTML limited to paragraphs, subheadings, bold, italic, "
            "links, quotations, lists and figures. Anything else is removed on save."
        ),
    )
    # body_seal(body) when Article.save cleaned it: the page shows a body with a valid seal as
    # it is, and cleans any other again (a row written around save, rules changed since).
    body_seal = models.CharField(_("body seal"), max_length=64, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    authors = models.ManyToManyField(
        Author, blank=True, related_name="articles", verbose_name=_("authors")
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Attribution, e.g. the agency.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Unique per edition: with KHABAR_TRANSLATION_NEWS_CODE = "shared" a translation carries its
    # original's code in its own edition. Fresh codes come from one site-wide sequence
    # (actions.allocate_news_code), so stories that are not translations never share one.
    news_code = models.PositiveBigIntegerField(
        _("news code"), null=True, blank=True, editable=False
    )
    translation_group = models.ForeignKey(
        TranslationGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("translations"),
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    embargo_until = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("No public page, list, feed or search shows the story before this time."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Rises with every explicit save: an editor's form carries the number it was loaded at, and
    # a save from an older number is refused instead of overwriting someone else's work.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    # Rises with every published update or correction, for feeds and partners.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    workflow_note = models.CharField(_("note from the desk"), max_length=500, blank=True)
    comment_mode = models.CharField(
        _("comments"),
        max_length=12,
        choices=CommentMode.choices,
        blank=True,
        help_text=_("Empty: as the edition says."),
    )
    # Kept by comments/actions.py in the moderation transaction: the heading's count and
    # the validator of the cached comments region.
    comment_count = models.PositiveIntegerField(_("approved comments"), default=0, editable=False)
    comments_changed_at = models.DateTimeField(
        _("comments changed at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("edit_any_article", _("Can edit any story")),
            ("publish_article", _("Can publish, schedule, embargo, send back and unpublish")),
            ("correct_article", _("Can publish updates and corrections")),
        ]
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["edition", "status", "-published_at"], name="article_edition_pub"),
            models.Index(fields=["section", "status", "-published_at"], name="article_section_pub"),
            # The next embargo to end (news/surrogate.py next_go_live): few stories have one.
            models.Index(
                fields=["edition", "embargo_until"],
                condition=models.Q(embargo_until__isnull=False),
                name="article_edition_embargo",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(news_code__isnull=False, published_at__isnull=False),
                name="published_has_code_and_time",
            ),
            models.UniqueConstraint(fields=["news_code", "edition"], name="unique_news_code"),
            models.UniqueConstraint(
                fields=["translation_group", "edition"], name="one_translation_per_edition"
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    # Columns that only actions write (publishing, comment moderation). A plain save of an
    # existing story leaves them alone, so an editor's form loaded before a publish, an unpublish
    # or a new comment cannot put back what it saw.
    ACTION_FIELDS = frozenset(
        {"status", "news_code", "comment_count", "comments_changed_at", "revision", "version",
         "embargo_until", "workflow_note", "created_by", "translation_group"}
    )  # fmt: skip

    def save(self, *args, **kwargs):
        """Save the story; on an existing story, a save without `update_fields` writes every
        column but ACTION_FIELDS (and an unset published_at), whatever the instance holds.

        This is on purpose and not an error: a form or the admin holds an instance loaded before
        someone published, unpublished or commented, and saving it must not put those values
        back. The actions, which own these columns, always name them in `update_fields` (under
        a row lock), and that writes them. Raising instead would refuse every such stale save.
        newsroom/tests/test_story_for.py::test_plain_save_leaves_action_fields holds this."""
        stored = getattr(self, "_stored_news_code", None)
        if stored is not None and self.news_code != stored:
            raise ValueError("A news code never changes once allocated.")
        update_fields = kwargs.get("update_fields")
        if not isinstance(self.body, CleanBody) and (
            update_fields is None or "body" in update_fields
        ):
            # Once per save: a body from clean_body (the editor's form) is not cleaned again,
            # and a save that does not write the body (publishing, comments) leaves it be.
            self.body = clean_body(self.body)
        if update_fields is None or "body" in update_fields:
            self.body_seal = body_seal(self.body)
            if update_fields is not None and "body_seal" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "body_seal"]
        if not self.slug:
            self.slug = unicode_slug(self.headline) or "news"
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key
                and f.name not in self.ACTION_FIELDS
                and not (f.name == "published_at" and self.published_at is None)
            ]
        super().save(*args, **kwargs)
        self._stored_news_code = self.news_code

    def get_absolute_url(self) -> str:
        return page_url(
            "reader:article", edition=self.edition.code, code=self.news_code, slug=self.slug
        )

    def clean(self):
        if not isinstance(self.body, CleanBody):  # a CleanBody was checked before cleaning
            try:
                check_body(self.body or "")
            except ValidationError as refused:
                raise ValidationError({"body": refused}) from None
        if self.section_id and self.edition_id and self.section.edition_id != self.edition_id:
            raise ValidationError({"section": _("The section belongs to another edition.")})

    @property
    def effective_comment_mode(self) -> str:
        return self.comment_mode or self.edition.comment_mode

    @property
    def is_public(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    @property
    def last_correction(self):
        """The newest published update or correction (prefetched on the article page)."""
        corrections = self.correction_list
        return max(corrections, key=lambda c: c.created_at) if corrections else None

    # The story's tags, authors and corrections as lists, read once per object: its page shows
    # each two or three times, and every `article.tags.all` built a related manager anew (a
    # twentieth of the page). For reading a story as loaded; a change made afterwards to the
    # same object does not show in them.
    @cached_property
    def tag_list(self) -> list:
        return list(self.tags.all())

    @cached_property
    def author_list(self) -> list:
        return list(self.authors.all())

    @cached_property
    def correction_list(self) -> list:
        return list(self.corrections.all())

    @property
    def desk_state(self) -> str:
        """The state as the desk speaks of it: a published story whose time has not come is
        scheduled, or embargoed."""
        if self.status == self.Status.PUBLISHED and not self.is_public:
            now = timezone.now()
            if self.embargo_until and self.embargo_until > now:
                return "embargoed"
            return "scheduled"
        return self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_news_code = instance.__dict__.get("news_code")
        return instance

    def get_short_url(self) -> str:
        """/news/<code>; with codes shared between translations, a story outside the default
        edition names its edition (/fa/news/<code>), since /news/<code> leads to the default
        edition's story of that code."""
        if settings.KHABAR_TRANSLATION_NEWS_CODE == "shared" and not self.edition.is_default:
            return reversed_url("reader:article_no_slug", edition=self.edition.code,
                                code=self.news_code)  # fmt: skip
        return reversed_url("short_link", code=self.news_code)

    @cached_property
    def summary(self) -> str:
        """The lead, else the start of the body, as plain text for meta descriptions (a page
        shows it three times: worked out once)."""
        text = self.lead or html_to_text(self.body)
        return text if len(text) <= 200 else text[:199].rsplit(" ", 1)[0] + "…"


class Correction(models.Model):
    """An update or a correction published on a story, shown to readers with its note."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Update")
        CORRECTION = "correction", _("Correction")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("note for readers"))
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        # Made by the newsroom app before readers' content moved to `news`; the table kept its name.
        db_table = "newsroom_correction"
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.article_id} v{self.version}"

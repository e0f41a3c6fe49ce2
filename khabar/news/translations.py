"""Stories that are translations of each other, and tags that are the same tag in other editions.

A story and its translations form one TranslationGroup, with at most one story per edition (a
database constraint). Readers see the published members of a story's group as alternates (the
hreflang links, the "read in" switcher, JSON-LD); the desk starts a translation from a story as
a draft of another edition (start_translation).

News codes: with KHABAR_TRANSLATION_NEWS_CODE = "own" (the default) every story takes a fresh
code from the sequence when it is first published, as any other story. With "shared", a story of
a group takes the code another story of its group already carries (the original's first), so
that one code names the news in every language; each edition's page keeps it under its own
prefix (`/fa/news/<code>`), codes are unique per edition, and `/news/<code>` leads to the
default edition's story (shared_code, short_link_target). A code once given never changes, so
two stories that both had codes before they were linked keep their own.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from khabar.news.models import Article, Edition, Section, Tag, TagGroup, TranslationGroup
from khabar.news.signals import story_changed


def shared_codes() -> bool:
    return settings.KHABAR_TRANSLATION_NEWS_CODE == "shared"


def _announce_group(group_id: int) -> None:
    """Tell the listeners (page cache, search, feeds) that each published story of the group
    changed: its page now names one more alternate."""
    for story in Article.objects.filter(
        translation_group_id=group_id, status=Article.Status.PUBLISHED
    ).select_related("edition"):
        story_changed.send(sender=Article, article=story)


def link_translation(original: Article, translation: Article) -> TranslationGroup:
    """Put `translation` in the group of `original` (made now when it has none) and return the
    group. Refused with a ValidationError when both are of the same edition, when the group
    already holds a story of the translation's edition, or when the translation already belongs
    to another group. Linking twice is harmless."""
    if original.pk == translation.pk:
        raise ValidationError(_("A story cannot be a translation of itself."), code="itself")
    if original.edition_id == translation.edition_id:
        raise ValidationError(
            _("A translation belongs to another edition than the story it translates."),
            code="same_edition",
        )
    with transaction.atomic():
        # Both rows locked, in id order so that two desks linking the same pair cannot deadlock.
        rows = {
            row.pk: row
            for row in Article.objects.select_for_update()
            .filter(pk__in=[original.pk, translation.pk])
            .order_by("pk")
        }
        original_row, translation_row = rows[original.pk], rows[translation.pk]
        group_id = original_row.translation_group_id
        if group_id is not None and translation_row.translation_group_id == group_id:
            return TranslationGroup.objects.get(pk=group_id)
        if translation_row.translation_group_id is not None:
            raise ValidationError(
                _("This story is already a translation of another story."), code="in_another_group"
            )
        if group_id is None:
            group = TranslationGroup.objects.create(original=original_row)
            original_row.translation_group = group
            original_row.save(update_fields=["translation_group"])
        else:
            group = TranslationGroup.objects.select_for_update().get(pk=group_id)
        taken = Article.objects.filter(
            translation_group=group, edition_id=translation_row.edition_id
        ).exists()
        if taken:
            raise ValidationError(
                _("This story already has a translation in that edition."), code="edition_taken"
            )
        translation_row.translation_group = group
        fields = ["translation_group"]
        if translation_row.news_code is None and shared_codes():
            code = shared_code(translation_row)
            if code is not None:
                translation_row.news_code = code
                fields.append("news_code")
        try:
            with transaction.atomic():  # the constraint decides a race the check above lost
                translation_row.save(update_fields=fields)
        except IntegrityError:
            raise ValidationError(
                _("This story already has a translation in that edition."), code="edition_taken"
            ) from None
        _announce_group(group.pk)
    original.translation_group = translation.translation_group = group
    translation.news_code = translation_row.news_code
    translation._stored_news_code = translation_row.news_code
    return group


def shared_code(article: Article) -> int | None:
    """With shared codes, the code this story takes when it needs one: the code another story
    of its group carries, the original's first. None when codes are not shared, the story is
    in no group, or no story of the group has a code yet (it then takes a fresh one)."""
    if not shared_codes() or article.translation_group_id is None:
        return None
    group = TranslationGroup.objects.filter(pk=article.translation_group_id).first()
    original_id = group.original_id if group else None
    return (
        Article.objects.filter(
            translation_group_id=article.translation_group_id, news_code__isnull=False
        )
        .exclude(pk=article.pk)
        .annotate(
            first=Case(
                When(pk=original_id, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("first", "pk")
        .values_list("news_code", flat=True)
        .first()
    )


def short_link_target(code: int) -> Article | None:
    """The published story that `/news/<code>` leads to. Codes are unique unless translations
    share them: then the default edition's story, else the first story given the code (the
    one that took it from the sequence)."""
    if code > 2**63 - 1:  # the ORM finds nothing there; a database would overflow
        return None
    return (
        Article.objects.published()
        .filter(news_code=code)
        .select_related("edition")
        .order_by("-edition__is_default", "pk")
        .first()
    )


def group_members(article: Article, *, published: bool = True) -> list[Article]:
    """Every story of the article's group, itself included (published ones only by default,
    the article itself always), the default edition's first, then by edition code. Empty for a
    story in no group: no query then."""
    if article.translation_group_id is None:
        return []
    stories = Article.objects.filter(translation_group_id=article.translation_group_id)
    if published:
        stories = stories.published()
    members = list(
        stories.select_related("edition", "translation_group").order_by(
            "-edition__is_default", "edition__code"
        )
    )
    if all(m.pk != article.pk for m in members):
        members.append(article)
    return members


def translations_of(article: Article, *, published: bool = True) -> list[Article]:
    """The other stories of the article's group: for readers, the published ones."""
    return [m for m in group_members(article, published=published) if m.pk != article.pk]


def editions_to_translate_into(article: Article) -> list[Edition]:
    """The editions that have no story of the article's group yet (its own excluded)."""
    taken = {article.edition_id}
    if article.translation_group_id is not None:
        taken |= set(
            Article.objects.filter(translation_group_id=article.translation_group_id).values_list(
                "edition_id", flat=True
            )
        )
    return list(Edition.objects.exclude(pk__in=taken))


def counterpart_tags(tags, edition: Edition) -> list[Tag]:
    """The tags of `edition` linked to these tags; a tag with no counterpart there is dropped."""
    group_ids = [tag.translation_group_id for tag in tags if tag.translation_group_id]
    if not group_ids:
        return []
    return list(Tag.objects.filter(edition=edition, translation_group_id__in=group_ids))


def link_tags(tag: Tag, counterpart: Tag) -> TagGroup:
    """Mark `counterpart` as the same tag as `tag` in another edition."""
    if tag.edition_id == counterpart.edition_id:
        raise ValidationError(_("Linked tags belong to different editions."), code="same_edition")
    with transaction.atomic():
        group_id = tag.translation_group_id or counterpart.translation_group_id
        group = TagGroup.objects.get(pk=group_id) if group_id else TagGroup.objects.create()
        for one in (tag, counterpart):
            if one.translation_group_id not in (None, group.pk):
                raise ValidationError(
                    _("This tag is already linked to other tags."), code="in_another_group"
                )
        if (
            Tag.objects.filter(translation_group=group)
            .exclude(pk__in=[tag.pk, counterpart.pk])
            .filter(edition_id__in=[tag.edition_id, counterpart.edition_id])
            .exists()
        ):
            raise ValidationError(
                _("These linked tags already have a tag in that edition."), code="edition_taken"
            )
        for one in (tag, counterpart):
            one.translation_group = group
            one.save(update_fields=["translation_group"])
    return group


def target_section(article: Article, edition: Edition) -> Section:
    """Where a translation into `edition` goes: the section with the original's section slug
    there, else the edition's first section."""
    sections = Section.objects.filter(edition=edition)
    section = sections.filter(slug=article.section.slug).first() or sections.first()
    if section is None:
        raise ValidationError(
            _("The edition %(name)s has no section yet.") % {"name": edition}, code="no_section"
        )
    return section


def start_translation(article: Article, edition: Edition, user) -> Article:
    """A new draft in `edition`, translated from `article`: its headline, lead, body, source and
    authors, the counterparts of its tags in that edition (a tag with none is dropped), in the
    section of the same slug (else the edition's first), linked into the story's group. The
    desk then translates the text. One transaction: a refusal leaves nothing made."""
    if edition.pk == article.edition_id:
        raise ValidationError(
            _("A translation belongs to another edition than the story it translates."),
            code="same_edition",
        )
    with transaction.atomic():
        draft = Article(
            edition=edition,
            section=target_section(article, edition),
            headline=article.headline,
            lead=article.lead,
            body=article.body,
            source=article.source,
            created_by=user if user and user.is_authenticated else None,
            revision=1,
        )
        draft.full_clean(exclude=["slug"])
        draft.save()
        draft.tags.set(counterpart_tags(article.tags.all(), edition))
        draft.authors.set(article.authors.all())
        link_translation(article, draft)
    return draft

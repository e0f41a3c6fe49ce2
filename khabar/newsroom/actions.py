"""The newsroom's workflow: every change a person makes to a story goes through here. Views, the
admin and commands call these functions; who may do what is decided here (through roles.can), so
a forged POST meets the same rules as a button.

Publishing and unpublishing themselves are the content's operations (khabar.news.actions); the
verbs here check the person, keep the revisions and the audit log, and announce (story_changed)
each change readers see.

`check_*` functions validate and raise ValidationError with a sentence for the editor;
`do_*` functions change the database, atomically.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from khabar.lib.dates import localize_digits
from khabar.lib.html import BodyRefused, clean_body
from khabar.lib.text import unicode_slug
from khabar.news.actions import announce, check_publish, do_publish, do_unpublish, lock_story
from khabar.news.models import Article, Author, Correction, Tag
from khabar.newsroom.diff import sentences
from khabar.newsroom.models import AuditEntry, Autosave, EditSession, Revision
from khabar.newsroom.roles import can, refusal


class Conflict(Exception):
    """A save based on a revision someone else has already replaced."""

    def __init__(self, current: Article):
        super().__init__("stale revision")
        self.current = current


def check(user, action: str, article: Article | None = None, *, edition=None) -> None:
    """Refuse, with a sentence for the person, what roles.can does not allow; the story's
    edition (or `edition`, for a story not made yet) is part of the question."""
    if not can(user, action, article, edition=edition):
        raise refusal(user, action, article, edition=edition)


def _audit(user, action: str, article: Article | None, note: str = "") -> None:
    AuditEntry.objects.create(actor=user, action=action, article=article, note=note[:500])


def _record_revision(article: Article, user, kind: str = "save", note: str = "") -> None:
    Revision.objects.create(
        article=article, number=article.revision, kind=kind, author=user,
        headline=article.headline, lead=article.lead, body=article.body, note=note[:300],
    )  # fmt: skip


def _keep_original_text(article: Article) -> None:
    """A story from before the newsroom (the demo loader, an import) has no revision yet: keep
    its text as it was before the first change, so it can be seen and restored."""
    if not Revision.objects.filter(article=article).exists():
        _record_revision(article, None)


def _apply(article: Article, fields: dict) -> list[str]:
    """Set the editable fields given; tags and authors are set after the save."""
    changed = []
    for name in ("headline", "lead", "body", "source", "section", "slug", "comment_mode"):
        if name in fields:
            setattr(article, name, fields[name])
            changed.append(name)
    return changed


def author_named(name: str) -> Author:
    """The author of that name, made when there is none: typing a name already in the list
    reuses it rather than splitting one person's stories over two author pages."""
    name = " ".join(name.split())[:100]
    base = unicode_slug(name, max_length=90) or "author"
    for _attempt in range(5):
        found = Author.objects.filter(name__iexact=name).order_by("pk").first()
        if found:
            return found
        slug, n = base, 1
        while Author.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        try:
            # A savepoint: when another desk creates the same name (or takes the slug) between
            # the look-up and the insert, the unique slug refuses this row and the look-up runs
            # again, finding theirs, instead of failing the whole save.
            with transaction.atomic():
                return Author.objects.create(name=name, slug=slug)
        except IntegrityError:
            continue
    raise IntegrityError(f"no free slug for the author {name!r}")


def tags_named(edition, tags) -> list[Tag]:
    """The edition's tags for `tags`, each a Tag or a name, creating those named that do not
    exist yet. The form has already refused new names to who may not create tags; call it in
    the story's transaction, so that a refused save leaves no tag behind."""
    return [
        tag if isinstance(tag, Tag) else Tag.objects.get_or_create(edition=edition, name=tag)[0]
        for tag in tags
    ]


def _byline(article: Article, authors, new_authors) -> None:
    """Set the story's authors: those chosen, plus the new names (found or created here, in the
    caller's transaction, so that a refused save creates no author either). `authors=None`
    keeps the byline as it is."""
    if authors is None and not new_authors:
        return
    chosen = list(article.authors.all()) if authors is None else list(authors)
    chosen += [author_named(name) for name in new_authors if name.strip()]
    article.authors.set(chosen)


def do_create(user, *, edition, **fields) -> Article:
    check(user, "create", edition=edition)
    tags = fields.pop("tags", None)
    authors = fields.pop("authors", None)
    new_authors = fields.pop("new_authors", ())
    with transaction.atomic():
        article = Article(edition=edition, created_by=user, revision=1)
        _apply(article, fields)
        article.full_clean(exclude=["slug"])
        article.save()
        if tags is not None:
            article.tags.set(tags)
        _byline(article, authors, new_authors)
        _record_revision(article, user)
        _audit(user, "create", article)
    return article


def do_save(user, article: Article, *, base_revision: int, **fields) -> Article:
    """An explicit save: refused if someone saved since `base_revision` (Conflict), otherwise a
    new revision. Nothing is written unless everything is."""
    tags = fields.pop("tags", None)
    authors = fields.pop("authors", None)
    new_authors = fields.pop("new_authors", ())
    with transaction.atomic():
        locked = lock_story(article)
        check(user, "edit", locked)
        if locked.revision != base_revision:
            raise Conflict(locked)
        _keep_original_text(locked)
        changed = _apply(locked, fields)
        locked.full_clean(exclude=["slug"])
        locked.revision += 1
        locked.save(update_fields=[*changed, "revision", "updated_at"])
        if tags is not None:
            locked.tags.set(tags)
        _byline(locked, authors, new_authors)
        _record_revision(locked, user)
        Autosave.objects.filter(article=locked, user=user).delete()
        if locked.status == Article.Status.PUBLISHED:
            # Scheduled and embargoed stories too: the index holds them, the time is checked
            # when searching. A story readers cannot have seen changes nothing they see.
            announce(locked)
    return locked


def do_autosave(user, article: Article, *, base_revision: int, headline: str, lead: str,
                body: str):  # fmt: skip
    """Keep the editor's unsaved text (one row per person and story, overwritten) and note
    that they are still editing; None when the body is too long or too deep to keep."""
    check(user, "edit", article)
    now = timezone.now()
    touch_edit_session(article, user, now)
    try:
        body = clean_body(body)
    except BodyRefused:
        # Too long or too deep to keep: the editor still holds the text, and saving it says
        # what is wrong. Only the presence is noted.
        return None
    if (headline, lead, body) == (article.headline, article.lead, article.body):
        # Nothing unsaved: no autosave to offer back.
        Autosave.objects.filter(article=article, user=user).delete()
        return Autosave(article=article, user=user, base_revision=base_revision, saved_at=now)
    autosave, _ = Autosave.objects.update_or_create(
        article=article, user=user,
        defaults={"base_revision": base_revision, "headline": headline[:300], "lead": lead,
                  "body": body},
    )  # fmt: skip
    return autosave


EDITING_WINDOW = timedelta(minutes=2)  # a session without a heartbeat for longer has ended


def touch_edit_session(article: Article, user, now=None) -> None:
    """Note that `user` has the story open; after a pause, a new session starts."""
    now = now or timezone.now()
    session, created = EditSession.objects.get_or_create(
        article=article, user=user, defaults={"last_seen": now}
    )
    if not created:
        if session.last_seen < now - EDITING_WINDOW:
            session.started_at = now
        session.last_seen = now
        session.save(update_fields=["started_at", "last_seen"])


def end_edit_sessions(user, *, article_id=None, **kwargs) -> None:
    """The person has left the story (or, without article_id, logged out): they are no longer
    shown as editing. Also a receiver of user_logged_out."""
    if user is None or not getattr(user, "pk", None):
        return
    sessions = EditSession.objects.filter(user=user)
    if article_id is not None:
        sessions = sessions.filter(article_id=article_id)
    sessions.delete()


def do_submit(user, article: Article) -> Article:
    with transaction.atomic():
        locked = lock_story(article)
        check(user, "submit", locked)
        check_publish(locked)
        locked.status = Article.Status.SUBMITTED
        locked.workflow_note = ""
        locked.save(update_fields=["status", "workflow_note", "updated_at"])
        _audit(user, "submit", locked)
    return locked


def do_send_back(user, article: Article, note: str) -> Article:
    if not note.strip():
        raise ValidationError({"note": _("Say what the reporter should change.")})
    with transaction.atomic():
        locked = lock_story(article)
        check(user, "send_back", locked)
        if locked.status != Article.Status.SUBMITTED:
            raise ValidationError(_("Only a story awaiting review can be sent back."))
        locked.status = Article.Status.DRAFT
        locked.workflow_note = note.strip()[:500]
        locked.save(update_fields=["status", "workflow_note", "updated_at"])
        _audit(user, "send_back", locked, note)
    return locked


def _publish_as(user, article: Article, action: str, *, at, embargo_until, note="") -> Article:
    """Publishing, scheduling and embargoing differ only in their times and their audit entry."""
    with transaction.atomic():
        check(user, "publish", article)
        article = do_publish(article, at=at, embargo_until=embargo_until)
        _audit(user, action, article, note)
    return article


def _future(moment, field: str) -> None:
    if moment is None or moment <= timezone.now():
        raise ValidationError({field: _("Choose a time in the future.")})


def do_schedule(user, article: Article, at) -> Article:
    """Publish at a later time: the story gets its code now and goes live by itself at `at`."""
    _future(at, "at")
    note = article.edition.format_datetime(at)
    return _publish_as(user, article, "schedule", at=at, embargo_until=None, note=note)


def do_embargo(user, article: Article, until) -> Article:
    """Ready now, public only from `until`: no page, list, feed or search shows it before."""
    _future(until, "until")
    note = article.edition.format_datetime(until)
    return _publish_as(user, article, "embargo", at=until, embargo_until=until, note=note)


def do_publish_now(user, article: Article) -> Article:
    return _publish_as(user, article, "publish", at=timezone.now(), embargo_until=None)


def do_unpublish_with_reason(user, article: Article, reason: str) -> Article:
    """Unpublish with a reason, kept in the audit log."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for unpublishing.")})
    with transaction.atomic():
        check(user, "publish", article)
        article = do_unpublish(article)
        _audit(user, "unpublish", article, reason)
    return article


def do_correct(user, article: Article, *, kind: str, note: str, base_revision: int,
               **fields) -> Article:  # fmt: skip
    """Publish an update or a correction: the text changes as given, the note is shown to
    readers, and the story's version rises. Its news code and URL stay."""
    if not note.strip():
        raise ValidationError({"note": _("Write the note readers will see.")})
    if kind not in ("update", "correction"):
        raise ValidationError({"kind": _("Choose update or correction.")})
    tags = fields.pop("tags", None)
    authors = fields.pop("authors", None)
    new_authors = fields.pop("new_authors", ())
    with transaction.atomic():
        locked = lock_story(article)
        check(user, "correct", locked)
        if locked.status != Article.Status.PUBLISHED:
            raise ValidationError(_("Only a published story can be corrected."))
        if locked.revision != base_revision:
            raise Conflict(locked)
        _keep_original_text(locked)
        changed = _apply(locked, fields)
        locked.full_clean(exclude=["slug"])
        locked.revision += 1
        locked.version += 1
        locked.save(update_fields=[*changed, "revision", "version", "updated_at"])
        if tags is not None:
            locked.tags.set(tags)
        _byline(locked, authors, new_authors)
        _record_revision(locked, user, kind="correction", note=note)
        Correction.objects.create(
            article=locked, kind=kind, note=note.strip(), version=locked.version, created_by=user
        )
        announce(locked)
        _audit(user, "correct", locked, note)
    return locked


def revision_name(number: int, numbering_system: str = "latn") -> str:
    """How the newsroom names a revision, the same in the history's list, its differences, the
    restore button and a restore's note: revision 0 is the text a story had before its first
    change in the newsroom (see _keep_original_text)."""
    if number == 0:
        return _("the original text")
    return _("revision %(number)s") % {"number": localize_digits(str(number), numbering_system)}


def corrected_sentences_missing(article: Article, text) -> list[str]:
    """The sentences a published update or correction added that are still in the story and
    would be gone with `text` (an object with headline, lead and body).

    A correction's revision holds the text it published; what it added is what its revision
    has and the revision before it has not. Readers were told of that change in a note that
    stays on the page, so taking the sentence out again must not happen by a restore."""
    revisions = {r.number: r for r in Revision.objects.filter(article=article)}
    added = set()
    for number, revision in revisions.items():
        before = revisions.get(number - 1)
        if revision.kind == Revision.Kind.CORRECTION and before is not None:
            added |= set(sentences(revision)) - set(sentences(before))
    kept = set(sentences(text))
    return [s for s in sentences(article) if s in added and s not in kept]


def check_restore(article: Article, old) -> None:
    """Refuse a restore that would change nothing, or that would take out what a published
    correction put in (the correction's note would then describe text that is gone)."""
    if (old.headline, old.lead, old.body) == (article.headline, article.lead, article.body):
        raise ValidationError(_("This revision's text is the story's text now: nothing changes."))
    if article.status == Article.Status.PUBLISHED:
        missing = corrected_sentences_missing(article, old)
        if missing:
            raise ValidationError(
                _("This revision cannot be restored: it lacks “%(sentence)s”, which a published "
                  "correction added and readers were told about. Publish a correction "
                  "instead.") % {"sentence": missing[0]}
            )  # fmt: skip


def restore_notes(article: Article, old, numbering_system: str | None = None) -> tuple[str, str]:
    """The newsroom's note on a restore (in the interface language: which revision, from when)
    and the note readers see when the story is live (in the edition's language and digits).
    Revision numbers are written in `numbering_system`, the edition's when none is given."""
    numbering_system = numbering_system or article.edition.numbering_system
    saved = article.edition.format_datetime(old.created_at)
    if old.number == 0:
        note = _("Restores the original text, saved on %(date)s.") % {"date": saved}
    else:
        note = _("Restores the text of %(revision)s, saved on %(date)s.") % {
            "revision": revision_name(old.number, numbering_system), "date": saved,
        }  # fmt: skip
    with translation.override(article.edition.language):
        public = _("The story's text was returned to its wording of %(date)s.") % {"date": saved}
    return note, public


def do_restore(user, article: Article, number: int, *, base_revision: int,
               numbering_system: str | None = None) -> Article:  # fmt: skip
    """Bring back an old revision's text as a new revision; the history keeps both.

    On a live story the restore changes what readers see, so it is published as an update: the
    version rises and a note tells readers. A restore that would drop a sentence a published
    correction added is refused (check_restore)."""
    with transaction.atomic():
        # The edition is read for its date format and language; only the story is locked.
        stories = Article.objects.select_for_update(of=("self",)).select_related("edition")
        locked = stories.get(pk=article.pk)
        check(user, "restore", locked)
        if locked.revision != base_revision:
            raise Conflict(locked)
        _keep_original_text(locked)
        old = Revision.objects.get(article=locked, number=number)
        check_restore(locked, old)
        note, public_note = restore_notes(locked, old, numbering_system)
        locked.headline, locked.lead, locked.body = old.headline, old.lead, old.body
        locked.revision += 1
        fields = ["headline", "lead", "body", "revision", "updated_at"]
        if locked.is_public:
            locked.version += 1
            fields.append("version")
        locked.save(update_fields=fields)
        _record_revision(locked, user, kind="restore", note=note)
        if "version" in fields:
            Correction.objects.create(
                article=locked, kind=Correction.Kind.UPDATE, note=public_note,
                version=locked.version, created_by=user,
            )  # fmt: skip
        if locked.status == Article.Status.PUBLISHED:
            announce(locked)
        _audit(user, "restore", locked, note)
    return locked
